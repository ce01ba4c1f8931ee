"""Small helpers the client modules' file classifiers share (`file_kind`, `guess_kind`).

Which file is which is each client's knowledge (clients/<client>.py); `engine.kind_for` asks
every client module. What is here knows no client: comparing places, and sniffing a format.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh")

# While `check` discovers files, each directory is stat'ed once (not once per file and client),
# and each client's config directory is worked out once.
_stats: dict[str, os.stat_result | None] | None = None
_places: dict[Callable[[], Path], Path] | None = None


@contextlib.contextmanager
def cached_stats() -> Iterator[None]:
    """Within the block, `same_place` remembers each path's stat and `place` each directory
    (neither the tree nor the environment changes while it is walked)."""
    global _stats, _places
    outer = _stats, _places
    _stats, _places = {}, {}
    try:
        yield
    finally:
        _stats, _places = outer


def place(where: Callable[[], Path]) -> Path:
    """`where()` (a location function such as `paths.codex_home`), computed once inside
    `cached_stats`."""
    cache = _places
    if cache is None:
        return where()
    found = cache.get(where)
    if found is None:
        found = cache[where] = where()
    return found


def _stat(key: str) -> os.stat_result | None:
    cache = _stats
    if cache is not None and key in cache:
        return cache[key]
    try:
        st: os.stat_result | None = os.stat(key)
    except (OSError, ValueError):
        st = None
    if cache is not None:
        cache[key] = st
    return st


def same_place(a: Path, b: Path) -> bool:
    """The same directory (or file), through symlinks; names of paths that do not exist yet are
    compared resolved. Stats, not realpaths: this runs once per discovered file."""
    ka, kb = os.fspath(a), os.fspath(b)
    if ka == kb or (os.name == "nt" and a == b):  # Windows paths compare case-insensitively
        return True
    sa, sb = _stat(ka), _stat(kb)
    if sa is not None and sb is not None:
        return sa.st_ino == sb.st_ino and sa.st_dev == sb.st_dev  # os.path.samestat
    if sa is not None or sb is not None:
        return False  # one exists and the other does not
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def head(text: str) -> str:
    """The text from its first non-blank character (a BOM counts as blank)."""
    return text.lstrip("\ufeff \t\r\n")


def json_like(path: Path, text: str) -> bool:
    """Named or shaped like a JSON/JSONC document."""
    return path.suffix.lower() in (".json", ".jsonc") or head(text).startswith(("{", "//", "/*"))
