"""Reading POSIX and PowerShell scripts for the rules: variable assignments and the managed block.

Not a shell parser: the scripts aigate-setup writes (and the ones people write for the same job)
set variables one per line, which is what this reads.
"""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

import re
from typing import NamedTuple

from aigate_setup.merge.block import BEGIN, END

_SH_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
# PowerShell's patterns are compiled on first use (re's own cache): `status` on Linux and macOS
# reads only the POSIX script.
_PS_ASSIGN = r"(?i)^\s*\$env:([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$"
_PS_SETENV = r"(?i)SetEnvironmentVariable\(\s*['\"]([A-Za-z_][A-Za-z0-9_]*)['\"]\s*,\s*(.*)$"
_SH_WORD_END = r"[\s;#]"


class Assign(NamedTuple):
    name: str
    value: str  # unquoted
    literal: bool  # no variable, command or expression in it
    line: int
    column: int


def script_assignments(text: str, ps1: bool) -> list[Assign]:
    """Every `NAME=value` (POSIX) or `$env:NAME = value` (PowerShell) line, in order."""
    out: list[Assign] = []
    for i, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        if ps1:
            m = re.match(_PS_ASSIGN, line) if "=" in line else None
            if m is None and "able(" in line.lower():  # [Environment]::SetEnvironmentVariable(
                m = re.search(_PS_SETENV, line)
        else:
            m = _SH_ASSIGN.match(line)
        if not m:
            continue
        raw = m.group(2).strip()
        col = m.start(2) + 1 + (len(m.group(2)) - len(m.group(2).lstrip()))
        value, literal = _script_value(raw, ps1)
        out.append(Assign(m.group(1).upper() if ps1 else m.group(1), value, literal, i, col))
    return out


def _script_value(raw: str, ps1: bool) -> tuple[str, bool]:
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = raw.find(quote, 1)
        value = raw[1:end] if end > 0 else raw[1:]
        if quote == "'" and not ps1:
            return value, True
        return value, "$" not in value and "`" not in value
    if ps1:
        # an unquoted PowerShell value is an expression (a variable, Get-Content ...)
        return raw.split("#")[0].strip().rstrip(",)").strip(), False
    value = re.split(_SH_WORD_END, raw, maxsplit=1)[0]
    return value, "$" not in value and "`" not in value


def marker_problem(text: str) -> int | None:
    """The line of a broken managed block (not one BEGIN ... END pair), else None."""
    lines = text.splitlines()
    begins = [i for i, line in enumerate(lines, 1) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines, 1) if line.strip() == END]
    if len(begins) != len(ends) or len(begins) > 1 or (begins and ends[0] < begins[0]):
        return begins[-1] if begins else ends[0]
    return None
