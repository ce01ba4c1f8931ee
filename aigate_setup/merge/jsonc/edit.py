"""The JSONC editors: parse once, then splice new text into the exact span that changes.

Every other character of the input comes out unchanged (comments, blank lines, key order,
indentation, trailing commas, CRLF). Duplicate keys: the editors act on the last one, the one
the clients read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from aigate_setup.errors import ParseError
from aigate_setup.merge.jsonc.parse import (
    _WS,
    KIND_NAMES,
    Member,
    Node,
    _error,
    _skip,
    find,
    is_blank,
    parse,
)
from aigate_setup.merge.text import line_indent, line_start, newline_of

_EOL = re.compile("[\r\n]")


def dumps(value: Any, indent: str = "  ", newline: str = "\n") -> str:
    """JSON text for a brand-new file: `indent` per level, ends with a newline."""
    return _render(value, indent, "", newline) + newline


# --- editing ----------------------------------------------------------------------------------


def _render(value: Any, unit: str, base: str, nl: str) -> str:
    """`value` as pretty JSON whose continuation lines start with `base` (+ `unit` per level)."""
    out = json.dumps(value, indent=unit, ensure_ascii=False, allow_nan=False)
    if "\n" in out:
        out = out.replace("\n", nl + base)
    return out


def _render_inline(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _same(a: Any, b: Any) -> bool:
    """JSON equality: true != 1, dict order ignored, list order kept."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _newlines_outside_comments(text: str, start: int, end: int) -> list[int]:
    """Offsets of the '\\n' characters in the trivia text[start:end] that are not in a comment."""
    found: list[int] = []
    pos = start
    while pos < end:
        ch = text[pos]
        if ch == "\n":
            found.append(pos)
            pos += 1
        elif text.startswith("//", pos):
            # A line comment ends at LF or at a lone CR (as in jsonc-parser).
            m = _EOL.search(text, pos, end)
            pos = end if m is None else m.start()
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2, end)
            pos = end if close < 0 else close + 2
        else:
            pos += 1
    return found


def _own_line(text: str, offset: int) -> bool:
    """True when only spaces/tabs precede `offset` on its line."""
    return text[line_start(text, offset) : offset].strip(" \t") == ""


def _indent_unit(text: str, root: Node) -> str:
    """The file's indent unit, learned from the first container whose children sit on own lines."""
    stack = [root]
    while stack:
        node = stack.pop()
        children: list[int] = (
            [m.key_start for m in node.members]
            if node.kind == "object"
            else [i.start for i in node.items]
        )
        for child in children:
            if "\n" in text[node.start : child] and _own_line(text, child):
                outer = line_indent(text, node.start)
                inner = line_indent(text, child)
                if inner.startswith(outer) and len(inner) > len(outer):
                    return inner[len(outer) :]
                break
        stack.extend(reversed([m.value for m in node.members] + node.items))
    return "  "


def _nested(path: Sequence[str], value: Any) -> Any:
    for key in reversed(path):
        value = {key: value}
    return value


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, replacement) edits."""
    out: list[str] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _entries(text: str, node: Node) -> list[tuple[int, int, int | None]]:
    """(start, end, comma offset) of each member or item of a container."""
    if node.kind == "object":
        return [(m.key_start, m.value.end, m.comma) for m in node.members]
    out: list[tuple[int, int, int | None]] = []
    for item in node.items:
        after = _skip(text, item.end)
        out.append((item.start, item.end, after if text[after] == "," else None))
    return out


def _insert_last(text: str, root: Node, node: Node, prefix: str, value: Any) -> str:
    """Insert `prefix + value` as the last entry of an object or array, in the file's style.

    After the last entry and the comments that follow it, with a trailing comma when the
    container had one, the siblings' indentation and the file's newline. An empty container is
    expanded onto its own lines; a single-line container stays on one line.
    """
    nl = newline_of(text)
    unit = _indent_unit(text, root)
    close = node.end - 1
    entries = _entries(text, node)
    if not entries:
        base = line_indent(text, node.start)
        indent = base + unit
        entry = prefix + _render(value, unit, indent, nl)
        breaks = _newlines_outside_comments(text, node.start + 1, close)
        if breaks:
            at = breaks[-1] + 1
            return _splice(text, [(at, at, indent + entry + nl)])
        return _splice(text, [(close, close, nl + indent + entry + nl + base)])

    _last_start, last_end, last_comma = entries[-1]
    after_last = last_comma + 1 if last_comma is not None else last_end
    trailing_comma = last_comma is not None
    edits: list[tuple[int, int, str]] = []
    if not trailing_comma:
        edits.append((last_end, last_end, ","))

    if "\n" not in text[node.start : node.end]:
        entry = prefix + _render_inline(value)
        edits.append((after_last, after_last, f" {entry}" + ("," if trailing_comma else "")))
        return _splice(text, edits)

    indent = next(
        (line_indent(text, start) for start, _, _ in reversed(entries) if _own_line(text, start)),
        line_indent(text, node.start) + unit,
    )
    entry = prefix + _render(value, unit, indent, nl) + ("," if trailing_comma else "")
    breaks = _newlines_outside_comments(text, after_last, close)
    if breaks:
        # Before the line of the closing bracket, after any comments that follow the last entry.
        at = breaks[-1] + 1
        edits.append((at, at, indent + entry + nl))
    else:
        edits.append((after_last, after_last, nl + indent + entry))
    return _splice(text, edits)


def _insert_member(text: str, root: Node, obj: Node, key: str, value: Any) -> str:
    return _insert_last(text, root, obj, json.dumps(key, ensure_ascii=False) + ": ", value)


def _replace_value(text: str, root: Node, parent: Node, member: Member, value: Any) -> str:
    node = member.value
    if "\n" not in text[parent.start : parent.end]:
        new = _render_inline(value)
    else:
        new = _render(
            value, _indent_unit(text, root), line_indent(text, member.key_start), newline_of(text)
        )
    return _splice(text, [(node.start, node.end, new)])


def _new_document(text: str, path: Sequence[str], value: Any) -> str:
    """Text that is empty or only comments: append a fresh object after whatever is there."""
    nl = newline_of(text)
    body = _render(_nested(path, value), "  ", "", nl)
    if not text.strip(_WS):
        return text + body + nl
    sep = "" if text.endswith("\n") else nl
    tail = nl if text.endswith("\n") else ""
    return text + sep + body + tail


def _shape_error(text: str, node: Node, path: Sequence[str], what: str) -> ParseError:
    dotted = ".".join(path)
    return _error(text, node.start, f"{dotted} is {KIND_NAMES[node.kind]}, expected {what}")


def set_value(text: str, path: Sequence[str], value: Any) -> str:
    """Set `path` to `value`, changing only the span that differs.

    Missing objects on the way are created; a missing key becomes the last member of its object,
    following the file's indentation and newline style. A dict merges into an existing object key
    by key (user keys that `value` does not name are kept); any other value replaces the old one.
    Returns `text` itself when the value is already equal. Raises ParseError when the text does
    not parse or a step of the path exists but is not an object.
    """
    path = list(path)
    if not path:
        raise ValueError("set_value needs a non-empty path")
    _render_inline(value)  # reject values that are not JSON before touching anything
    if is_blank(text):
        return _new_document(text, path, value)
    root = parse(text)
    if root.kind != "object":
        raise _shape_error(text, root, ["(top level)"], "an object")
    node = root
    for i, key in enumerate(path):
        member = node.member(key)
        if member is None:
            return _insert_member(text, root, node, key, _nested(path[i + 1 :], value))
        if i < len(path) - 1:
            if member.value.kind != "object":
                raise _shape_error(text, member.value, path[: i + 1], "an object")
            node = member.value
            continue
        if isinstance(value, Mapping) and member.value.kind == "object":
            for k, v in value.items():
                text = set_value(text, [*path, str(k)], v)
            return text
        if _same(member.value.value, value):
            return text
        return _replace_value(text, root, node, member, value)
    raise AssertionError("unreachable")


def set_values(text: str, updates: Mapping[tuple[str, ...], Any]) -> str:
    """`set_value` for each (path, value) in order."""
    for path, value in updates.items():
        text = set_value(text, path, value)
    return text


def append_to_array(text: str, path: Sequence[str], item: Any) -> str:
    """Append `item` to the array at `path` unless it is already in it (then `text` is returned).

    Comments and formatting inside the array are kept. A missing array is created as `[item]`.
    Raises ParseError when the value at `path` exists but is not an array.
    """
    path = list(path)
    if is_blank(text):
        return set_value(text, path, [item])
    root = parse(text)
    node = find(root, path)
    if node is None:
        return set_value(text, path, [item])
    if node.kind != "array":
        raise _shape_error(text, node, path, "an array")
    if any(_same(existing, item) for existing in node.value):
        return text
    _render_inline(item)
    return _insert_last(text, root, node, "", item)


def _member_span(text: str, obj: Node, index: int) -> list[tuple[int, int, str]]:
    """Edits that delete member `index` of `obj` and keep the commas valid."""
    member = obj.members[index]
    start = member.key_start
    end = member.comma + 1 if member.comma is not None else member.value.end
    edits: list[tuple[int, int, str]] = []
    if member.comma is None and index > 0:
        prev = obj.members[index - 1]
        assert prev.comma is not None
        edits.append((prev.comma, prev.comma + 1, ""))
    ls = line_start(text, start)
    eol = text.find("\n", end)
    eol = len(text) if eol < 0 else eol
    rest = text[end:eol]
    if _own_line(text, start) and rest.strip(" \t\r") == "" and ls > obj.start:
        # The member had its own line(s): remove them whole.
        start, end = ls, min(eol + 1, len(text))
    else:
        while end < len(text) and text[end] in " \t":
            end += 1
        if member.comma is None:
            while start > 0 and text[start - 1] in " \t":
                start -= 1
    if edits and edits[0][0] >= start:
        edits = []  # the previous comma is inside the removed span already
    edits.append((start, end, ""))
    return edits


def remove_value(text: str, path: Sequence[str]) -> str:
    """Remove the member at `path` (every duplicate of it) and its comma; no-op when absent."""
    path = list(path)
    if not path or is_blank(text):
        return text
    for _ in range(text.count(":") + 1):
        root = parse(text)
        parent = find(root, path[:-1])
        if parent is None or parent.kind != "object":
            return text
        indexes = [i for i, m in enumerate(parent.members) if m.key == path[-1]]
        if not indexes:
            return text
        text = _splice(text, _member_span(text, parent, indexes[-1]))
    return text
