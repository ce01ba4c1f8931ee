"""YAML config files edited in place with ruamel.yaml's round-trip mode.

ruamel.yaml is the YAML library that keeps comments, key order, quoting and block/flow style
when it loads and dumps a document (PyYAML drops comments). A document is loaded, the owned
values are changed on the loaded tree, and the tree is dumped with the indentation guessed from
the file. Two rules keep user bytes as they were:

- an edit that changes no value returns the text untouched (so a second run is byte-identical);
- the newline style (CRLF) and a missing final newline are put back after the dump.

Top-level scalar keys (Aider's whole config) are spliced into the text directly (`set_top`,
`remove_top`): only the owned line changes, every other byte stays.

Accepted syntax is YAML 1.2, what the clients read (Continue: the `yaml` npm package; Aider:
PyYAML through configargparse). Strings are data: every value is emitted by the dumper, quoted
when YAML needs it, never spliced into the text as syntax.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from aigate_setup.errors import ParseError

__all__ = [
    "CommentedMap",
    "CommentedSeq",
    "edit",
    "find",
    "is_blank",
    "line_of",
    "load",
    "plain",
    "position",
    "remove_top",
    "scalar",
    "set_top",
]

MAX_WIDTH = 1 << 16  # never fold a long line (a URL, a model id) into two


def _yaml(indent: int = 2, seq_indent: int = 2, offset: int = 0) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = MAX_WIDTH
    y.indent(mapping=indent, sequence=seq_indent, offset=offset)
    return y


def is_blank(text: str) -> bool:
    """Nothing but whitespace and comments (or a lone `---`)."""
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("#") and s not in ("---", "..."):
            return False
    return True


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def load(text: str) -> Any:
    """The round-trip tree of `text` (None for a blank document). ParseError at line:col."""
    try:
        docs = list(_yaml().load_all(_lf(text)))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        col = mark.column + 1 if mark is not None else 1
        raise ParseError(str(exc.problem or exc.context or "invalid YAML"), line, col) from None
    except (YAMLError, ValueError, RecursionError) as exc:
        raise ParseError(f"invalid YAML: {type(exc).__name__}", 1) from None
    if len(docs) > 1:
        raise ParseError("more than one YAML document; the client reads only one", 1)
    tree = docs[0] if docs else None
    _check_size(tree)
    return tree


MAX_VALUES = 100_000  # values after aliases are expanded (a "billion laughs" file stops here)
MAX_DEPTH = 100


def _check_size(tree: Any) -> None:
    """Refuse a tree whose aliases expand into too many values, or that nests too deep."""
    stack: list[tuple[Any, int]] = [(tree, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise ParseError(f"more than {MAX_VALUES} values (after YAML aliases)", 1)
        if depth > MAX_DEPTH:
            raise ParseError(f"nested deeper than {MAX_DEPTH} levels", 1)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def plain(value: Any) -> Any:
    """`value` as plain dicts, lists and scalars (for comparisons and JSON)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def find(data: Any, path: Sequence[str | int]) -> Any:
    """The value at `path` (keys and list indexes), or None."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or not -len(data) <= key < len(data):
                return None
            data = data[key]
        elif isinstance(data, dict):
            data = data.get(key)
        else:
            return None
    return data


def position(data: Any, path: Sequence[str | int]) -> tuple[int, int] | None:
    """1-based line and column of the value at `path` (of its key for a mapping entry)."""
    if not path:
        return None
    parent = find(data, path[:-1])
    key = path[-1]
    try:
        if isinstance(parent, CommentedMap) and key in parent:
            line, col = parent.lc.key(key)
        elif isinstance(parent, CommentedSeq) and isinstance(key, int):
            line, col = parent.lc.item(key)
        else:
            return None
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return int(line) + 1, int(col) + 1


def line_of(data: Any, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the value at `path` (of its key for a mapping entry), or None."""
    found = position(data, path)
    return found[0] if found is not None else None


def _guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, sequence dash offset) used in `text`."""
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
    except (YAMLError, ValueError, TypeError):
        return 2, 2, 0
    mapping = indent if isinstance(indent, int) and indent > 0 else 2
    offset = block_seq_indent if isinstance(block_seq_indent, int) else 0
    return mapping, max(mapping, offset + 2), offset


def dump(data: Any, like: str = "") -> str:
    """`data` as YAML text in the indentation style of `like`."""
    mapping, seq, offset = _guess_indent(_lf(like)) if like.strip() else (2, 4, 2)
    out = io.StringIO()
    _yaml(mapping, seq, offset).dump(data, out)
    return out.getvalue()


def _restyle(new: str, old: str) -> str:
    """Put back the old text's newline style and its (missing) final newline."""
    if old and not old.endswith(("\n", "\r")) and new.endswith("\n"):
        new = new[:-1]
    if "\r\n" in old and old.count("\r\n") * 2 >= old.count("\n"):
        new = new.replace("\n", "\r\n")
    return new


def edit(text: str, change: Callable[[Any], Any]) -> str:
    """`text` with `change(tree)` applied; `change` edits the tree in place (or returns a new
    root for a blank document). Returns `text` itself when no value changed."""
    tree = load(text)
    before = plain(tree)
    result = change(tree)
    if result is not None:
        tree = result
    if plain(tree) == before:
        return text
    lead = ""
    if tree is not None and is_blank(text):
        lead = _lf(text) if text.strip() else ""
        if lead and not lead.endswith("\n"):
            lead += "\n"
        return _restyle(lead + dump(tree), text if text.strip() else "\n")
    return _restyle(dump(tree, text), text)


# --- byte-exact edits of top-level scalar keys -------------------------------------------------

_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@+:-]*\Z")


def scalar(value: str | bool | int) -> str:
    """One YAML scalar that every YAML reader (1.1 and 1.2) reads back as `value`: a plain
    string only when it holds a `/` and no character YAML treats specially (so `yes`, `on`,
    `1.0` or `null` are quoted), else a double-quoted string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _PLAIN.match(value) and "/" in value and ": " not in value and not value.endswith(":"):
        return value
    return json.dumps(value, ensure_ascii=False)


def _top_span(text: str, key: str) -> tuple[int, int] | None:
    """Start and end offset of the lines holding top-level `key` and its value (the last
    occurrence; duplicate keys are refused by the parser anyway)."""
    lf = _lf(text)
    tree = load(lf)
    if not isinstance(tree, CommentedMap) or key not in tree:
        return None
    keys = list(tree.keys())
    line = int(tree.lc.key(key)[0])
    i = keys.index(key)
    lines = lf.splitlines(keepends=True)
    end_line = int(tree.lc.key(keys[i + 1])[0]) if i + 1 < len(keys) else len(lines)
    # A value ends at the last non-blank, non-comment line before the next key.
    while end_line - 1 > line and _filler(lines[end_line - 1]):
        end_line -= 1
    start = sum(len(x) for x in lines[:line])
    end = sum(len(x) for x in lines[:end_line])
    return _orig_offset(text, start), _orig_offset(text, end)


def _filler(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def _orig_offset(text: str, lf_offset: int) -> int:
    """The offset in `text` (maybe CRLF) of an offset in its LF-normalised form."""
    if "\r\n" not in text:
        return lf_offset
    seen = 0
    for i, ch in enumerate(text):
        if seen == lf_offset:
            return i
        if ch == "\r" and text[i + 1 : i + 2] == "\n":
            continue
        seen += 1
    return len(text)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text and text.count("\r\n") * 2 >= text.count("\n") else "\n"


def set_top(text: str, key: str, value: str | bool | int) -> str:
    """`text` with the top-level `key: value` set; only that entry's lines change (appended at
    the end when absent). The document must be a mapping (or blank)."""
    if not _SIMPLE_KEY.match(key):
        raise ValueError(f"not a plain YAML key: {key!r}")
    tree = load(text)
    if tree is not None and not isinstance(tree, CommentedMap):
        raise ParseError("the top level must be a mapping", 1)
    if tree is not None and key in tree and plain(tree[key]) == value:
        return text
    nl = _newline(text)
    entry = f"{key}: {scalar(value)}{nl}"
    span = _top_span(text, key) if tree is not None else None
    if span is not None:
        start, end = span
        old = text[start:end]
        # Keep a comment at the end of the key's line.
        comment = re.search(r"\s+#[^\n\r]*", old.splitlines()[0]) if old else None
        if comment and "\n" not in old.rstrip("\r\n") and not _in_quotes(old, comment.start()):
            entry = f"{key}: {scalar(value)}{comment.group(0)}{nl}"
        return text[:start] + entry + text[end:]
    if text and not text.endswith(("\n", "\r")):
        text += nl
    if text.rstrip("\r\n").endswith("..."):
        raise ParseError("the document ends with `...`; add the key above it", 1)
    return text + entry


def _in_quotes(line: str, pos: int) -> bool:
    return line[:pos].count('"') % 2 == 1 or line[:pos].count("'") % 2 == 1


def remove_top(text: str, key: str) -> str:
    """`text` without the top-level `key` entry (its lines); unchanged when absent."""
    span = _top_span(text, key)
    if span is None:
        return text
    start, end = span
    return text[:start] + text[end:]
