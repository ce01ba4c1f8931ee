"""`aigate-setup doctor`: whole runs, the text report, --offline and --client."""

from __future__ import annotations

import os
import time

from conftest import run_cli
from doctor_support import (
    doctor,
    get,
    init,
)

from aigate_setup.testing import FakeGateway

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
