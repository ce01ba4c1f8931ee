"""Every location on disk, resolved from the environment at call time (tests move HOME)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def home() -> Path:
    # Path.home() honours HOME on POSIX and USERPROFILE on Windows.
    return Path.home()


def managed_dir(linux: str, macos: str, windows: str) -> Path:
    """A client's system-wide (managed, enterprise) settings directory on this OS. `windows`
    may start with `%ProgramData%` (C:\\ProgramData when unset), as OpenCode and Kilo do."""
    if sys.platform == "darwin":
        return Path(macos)
    if sys.platform == "win32":
        data = os.environ.get("PROGRAMDATA") or "C:\\ProgramData"  # case-blind on Windows
        return Path(windows.replace("%ProgramData%", data))
    return Path(linux)


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var, "")
    if value and os.path.isabs(value):
        return Path(value)
    return home().joinpath(*default.split("/"))


def xdg_config_home() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config")


def xdg_state_home() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state")


def xdg_cache_home() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache")


def codex_home() -> Path:
    value = os.environ.get("CODEX_HOME", "")
    return Path(value) if value else home() / ".codex"


def aigate_config_dir() -> Path:
    """Where the Claude Code scripts (user scope) and a kept key file live."""
    return xdg_config_home() / "aigate"


def state_dir() -> Path:
    return xdg_state_home() / "aigate-setup"


def state_file() -> Path:
    """What the last runs chose and wrote (aigate_setup.state); the one file of the state
    directory that a run's manifest may name."""
    return state_dir() / "state.json"


def backups_dir() -> Path:
    return state_dir() / "backups"


def cache_dir() -> Path:
    return xdg_cache_home() / "aigate-setup"


def claude_json() -> Path:
    """Claude Code's own state file (onboarding flag)."""
    return home() / ".claude.json"


def templates_dir() -> Path:
    """Templates ship inside the wheel; in a source checkout they sit at the repo root."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


def display(path: Path | str) -> str:
    """A path for people: `~/...` under HOME (shorter, no user name); JSON keeps absolute paths."""
    p = str(path)
    home_dir = str(home()).rstrip(os.sep)
    if home_dir and (p == home_dir or p.startswith(home_dir + os.sep)):
        return "~" + p[len(home_dir) :].replace(os.sep, "/")
    return p


def relative(path: Path) -> str:
    """A path as `check` reports it: relative to the current directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        pass
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
