"""`aigate-setup doctor`: whole runs, the text report, --offline and --client."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import TEST_KEY, run_cli
from doctor_support import ENV, codex_toml, doctor, edit, get, home, init

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
        "-v",
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


def test_a_healthy_run_is_a_handful_of_lines(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(fake_gateway)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("codex", "opencode", "kilo", "claude"):
        (bindir / name).write_text("#!/bin/sh\necho 1.0\n")
        (bindir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    (home() / ".claude.json").write_text('{"hasCompletedOnboarding": true}')
    env = {"ANTHROPIC_BASE_URL": fake_gateway.root, "ANTHROPIC_AUTH_TOKEN": TEST_KEY}
    r = run_cli("doctor", "--base-url", fake_gateway.base_url, env={**ENV, **env})
    assert r.exit_code == 0, r.output
    # The stand-in codex has no bundled catalog, so init wrote no picker catalog: that one
    # warning (and its hint) is expected; everything else collapses to a line per section.
    lines = r.stdout.splitlines()
    assert "[codex.picker]" in lines[3] and lines[4].strip().startswith("hint:")
    del lines[3:5]
    assert lines[0] == "Environment  ✓ 6 passed, 2 skipped"  # no key file, no startup block
    assert lines[1].startswith(f"Gateway ({fake_gateway.base_url})  ✓ ")
    assert [ln.split("  ")[0] for ln in lines[2:6]] == ["Codex", "OpenCode", "Kilo", "Claude Code"]
    assert lines[6:-1] == [""] and len(lines) == 8
    assert lines[-1].endswith("1 warning, 0 failed, 3 skipped (-v shows every check)")
    # -v shows every check; JSON always has all of them.
    verbose = run_cli("doctor", "--base-url", fake_gateway.base_url, "-v", env={**ENV, **env})
    _, checks = doctor(fake_gateway, env=env)
    assert len(verbose.stdout.splitlines()) > len(checks) > 40


def test_by_default_only_problems_are_listed(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    edit(codex_toml(), 'env_key = "AIGATE_API_KEY"', 'env_key = "OTHER_KEY"')
    r = run_cli("doctor", "--offline", "--base-url", fake_gateway.base_url, env=ENV)
    assert r.exit_code == 1
    assert "  ✗ Key reference: reads $OTHER_KEY, which is not set in this shell  [codex.key]" in (
        r.stdout
    )
    assert "\n  ✓ " not in r.stdout  # passing checks are only counted
