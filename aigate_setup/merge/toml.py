"""TOML merges through tomlkit, which round-trips every byte it is not asked to change.

On top of tomlkit this module fixes what it would otherwise get wrong for a user's file: new lines
follow the file's newline style (tomlkit writes LF), a new key of an existing table goes after the
table's last key (not after the comments that introduce the next table), a file without a final
newline keeps none, and a new table is separated by a blank line. Validation uses the standard
TOML parser (tomllib), which is as strict as Codex's own.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import ParseError as TomlkitParseError
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, InlineTable, Table
from tomlkit.toml_document import TOMLDocument

from aigate_setup.errors import ParseError
from aigate_setup.merge import tomltext
from aigate_setup.merge.text import newline_of
from aigate_setup.merge.tomlread import parse_toml as _parse_plain

__all__ = ["ParseError", "parse_toml", "remove_value", "set_values"]


def parse_toml(text: str) -> dict[str, Any]:
    """Plain values of a TOML document that tomlkit can also edit; ParseError otherwise.

    Readers that only validate (check, doctor) use `tomlread.parse_toml`, which skips this
    second, much slower parse.
    """
    data = _parse_plain(text)
    _document(text)
    return data


def _document(text: str) -> TOMLDocument:
    try:
        return tomlkit.parse(text)
    except TomlkitParseError as exc:
        message = str(exc)
        message = re.sub(r"\s*at line \d+ col \d+\s*$", "", message)
        raise ParseError(message, exc.line, exc.col) from None
    except TOMLKitError as exc:  # pragma: no cover - tomllib catches these first
        raise ParseError(str(exc), 1, 1) from None


def _key_line(text: str, key: str) -> tuple[int, int]:
    """Best-effort position of `key` (for shape errors, which tomlkit cannot locate)."""
    m = re.search(rf"^[ \t]*\[*[ \t]*(?:[\w.\"' -]*\.)?\"?{re.escape(key)}\b", text, re.MULTILINE)
    if not m:
        return 1, 1
    return text.count("\n", 0, m.start()) + 1, 1


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _plain(item: Any) -> Any:
    unwrap = getattr(item, "unwrap", None)
    return unwrap() if callable(unwrap) else item


def _last_value_at(container: Container) -> int | None:
    """Where the last plain key/value of a table body is (None when it has none)."""
    last = None
    for i, (key, item) in enumerate(container.body):
        if key is not None and not isinstance(item, (Table, AoT)):
            last = i
    return last


def _insert_after(container: Container, at: int, key: str, value: Any) -> None:
    """`key = value` right after the body item at `at`. tomlkit has no public call for it;
    `_insert_at` is in every tomlkit this supports (`_insert_after` left in 0.15.3) and
    takes only a place that has an item."""
    if at + 1 < len(container.body):
        container._insert_at(at + 1, key, tomlkit.item(value))
    else:
        container.append(key, tomlkit.item(value))


Pending = dict[tuple[str, ...], dict[str, Any]]


def _deep_update(target: dict[str, Any], value: Mapping[str, Any]) -> None:
    for k, v in value.items():
        if isinstance(v, Mapping) and isinstance(target.get(k), dict):
            _deep_update(target[k], v)
        else:
            target[k] = copy.deepcopy(dict(v)) if isinstance(v, Mapping) else v


def _set_in(
    doc: TOMLDocument, text: str, path: tuple[str, ...], value: Any, pending: Pending
) -> bool:
    """Set one path in the tomlkit document. Returns True when something changed.

    A table that does not exist yet is not created inside the document (tomlkit would place it
    next to its parent, where the root keys that follow could end up inside it): it is collected
    in `pending` and appended at the end of the file.
    """
    node: Any = doc
    for i, key in enumerate(path):
        last = i == len(path) - 1
        if key not in node:
            rest: Any = value
            for k in reversed(path[i + 1 :]):
                rest = {k: rest}
            if isinstance(node, InlineTable):
                node[key] = rest
            elif isinstance(rest, Mapping):
                _deep_update(pending.setdefault(path[:i], {}), {key: rest})
            elif isinstance(node, Table) and not node.is_super_table():
                # After the table's last key, not after comments leading into the next table.
                at = _last_value_at(node.value)
                if at is None:
                    node[key] = rest
                else:
                    _insert_after(node.value, at, key, rest)
            else:
                node[key] = rest
            return True
        child = node[key]
        if last:
            if isinstance(value, Mapping) and isinstance(child, MutableMapping):
                # Merge key by key so keys the user added to the table stay.
                changed = False
                for k, v in value.items():
                    changed = _set_in(doc, text, (*path, str(k)), v, pending) or changed
                return changed
            if _same(_plain(child), value):
                return False
            node[key] = value
            return True
        if isinstance(child, AoT) or not isinstance(child, MutableMapping):
            line, col = _key_line(text, key)
            raise ParseError(f"{'.'.join(path[: i + 1])} is not a table", line, col)
        node = child
    raise ValueError("set_values needs non-empty paths")


def _key(k: str) -> str:
    return tomlkit.key(k).as_string()


def _tables_text(prefix: tuple[str, ...], value: Mapping[str, Any], nl: str) -> list[str]:
    """`[a.b]` sections for a new table; nested dicts become their own sections after it."""
    scalars = [(k, v) for k, v in value.items() if not isinstance(v, Mapping)]
    tables = [(k, v) for k, v in value.items() if isinstance(v, Mapping)]
    sections = []
    if scalars or not tables:
        lines = ["[" + ".".join(_key(k) for k in prefix) + "]"]
        lines += [f"{_key(k)} = {tomlkit.item(v).as_string()}" for k, v in scalars]
        sections.append(nl.join(lines) + nl)
    for k, v in tables:
        sections += _tables_text((*prefix, k), v, nl)
    return sections


def _append_tables(out: str, pending: Pending, nl: str) -> str:
    """New tables go at the end of the file, each after a blank line."""
    sections: list[str] = []
    for parent, tables in pending.items():
        for key, value in tables.items():
            sections += _tables_text((*parent, key), value, nl)
    if not sections:
        return out
    if out and not out.endswith("\n"):
        out += nl
    last_line = out[out.rfind("\n", 0, len(out) - 1) + 1 :]
    if out and last_line.strip(" \t\r\n"):
        out += nl
    return out + nl.join(sections)


def _expected(before: dict[str, Any], updates: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    """The plain values a merge must produce: `before` with every update applied."""
    after = copy.deepcopy(before)
    for path, value in updates.items():
        node = after
        for key in path[:-1]:
            node = node.setdefault(key, {})
        if isinstance(value, Mapping) and isinstance(node.get(path[-1]), dict):
            _deep_update(node[path[-1]], value)
        else:
            node[path[-1]] = copy.deepcopy(dict(value) if isinstance(value, Mapping) else value)
    return after


def _fix_new_lines(old: str, new: str, nl: str) -> str:
    """Give the lines that tomlkit added or rewrote the file's newline; keep all others."""
    if nl == "\n" or new == old:
        return new
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    out: list[str] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        chunk = new_lines[j1:j2]
        if tag != "equal":
            chunk = [
                line[:-1] + nl if line.endswith("\n") and not line.endswith("\r\n") else line
                for line in chunk
            ]
        out.extend(chunk)
    return "".join(out)


def set_values(
    text: str,
    updates: Mapping[tuple[str, ...], Any],
    *,
    root_keys_before_tables: bool = True,
) -> str:
    """Set each path (a tuple of keys) to its value, editing the document in place.

    Existing keys keep their position and line comment; a missing root key goes after the last
    root key, before the first table (it would belong to that table otherwise); a missing table
    is appended at the end after a blank line. Returns `text` unchanged when every value is
    already equal. Raises ParseError when the text is not valid TOML or a path crosses a value
    that is not a table.
    """
    del root_keys_before_tables  # root keys always go before the first table
    if any(not path for path in updates):
        raise ValueError("set_values needs non-empty paths")
    before = parse_toml(text)
    nl = newline_of(text)
    added_final_newline = bool(text) and not text.endswith("\n")
    work = text + nl if added_final_newline else text
    doc = _document(work)
    # tomlkit does not round-trip every file (it moves a table that sits between the entries
    # of an array of tables): such a file is edited line by line instead, or refused.
    out: str | None = None
    if doc.as_string() == work:
        pending: Pending = {}
        changed = False
        for path, value in updates.items():
            changed = _set_in(doc, work, tuple(path), value, pending) or changed
        if not changed:
            return text
        out = _fix_new_lines(work, doc.as_string(), nl)
        out = _append_tables(out, pending, nl)
    elif _expected(before, updates) == before:
        return text
    if out is None or not safe(work, out, before, updates):
        out = tomltext.text_edit(work, updates, before, nl, _tables_text)
    if added_final_newline and out is not None and out.endswith(nl):
        out = out[: -len(nl)]
    # Never hand back a document that Codex would refuse, one that means something else, or
    # one whose other lines moved.
    if out is None or not safe(text, out, before, updates):
        raise ParseError(
            "cannot merge the aigate settings into this file without moving or changing other"
            " settings (tables between [[array]] entries); edit this file by hand",
            1,
            1,
        )
    return out


def safe(
    old: str, new: str, before: dict[str, Any], updates: Mapping[tuple[str, ...], Any]
) -> bool:
    """The edit keeps the meaning (`new` parses to `before` plus the updates) and every line
    it does not own, in the same order."""
    try:
        if parse_toml(new) != _expected(before, updates):
            return False
    except ParseError:
        return False
    return tomltext.kept_in_order(old, new, list(updates))


def remove_value(text: str, path: tuple[str, ...]) -> str:
    """Remove the key at `path` (a whole table when it names one); no-op when absent."""
    parse_toml(text)
    doc = _document(text)
    node: Any = doc
    for key in path[:-1]:
        if key not in node or isinstance(node[key], AoT):
            return text
        node = node[key]
        if not isinstance(node, MutableMapping):
            return text
    if not path or path[-1] not in node:
        return text
    del node[path[-1]]
    out = doc.as_string()
    parse_toml(out)
    return out
