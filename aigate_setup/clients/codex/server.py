"""Codex's background app-server daemon (Codex 0.169: `codex app-server daemon start`; the
desktop app, the IDE extensions and remote control start it too). It outlives the terminal and
keeps the environment, so the key, it started with: a key fixed in the shell reaches Codex
only after a restart.

The daemon writes `$CODEX_HOME/app-server-daemon/daemon.pid`, a JSON document with its `pid`
and (on Linux) `processIdentity.startTicks`, the process start time in clock ticks that
`/proc/<pid>/stat` shows, so a pid reused by another process is not taken for the daemon.
Checked against the real 0.169.0 binary: `daemon start` writes the file, the file stays after
the process is gone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from aigate_setup import paths

RESTART = "codex app-server daemon restart"
_MAX_PID_FILE = 64 * 1024


@dataclass(frozen=True)
class BackgroundServer:
    """A running background process that keeps the key it started with."""

    what: str  # for people: "Codex's background app-server (pid 123)"
    restart: str  # the exact command that restarts it


def pid_file() -> Path:
    return paths.codex_home() / "app-server-daemon" / "daemon.pid"


def _start_ticks(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat (after the `(comm)` that may hold spaces), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, OverflowError):
        return False
    return True


def background_server() -> BackgroundServer | None:
    """The running daemon, or None (no pid file, a dead or reused pid, an unreadable file)."""
    try:
        with pid_file().open("rb") as fh:
            data = json.loads(fh.read(_MAX_PID_FILE))
    except (OSError, ValueError):
        return None
    pid = data.get("pid") if isinstance(data, dict) else None
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or not _alive(pid):
        return None
    identity = data.get("processIdentity")
    ticks = identity.get("startTicks") if isinstance(identity, dict) else None
    if isinstance(ticks, int):
        now = _start_ticks(pid)
        if now is not None and now != ticks:
            return None  # the pid belongs to another process now
    return BackgroundServer(f"Codex's background app-server (pid {pid})", RESTART)
