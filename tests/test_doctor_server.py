"""Codex's background app-server keeps the key it started with: on a key problem, doctor says
it is running and how to restart it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from doctor_support import doctor, get, init

from aigate_setup.clients.codex.server import _start_ticks, background_server, pid_file
from aigate_setup.testing import FakeGateway


def plant_pid_file(pid: int, ticks: int | None) -> None:
    """The daemon.pid Codex 0.169 writes (its shape, with the fields doctor reads)."""
    identity = {"bootId": "x", "startTicks": ticks} if ticks is not None else {}
    pid_file().parent.mkdir(parents=True, exist_ok=True)
    pid_file().write_text(json.dumps({"pid": pid, "processIdentity": identity}))


def test_a_key_problem_names_the_running_server(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    plant_pid_file(os.getpid(), _start_ticks(os.getpid()))  # this process plays the daemon
    r, checks = doctor(fake_gateway, env={"AIGATE_API_KEY": "sk-wrong key"})
    assert r.exit_code == 1
    c = get(checks, "codex.server")
    assert c["status"] == "warn"
    assert c["detail"] == (
        f"Codex's background app-server (pid {os.getpid()}) is running and keeps the key it "
        "started with: a key fixed in this shell does not reach it"
    )
    assert c["hint"] == (
        "once AIGATE_API_KEY is right in this shell, run: codex app-server daemon restart"
    )
    _, checks = doctor(fake_gateway)  # a good key: nothing to say about the server
    assert not [c for c in checks if c["id"] == "codex.server"]


def test_a_stale_pid_file_is_no_server(tmp_path: Path) -> None:
    assert background_server() is None  # no file
    plant_pid_file(os.getpid(), None)
    assert background_server() is not None
    if Path("/proc/self/stat").exists():
        ticks = _start_ticks(os.getpid())
        assert ticks is not None
        plant_pid_file(os.getpid(), ticks + 1)  # the pid was reused by another process
        assert background_server() is None
    plant_pid_file(2**22 + 12345, None)  # beyond pid_max: no such process
    assert background_server() is None
    pid_file().write_text("{not json")
    assert background_server() is None
