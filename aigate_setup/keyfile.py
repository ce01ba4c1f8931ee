"""The kept key (`--save-key`): one 0600 file, `~/.config/aigate/key`, holding the key and a
newline. It is the only file aigate-setup ever writes a key into.

The env files of the shell startup block, Claude Code's key helper and (in user configs) the
OpenCode and Kilo `{file:...}` references read it; nothing else holds the key.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup import paths
from aigate_setup.errors import ConfigError

NAME = "key"
CLIENT = "aigate"  # the `client` of the key file's FileChange (and of the other shared files)
MODE = 0o600

if TYPE_CHECKING:
    from aigate_setup.fsio import FileChange


def path() -> Path:
    return paths.aigate_config_dir() / NAME


def change(key: str, target: Path | None = None) -> FileChange:
    """The key file with `key` in it: sensitive (diff hidden, backups 0600) and forced to 0600,
    so a pre-existing file with looser permissions is tightened before the key goes in."""
    from aigate_setup import fsio

    where = target if target is not None else path()
    return fsio.FileChange(
        client=CLIENT,
        path=where,
        old=fsio.read_bytes(where),
        new=(key.strip() + "\n").encode(),
        sensitive=True,
        mode=MODE,
    )


@dataclass(frozen=True)
class Kept:
    """What the key file holds, as doctor sees it (the key itself only for sending)."""

    path: Path
    key: str | None  # None: missing, empty or unreadable
    mode: int | None
    problem: str = ""

    @property
    def loose(self) -> bool:
        """Group or others may read it."""
        return self.mode is not None and bool(self.mode & 0o077)


def read(where: Path | None = None) -> Kept:
    """The kept key, never raising: a missing or broken file says why in `problem`."""
    from aigate_setup import fsio
    from aigate_setup.options import key_problem

    target = where if where is not None else path()
    try:
        raw = fsio.read_bytes(target, limit=4096)
    except ConfigError as exc:
        return Kept(target, None, None, exc.message)
    if raw is None:
        return Kept(target, None, None, "does not exist")
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None
    try:
        key = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return Kept(target, None, mode, "is not UTF-8 text")
    problem = key_problem(key)
    if problem is not None:
        return Kept(target, None, mode, f"cannot be used as a key: {problem}")
    return Kept(target, key, mode)


def exists() -> bool:
    """A usable key is kept (the file exists and holds one line that can be a key)."""
    return read().key is not None


def unrender(target: Path, text: str) -> str | None:
    """The key file is aigate-setup's whole: nothing of the user's remains without it."""
    return None
