"""Small helpers the client modules' file classifiers share (`file_kind`, `guess_kind`).

Which file is which is each client's knowledge (clients/<client>.py); `engine.kind_for` asks
every client module. What is here knows no client: comparing places, and sniffing a format.
"""

from __future__ import annotations

import os
from pathlib import Path

SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh")


def same_place(a: Path, b: Path) -> bool:
    """The same directory (or file), through symlinks; names of paths that do not exist yet are
    compared resolved. Two stats, not two realpaths: this runs once per discovered file."""
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
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
