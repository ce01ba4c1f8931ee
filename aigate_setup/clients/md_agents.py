"""Agents defined in Markdown files, as OpenCode 1.18.33 and Kilo 7.7.7 read them.

In every config directory (the global one, each project `.opencode/` / `.kilocode/` / `.kilo/`,
`OPENCODE_CONFIG_DIR` / `KILO_CONFIG_DIR`), after that directory's JSON files: each
`{agent,agents}/**/*.md` is agent `<relative path without .md>`, then each `{mode,modes}/*.md`
is a primary agent. Its YAML frontmatter (gray-matter) is deep-merged into `agent.<name>`, so a
`model:` line there beats the JSON layers read before it (see resolve_jsonc.py).

Only three top-level keys matter here (`model`, `disable`, `mode`); the file is never executed
and no YAML library is loaded: a bounded read of its first bytes and lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from aigate_setup.clients.base import Where
from aigate_setup.clients.layers import AGENT_DIRS, MODE_DIRS

MAX_BYTES = 64 * 1024  # frontmatter is read from at most this much of a file
MAX_LINES = 400
MAX_FILES = 500  # per directory
MAX_DEPTH = 8  # `agent/**` nesting
MAX_DIRS = 200  # directories visited under one `agent/` (symlink loops)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(.*)\Z")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}


class Front(NamedTuple):
    """What the frontmatter sets: each value with its 1-based line."""

    model: tuple[str, int] | None = None
    disable: tuple[bool, int] | None = None
    mode: str | None = None


class MdAgent(NamedTuple):
    """One Markdown agent file, a layer of `agent.<name>` (see resolve_jsonc.Stack)."""

    origin: Where
    name: str
    front: Front
    primary: bool  # from `mode/` or `mode: primary`
    project: bool = False

    def find(self, keys: Sequence[str]) -> tuple[Any, Where] | None:
        if len(keys) != 3 or keys[0] != "agent" or keys[1] != self.name:
            return None
        item = {"model": self.front.model, "disable": self.front.disable}.get(keys[2])
        if item is None:
            return None
        return item[0], Where(self.origin.path, item[1])


def _scalar(raw: str) -> str | None:
    """A one-line YAML scalar as a string; None for null or anything this reader skips."""
    v = raw.strip()
    if v.startswith('"'):
        out, i = [], 1
        while i < len(v):
            c = v[i]
            if c == "\\" and i + 1 < len(v):
                out.append(v[i + 1])
                i += 2
                continue
            if c == '"':
                return "".join(out)
            out.append(c)
            i += 1
        return None
    if v.startswith("'"):
        end = re.match(r"'((?:[^']|'')*)'", v)
        return end.group(1).replace("''", "'") if end else None
    cut = re.search(r"[ \t]#", v)
    v = (v[: cut.start()] if cut else v).strip()
    if v in _NULL or v[0] in "|>[]{}&*!%@`#":
        return None
    return v


def read_front(path: Path) -> Front | None:
    """The frontmatter of `path`, or None when there is none this reader can use (no
    frontmatter, a duplicate key, binary or unreadable)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES)
    except OSError:
        return None
    if b"\x00" in data:
        return None
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    if not text.startswith("---") or text[3:4] == "-":
        return None
    lines = text[3:].split("\n", MAX_LINES)[:MAX_LINES]
    if lines[0].strip() not in ("", "yaml"):
        return None  # another gray-matter language (json, toml...)
    seen: set[str] = set()
    model: tuple[str, int] | None = None
    disable: tuple[bool, int] | None = None
    mode: str | None = None
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("---"):
            break
        m = _KEY.match(line.rstrip("\r"))
        if m is None:
            continue
        key, value = m.group(1), m.group(2)
        if key in seen:
            return None  # js-yaml refuses a duplicate key: the client skips the file
        seen.add(key)
        if key == "model":
            found = _scalar(value)
            model = (found, number) if found is not None else None
        elif key == "disable":
            flag = value.split("#", 1)[0].strip()
            disable = (
                (True, number) if flag in _TRUE else (False, number) if flag in _FALSE else None
            )
        elif key == "mode":
            mode = _scalar(value)
    return Front(model, disable, mode)


def _md_files(root: Path, recursive: bool) -> list[Path]:
    out: list[Path] = []
    if not os.path.isdir(root):
        return out
    for visited, (current, dirs, files) in enumerate(os.walk(root, followlinks=True)):
        if visited >= MAX_DIRS:
            break
        depth = len(Path(current).relative_to(root).parts)
        if not recursive or depth >= MAX_DEPTH:
            dirs[:] = []
        dirs.sort()
        out += [Path(current) / n for n in sorted(files) if n.endswith(".md")]
        if len(out) >= MAX_FILES:
            break
    return out[:MAX_FILES]


def scan(directory: Path, project: bool = False) -> list[MdAgent]:
    """The Markdown agents of one config directory, in load order (later wins)."""
    found: list[MdAgent] = []
    for names, recursive, primary in (
        (AGENT_DIRS, True, False),
        (MODE_DIRS, False, True),
    ):
        for sub in names:
            root = directory / sub
            for path in _md_files(root, recursive):
                front = read_front(path)
                if front is None or (front.model is None and front.disable is None):
                    continue
                name = path.relative_to(root).as_posix()[: -len(".md")]
                is_primary = primary or front.mode == "primary"
                found.append(MdAgent(Where(path), name, front, is_primary, project))
    return found
