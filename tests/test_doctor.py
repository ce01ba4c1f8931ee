"""`aigate-setup doctor`: one test per check id, against real files in the sandbox HOME and the
loopback fake gateway (with faults where the check is about the network)."""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, Result, run_cli
from writer_support import make_selection

from aigate_setup.testing import FakeGateway

ENV = {"AIGATE_API_KEY": TEST_KEY, "AIGATE_TIMEOUT": "1"}


def init(gw: FakeGateway, *clients: str, extra: tuple[str, ...] = ()) -> None:
    args = [
        "init",
        "--yes",
        "--no-smoke-test",
        "--base-url",
        gw.base_url,
        "--model",
        "openai/gpt-5.5",
        *extra,
    ]
    for c in clients:
        args += ["--client", c]
    r = run_cli(*args, env={"AIGATE_API_KEY": TEST_KEY})
    assert r.exit_code == 0, r.output


def doctor(
    gw: FakeGateway | None, *args: str, env: dict[str, str] | None = None, base: str | None = None
) -> tuple[Result, list[dict[str, Any]]]:
    url = base or (gw.base_url if gw else "http://127.0.0.1:9/v1")
    r = run_cli("doctor", "--format", "json", "--base-url", url, *args, env={**ENV, **(env or {})})
    assert TEST_KEY not in r.output
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["command"] == "doctor"
    assert doc["status"] == ("fail" if r.exit_code == 1 else "ok"), r.output
    return r, doc["checks"]


def get(checks: list[dict[str, Any]], cid: str) -> dict[str, Any]:
    found = [c for c in checks if c["id"] == cid]
    assert len(found) == 1, (cid, [c["id"] for c in checks])
    return found[0]


def home() -> Path:
    return Path(os.environ["HOME"])


def codex_toml() -> Path:
    return home() / ".codex" / "config.toml"


def opencode_json() -> Path:
    return home() / ".config" / "opencode" / "opencode.json"


def claude_sh() -> Path:
    return home() / ".config" / "aigate" / "aigate-claude.sh"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new))


# --------------------------------------------------------------------------- whole runs


def test_healthy_setup_from_init_exits_0(fake_gateway: FakeGateway) -> None:
    init(fake_gateway)
    r, checks = doctor(fake_gateway)
    assert r.exit_code == 0, r.output
    assert not [c for c in checks if c["status"] == "fail"]
    ids = {c["id"] for c in checks}
    for cid in (
        "env.key",
        "env.key_format",
        "env.conflicts",
        "env.anthropic_base_url",
        "env.openai_base_url",
        "env.proxy",
        "gateway.dns",
        "gateway.tcp",
        "gateway.tls",
        "gateway.models",
        "gateway.key",
        "gateway.balance",
        "gateway.models_known",
        "codex.binary",
        "codex.config",
        "codex.provider",
        "codex.base_url",
        "codex.key",
        "codex.default",
        "codex.rules",
        "codex.probe",
        "opencode.provider",
        "opencode.probe",
        "kilo.provider",
        "kilo.probe",
        "claude.script",
        "claude.sourced",
        "claude.slots",
        "claude.onboarding",
        "claude.rules",
        "claude.probe",
    ):
        assert cid in ids, cid
    for c in checks:
        assert set(c) == {"id", "status", "title", "detail", "hint"}
        assert c["status"] in ("pass", "warn", "skip")
    assert get(checks, "codex.probe")["detail"].startswith('openai/gpt-5.5 on /v1/responses: "OK"')
    assert get(checks, "claude.probe")["detail"].startswith("openai/gpt-5.5 on /v1/messages")
    assert get(checks, "gateway.tls") == {
        "id": "gateway.tls",
        "status": "skip",
        "title": "TLS handshake",
        "detail": "plain http:// base URL: no TLS",
        "hint": "",
    }
    paths_seen = {r.path for r in fake_gateway.requests}
    assert {
        "/v1/models",
        "/v1/balance",
        "/v1/responses",
        "/v1/chat/completions",
        "/v1/messages",
    } <= paths_seen


def test_text_output_groups_symbols_hints_and_summary(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    os.environ.pop("AIGATE_API_KEY", None)
    r = run_cli(
        "doctor",
        "--base-url",
        fake_gateway.base_url,
        "--client",
        "codex",
        env={"AIGATE_TIMEOUT": "1"},
    )
    assert r.exit_code == 1
    out = r.stdout
    assert out.startswith(
        "Environment\n  ✗ API key variable: AIGATE_API_KEY is not set  [env.key]\n"
        "      hint: export AIGATE_API_KEY=sk-... (your AIGate key)\n"
    )
    assert f"\nGateway ({fake_gateway.base_url})\n" in out
    assert "\nCodex\n" in out and "\nOpenCode\n" not in out
    assert (
        "  ✓ AIGate provider: [model_providers.aigate] in ~/.codex/config.toml  [codex.provider]"
        in out
    )
    assert out.rstrip().splitlines()[-1].startswith("doctor: problems found: ")
    assert "failed" in out.rstrip().splitlines()[-1]


def test_offline_sends_no_request(fake_gateway: FakeGateway) -> None:
    init(fake_gateway)
    fake_gateway.clear_log()
    r, checks = doctor(fake_gateway, "--offline")
    assert fake_gateway.requests == []
    assert r.exit_code == 0, r.output
    for cid in (
        "gateway.dns",
        "gateway.tcp",
        "gateway.tls",
        "gateway.models",
        "gateway.key",
        "gateway.balance",
        "gateway.models_known",
        "codex.probe",
        "claude.probe",
    ):
        c = get(checks, cid)
        assert c["status"] == "skip" and c["detail"] == "--offline: no network requests", c


def test_client_option_limits_the_report(fake_gateway: FakeGateway) -> None:
    init(fake_gateway)
    _, checks = doctor(fake_gateway, "--client", "kilo", "--offline")
    clients = {c["id"].split(".")[0] for c in checks} - {"env", "gateway"}
    assert clients == {"kilo"}


def test_hanging_gateway_finishes_in_seconds(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    fake_gateway.add_fault("*", hang=True)
    started = time.monotonic()
    r, checks = doctor(fake_gateway, env={"AIGATE_TIMEOUT": "0.5"})
    assert time.monotonic() - started < 8
    assert r.exit_code == 1
    models = get(checks, "gateway.models")
    assert models["status"] == "fail" and "timed out" in models["detail"], models
    assert "AIGATE_TIMEOUT" in models["hint"]
    assert get(checks, "gateway.key")["status"] == "fail"
    assert get(checks, "codex.probe")["status"] == "skip"
    assert "not reachable" in get(checks, "codex.probe")["detail"]


# --------------------------------------------------------------------------- environment


def test_env_key_unset(fake_gateway: FakeGateway) -> None:
    os.environ.pop("AIGATE_API_KEY", None)
    r = run_cli("doctor", "--format", "json", "--offline", "--base-url", fake_gateway.base_url)
    checks = json.loads(r.stdout)["checks"]
    assert r.exit_code == 1
    assert get(checks, "env.key") == {
        "id": "env.key",
        "status": "fail",
        "title": "API key variable",
        "detail": "AIGATE_API_KEY is not set",
        "hint": "export AIGATE_API_KEY=sk-... (your AIGate key)",
    }
    assert get(checks, "env.key_format")["status"] == "skip"


def test_env_key_empty_and_custom_key_env(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(fake_gateway, "--offline", "--key-env", "MY_KEY", env={"MY_KEY": "  "})
    assert r.exit_code == 1
    c = get(checks, "env.key")
    assert c["detail"] == "MY_KEY is set but empty" and c["hint"].startswith("export MY_KEY=")


def test_env_key_pass_is_masked(fake_gateway: FakeGateway) -> None:
    _, checks = doctor(fake_gateway, "--offline")
    assert get(checks, "env.key")["detail"] == "AIGATE_API_KEY is set (sk-...WXYZ)"
    assert get(checks, "env.key_format")["status"] == "pass"


@pytest.mark.parametrize(
    ("value", "detail_part"),
    [
        (f'"{TEST_KEY}"', "contains quote characters"),
        (TEST_KEY + "\n", "contains a newline"),
        ("sk-test 0123456789abcdef", "contains whitespace"),
        ("test-0123456789abcdefWXYZ", "does not start with sk-"),
    ],
)
def test_env_key_format(fake_gateway: FakeGateway, value: str, detail_part: str) -> None:
    r, checks = doctor(fake_gateway, "--offline", env={"AIGATE_API_KEY": value})
    assert r.exit_code == 1
    c = get(checks, "env.key_format")
    assert c["status"] == "fail" and detail_part in c["detail"], c
    assert "sk-" in c["hint"]
    assert value.strip().strip('"') not in r.output


def test_env_conflicts_both_anthropic_credentials(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(
        fake_gateway,
        "--offline",
        env={"ANTHROPIC_API_KEY": TEST_KEY, "ANTHROPIC_AUTH_TOKEN": TEST_KEY},
    )
    assert r.exit_code == 1
    c = get(checks, "env.conflicts")
    assert c["status"] == "fail"
    assert "both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set" in c["detail"]
    assert c["hint"].startswith("unset ANTHROPIC_API_KEY")


def test_env_anthropic_base_url_with_v1(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(fake_gateway, "--offline", env={"ANTHROPIC_BASE_URL": fake_gateway.base_url})
    assert r.exit_code == 1
    c = get(checks, "env.anthropic_base_url")
    assert c["status"] == "fail" and "ends in /v1" in c["detail"]
    assert c["hint"] == f"export ANTHROPIC_BASE_URL={fake_gateway.root}"


def test_env_openai_base_url_stale(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(
        fake_gateway, "--offline", env={"OPENAI_BASE_URL": "https://old-proxy.example/v1"}
    )
    c = get(checks, "env.openai_base_url")
    assert c["status"] == "warn" and c["detail"].startswith("https://old-proxy.example/v1 is set")
    assert c["hint"].startswith("unset OPENAI_BASE_URL")
    assert r.exit_code == 0


def test_env_proxy_loopback_not_in_no_proxy(fake_gateway: FakeGateway) -> None:
    _, checks = doctor(
        fake_gateway, "--offline", env={"HTTP_PROXY": "http://user:s3cret@127.0.0.1:9"}
    )
    c = get(checks, "env.proxy")
    assert c["status"] == "warn"
    assert c["detail"] == "requests to 127.0.0.1 go through the proxy http://***@127.0.0.1:9"
    assert c["hint"].startswith("export NO_PROXY=127.0.0.1")


def test_env_proxy_bypassed_by_no_proxy(fake_gateway: FakeGateway) -> None:
    _, checks = doctor(
        fake_gateway,
        "--offline",
        env={"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"},
    )
    c = get(checks, "env.proxy")
    assert c["status"] == "pass" and "127.0.0.1 is in NO_PROXY" in c["detail"]


def test_env_proxy_in_effect_for_remote_gateway() -> None:
    _, checks = doctor(
        None,
        "--offline",
        base="https://api.aigate.shop/v1",
        env={"HTTPS_PROXY": "http://proxy.corp.example:3128"},
    )
    c = get(checks, "env.proxy")
    assert c["status"] == "pass"
    assert (
        c["detail"]
        == "via proxy http://proxy.corp.example:3128 (api.aigate.shop is not in NO_PROXY)"
    )


# --------------------------------------------------------------------------- reachability


def test_gateway_dns_failure_is_named() -> None:
    host = "a" * 64 + ".example"  # an invalid label: fails locally, no query leaves the machine
    r, checks = doctor(None, base=f"http://{host}/v1")
    assert r.exit_code == 1
    c = get(checks, "gateway.dns")
    assert c["status"] == "fail" and "is not a valid host name" in c["detail"]
    assert "nslookup" in c["hint"]
    assert get(checks, "gateway.tcp") == {
        "id": "gateway.tcp",
        "status": "skip",
        "title": "TCP connect",
        "detail": "DNS failed",
        "hint": "",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gateway_tcp_refused() -> None:
    port = _free_port()
    r, checks = doctor(None, base=f"http://127.0.0.1:{port}/v1")
    assert r.exit_code == 1
    c = get(checks, "gateway.tcp")
    assert c["status"] == "fail" and c["detail"] == f"connection to 127.0.0.1:{port} refused"
    assert "--base-url" in c["hint"]
    models = get(checks, "gateway.models")
    assert models["status"] == "fail" and "refused" in models["detail"]


def test_gateway_tls_not_tls(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(None, base=f"https://127.0.0.1:{fake_gateway.port}/v1")
    assert r.exit_code == 1
    c = get(checks, "gateway.tls")
    assert c["status"] == "fail", c
    assert c["detail"].startswith(f"127.0.0.1:{fake_gateway.port} did not answer with TLS")
    assert "http://" in c["hint"]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections (kernel backlog) but never says a word."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    try:
        yield int(srv.getsockname()[1])
    finally:
        srv.close()


def test_gateway_tls_handshake_hangs(silent_server: int) -> None:
    started = time.monotonic()
    r, checks = doctor(
        None, base=f"https://127.0.0.1:{silent_server}/v1", env={"AIGATE_TIMEOUT": "0.5"}
    )
    assert time.monotonic() - started < 8
    assert r.exit_code == 1
    c = get(checks, "gateway.tls")
    assert c["status"] == "fail" and "timed out after 0.5s" in c["detail"], c
    assert get(checks, "gateway.tcp")["status"] == "pass"


# --------------------------------------------------------------------------- gateway API


def test_gateway_models_html(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", status=200, html=True)
    r, checks = doctor(fake_gateway, "--client", "codex")
    c = get(checks, "gateway.models")
    assert c["status"] == "fail" and "HTML" in c["detail"], c
    assert "proxy" in c["hint"] or "--base-url" in c["hint"]
    assert r.exit_code == 1


def test_gateway_models_500(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", status=500)
    _, checks = doctor(fake_gateway, "--client", "codex")
    c = get(checks, "gateway.models")
    assert c["status"] == "fail" and "500" in c["detail"] and "retry later" in c["hint"]


def test_gateway_key_rejected() -> None:
    with FakeGateway() as gw:
        init(gw, "codex")
        gw.keys = ("sk-other-0123456789abcdef0000",)  # the key was revoked
        r, checks = doctor(gw)
    assert r.exit_code == 1
    c = get(checks, "gateway.key")
    assert c == {
        "id": "gateway.key",
        "status": "fail",
        "title": "Key accepted",
        "detail": "the gateway rejected the key sk-...WXYZ (401)",
        "hint": "copy the key again from the AIGate dashboard: export AIGATE_API_KEY=sk-...",
    }
    assert get(checks, "gateway.models")["status"] == "pass"  # the catalog without the key
    assert get(checks, "gateway.balance")["status"] == "skip"
    assert get(checks, "codex.probe")["detail"] == "the key was rejected (see gateway.key)"


def test_gateway_balance_402(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/balance", status=402)
    r, checks = doctor(fake_gateway, "--client", "codex")
    assert r.exit_code == 1
    assert get(checks, "gateway.key")["status"] == "pass"
    c = get(checks, "gateway.balance")
    assert c["status"] == "fail" and "402" in c["detail"] and "top up" in c["hint"]


@pytest.mark.parametrize(
    ("balance", "status", "detail"),
    [
        (
            {"balance": 0, "token": {"remaining": 5, "unlimited_quota": False}},
            "fail",
            "the account balance is used up",
        ),
        (
            {"balance": 7.5, "token": {"remaining": 0, "unlimited_quota": False}},
            "fail",
            "this key's quota is used up",
        ),
        (
            {"balance": 7.5, "token": {"remaining": 0, "unlimited_quota": True}},
            "pass",
            "balance available, unlimited key quota",
        ),
        (
            {"balance": 7.5, "token": {"remaining": 3.25, "unlimited_quota": False}},
            "pass",
            "balance available, key quota left",
        ),
    ],
)
def test_gateway_balance(
    fake_gateway: FakeGateway, balance: dict[str, Any], status: str, detail: str
) -> None:
    fake_gateway.balance = balance
    _, checks = doctor(fake_gateway, "--client", "codex")
    c = get(checks, "gateway.balance")
    assert (c["status"], c["detail"]) == (status, detail)
    assert "7.5" not in json.dumps(c) and "3.25" not in json.dumps(c)  # no amounts shown


def test_gateway_models_known_unknown_id(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    edit(codex_toml(), 'model = "openai/gpt-5.5"', 'model = "openai/gpt-5.6"')
    r, checks = doctor(fake_gateway, "--client", "codex")
    assert r.exit_code == 1
    c = get(checks, "gateway.models_known")
    assert c["status"] == "fail"
    assert c["detail"].startswith("~/.codex/config.toml:") and "'openai/gpt-5.6'" in c["detail"]
    assert "openai/gpt-5.5" in c["hint"]  # did you mean ...
    probe = get(checks, "codex.probe")
    assert probe["status"] == "fail" and "gpt-5.6" in probe["detail"]


def test_gateway_models_known_not_usable_by_client(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "opencode", extra=("--extra-model", "deepseek/deepseek-v3.2"))
    edit(
        codex_toml() if False else opencode_json(),
        '"model": "aigate/openai/gpt-5.5"',
        '"model": "aigate/deepseek/deepseek-v3.2"',
    )
    _, checks = doctor(fake_gateway, "--client", "opencode")
    c = get(checks, "gateway.models_known")
    assert c["status"] == "pass", c  # chat-completions models are fine for OpenCode
    init(fake_gateway, "codex")
    edit(codex_toml(), 'model = "openai/gpt-5.5"', 'model = "deepseek/deepseek-v3.2"')
    _, checks = doctor(fake_gateway, "--client", "codex")
    c = get(checks, "gateway.models_known")
    assert c["status"] == "warn" and "cannot be used by codex" in c["detail"], c


# --------------------------------------------------------------------------- per client


def test_codex_config_parse_error_names_line_and_column(fake_gateway: FakeGateway) -> None:
    codex_toml().parent.mkdir(parents=True)
    codex_toml().write_text('model = "x"\n[model_providers.aigate\n')
    r, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    assert r.exit_code == 1
    c = get(checks, "codex.config")
    assert c["status"] == "fail"
    assert c["detail"].startswith("~/.codex/config.toml:2:"), c
    assert "aigate-setup restore" in c["hint"]


def test_codex_config_missing_is_skip_unless_requested(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(fake_gateway, "--offline")
    c = get(checks, "codex.config")
    assert (
        c["status"] == "skip" and c["detail"] == "no config file found (e.g. ~/.codex/config.toml)"
    )
    assert c["hint"] == "aigate-setup init --client codex"
    assert r.exit_code == 0
    r, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    assert get(checks, "codex.config")["status"] == "fail" and r.exit_code == 1


def test_codex_provider_missing_but_selected(fake_gateway: FakeGateway) -> None:
    codex_toml().parent.mkdir(parents=True)
    codex_toml().write_text('model_provider = "aigate"\nmodel = "openai/gpt-5.5"\n')
    r, checks = doctor(fake_gateway, "--offline")
    c = get(checks, "codex.provider")
    assert c["status"] == "fail"
    assert c["detail"] == 'model_provider = "aigate" but [model_providers.aigate] is missing'
    assert c["hint"].startswith("aigate-setup init --client codex")
    assert r.exit_code == 1


def test_codex_provider_not_set_up_is_warn(fake_gateway: FakeGateway) -> None:
    codex_toml().parent.mkdir(parents=True)
    codex_toml().write_text('model = "gpt-5"\n')
    r, checks = doctor(fake_gateway, "--offline")
    c = get(checks, "codex.provider")
    assert (
        c["status"] == "warn" and c["detail"] == "no [model_providers.aigate] in the Codex config"
    )
    assert r.exit_code == 0


def test_codex_provider_only_in_project_file(fake_gateway: FakeGateway) -> None:
    proj = Path.cwd() / ".codex"
    proj.mkdir()
    (proj / "config.toml").write_text(
        '[model_providers.aigate]\nname = "AIGate"\nbase_url = "x"\nenv_key = "AIGATE_API_KEY"\n'
        'wire_api = "responses"\n'
    )
    r, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    c = get(checks, "codex.provider")
    assert c["status"] == "fail" and "which Codex ignores for providers" in c["detail"]
    assert r.exit_code == 1


def test_codex_base_url_wrong_and_rule_finding(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    edit(
        codex_toml(),
        f'base_url = "{fake_gateway.base_url}"',
        f'base_url = "{fake_gateway.base_url}/v1"',
    )
    r, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    assert r.exit_code == 1
    c = get(checks, "codex.base_url")
    assert c["status"] == "fail"
    assert c["detail"] == (
        f"{fake_gateway.base_url}/v1 in ~/.codex/config.toml, expected {fake_gateway.base_url}"
    )
    assert c["hint"].startswith(f"set it to {fake_gateway.base_url}")
    rule = get(checks, "codex.rules.AIG011")
    assert rule["status"] == "fail" and rule["title"] == "AIG011 Base URL contains /v1/v1"
    assert rule["detail"].startswith("~/.codex/config.toml:") and "repeats /v1" in rule["detail"]
    assert rule["hint"] == f"use the base URL {fake_gateway.base_url}"


def test_codex_key_variable_not_set(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    edit(codex_toml(), 'env_key = "AIGATE_API_KEY"', 'env_key = "OTHER_KEY"')
    r, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    c = get(checks, "codex.key")
    assert (c["status"], c["detail"]) == (
        "fail",
        "reads $OTHER_KEY, which is not set in this shell",
    )
    assert c["hint"] == "export OTHER_KEY=sk-... before starting codex"
    assert r.exit_code == 1


def test_codex_key_literal_never_printed(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    literal = "sk-live-9876543210fedcbaQRST"
    edit(
        codex_toml(),
        'env_key = "AIGATE_API_KEY"',
        f'env_key = "AIGATE_API_KEY"\nexperimental_bearer_token = "{literal}"',
    )
    r, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    assert literal not in r.output
    c = get(checks, "codex.key")
    assert (
        c["status"] == "fail" and c["detail"] == "a literal key is written in ~/.codex/config.toml"
    )
    assert 'env_key = "AIGATE_API_KEY"' in c["hint"]
    assert get(checks, "codex.rules.AIG004")["status"] == "fail"


def test_codex_default_not_aigate(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex", extra=("--no-default",))
    r, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    c = get(checks, "codex.default")
    assert c["status"] == "warn"
    assert c["detail"] == "the default provider is openai (built in), not aigate"
    assert r.exit_code == 0
    assert get(checks, "codex.probe")["status"] == "skip"


def test_codex_rules_clean_and_pass(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    _, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    assert get(checks, "codex.rules") == {
        "id": "codex.rules",
        "status": "pass",
        "title": "Static rules (same as `aigate-setup check`)",
        "detail": "no findings in 1 file",
        "hint": "",
    }


def test_opencode_provider_missing_while_default_points_at_it(fake_gateway: FakeGateway) -> None:
    opencode_json().parent.mkdir(parents=True)
    opencode_json().write_text('{"model": "aigate/openai/gpt-5.5"}\n')
    r, checks = doctor(fake_gateway, "--offline")
    c = get(checks, "opencode.provider")
    assert c["status"] == "fail" and "provider.aigate is missing" in c["detail"]
    assert r.exit_code == 1


def test_opencode_misspelled_root_key_rule(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "opencode")
    edit(opencode_json(), '"provider"', '"providers"')
    r, checks = doctor(fake_gateway, "--offline", "--client", "opencode")
    assert r.exit_code == 1
    assert get(checks, "opencode.provider")["status"] == "fail"
    rule = get(checks, "opencode.rules.AIG033")
    assert rule["status"] == "fail" and "providers" in rule["detail"]


def test_opencode_key_missing_and_literal(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "opencode")
    edit(
        opencode_json(),
        '"apiKey": "{env:AIGATE_API_KEY}"',
        '"apiKey": "sk-live-1234567890abcdefGHIJ"',
    )
    r, checks = doctor(fake_gateway, "--offline", "--client", "opencode")
    assert "sk-live-1234567890abcdefGHIJ" not in r.output
    c = get(checks, "opencode.key")
    assert c["status"] == "fail" and "{env:AIGATE_API_KEY}" in c["hint"]
    # The fake gateway is on 127.0.0.1, where AIG003 spares placeholder keys; a key-shaped
    # literal is still reported by the catch-all AIG002.
    assert get(checks, "opencode.rules.AIG002")["status"] == "fail"


def test_opencode_default_model_elsewhere(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "opencode")
    edit(opencode_json(), '"model": "aigate/openai/gpt-5.5"', '"model": "anthropic/claude-x"')
    _, checks = doctor(fake_gateway, "--offline", "--client", "opencode")
    c = get(checks, "opencode.default")
    assert c["status"] == "warn"
    assert c["detail"] == 'the default model is "anthropic/claude-x", not an aigate/ model'


def test_kilo_project_env_substitution_rule(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "kilo")
    (Path.cwd() / "kilo.jsonc").write_text(
        '{"provider": {"aigate": {"options": {"apiKey": "{env:AIGATE_API_KEY}"}}}}\n'
    )
    r, checks = doctor(fake_gateway, "--offline", "--client", "kilo")
    assert r.exit_code == 1
    rule = get(checks, "kilo.rules.AIG035")
    assert rule["status"] == "fail" and rule["detail"].startswith(str(Path.cwd() / "kilo.jsonc"))


def test_claude_script_without_block(fake_gateway: FakeGateway) -> None:
    claude_sh().parent.mkdir(parents=True)
    claude_sh().write_text("export FOO=1\n")
    r, checks = doctor(fake_gateway, "--offline")
    c = get(checks, "claude.script")
    assert c["status"] == "fail"
    assert c["detail"] == "~/.config/aigate/aigate-claude.sh has no aigate-setup block"
    assert r.exit_code == 1


def test_claude_sourced(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "claude")
    _, checks = doctor(fake_gateway, "--offline", "--client", "claude")
    c = get(checks, "claude.sourced")
    assert c["status"] == "warn" and "not sourced" in c["detail"]
    assert c["hint"] == ". ~/.config/aigate/aigate-claude.sh && claude"
    _, checks = doctor(
        fake_gateway,
        "--offline",
        "--client",
        "claude",
        env={"ANTHROPIC_BASE_URL": fake_gateway.root, "ANTHROPIC_AUTH_TOKEN": TEST_KEY},
    )
    c = get(checks, "claude.sourced")
    assert c["status"] == "pass"
    assert c["detail"] == f"ANTHROPIC_BASE_URL is the gateway root {fake_gateway.root}"
    _, checks = doctor(
        fake_gateway,
        "--offline",
        "--client",
        "claude",
        env={"ANTHROPIC_BASE_URL": "https://api.anthropic.com"},
    )
    c = get(checks, "claude.sourced")
    assert c["status"] == "warn" and "https://api.anthropic.com in this shell" in c["detail"]


def test_claude_slots_missing(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "claude")
    text = claude_sh().read_text()
    claude_sh().write_text(
        "\n".join(ln for ln in text.splitlines() if "DEFAULT_HAIKU" not in ln) + "\n"
    )
    _, checks = doctor(fake_gateway, "--offline", "--client", "claude")
    c = get(checks, "claude.slots")
    assert (c["status"], c["detail"]) == ("warn", "not set: ANTHROPIC_DEFAULT_HAIKU_MODEL")
    assert "aigate-setup init --client claude" in c["hint"]
    assert not [x for x in checks if x["id"] == "claude.rules.AIG041"]  # reported once


def test_claude_onboarding(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "claude")
    _, checks = doctor(fake_gateway, "--offline", "--client", "claude")
    c = get(checks, "claude.onboarding")
    assert c["status"] == "warn" and "~/.claude.json does not exist" in c["detail"]
    assert '"hasCompletedOnboarding": true' in c["hint"]
    (home() / ".claude.json").write_text('{"numStartups": 3}')
    _, checks = doctor(fake_gateway, "--offline", "--client", "claude")
    assert "hasCompletedOnboarding is not set" in get(checks, "claude.onboarding")["detail"]
    (home() / ".claude.json").write_text('{"hasCompletedOnboarding": true}')
    _, checks = doctor(fake_gateway, "--offline", "--client", "claude")
    assert get(checks, "claude.onboarding")["status"] == "pass"


def test_claude_base_url_and_key(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "claude")
    _, checks = doctor(fake_gateway, "--offline", "--client", "claude")
    assert get(checks, "claude.base_url")["detail"] == (
        f"{fake_gateway.root} (~/.config/aigate/aigate-claude.sh)"
    )
    assert get(checks, "claude.key")["detail"] == "reads $AIGATE_API_KEY (set, sk-...WXYZ)"


# --------------------------------------------------------------------------- binaries, probes


def _fake_bin(dirpath: Path, name: str, script: str) -> None:
    dirpath.mkdir(exist_ok=True)
    p = dirpath / name
    p.write_text("#!/bin/sh\n" + script)
    p.chmod(p.stat().st_mode | stat.S_IEXEC)


def test_binary_installed_version_and_hang(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(fake_gateway, "codex", "opencode")
    bindir = tmp_path / "bin"
    _fake_bin(bindir, "codex", 'echo "codex-cli 0.169.0"\n')
    _fake_bin(bindir, "opencode", "sleep 30\n")
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    started = time.monotonic()
    _, checks = doctor(
        fake_gateway,
        "--offline",
        "--client",
        "codex",
        "--client",
        "opencode",
        "--client",
        "kilo",
        env={"AIGATE_TIMEOUT": "0.5"},
    )
    assert time.monotonic() - started < 8
    c = get(checks, "codex.binary")
    assert c["status"] == "pass" and c["detail"] == f"{bindir}/codex (codex-cli 0.169.0)"
    c = get(checks, "opencode.binary")
    assert c["status"] == "warn" and "did not answer within 0.5s" in c["detail"]
    c = get(checks, "kilo.binary")
    assert c["status"] == "warn" and c["detail"] == "kilo is not on PATH"
    assert c["hint"] == "npm install -g @kilocode/cli@7.7.7"


def test_probe_failure_is_explained(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex", "claude")
    fake_gateway.add_fault("/v1/responses", status=402)
    fake_gateway.add_fault("/v1/messages", hang=True)
    started = time.monotonic()
    r, checks = doctor(
        fake_gateway, "--client", "codex", "--client", "claude", env={"AIGATE_TIMEOUT": "0.5"}
    )
    assert time.monotonic() - started < 10
    assert r.exit_code == 1
    c = get(checks, "codex.probe")
    assert c["status"] == "fail" and "402" in c["detail"] and "top up" in c["hint"], c
    c = get(checks, "claude.probe")
    assert c["status"] == "fail" and "timed out" in c["detail"], c


def test_with_clients_runs_each_client(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(fake_gateway)
    bindir = tmp_path / "bin"
    _fake_bin(bindir, "codex", 'case "$1" in --version) echo 0.169.0;; *) echo OK;; esac\n')
    _fake_bin(
        bindir,
        "opencode",
        'case "$1" in --version) echo 1.18.33;; *) echo "model not found" >&2; exit 3;; esac\n',
    )
    _fake_bin(bindir, "kilo", 'case "$1" in --version) echo 7.7.7;; *) sleep 30;; esac\n')
    # claude answers OK only when the aigate script was sourced first
    _fake_bin(
        bindir,
        "claude",
        'case "$1" in --version) echo 2.1.197;; *) '
        '[ -n "$ANTHROPIC_AUTH_TOKEN" ] && echo "$ANTHROPIC_BASE_URL OK" || exit 1;; esac\n',
    )
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    r, checks = doctor(fake_gateway, "--with-clients", env={"AIGATE_CLIENT_TIMEOUT": "1"})
    assert "costs a few tokens" in r.stderr
    assert get(checks, "codex.run")["status"] == "pass"
    assert get(checks, "codex.run")["detail"].startswith('answered "OK"')
    c = get(checks, "opencode.run")
    assert c["status"] == "fail" and c["detail"].endswith("exited 3: model not found"), c
    c = get(checks, "kilo.run")
    assert c["status"] == "fail" and "did not finish within 1s" in c["detail"]
    c = get(checks, "claude.run")
    assert c["status"] == "pass" and fake_gateway.root in c["detail"], c
    assert r.exit_code == 1


# --------------------------------------------------------------------------- --fix


def test_fix_repairs_owned_parts_with_backup(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex", "claude")
    edit(
        codex_toml(),
        f'base_url = "{fake_gateway.base_url}"',
        'base_url = "http://wrong.example/v1"',
    )
    edit(codex_toml(), 'env_key = "AIGATE_API_KEY"', 'env_key = "OTHER_KEY"')
    with codex_toml().open("a") as fh:
        fh.write("\n# my own comment\n")
    text = claude_sh().read_text()
    claude_sh().write_text("\n".join(ln for ln in text.splitlines() if "HAIKU" not in ln) + "\n")

    r = run_cli(
        "doctor",
        "--base-url",
        fake_gateway.base_url,
        "--client",
        "codex",
        "--client",
        "claude",
        "--fix",
        env=ENV,
    )
    assert r.exit_code == 1
    assert "rerun with --fix --yes" in r.stdout
    assert '-base_url = "http://wrong.example/v1"' in r.stdout  # the diff is shown
    assert "wrong.example" in codex_toml().read_text()  # nothing written without --yes

    r = run_cli(
        "doctor",
        "--base-url",
        fake_gateway.base_url,
        "--client",
        "codex",
        "--client",
        "claude",
        "--fix",
        "--yes",
        env=ENV,
    )
    assert r.exit_code == 0, r.output
    assert "--fix: updated ~/.codex/config.toml (codex)" in r.stdout
    assert "--fix: undo with: aigate-setup restore " in r.stdout
    fixed = codex_toml().read_text()
    assert f'base_url = "{fake_gateway.base_url}"' in fixed
    assert 'env_key = "AIGATE_API_KEY"' in fixed and "# my own comment" in fixed
    assert "ANTHROPIC_DEFAULT_HAIKU_MODEL" in claude_sh().read_text()
    _, checks = doctor(fake_gateway, "--offline", "--client", "codex", "--client", "claude")
    assert get(checks, "codex.base_url")["status"] == "pass"
    assert get(checks, "claude.slots")["status"] == "pass"


def test_fix_with_nothing_to_repair(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    r = run_cli(
        "doctor",
        "--offline",
        "--base-url",
        fake_gateway.base_url,
        "--client",
        "codex",
        "--fix",
        "--yes",
        env=ENV,
    )
    assert r.exit_code == 0
    assert "--fix: nothing aigate-setup owns needs a repair." in r.stdout


# --------------------------------------------------------------------------- TLS with a real handshake


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A loopback TLS server with a self-signed certificate for 127.0.0.1 (handshake only)."""
    import shutil
    import ssl
    import subprocess
    import threading

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            conn.settimeout(2)
            try:
                with ctx.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(srv.getsockname()[1]), cert
    finally:
        stop.set()
        thread.join(5)
        srv.close()


def test_gateway_tls_untrusted_and_trusted(tls_server: tuple[int, Path]) -> None:
    port, cert = tls_server
    base = f"https://127.0.0.1:{port}/v1"
    _, checks = doctor(None, base=base)
    c = get(checks, "gateway.tls")
    assert c["status"] == "fail", c
    assert c["detail"].startswith("the certificate of 127.0.0.1 is not trusted")
    assert "SSL_CERT_FILE" in c["hint"]
    _, checks = doctor(None, base=base, env={"SSL_CERT_FILE": str(cert)})
    c = get(checks, "gateway.tls")
    assert c["status"] == "pass", c
    assert c["detail"].endswith(", certificate valid for 127.0.0.1")


def test_doctor_and_check_agree_on_rule_findings(fake_gateway: FakeGateway) -> None:
    project_file = Path.cwd() / "opencode.json"
    project_file.write_text(
        '{\n  "providers": {},\n  "model": "aigate/openai/gpt-5.5",\n'
        '  "provider": {"aigate": {"options": {"baseURL": "https://api.aigate.shop/v1/chat/completions",'
        ' "apiKey": "{env:AIGATE_API_KEY}"}, "models": {}}}\n}\n'
    )
    _, checks = doctor(
        fake_gateway, "--offline", "--client", "opencode", base="https://api.aigate.shop/v1"
    )
    from_doctor = sorted(
        (c["id"].rsplit(".", 1)[1], c["status"], c["detail"].replace(f"{Path.cwd()}{os.sep}", ""))
        for c in checks
        if c["id"].startswith("opencode.rules.")
    )
    r = run_cli("check", "--format", "json", str(project_file), env=ENV)
    findings = json.loads(r.stdout)["findings"]
    from_check = sorted(
        (
            f["rule"],
            "fail" if f["severity"] == "error" else "warn",
            f"{f['path']}:{f['line']}:{f['column']}: {f['message']}",
        )
        for f in findings
    )
    assert from_doctor and from_doctor == from_check


# --------------------------------------------------------------------------- planted problems

ROOT = "{root}"  # replaced by the fake gateway's root URL


def kilo_jsonc() -> Path:
    return home() / ".config" / "kilo" / "kilo.jsonc"


PLANTED = [
    # (client, file, old, new, check id that must fail)
    ("codex", codex_toml, 'wire_api = "responses"', 'wire_api = "chat"', "codex.rules.AIG020"),
    ("codex", codex_toml, 'model_provider = "aigate"',
     'profile = "work"\nmodel_provider = "aigate"', "codex.rules.AIG021"),
    ("codex", codex_toml, 'wire_api = "responses"',
     'wire_api = "responses"\n\n[model_providers.openai]\nname = "x"\n'
     'base_url = "https://api.aigate.shop/v1"', "codex.rules.AIG022"),
    ("codex", codex_toml, f'base_url = "{ROOT}/v1"', 'base_url = "http://gw.example.com/v1"',
     "codex.rules.AIG014"),
    ("codex", codex_toml, f'base_url = "{ROOT}/v1"', f'base_url = "{ROOT}/v1/responses"',
     "codex.rules.AIG010"),
    ("codex", codex_toml, 'env_key = "AIGATE_API_KEY"\n', "", "codex.key"),
    ("opencode", opencode_json, '"model": "aigate/openai/gpt-5.5"',
     '"model": "aigate/openai/gpt-5.5-mini"', "opencode.rules.AIG030"),
    ("opencode", opencode_json, '"apiKey": "{env:AIGATE_API_KEY}"', '"apiKey": "{env:NOPE_KEY}"',
     "opencode.key"),
    ("opencode", opencode_json, f'"baseURL": "{ROOT}/v1"', f'"baseURL": "{ROOT}/v1/v1"',
     "opencode.base_url"),
    ("kilo", kilo_jsonc, '"provider"', '"providers"', "kilo.rules.AIG033"),
    ("kilo", kilo_jsonc, '{\n', '{\n  "oops": ,\n', "kilo.config"),
    ("claude", claude_sh, f"ANTHROPIC_BASE_URL='{ROOT}'", f"ANTHROPIC_BASE_URL='{ROOT}/v1'",
     "claude.rules.AIG013"),
    ("claude", claude_sh, 'export ANTHROPIC_AUTH_TOKEN="$_aigate_key"',
     "export ANTHROPIC_AUTH_TOKEN=sk-live-0123456789abcdefLMNO", "claude.key"),
    ("claude", claude_sh, "# >>> aigate-setup >>>", "", "claude.config"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("client", "file", "old", "new", "cid"), PLANTED, ids=[p[4] + ":" + p[3][:12] for p in PLANTED]
)
def test_planted_problem_fails_and_is_named(
    fake_gateway: FakeGateway, client: str, file: Any, old: str, new: str, cid: str
) -> None:
    init(fake_gateway, client)
    root = fake_gateway.root
    edit(file(), old.replace(ROOT, root), new.replace(ROOT, root))
    r, checks = doctor(fake_gateway, "--offline", "--client", client)
    assert r.exit_code == 1, r.output
    named = [c for c in checks if c["id"] == cid]
    assert named and all(c["status"] == "fail" for c in named), (cid, checks)
    assert all(c["detail"] and c["hint"] for c in named)
    assert "sk-live-0123456789abcdefLMNO" not in r.output


def test_healthy_project_scope_setup(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, extra=("--scope", "project"))
    _, checks = doctor(fake_gateway)
    fails = [c["id"] for c in checks if c["status"] == "fail"]
    assert fails == [], fails
    # <dir>/opencode.json holds OpenCode's {env:...} provider; Kilo reads that file too and
    # skips it, which is worth a warning, not a failure (Kilo's own files stay clean).
    shared = get(checks, "kilo.rules.AIG035")
    assert shared["status"] == "warn"
    assert "OpenCode project file that Kilo also reads" in shared["detail"]
    assert get(checks, "claude.script")["detail"] == str(
        Path.cwd() / ".aigate" / "aigate-claude.sh"
    )
    assert "kilo.jsonc" in get(checks, "kilo.config")["detail"]
    assert get(checks, "kilo.default")["status"] == "pass"
    assert get(checks, "opencode.probe")["status"] == "pass"


def test_claude_sourced_with_a_stale_token(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "claude")
    _, checks = doctor(
        fake_gateway,
        "--offline",
        "--client",
        "claude",
        env={
            "ANTHROPIC_BASE_URL": fake_gateway.root,
            "ANTHROPIC_AUTH_TOKEN": "sk-old-0123456789abcdefOLDK",
        },
    )
    c = get(checks, "claude.sourced")
    assert c["status"] == "warn"
    assert c["detail"] == "ANTHROPIC_AUTH_TOKEN (sk-...OLDK) is not the key in $AIGATE_API_KEY"
    assert c["hint"] == "load the script again: . ~/.config/aigate/aigate-claude.sh"


def test_opencode_without_api_key_is_warn(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "opencode")
    edit(opencode_json(), ',\n        "apiKey": "{env:AIGATE_API_KEY}"', "")
    r, checks = doctor(fake_gateway, "--offline", "--client", "opencode")
    c = get(checks, "opencode.key")
    assert c["status"] == "warn"
    assert c["detail"] == (
        "no apiKey in ~/.config/opencode/opencode.json; only a key saved with /connect would work"
    )
    assert c["hint"].startswith('set "apiKey": "{env:AIGATE_API_KEY}"')
    assert r.exit_code == 0


def test_claude_key_from_kept_key_file(fake_gateway: FakeGateway) -> None:
    from aigate_setup import fsio, plan

    key_file = home() / ".config" / "aigate" / "key"
    key_file.parent.mkdir(parents=True)
    key_file.write_text(TEST_KEY + "\n")
    sel = make_selection(
        clients=("claude",),
        model="anthropic/claude-sonnet-4.6",
        base_url=fake_gateway.base_url,
        key_file=key_file,
    )
    fsio.apply(plan.build_changes(sel, None))
    os.environ.pop("AIGATE_API_KEY", None)

    def claude_key_check() -> dict[str, Any]:
        r = run_cli(
            "doctor",
            "--format",
            "json",
            "--offline",
            "--client",
            "claude",
            "--base-url",
            fake_gateway.base_url,
        )
        return get(json.loads(r.stdout)["checks"], "claude.key")

    c = claude_key_check()
    assert c["status"] == "pass", c
    assert c["detail"] == (
        "reads $AIGATE_API_KEY (not set here), else the kept key file ~/.config/aigate/key"
    )
    key_file.unlink()
    c = claude_key_check()
    assert (
        c["status"] == "fail"
        and c["detail"] == "reads $AIGATE_API_KEY, which is not set in this shell"
    )


# --------------------------------------------------------------------------- secrets in URLs

URL_PASSWORD = "Pw0rdInTheUrl"
URL_KEY = "sk-live-0123456789abcdefURLK"
HOSTILE_BASE = f"https://user:{URL_PASSWORD}@gw.example.com/v1?key={URL_KEY}"

HOSTILE_URLS = [
    # (client, file, old, new): the aigate base URL replaced by one that carries credentials
    ("codex", codex_toml, 'base_url = "{root}/v1"', f'base_url = "{HOSTILE_BASE}"'),
    ("opencode", opencode_json, '"baseURL": "{root}/v1"', f'"baseURL": "{HOSTILE_BASE}"'),
    ("claude", claude_sh, "ANTHROPIC_BASE_URL='{root}'", f"ANTHROPIC_BASE_URL='{HOSTILE_BASE}'"),
]


@pytest.mark.parametrize(
    ("client", "file", "old", "new"), HOSTILE_URLS, ids=[h[0] for h in HOSTILE_URLS]
)
def test_credentials_in_a_configured_url_are_never_shown(
    fake_gateway: FakeGateway, client: str, file: Any, old: str, new: str
) -> None:
    """issue 18 item 5: userinfo and `?key=` of a base URL are masked in every check."""
    init(fake_gateway, client)
    edit(file(), old.replace("{root}", fake_gateway.root), new)
    args = ("doctor", "--offline", "--client", client, "--base-url", fake_gateway.base_url)
    text = run_cli(*args, env=ENV)
    js = run_cli(*args, "--format", "json", env=ENV)
    assert text.exit_code == js.exit_code == 1, text.output
    checks = json.loads(js.stdout)["checks"]
    shown = [c for c in checks if "gw.example.com" in c["detail"] + c["hint"]]
    assert shown, checks  # the URL is named (masked), so the test looks at real output
    assert any("***@gw.example.com" in c["detail"] for c in shown), shown
    for out in (text.output, js.output):
        assert URL_PASSWORD not in out
        assert URL_KEY not in out


def test_credentials_in_the_base_url_flag_are_never_shown(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    base = f"http://user:{URL_PASSWORD}@127.0.0.1:{fake_gateway.port}/v1?key={URL_KEY}"
    args = ("doctor", "--offline", "--client", "codex", "--base-url", base)
    text = run_cli(*args, env=ENV)
    js = run_cli(*args, "--format", "json", env=ENV)
    assert "Gateway (http://***@127.0.0.1:" in text.stdout
    assert (
        "expected http://***@127.0.0.1:"
        in get(json.loads(js.stdout)["checks"], "codex.base_url")["detail"]
    )
    for out in (text.output, js.output):
        assert URL_PASSWORD not in out
        assert URL_KEY not in out
