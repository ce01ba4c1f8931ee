"""`aigate-setup doctor`: binaries, live probes and the `--with-clients` runs."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from doctor_support import (
    doctor,
    get,
    init,
)

from aigate_setup.testing import FakeGateway

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


def _clients_bin(tmp_path: Path, log: Path, claude: str) -> Path:
    """Fake clients that log each run (not `--version`) to `log`."""
    bindir = tmp_path / "bin"
    for name in ("codex", "opencode", "kilo"):
        _fake_bin(
            bindir,
            name,
            f'case "$1" in --version) echo 1.0;; *) echo {name} >> "{log}"; '
            "printf '\\033[32mOK\\033[0m\\n';; esac\n",
        )
    _fake_bin(
        bindir,
        "claude",
        f'case "$1" in --version) echo 1.0;; *) echo claude >> "{log}"; {claude};; esac\n',
    )
    return bindir


def test_with_clients_never_sources_a_project_script(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's .aigate/aigate-claude.sh is read (its managed block), never executed."""
    init(fake_gateway, "claude", extra=("--scope", "project"))
    script = Path.cwd() / ".aigate" / "aigate-claude.sh"
    pwned = tmp_path / "pwned"
    script.write_text(f"touch '{pwned}'\n" + script.read_text() + f"touch '{pwned}'\n")
    log = tmp_path / "runs.log"
    bindir = _clients_bin(
        tmp_path,
        log,
        '[ -n "$ANTHROPIC_AUTH_TOKEN" ] && [ -z "$ANTHROPIC_API_KEY" ] && '
        'echo "$ANTHROPIC_BASE_URL $ANTHROPIC_MODEL OK" || exit 1',
    )
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    _, checks = doctor(
        fake_gateway, "--with-clients", "--client", "claude", env={"ANTHROPIC_API_KEY": "x"}
    )
    assert not pwned.exists()
    c = get(checks, "claude.run")
    assert c["status"] == "pass", c
    assert (
        c["detail"]
        == f'answered "{fake_gateway.root} openai/gpt-5.5 OK" in '
        + c["detail"].rsplit(" in ", 1)[1]
    )


def test_client_runs_are_skipped_when_the_key_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeGateway() as gw:
        init(gw)
        gw.keys = ("sk-other-0123456789abcdef0000",)  # the key was revoked
        log = tmp_path / "runs.log"
        bindir = _clients_bin(tmp_path, log, "echo OK")
        monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
        r, checks = doctor(gw, "--with-clients")
    assert r.exit_code == 1
    assert not log.exists()  # no client ran
    c = get(checks, "claude.run")
    assert (
        c["status"] == "skip" and c["detail"] == "not run: the key was rejected (see gateway.key)"
    )
    assert c["hint"] == 'source ~/.config/aigate/aigate-claude.sh && claude -p "Say OK."'
    assert get(checks, "codex.run")["status"] == "skip"


def test_client_output_is_cleaned_and_hints_are_exact_commands(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(fake_gateway, "codex", "claude")
    log = tmp_path / "runs.log"
    bindir = _clients_bin(tmp_path, log, "printf '\\033[31mboom\\033[0m\\n' >&2; exit 2")
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    r, checks = doctor(fake_gateway, "--with-clients")
    assert "\x1b" not in r.stdout
    assert get(checks, "codex.run")["detail"].startswith('answered "OK" in ')
    c = get(checks, "claude.run")
    assert c["status"] == "fail" and c["detail"] == "exited 2: boom", c
    assert c["hint"] == (
        'run it yourself: source ~/.config/aigate/aigate-claude.sh && claude -p "Say OK."'
    )


def test_a_client_that_runs_is_started_once(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --with-clients the run proves the binary: no second (heavy) `--version` start
    competing with it for the CPU."""
    init(fake_gateway, "codex")
    log = tmp_path / "calls.log"
    _fake_bin(tmp_path / "bin", "codex", f'echo "$1" >> "{log}"; echo OK\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin")
    _, checks = doctor(fake_gateway, "--with-clients", "--client", "codex")
    assert log.read_text().split() == ["exec"]
    assert get(checks, "codex.binary")["status"] == "pass"
    assert get(checks, "codex.run")["status"] == "pass"
