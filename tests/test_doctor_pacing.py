"""`doctor --with-clients`: when the client runs start (only once the key and the gateway checks
passed, right then, the slowest first) and the Pacer that lets them take turns on the CPU."""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli
from doctor_support import doctor, get, init

from aigate_setup.doctor import runs
from aigate_setup.doctor.runs import Pacer
from aigate_setup.testing import FakeGateway

CONFIGURED = ("codex", "opencode", "kilo", "claude")


def _stub_clients(tmp_path: Path, log: Path) -> Path:
    """Every client binary as a stub that logs each call (`<name> <first argument>`) and
    answers OK: the four configured ones run, the others only answer `--version`."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in (*CONFIGURED, "qwen", "cn", "aider"):
        p = bindir / name
        p.write_text(f'#!/bin/sh\necho "{name} $1" >> "{log}"\necho OK\n')
        p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return bindir


RUNS = ("kilo run", "opencode run", "claude -p", "codex exec")


def _calls(log: Path) -> list[str]:
    """The runs and `--version` calls (not e.g. `codex debug models`, Codex's catalog)."""
    lines = log.read_text().splitlines() if log.exists() else []
    return [c for c in lines if c in RUNS or c.endswith(" --version")]


def _runs(log: Path) -> list[str]:
    return [c for c in _calls(log) if c in RUNS]


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


def test_the_slowest_run_starts_first_and_versions_last(
    fake_gateway: FakeGateway, stubs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On an idle one-core machine the heavy starts take turns: the runs, slowest first, then
    the other clients' `--version`; every check is still made."""
    init(fake_gateway)
    _machine(monkeypatch, 1, 0.0)
    # Qwen Code is asked for by name: its `--version` is a check, made after the runs.
    asked = [a for c in (*CONFIGURED, "qwen") for a in ("--client", c)]
    r, checks = doctor(fake_gateway, "--with-clients", *asked)
    calls = _calls(stubs)
    assert calls == [*RUNS, "qwen --version"]
    for c in CONFIGURED:
        assert get(checks, f"{c}.run")["status"] == "pass"
        assert "its version: see the one-shot run" in get(checks, f"{c}.binary")["detail"]
    assert get(checks, "qwen.binary")["detail"].endswith("(OK)")
    assert r.exit_code == 1  # Qwen Code is not set up for AIGate
    # Not asked for and not configured: found on PATH, never started.
    r, checks = doctor(fake_gateway, "--with-clients")
    assert r.exit_code == 0, r.output
    assert not [c for c in _calls(stubs)[len(calls) :] if c.endswith("--version")]
    for c in ("qwen", "continue", "aider"):
        assert get(checks, f"{c}.binary")["detail"].endswith(("/qwen", "/cn", "/aider"))


def test_without_with_clients_nothing_is_paced(
    fake_gateway: FakeGateway, stubs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain doctor asks every configured client `--version` (none runs); installed clients
    that are not set up for AIGate are only found on PATH."""
    init(fake_gateway)
    _machine(monkeypatch, 1, 0.0)
    _, checks = doctor(fake_gateway)
    assert sorted(_calls(stubs)) == sorted(f"{n} --version" for n in CONFIGURED)
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


def _nices(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The nice each client run is started with (a spy on run_command)."""
    seen: dict[str, int] = {}
    real = runs.run_command

    def spy(argv: list[str], **kw: Any) -> tuple[int | None, str, str]:
        if argv[1:2] != ["--version"]:
            seen[Path(argv[0]).name] = kw.get("nice", 0)
        return real(argv, **kw)

    monkeypatch.setattr(runs, "run_command", spy)
    return seen


@pytest.mark.parametrize(
    ("others_busy", "background"), [(0.0, runs.BACKGROUND_NICE), (1.5, 0)], ids=["idle", "busy"]
)
def test_next_to_the_slowest_the_runs_yield_the_cpu_on_an_idle_machine_only(
    fake_gateway: FakeGateway,
    stubs: Path,
    monkeypatch: pytest.MonkeyPatch,
    others_busy: float,
    background: int,
) -> None:
    """Kilo (the slowest) keeps its priority; on an idle machine the others run at a lower one,
    in what it leaves. Next to other busy programs a lower priority would only starve them."""
    assert runs.BACKGROUND_NICE > 0
    init(fake_gateway)
    _machine(monkeypatch, 2, others_busy)
    nices = _nices(monkeypatch)
    r, checks = doctor(fake_gateway, "--with-clients")
    assert r.exit_code == 0, r.output
    assert nices == {"kilo": 0, "opencode": background, "claude": background, "codex": background}
    for c in CONFIGURED:
        assert get(checks, f"{c}.run")["status"] == "pass"


# The child waits (bounded) until its nice is what the parent set right after starting it.
_NICE_CHILD = """
import os, sys, time
want, until = int(sys.argv[1]), time.monotonic() + 5.0
while os.getpriority(os.PRIO_PROCESS, 0) < want and time.monotonic() < until:
    time.sleep(0.01)
print(os.getpriority(os.PRIO_PROCESS, 0))
try:
    print(open("/proc/self/autogroup", encoding="ascii").read().split()[-1])
except OSError:
    print("none")
"""


@pytest.mark.skipif(os.name != "posix", reason="nice values are POSIX")
@pytest.mark.parametrize("nice", [0, 10])
def test_run_command_runs_the_process_at_the_nice_asked_for(nice: int) -> None:
    """The process itself and, on Linux, its session's autogroup (the scheduler shares the CPU
    between sessions first); never more urgent than doctor itself."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    want = max(own, nice)
    argv = [sys.executable, "-c", _NICE_CHILD, str(want)]
    code, out, err = runs.run_command(argv, timeout=20.0, nice=nice)
    assert code == 0, err
    process, group = out.split()
    assert int(process) == want
    if group != "none":  # a new session starts a new autogroup, at nice 0
        assert int(group) == nice


def test_pacer_only_on_an_otherwise_idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    watch = runs.CpuWatch()
    for busy, paced in ((None, False), (0.0, True), (0.4, True), (0.5, False), (1.7, False)):
        monkeypatch.setattr(runs.CpuWatch, "others_busy", lambda self, b=busy: b)
        pacer = runs.pacer_for(watch)
        assert (pacer is not None) == paced, busy
        assert pacer is None or pacer.slots == 2


def test_cpu_watch_measures_or_says_it_cannot() -> None:
    busy = runs.CpuWatch().others_busy()  # too soon to tell, or a share of the cores
    assert busy is None or busy >= 0.0


# --------------------------------------------------------------------------- Pacer


def test_pacer_one_slot_runs_jobs_one_after_another_in_queue_order() -> None:
    pacer = Pacer(1)
    events: list[str] = []
    lock = threading.Lock()

    def job(name: str) -> str:
        with lock:
            events.append(f"start {name}")
        with lock:
            events.append(f"end {name}")
        return name

    tasks = [pacer.start(partial(job, n), 10.0, 5.0) for n in "abcd"]
    assert [t.result() for t in tasks] == list("abcd")
    assert events == [f"{e} {n}" for n in "abcd" for e in ("start", "end")]


def test_pacer_a_hanging_job_holds_the_next_back_only_for_its_patience() -> None:
    pacer = Pacer(1)
    release = threading.Event()
    hanging = pacer.start(lambda: release.wait(30.0), 60.0, 0.05)  # patience 0.1 s
    nxt = pacer.start(lambda: "ran", 10.0, 1.0)
    try:
        assert nxt.result() == "ran"  # started although the first one still hangs
        assert not release.is_set()
    finally:
        release.set()
    assert hanging.result() is True


def test_pacer_slots_run_side_by_side() -> None:
    pacer = Pacer(2)
    release = threading.Event()
    first = pacer.start(lambda: release.wait(30.0), 60.0, 60.0)  # patience 120 s
    second = pacer.start(lambda: "ran", 10.0, 60.0)
    try:
        assert second.result() == "ran"  # the second slot: no waiting for the first
    finally:
        release.set()
    assert first.result() is True


def test_pacer_wait_is_bounded_by_the_patience_queued_before() -> None:
    pacer = Pacer(1)
    _, first_wait = pacer.pace(lambda: None, 3.0)
    _, second_wait = pacer.pace(lambda: None, 4.0)
    _, third_wait = pacer.pace(lambda: None, 1.0)
    assert (first_wait, second_wait, third_wait) == (0.0, 3.0, 7.0)
