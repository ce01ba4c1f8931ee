"""`aigate-setup doctor`: each client's config checks, planted problems, and secrets in URLs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli
from doctor_support import (
    ENV,
    claude_sh,
    codex_toml,
    doctor,
    edit,
    get,
    home,
    init,
    opencode_json,
)
from writer_support import make_selection

from aigate_setup.testing import FakeGateway

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


def test_a_client_neither_configured_nor_installed_is_left_out(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", f"{tmp_path / 'nothing'}{os.pathsep}/usr/bin{os.pathsep}/bin")
    init(fake_gateway, "kilo")
    r, checks = doctor(fake_gateway, "--offline")
    assert r.exit_code == 0
    assert {c["id"].split(".")[0] for c in checks} == {"env", "gateway", "kilo"}
    r, checks = doctor(fake_gateway, "--offline", "--client", "codex")
    c = get(checks, "codex.config")
    assert c["status"] == "fail" and r.exit_code == 1
    assert c["detail"] == "no config file found (e.g. ~/.codex/config.toml)"
    assert c["hint"] == "aigate-setup init --client codex"
    # Installed but not configured: doctor still says what is missing, as a skip.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "codex").write_text("#!/bin/sh\necho codex-cli 0.169.0\n")
    (bindir / "codex").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    r, checks = doctor(fake_gateway, "--offline")
    assert get(checks, "codex.config")["status"] == "skip" and r.exit_code == 0


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
        " (AIG011 Base URL contains /v1/v1)"
    )
    assert c["hint"].startswith(f"set it to {fake_gateway.base_url}")
    # One URL, one problem: the rule finding is not a second failure.
    assert [x["id"] for x in checks if x["status"] == "fail"] == ["codex.base_url"]


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
    assert c["hint"].startswith("aigate-setup init --client opencode")  # init's own file


def test_kilo_default_model_from_home_dot_kilo_names_that_file(fake_gateway: FakeGateway) -> None:
    """~/.kilo/kilo.json wins over the file init writes: the hint names it, not init."""
    init(fake_gateway, "kilo")
    home = Path(os.environ["HOME"])
    (home / ".kilo").mkdir()
    (home / ".kilo" / "kilo.json").write_text('{\n  "model": "openrouter/x"\n}\n')
    _, checks = doctor(fake_gateway, "--offline", "--client", "kilo")
    c = get(checks, "kilo.default")
    assert c["status"] == "warn"
    assert c["hint"].startswith("set model in ~/.kilo/kilo.json:2 to an aigate/ model")
    assert "~/.config/kilo/kilo.jsonc, the one init writes" in c["hint"]
    effective = get(checks, "kilo.effective")
    assert effective["status"] == "fail" and "~/.kilo/kilo.json:2" in effective["detail"]


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


def test_claude_sourced_is_not_needed_with_settings_json(fake_gateway: FakeGateway) -> None:
    # settings.json (the default) sets the gateway for every terminal: its env beats the shell's.
    init(fake_gateway, "claude")
    _, checks = doctor(fake_gateway, "--offline", "--client", "claude")
    c = get(checks, "claude.sourced")
    assert c["status"] == "pass"
    assert c["detail"].startswith("not needed: ~/.claude/settings.json:")


def test_claude_sourced(fake_gateway: FakeGateway) -> None:
    # Scripts only (--no-default): the shell must have loaded one.
    init(fake_gateway, "claude", extra=("--no-default",))
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
    # The endpoint URL is the AIGate entry's: doctor names that problem once, in opencode.base_url.
    assert "(AIG010 Base URL is a full endpoint URL)" in get(checks, "opencode.base_url")["detail"]
    assert from_doctor and from_doctor == [f for f in from_check if f[0] != "AIG010"]


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
     "codex.base_url"),
    ("codex", codex_toml, f'base_url = "{ROOT}/v1"', f'base_url = "{ROOT}/v1/responses"',
     "codex.base_url"),
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
     "claude.base_url"),
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
    init(fake_gateway, "claude", extra=("--no-default",))
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


def test_a_second_provider_next_to_aigate_is_not_a_failure(fake_gateway: FakeGateway) -> None:
    """OpenRouter beside AIGate is the user's business: the URL rules judge AIGate's URLs."""
    init(fake_gateway, "codex", "opencode")
    with codex_toml().open("a") as fh:
        fh.write(
            '\n[model_providers.openrouter]\nname = "OpenRouter"\n'
            'base_url = "https://openrouter.ai/api/v1"\nenv_key = "OPENROUTER_API_KEY"\n'
            'wire_api = "responses"\n'
        )
    edit(
        opencode_json(),
        '"provider": {',
        '"provider": {\n    "openrouter": {"options": {"baseURL": "https://openrouter.ai/api/v1"}},',
    )
    r, checks = doctor(fake_gateway)
    assert r.exit_code == 0, [c for c in checks if c["status"] == "fail"]
    assert not [c for c in checks if ".rules.AIG01" in c["id"]]
    # An AIGate URL with a problem still fails, and is counted once.
    edit(codex_toml(), f'base_url = "{fake_gateway.base_url}"', 'base_url = "http://gw.example/v1"')
    r, checks = doctor(fake_gateway, "--offline")
    assert [c["id"] for c in checks if c["status"] == "fail"] == ["codex.base_url"]
