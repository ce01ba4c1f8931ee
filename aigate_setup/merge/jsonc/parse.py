"""The JSONC reader: text -> a tree of `Node`s that remember their offsets.

It accepts exactly what Microsoft's jsonc-parser (used by OpenCode and Kilo, which refuse a
file on any error) accepts with `allowTrailingComma`: JSON plus `//` and `/* */` comments and
trailing commas. A `//` comment ends at LF or at a lone CR; only space, tab, CR and LF are
whitespace (NBSP, form feed, vertical tab or a BOM between tokens are errors; a leading BOM is
taken off when the file is decoded, merge/text.py). Duplicate keys are accepted and the last
one wins, as in JavaScript. Numbers too large for a double read as infinity, as in JavaScript.
tests/test_merge_jsonc_differential.py holds this against jsonc-parser itself.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import re
from collections.abc import Sequence
from typing import Any, Literal

from aigate_setup.errors import ParseError

NodeKind = Literal["object", "array", "string", "number", "bool", "null"]

MAX_DEPTH = 400

_WS = " \t\n\r"
_TRIVIA_START = frozenset(" \t\n\r/")  # "" (the end) is not in it


class _Patterns:
    """The full parser's patterns, compiled when the first document needs them: most configs
    take the plain JSON fast path (below), and `status` rarely reads anything else."""

    def __init__(self) -> None:
        self.trivia = re.compile(r"(?:[ \t\n\r]+|//[^\n\r]*|/\*.*?\*/)*", re.DOTALL)
        self.string = re.compile(r'"[^"\\\x00-\x1f]*(?:\\.[^"\\\x00-\x1f]*)*"', re.DOTALL)
        self.string_prefix = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*', re.DOTALL)
        self.number = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
        self.word = re.compile(r"[A-Za-z0-9_$.+-]+")


@functools.cache
def patterns() -> _Patterns:
    return _Patterns()


_PLUS_ONE = (1).__add__
_LITERALS: dict[str, tuple[NodeKind, Any]] = {
    "true": ("bool", True),
    "false": ("bool", False),
    "null": ("null", None),
}


# Member and Node are plain classes with __slots__ (not dataclasses): `status` parses JSONC on
# every start, and creating a dataclass costs more at import than the parsing itself.


class Member:
    """One `"key": value` of an object. `comma` is the offset of the comma after it, if any."""

    __slots__ = ("comma", "key", "key_end", "key_start", "value")

    def __init__(
        self, key: str, key_start: int, key_end: int, value: Node, comma: int | None = None
    ) -> None:
        self.key = key
        self.key_start = key_start
        self.key_end = key_end
        self.value = value
        self.comma = comma

    def _fields(self) -> tuple[object, ...]:
        return (self.key, self.key_start, self.key_end, self.value, self.comma)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Member) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        return f"Member{self._fields()!r}"


class Node:
    """A parsed value: `text[start:end]` is its source; `value` is the plain Python value."""

    __slots__ = ("_index", "end", "items", "kind", "members", "start", "value")

    def __init__(
        self,
        kind: NodeKind,
        start: int,
        end: int,
        value: Any,
        members: list[Member] | None = None,
        items: list[Node] | None = None,
    ) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.members = members if members is not None else []
        self.items = items if items is not None else []
        # (member count, key -> its last member), built on the first lookup: the rules look
        # up many keys, and a list scan per lookup was most of `check`'s time.
        self._index: tuple[int, dict[str, Member]] | None = None

    def _fields(self) -> tuple[object, ...]:
        return (self.kind, self.start, self.end, self.value, self.members, self.items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Node{self._fields()!r}"

    def member(self, key: str) -> Member | None:
        """The member named `key` (the last one when the key is duplicated)."""
        index = self._index
        if index is None or index[0] != len(self.members):
            index = self._index = (len(self.members), {m.key: m for m in self.members})
        return index[1].get(key)


class LineIndex:
    """Offsets -> 1-based (line, column) in O(log n): line starts and a bisect (counting the
    newlines before each offset made checking a 12 MB file take minutes)."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # Where each line starts: 0, then one past each "\n" (the line lengths, summed in C).
        lines = text.split("\n")
        lines.pop()
        self.starts = list(itertools.accumulate(map(_PLUS_ONE, map(len, lines)), initial=0))

    def line_col(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, self.length))
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


_last_index: tuple[str, LineIndex] | None = None  # callers ask about one text many times


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of `offset`; columns count characters."""
    global _last_index
    cached = _last_index
    if cached is None or cached[0] is not text:
        cached = _last_index = (text, LineIndex(text))
    return cached[1].line_col(offset)


def _error(text: str, offset: int, message: str) -> ParseError:
    line, col = line_col(text, offset)
    return ParseError(message, line, col)


def _skip(text: str, pos: int) -> int:
    """Skip whitespace and comments from `pos`."""
    if text[pos : pos + 1] not in _TRIVIA_START:
        return pos  # most tokens follow one another directly: no regex call
    m = patterns().trivia.match(text, pos)
    end = m.end() if m else pos
    if text.startswith("/*", end):
        raise _error(text, end, "unterminated comment (missing */)")
    return end


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.re = patterns()

    def err(self, pos: int, message: str) -> ParseError:
        return _error(self.text, pos, message)

    def describe(self, pos: int) -> str:
        if pos >= self.n:
            return "the end of the file"
        m = self.re.word.match(self.text, pos)
        token = m.group(0) if m else self.text[pos]
        return repr(token[:20])

    def value(self, pos: int, depth: int) -> Node:
        text = self.text
        if depth > MAX_DEPTH:
            raise self.err(pos, f"nesting deeper than {MAX_DEPTH} levels")
        if pos >= self.n:
            raise self.err(pos, "expected a value but reached the end of the file")
        ch = text[pos]
        if ch == "{":
            return self.object(pos, depth)
        if ch == "[":
            return self.array(pos, depth)
        if ch == '"':
            s, end = self.string(pos)
            return Node("string", pos, end, s)
        if ch == "-" or ch.isdigit():
            m = self.re.number.match(text, pos)
            if m is None:
                raise self.err(pos, f"invalid number {self.describe(pos)}")
            end = m.end()
            if end < self.n and (text[end].isalnum() or text[end] in "._"):
                raise self.err(pos, f"invalid number {self.describe(pos)}")
            raw = m.group(0)
            return Node("number", pos, end, _number(raw))
        m = self.re.word.match(text, pos)
        if m is not None and m.group(0) in _LITERALS:
            kind, val = _LITERALS[m.group(0)]
            return Node(kind, pos, m.end(), val)
        if ch == "'":
            raise self.err(pos, "strings must use double quotes")
        raise self.err(pos, f"expected a value, found {self.describe(pos)}")

    def string(self, pos: int) -> tuple[str, int]:
        text = self.text
        m = self.re.string.match(text, pos)
        if m is None:
            p = self.re.string_prefix.match(text, pos)
            stop = p.end() if p else pos + 1
            if stop >= self.n or text[stop] in "\r\n":
                raise self.err(pos, "unterminated string")
            if text[stop] == "\\":
                raise self.err(stop, "unterminated string")
            raise self.err(stop, "control character in string (use an escape such as \\t)")
        raw = m.group(0)
        if "\\" not in raw:
            return raw[1:-1], m.end()
        try:
            value = json.loads(raw)
        except ValueError:
            bad = re.search(r"\\(?:u(?![0-9a-fA-F]{4})|[^\"\\/bfnrtu])", raw)
            at = pos + (bad.start() if bad else 0)
            raise self.err(at, "invalid escape in string") from None
        assert isinstance(value, str)
        return value, m.end()

    def object(self, start: int, depth: int) -> Node:
        text = self.text
        members: list[Member] = []
        value: dict[str, Any] = {}
        pos = _skip(text, start + 1)
        while True:
            if pos >= self.n:
                raise self.err(start, "unclosed object (missing '}')")
            ch = text[pos]
            if ch == "}":
                return Node("object", start, pos + 1, value, members=members)
            if ch != '"':
                if ch == "'":
                    raise self.err(pos, "keys must use double quotes")
                raise self.err(pos, f"expected a \"key\" or '}}', found {self.describe(pos)}")
            key, key_end = self.string(pos)
            key_start = pos
            pos = _skip(text, key_end)
            if pos >= self.n or text[pos] != ":":
                raise self.err(pos, f"expected ':' after the key, found {self.describe(pos)}")
            pos = _skip(text, pos + 1)
            node = self.value(pos, depth + 1)
            member = Member(key, key_start, key_end, node)
            members.append(member)
            value.pop(key, None)  # last wins, and takes the last position
            value[key] = node.value
            pos = _skip(text, node.end)
            if pos < self.n and text[pos] == ",":
                member.comma = pos
                pos = _skip(text, pos + 1)
                continue
            if pos < self.n and text[pos] == "}":
                continue
            if pos >= self.n:
                raise self.err(start, "unclosed object (missing '}')")
            raise self.err(pos, f"expected ',' or '}}', found {self.describe(pos)}")

    def array(self, start: int, depth: int) -> Node:
        text = self.text
        items: list[Node] = []
        pos = _skip(text, start + 1)
        while True:
            if pos >= self.n:
                raise self.err(start, "unclosed array (missing ']')")
            if text[pos] == "]":
                return Node("array", start, pos + 1, [i.value for i in items], items=items)
            node = self.value(pos, depth + 1)
            items.append(node)
            pos = _skip(text, node.end)
            if pos < self.n and text[pos] == ",":
                pos = _skip(text, pos + 1)
                continue
            if pos < self.n and text[pos] == "]":
                continue
            if pos >= self.n:
                raise self.err(start, "unclosed array (missing ']')")
            raise self.err(pos, f"expected ',' or ']', found {self.describe(pos)}")


# --- the fast path: plain JSON -----------------------------------------------------------------
# Most configs are plain JSON (no comment, no trailing comma). For those, the C `json` module
# checks the syntax, and one regex walk over the tokens builds the same tree `_Parser` would
# (same nodes, offsets, values, duplicate keys, commas). Anything else, and any document that
# nests deeper than MAX_DEPTH allows, goes to `_Parser`, which also words the errors.

# One step of a plain JSON document: an optional key, one value or bracket, an optional comma.
_STEP = re.compile(
    r"""[ \t\n\r]*
    (?:("[^"\\]*(?:\\.[^"\\]*)*")[ \t\n\r]*:[ \t\n\r]*)?  # 1: a key
    (?:("[^"\\]*(?:\\.[^"\\]*)*")  # 2: a string
      |([^ \t\n\r{}\[\]:,"]+)  # 3: a number, true, false or null
      |([{\[])  # 4: an opening bracket
      |([}\]]))  # 5: a closing one
    [ \t\n\r]*(,)?  # 6: a comma""",
    re.VERBOSE | re.DOTALL,
)


class _NotPlain(Exception):
    pass


def _no_constant(name: str) -> Any:
    raise _NotPlain(name)  # NaN, Infinity, -Infinity: Python's json accepts them, JSON does not


_STRICT = json.JSONDecoder(parse_constant=_no_constant)  # made once: json.loads(text, **kw) makes
# a decoder for every call


def _plain(text: str) -> Node | None:
    """The tree of `text` when it is plain JSON within MAX_DEPTH, else None."""
    if text.startswith("\ufeff"):  # json.loads refuses it too; JSONC tells where it is
        return None
    try:
        _STRICT.decode(text)
    except (ValueError, RecursionError, _NotPlain):
        return None
    return _plain_tree(text)


def _word(word: str, start: int, end: int) -> Node:
    """A number, true, false or null of a plain JSON document."""
    if word in _LITERALS:
        kind, val = _LITERALS[word]
        return Node(kind, start, end, val)
    return Node("number", start, end, _number(word))


def _number(raw: str) -> int | float:
    """A JSON number's value. 1e400 is Infinity, as in JavaScript (jsonc-parser accepts it);
    so is an integer too long for Python's int() (over 4300 digits): a JavaScript Number."""
    if any(c in raw for c in ".eE") or len(raw.lstrip("-")) > 4000:
        return float(raw)
    return int(raw)


def _plain_tree(text: str) -> Node | None:
    """The tree of valid JSON `text` (every step is well formed and in a valid place), or
    None when it nests deeper than MAX_DEPTH allows."""
    new_node, new_member, loads = Node, Member, json.loads  # locals: this loop is hot
    root: Node | None = None
    # The open containers below `top`, each with the key its value will have in its parent
    # and, for an object, its key index (what `Node.member` would build on its first lookup).
    stack: list[tuple[Node, str, int, int, dict[str, Member]]] = []
    top: Node | None = None
    index: dict[str, Member] = {}
    in_object = False
    key = ""
    key_start = key_end = 0
    for m in _STEP.finditer(text):
        k, string, word, opening, _, comma = m.groups()
        if k is not None:
            key = k[1:-1] if "\\" not in k else loads(k)
            key_start, key_end = m.span(1)
        if string is not None:
            start, end = m.span(2)
            node = new_node(
                "string", start, end, string[1:-1] if "\\" not in string else loads(string)
            )
        elif word is not None:
            node = _word(word, *m.span(3))
        elif opening is not None:
            if len(stack) >= MAX_DEPTH - 1:
                return None  # a value inside may be too deep: _Parser knows where exactly
            if top is not None:
                stack.append((top, key, key_start, key_end, index))
            start = m.start(4)
            in_object = opening == "{"
            if in_object:
                top = new_node("object", start, start, {}, [])
                index = {}
            else:
                top = new_node("array", start, start, [], [], [])
            continue  # no comma follows an opening bracket
        else:  # a closing bracket
            assert top is not None
            node = top
            node.end = m.end(5)
            if in_object:
                node._index = (len(node.members), index)
            if not stack:
                root = node
                break
            top, key, key_start, key_end, index = stack.pop()
            in_object = top.kind == "object"
        # A complete value: a member or an item of `top`, or the root.
        if in_object:
            assert top is not None
            member = new_member(key, key_start, key_end, node)
            if comma is not None:
                member.comma = m.start(6)
            top.members.append(member)
            index[key] = member
            obj = top.value
            if key in obj:
                del obj[key]  # last wins, and takes the last position
            obj[key] = node.value
        elif top is not None:
            top.items.append(node)
            top.value.append(node.value)
        else:
            root = node
            break
    return root


def parse(text: str) -> Node:
    """Parse JSONC text into a `Node` tree. Raises ParseError (1-based line/column)."""
    root = _plain(text)
    return root if root is not None else _parse_jsonc(text)


def _parse_jsonc(text: str) -> Node:
    """`parse` without the plain JSON fast path: comments, trailing commas, errors."""
    p = _Parser(text)
    pos = _skip(text, 0)
    if pos >= len(text):
        raise p.err(pos, "empty document (expected a value such as {})")
    root = p.value(pos, 0)
    end = _skip(text, root.end)
    if end < len(text):
        raise p.err(end, f"unexpected {p.describe(end)} after the top-level value")
    return root


def loads(text: str) -> Any:
    """The plain Python value of a JSONC document."""
    return parse(text).value


def is_blank(text: str) -> bool:
    """True when the text holds only whitespace and comments (an empty config)."""
    return _skip(text, 0) >= len(text)


def find(node: Node, path: Sequence[str]) -> Node | None:
    """The node at `path` (object keys), or None when any step is missing or not an object."""
    for key in path:
        if node.kind != "object":
            return None
        member = node.member(key)
        if member is None:
            return None
        node = member.value
    return node


def find_member(node: Node, path: Sequence[str]) -> Member | None:
    """The member at `path` (so its key's position is known), or None."""
    if not path:
        return None
    parent = find(node, path[:-1])
    if parent is None or parent.kind != "object":
        return None
    return parent.member(path[-1])


# "provider is a string": how a node kind reads in a message.
KIND_NAMES: dict[str, str] = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "bool": "a boolean",
    "null": "null",
}
