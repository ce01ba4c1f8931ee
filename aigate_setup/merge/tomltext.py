"""The TOML safety net: did an edit keep every byte it does not own, in order? And a text-level
edit for the files tomlkit cannot round-trip.

tomlkit does not round-trip every valid file: with arrays of tables interleaved with other
tables (`[[a]] ... [b] ... [[a]]`) it moves `[b]` after the last `[[a]]`, even without an edit.
The values stay the same, so comparing parsed values cannot see it; `kept_in_order` compares the
lines instead. `text_edit` then makes the simple edits aigate-setup needs (root keys, brand-new
tables) as plain line insertions, and the caller checks that result the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tomlkit

_HEADER = re.compile(r"[ \t]*\[")
_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY_LINE = re.compile(rf"[ \t]*({_PART}(?:[ \t]*\.[ \t]*{_PART})*)[ \t]*=")
_PARTS = re.compile(_PART)


def _key_of(line: str) -> str | None:
    """The (last part of the) key of a `key = value` line, or None."""
    m = _KEY_LINE.match(line)
    if not m:
        return None
    last: str = _PARTS.findall(m.group(1))[-1]
    return last.strip("\"'")


def kept_in_order(old: str, new: str, owned: Sequence[tuple[str, ...]]) -> bool:
    """True when every line of `old`, except the `key = value` lines of owned keys (or of an
    inline table on their path), is in `new` in the same order (new lines may come between)."""
    names = {part for path in owned for part in path}
    wanted = [
        line
        for line in old.splitlines()
        if line.strip() and (_key_of(line) is None or _key_of(line) not in names)
    ]
    got = iter(line for line in new.splitlines() if line.strip())
    return all(any(line == other for other in got) for line in wanted)


def _replace_line(line: str, key: str, value: Any) -> str:
    """One `key = value` line with a new value; its comment and line ending kept."""
    body = line.rstrip("\r\n")
    doc = tomlkit.parse(body)
    doc[key] = value
    return str(doc.as_string()) + line[len(body) :]


def _value(value: Any) -> str:
    return str(tomlkit.item(value).as_string())


def _key(name: str) -> str:
    return str(tomlkit.key(name).as_string())


def text_edit(
    text: str,
    updates: Mapping[tuple[str, ...], Any],
    before: Mapping[str, Any],
    nl: str,
    tables_text: Callable[[tuple[str, ...], Mapping[str, Any], str], list[str]],
) -> str | None:
    """`updates` applied as line edits: root keys replaced on their line or inserted before the
    first table, tables that do not exist yet appended at the end. None when an update needs
    anything else (a key inside an existing table, a multi-line value)."""
    lines = text.splitlines(keepends=True)
    first_table = next((i for i, line in enumerate(lines) if _HEADER.match(line)), len(lines))
    new_tables: dict[tuple[str, ...], dict[str, Any]] = {}
    inserts: list[str] = []
    for path, value in updates.items():
        if len(path) == 1:
            key = path[0]
            if key in before:
                found = [i for i in range(first_table) if _key_of(lines[i]) == key]
                if len(found) != 1 or isinstance(before[key], (dict, list)):
                    return None
                lines[found[0]] = _replace_line(lines[found[0]], key, value)
            else:
                inserts.append(f"{_key(key)} = {_value(value)}{nl}")
            continue
        table = path[:-1]
        node: Any = before
        for part in table:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None:
            return None  # the table exists: tomlkit's job, not a line insertion's
        new_tables.setdefault(table, {})[path[-1]] = value
    if inserts:
        at = first_table
        while at > 0 and not lines[at - 1].strip():
            at -= 1  # before the blank lines that lead into the first table
        if at > 0 and not lines[at - 1].endswith("\n"):
            lines[at - 1] += nl
        lines[at:at] = inserts
    out = "".join(lines)
    sections = [s for table, values in new_tables.items() for s in tables_text(table, values, nl)]
    if sections:
        if out and not out.endswith("\n"):
            out += nl
        if out.strip():
            out += nl
        out += nl.join(sections)
    return out
