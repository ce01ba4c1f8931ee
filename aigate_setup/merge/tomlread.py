"""Reading TOML for validation: plain values and positioned errors, without tomlkit.

`check` and `doctor` only read; importing tomlkit (the editor, in toml.py) costs them more than
parsing a few hundred files with the standard library.
"""

from __future__ import annotations

import re
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


class TomlError(ValueError):
    """A TOML syntax (or shape) problem, with a 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


def _end_position(text: str) -> tuple[int, int]:
    line = text.count("\n") + 1
    return line, len(text) - (text.rfind("\n") + 1) + 1


def parse_toml(text: str, *, editable: bool = True) -> dict[str, Any]:
    """Plain values of a TOML document; TomlError (with line/column) when it is invalid.

    With `editable` (for writers) tomlkit must accept it too; readers that only validate
    (check, doctor) pass False and skip that second, much slower parse.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _AT.search(msg)
        if m:
            raise TomlError(msg[: m.start()], int(m.group(1)), int(m.group(2))) from None
        m = _AT_END.search(msg)
        if m:
            raise TomlError(msg[: m.start()], *_end_position(text)) from None
        raise TomlError(msg, 1, 1) from None
    if editable:
        # tomlkit must also be able to edit it; report its complaint the same way.
        from aigate_setup.merge.toml import _document

        _document(text)
    return data
