"""`doctor --with-clients`: when the client runs start (only once the key and the gateway checks
passed, right then, the slowest first), and the lowest CPU priority every heavy start but the
slowest run gets on an otherwise idle machine."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli
from doctor_support import doctor, get, init

from aigate_setup.doctor import runs
from aigate_setup.testing import FakeGateway

CONFIGURED = ("codex", "opencode", "kilo", "claude")


def _stub_clients(tmp_path: Path, log: Path) -> Path:
    """Every client binary as a stub that logs each call (`<name> <first argument>`, and in
    `<log>.nice` its niceness) and answers OK: the four configured ones run, the others only
    answer `--version`."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in (*CONFIGURED, "qwen", "cn", "aider"):
        p = bindir / name
        p.write_text(
            f'#!/bin/sh\necho "{name} $1" >> "{log}"\necho "{name} $1 $(nice)" >> "{log}.nice"\n'
            "echo OK\n"
        )
        p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return bindir


RUNS = ("kilo run", "opencode run", "claude -p", "codex exec")


def _calls(log: Path) -> list[str]:
    """The runs and `--version` calls (not e.g. `codex debug models`, Codex's catalog)."""
    lines = log.read_text().splitlines() if log.exists() else []
    return [c for c in lines if c in RUNS or c.endswith(" --version")]


def _runs(log: Path) -> list[str]:
    return [c for c in _calls(log) if c in RUNS]


def _niceness(log: Path) -> dict[str, int]:
    """{`<name> <first argument>`: the niceness it ran with}."""
    nice = Path(f"{log}.nice")
    lines = nice.read_text().splitlines() if nice.exists() else []
    return {line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1]) for line in lines}


@pytest.fixture
def stubs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log the stub clients write; they come first on PATH."""
    log = tmp_path / "calls.log"
    bindir = _stub_clients(tmp_path, log)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return log


# --------------------------------------------------------------------------- when runs start


def test_runs_start_only_after_the_key_and_gateway_checks(
    fake_gateway: FakeGateway, stubs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run starts after the gateway answered GET /v1/models and GET /v1/balance (the
    key was accepted): early, but never before the checks that may skip it."""
    init(fake_gateway)
    seen: dict[str, list[str]] = {}
    real = runs.run_command

    def spy(argv: list[str], **kw: Any) -> tuple[int | None, str, str]:
        if argv[1:2] != ["--version"]:
            seen[Path(argv[0]).name] = [r.path for r in fake_gateway.requests]
        return real(argv, **kw)

    monkeypatch.setattr(runs, "run_command", spy)
    r, checks = doctor(fake_gateway, "--with-clients")
    assert sorted(seen) == sorted(CONFIGURED)
    for name, paths in seen.items():
        assert "/v1/models" in paths and "/v1/balance" in paths, (name, paths)
    for c in CONFIGURED:
        assert get(checks, f"{c}.run")["status"] == "pass"
    assert r.exit_code == 0, r.output


def test_runs_are_not_started_without_a_key(fake_gateway: FakeGateway, stubs: Path) -> None:
    init(fake_gateway)
    r = run_cli(
        "doctor",
        "--format",
        "json",
        "--with-clients",
        "--base-url",
        fake_gateway.base_url,
        env={"AIGATE_TIMEOUT": "1"},
    )
    checks = json.loads(r.stdout)["checks"]
    assert r.exit_code == 1
    assert not _runs(stubs)  # no client ran
    for c in CONFIGURED:
        run = get(checks, f"{c}.run")
        assert run["status"] == "skip", run
        assert run["detail"] == "not run: no key in AIGATE_API_KEY (see env.key)"


def test_runs_are_not_started_with_a_malformed_key(fake_gateway: FakeGateway, stubs: Path) -> None:
    init(fake_gateway)
    r, checks = doctor(fake_gateway, "--with-clients", env={"AIGATE_API_KEY": f'"{TEST_KEY}"'})
    assert r.exit_code == 1
    assert not _runs(stubs)
    run = get(checks, "kilo.run")
    assert run["status"] == "skip"
    assert run["detail"] == "not run: the key cannot be used as it is (see env.key_format)"


def test_runs_are_not_started_when_the_gateway_is_unreachable(
    fake_gateway: FakeGateway, stubs: Path
) -> None:
    init(fake_gateway)
    r, checks = doctor(fake_gateway, "--with-clients", base="http://127.0.0.1:9/v1")
    assert r.exit_code == 1
    assert not _runs(stubs)
    run = get(checks, "opencode.run")
    assert run["status"] == "skip"
    assert run["detail"] == "not run: the gateway is not reachable (see the gateway checks)"


def _machine(monkeypatch: pytest.MonkeyPatch, cores: int, others_busy: float) -> None:
    """Pretend a machine with `cores`, which other programs keep `others_busy` cores busy."""
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(runs.CpuWatch, "others_busy", lambda self: others_busy)


def test_on_an_idle_machine_all_but_the_slowest_run_get_the_lowest_priority(
    fake_gateway: FakeGateway, stubs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heavy starts begin at once; the slowest run (kilo) at normal priority, the other
    runs and the other clients' `--version` under `nice -n 19`; every check is still made."""
    init(fake_gateway)
    _machine(monkeypatch, 2, 0.0)
    # Qwen Code is asked for by name: its `--version` is a check, at the lowest priority.
    asked = [a for c in (*CONFIGURED, "qwen") for a in ("--client", c)]
    r, checks = doctor(fake_gateway, "--with-clients", *asked)
    assert sorted(_calls(stubs)) == sorted([*RUNS, "qwen --version"])
    niceness = _niceness(stubs)
    assert niceness["kilo run"] == 0
    for call in ("opencode run", "claude -p", "codex exec", "qwen --version"):
        assert niceness[call] == runs.LOW_PRIORITY, niceness
    for c in CONFIGURED:
        assert get(checks, f"{c}.run")["status"] == "pass"
        assert "its version: see the one-shot run" in get(checks, f"{c}.binary")["detail"]
    assert get(checks, "qwen.binary")["detail"].endswith("(OK)")
    assert r.exit_code == 1  # Qwen Code is not set up for AIGate
    # Not asked for and not configured: found on PATH, never started.
    r, checks = doctor(fake_gateway, "--with-clients")
    assert r.exit_code == 0, r.output
    assert not [c for c in _calls(stubs) if c.endswith("--version") and c != "qwen --version"]
    for c in ("qwen", "continue", "aider"):
        assert get(checks, f"{c}.binary")["detail"].endswith(("/qwen", "/cn", "/aider"))


def test_without_with_clients_no_priority_is_lowered(
    fake_gateway: FakeGateway, stubs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain doctor asks every configured client `--version` (none runs), at normal priority;
    installed clients that are not set up for AIGate are only found on PATH."""
    init(fake_gateway)
    _machine(monkeypatch, 1, 0.0)
    _, checks = doctor(fake_gateway)
    assert sorted(_calls(stubs)) == sorted(f"{n} --version" for n in CONFIGURED)
    assert set(_niceness(stubs).values()) == {0}
    assert get(checks, "kilo.binary")["detail"].endswith("(OK)")


def test_on_a_busy_machine_the_runs_start_at_once(
    fake_gateway: FakeGateway, tmp_path: Path, stubs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Next to other busy programs taking turns would only shrink doctor's share of the CPU:
    kilo (started first) waits for a file that only opencode's run writes, and still passes."""
    init(fake_gateway)
    flag = tmp_path / "opencode-ran"
    (tmp_path / "bin" / "kilo").write_text(
        f'#!/bin/sh\ni=0\nwhile [ ! -e "{flag}" ] && [ $i -lt 200 ]; do sleep 0.05; '
        "i=$((i+1)); done\necho OK\n"
    )
    (tmp_path / "bin" / "opencode").write_text(f'#!/bin/sh\ntouch "{flag}"\necho OK\n')
    _machine(monkeypatch, 1, 1.5)
    _, checks = doctor(fake_gateway, "--with-clients", env={"AIGATE_CLIENT_TIMEOUT": "8"})
    assert get(checks, "kilo.run")["status"] == "pass", get(checks, "kilo.run")
    assert get(checks, "opencode.run")["status"] == "pass"
    assert set(_niceness(stubs).values()) == {0}  # no priority lowered next to busy programs


def test_lower_priority_only_on_an_otherwise_idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    watch = runs.CpuWatch()
    for busy, lowered in ((None, False), (0.0, True), (0.4, True), (0.5, False), (1.7, False)):
        monkeypatch.setattr(runs.CpuWatch, "others_busy", lambda self, b=busy: b)
        assert runs.lower_priority_for(watch) == lowered, busy


def test_cpu_watch_measures_or_says_it_cannot() -> None:
    busy = runs.CpuWatch().others_busy()  # too soon to tell, or a share of the cores
    assert busy is None or busy >= 0.0


# --------------------------------------------------------------------------- run_command


def test_run_command_at_the_lowest_priority() -> None:
    """Under `nice -n 19`, and so is every process the command starts."""
    code, out, _ = runs.run_command(["sh", "-c", "nice; sh -c nice"], timeout=10.0)
    assert (code, out.split()) == (0, ["0", "0"])
    code, out, _ = runs.run_command(
        ["sh", "-c", "nice; sh -c nice"], timeout=10.0, low_priority=True
    )
    assert (code, out.split()) == (0, [str(runs.LOW_PRIORITY)] * 2)


def test_run_command_without_nice_runs_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda n: None if n == "nice" else real(n))
    code, out, _ = runs.run_command(["sh", "-c", "echo ran"], timeout=10.0, low_priority=True)
    assert (code, out) == (0, "ran\n")
