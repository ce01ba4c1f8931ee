"""A small comment-preserving JSONC parser and editor.

`parse` (parse.py) builds a tree of `Node`s that remember their offsets in the text and accepts
exactly what OpenCode's and Kilo's parser (Microsoft's jsonc-parser) accepts. The editors
(`set_value`, `remove_value`, `append_to_array`; edit.py) parse once, then splice new text into
the exact span they change; every other character of the input comes out unchanged. Duplicate
keys: the last one wins, as in JavaScript, and the editors act on that last one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aigate_setup.merge.jsonc.parse import (
    KIND_NAMES,
    MAX_DEPTH,
    LineIndex,
    Member,
    Node,
    NodeKind,
    find,
    find_member,
    is_blank,
    line_col,
    loads,
    parse,
)

if TYPE_CHECKING:
    from aigate_setup.merge.jsonc.edit import (
        append_to_array,
        dumps,
        remove_value,
        set_value,
        set_values,
    )

_EDITORS = frozenset({"append_to_array", "dumps", "remove_value", "set_value", "set_values"})


def __getattr__(name: str) -> Any:
    # The editors load on first use: `check` and `doctor` only read.
    if name in _EDITORS:
        from aigate_setup.merge.jsonc import edit

        return getattr(edit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "KIND_NAMES",
    "MAX_DEPTH",
    "LineIndex",
    "Member",
    "Node",
    "NodeKind",
    "append_to_array",
    "dumps",
    "find",
    "find_member",
    "is_blank",
    "line_col",
    "loads",
    "parse",
    "remove_value",
    "set_value",
    "set_values",
]
