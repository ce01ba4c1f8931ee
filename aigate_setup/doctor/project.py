"""The project each client sees from the directory doctor runs in.

Clients find their project files from the current directory upward: OpenCode and Kilo look for
their files up to the git worktree root, Codex loads `.codex/config.toml` up to the directory
that holds `.git`. So from a subdirectory, doctor looks upward too: the nearest directory (up to
the git root) that holds one of the client's project files is that client's project; without
any, the git root; without one, the directory itself. `$HOME` (and anything above it) is never a
project: there the user files are the only ones, and `--fix` writes user files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aigate_setup.clients.base import ClientModule

_PROBE = "aigate-setup-probe"  # a child name no project has: tells project paths from user ones


def home() -> Path:
    return Path(os.path.abspath(os.path.expanduser("~")))


def project_files(module: ClientModule, directory: Path) -> list[Path]:
    """The client's project-level files for `directory` (those whose place depends on it)."""
    here = module.config_paths(directory)
    elsewhere = module.config_paths(directory / _PROBE)
    if len(here) != len(elsewhere):
        return [p for p, _ in here if directory in p.parents]
    return [p for (p, _), (q, _) in zip(here, elsewhere, strict=True) if p != q]


def is_home_or_above(directory: Path) -> bool:
    h = home()
    return directory == h or directory in h.parents


def project_root(module: ClientModule, start: Path) -> Path | None:
    """The client's project directory seen from `start`, or None (`$HOME` is no project)."""
    start = Path(os.path.abspath(start))
    if is_home_or_above(start):
        return None
    for d in (start, *start.parents):
        if is_home_or_above(d):
            break
        if any(p.is_file() for p in project_files(module, d)):
            return d
        if (d / ".git").exists():
            return d
    return start


def roots(names: Sequence[str], start: Path) -> dict[str, Path | None]:
    """Every client's project directory seen from `start`."""
    from aigate_setup.clients import get

    return {name: project_root(get(name), start) for name in names}
