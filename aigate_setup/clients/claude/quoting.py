"""Quoting values for the scripts and commands aigate-setup writes for Claude Code."""

from __future__ import annotations

# PowerShell treats these as single quotes too, so inside '...' each must be doubled.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def sh_quote(value: str) -> str:
    """A POSIX single-quoted word: nothing inside is special; a ' is written as '"'"'."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def ps_quote(value: str) -> str:
    """A PowerShell single-quoted string: no expansion; every kind of single quote doubled."""
    return "'" + "".join(ch * 2 if ch in _PS_QUOTES else ch for ch in value) + "'"
