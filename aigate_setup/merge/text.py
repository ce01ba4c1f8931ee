"""Bytes <-> text for config files: UTF-8, an optional BOM, the file's own newline style.

The decoded text keeps every original newline byte as it is (no translation), so a merge that
leaves a region alone leaves its bytes alone, even in a file that mixes CRLF and LF. Lines that a
merge adds use the file's dominant newline (`newline_of`).
"""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

import codecs
from typing import NamedTuple

_BOM = codecs.BOM_UTF8


class Decoded(NamedTuple):
    """A decoded file: the text without BOM, whether it had one, and its dominant newline."""

    text: str
    bom: bool
    newline: str  # "\n" or "\r\n"


def newline_of(text: str, default: str = "\n") -> str:
    """The dominant newline of `text`: "\\r\\n" when most line breaks are CRLF, else "\\n"."""
    total = text.count("\n")
    if total == 0:
        return default
    crlf = text.count("\r\n")
    return "\r\n" if crlf * 2 > total else "\n"


def ends_with_newline(text: str) -> bool:
    return text.endswith("\n")


def decode(data: bytes) -> Decoded:
    """Decode UTF-8 bytes (with or without BOM). Undecodable bytes raise ValueError."""
    bom = data.startswith(_BOM)
    if bom:
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte offset {exc.start})") from None
    return Decoded(text=text, bom=bom, newline=newline_of(text))


def encode(doc: Decoded, text: str) -> bytes:
    """Encode merged text the way `doc` was stored (BOM kept). Newlines are written as they are."""
    data = text.encode("utf-8")
    return _BOM + data if doc.bom else data


def new_document(newline: str = "\n") -> Decoded:
    """The `Decoded` of a file that does not exist yet (no BOM, LF unless told otherwise)."""
    return Decoded(text="", bom=False, newline=newline)


def line_start(text: str, offset: int) -> int:
    """Offset of the first character of the line holding `offset`."""
    return text.rfind("\n", 0, offset) + 1


def line_indent(text: str, offset: int) -> str:
    """Leading spaces/tabs of the line holding `offset`."""
    start = line_start(text, offset)
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]
