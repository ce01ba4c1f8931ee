"""Owned values and removal for the Claude Code scripts (`aigate-setup remove`, hand edits).

Owned: the managed block between the aigate-setup markers, and the short usage header of a
script aigate-setup created. Claude Code keeps no default of its own in these files, so there is
no default to put back: without the script loaded it uses its own login.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aigate_setup.merge.block import BEGIN, END, extract_block

DEFAULT_KEYS: tuple[str, ...] = ()
BLOCK_KEY = "block"
FALLBACK = "its own login (ANTHROPIC_* variables from elsewhere, or `claude /login`)"


def owned_values(path: Path, text: str) -> dict[str, object]:
    """The managed block's body (absent: no block); in settings.json its owned keys."""
    from aigate_setup.clients.claude import settings

    if settings.handles(path):
        return settings.owned_values(path, text)
    body = extract_block(text)
    return {} if body is None else {BLOCK_KEY: body.replace("\r\n", "\n")}


def default_of(values: Mapping[str, object]) -> tuple[str | None, str | None]:
    return None, None


def is_ours(values: Mapping[str, object]) -> bool:
    return BLOCK_KEY in values


def put_back(path: Path, text: str, values: Mapping[str, object]) -> str:
    """settings.json: its replaced values back (the scripts replace nothing of the user's)."""
    from aigate_setup.clients.claude import settings

    if settings.handles(path):  # the helper: settings.put_back leaves it as it is
        return settings.put_back(path, text, values)
    return text


def unrender(path: Path, text: str) -> str | None:
    """`text` without the managed block (and the separator line init put before it); None when
    only the header aigate-setup wrote on a new script would be left. settings.json's owned
    keys and the key helper: see clients/claude/settings.py."""
    from aigate_setup.clients.claude import settings
    from aigate_setup.clients.claude.writer import header

    if settings.handles(path):
        return settings.unrender(path, text)

    if extract_block(text) is None:
        return text
    lines = text.split("\n")
    begin = next(i for i, line in enumerate(lines) if line.strip(" \t\r") == BEGIN)
    end = next(i for i, line in enumerate(lines) if i > begin and line.strip(" \t\r") == END)
    at_end = all(not line.strip(" \t\r") for line in lines[end + 1 :])
    kept = lines[:begin] + lines[end + 1 :]
    out = "\n".join(kept)
    if at_end and begin > 0 and not lines[begin - 1].strip(" \t\r"):
        # init appended the block after a blank line: take that separator out again.
        out = "\n".join(lines[: begin - 1] + lines[end + 1 :])
        if end + 1 == len(lines):  # the block had no final newline: neither had the file
            out = out[:-1] if out.endswith("\n") else out
    ps1 = path.suffix.lower() == ".ps1"
    rest = out.replace("\r\n", "\n").strip()
    if not rest or rest == header(path, ps1=ps1).replace("\r\n", "\n").strip():
        return None
    return out


USE_AIGATE: str | None = None  # the script is how Claude Code reaches AIGate, default or not
