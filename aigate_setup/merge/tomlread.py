"""Reading TOML for validation: plain values and positioned errors, without tomlkit.

`check` and `doctor` only read; importing tomlkit (the editor, in toml.py) costs them more than
parsing a few hundred files with the standard library.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from aigate_setup.errors import ParseError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Compiled on first use (re's own cache): only for a file with a syntax error.
_AT = r"\s*\(at line (\d+), column (\d+)\)\s*$"
_AT_END = r"\s*\(at end of document\)\s*$"


def _end_position(text: str) -> tuple[int, int]:
    line = text.count("\n") + 1
    return line, len(text) - (text.rfind("\n") + 1) + 1


def parse_toml(text: str) -> dict[str, Any]:
    """Plain values of a TOML document; ParseError (with line/column) when it is invalid."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(_AT, msg)
        if m:
            raise ParseError(msg[: m.start()], int(m.group(1)), int(m.group(2))) from None
        m = re.search(_AT_END, msg)
        if m:
            raise ParseError(msg[: m.start()], *_end_position(text)) from None
        raise ParseError(msg, 1, 1) from None
    except ValueError:  # an integer too long for Python's int(); TOML's are 64-bit anyway
        m = re.search(r"\d{4000,}", text)
        start = m.start() if m else 0
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        raise ParseError("integer too large (TOML integers are 64-bit)", line, column) from None
