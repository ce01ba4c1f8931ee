"""Where things are in a file: key positions in TOML, and small JSONC tree helpers.

tomllib gives values but no positions, so `TomlIndex` scans the lines once; the JSONC parser
keeps offsets in its nodes, and `Source.pos` turns them into line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aigate_setup.merge import jsonc

_TOML_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_TOML_DOTTED = re.compile(rf"\s*({_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*)\s*")
_TOML_PART = re.compile(_TOML_KEY)
_TOML_HEADER = re.compile(r"\[\[?\s*(.*?)\s*\]\]?")
_TOML_INLINE_KEY = rf"[{{,]\s*({_TOML_KEY})\s*=\s*"  # compiled on first use


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_split(dotted: str) -> tuple[str, ...]:
    if _BARE_KEY.fullmatch(dotted):
        return (dotted,)  # most keys: one bare key
    return tuple(p.strip("\"'") for p in _TOML_PART.findall(dotted))


class TomlIndex:
    """Where each key and table starts: path -> (line, key column, value column)."""

    def __init__(self, text: str) -> None:
        self.pos: dict[tuple[str, ...], tuple[int, int, int]] = {}
        table: tuple[str, ...] = ()
        in_multiline: str | None = None
        for i, line in enumerate(text.splitlines(), 1):
            if in_multiline:
                if in_multiline in line:
                    in_multiline = None
                continue
            stripped = line.lstrip()
            indent = len(line) - len(stripped)
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("["):
                m = _TOML_HEADER.match(stripped)
                if m:
                    table = _toml_split(m.group(1))
                    self.pos.setdefault(table, (i, indent + 1, indent + 1))
                continue
            in_multiline = self._key_line(i, line, table)

    def _key_line(self, i: int, line: str, table: tuple[str, ...]) -> str | None:
        """Index a `key = value` line; the quote that opens a multi-line string, if any."""
        m = _TOML_DOTTED.match(line)
        if not m or line[m.end() : m.end() + 1] != "=":
            return None
        key_path = table + _toml_split(m.group(1))
        after = line[m.end() + 1 :]
        value_col = len(line) - len(after.lstrip(" \t"))
        self.pos.setdefault(key_path, (i, m.start(1) + 1, value_col + 1))
        rest = line[value_col:]
        if rest.startswith("{"):  # an inline table: index its direct keys on this line
            for km in re.finditer(_TOML_INLINE_KEY, rest):
                sub = key_path + _toml_split(km.group(1))
                self.pos.setdefault(sub, (i, value_col + km.start(1) + 1, value_col + km.end() + 1))
        opened = None
        for quote in ('"""', "'''"):
            if rest.startswith(quote) and rest.count(quote) == 1:
                opened = quote
        return opened

    def key(self, path: tuple[str, ...]) -> tuple[int | None, int | None]:
        found = self._find(path)
        return (found[0], found[1]) if found else (None, None)

    def value(self, path: tuple[str, ...]) -> tuple[int | None, int | None]:
        found = self._find(path)
        return (found[0], found[2]) if found else (None, None)

    def _find(self, path: tuple[str, ...]) -> tuple[int, int, int] | None:
        if path in self.pos:
            return self.pos[path]
        # a table only written as [path.child] headers or dotted keys: its first child
        n = len(path)
        children = [v for k, v in self.pos.items() if k[:n] == path]
        if children:
            return min(children)
        for n in range(len(path) - 1, 0, -1):
            if path[:n] in self.pos:
                return self.pos[path[:n]]
        return None


# --- JSONC trees ------------------------------------------------------------------------------


def members(node: jsonc.Node | None) -> Iterator[jsonc.Member]:
    """The members of an object node (nothing for any other node or None)."""
    if node is not None and node.kind == "object":
        yield from node.members


def member(node: jsonc.Node | None, key: str) -> jsonc.Member | None:
    """The member `key` of an object; the last duplicate wins, as in JSON.parse."""
    if node is None or node.kind != "object":
        return None
    return node.member(key)


def get(node: jsonc.Node | None, *keys: str) -> jsonc.Node | None:
    """The node at `keys` below `node`, or None."""
    for key in keys:
        if node is None or node.kind != "object":
            return None
        m = node.member(key)
        if m is None:
            return None
        node = m.value
    return node


def string(node: jsonc.Node | None) -> str | None:
    """A string node's value, else None."""
    if node is not None and node.kind == "string" and isinstance(node.value, str):
        return node.value
    return None
