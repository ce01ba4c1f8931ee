"""A managed block in a shell or PowerShell script, between two marker lines.

aigate-setup owns the lines between `BEGIN` and `END`; every line outside them is the user's and
comes out byte for byte. A file without a block gets one appended after a blank line.
"""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

from typing import NamedTuple

from aigate_setup.errors import ParseError
from aigate_setup.merge.text import newline_of

BEGIN = "# >>> aigate-setup >>>"
END = "# <<< aigate-setup <<<"


def _lines(text: str) -> list[str]:
    """Lines split on LF only (with their endings), so a stray CR or form feed is just text."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


class _Span(NamedTuple):
    body_start: int  # first character after the BEGIN line
    body_end: int  # first character of the END line


def _find(text: str) -> _Span | None:
    begin: tuple[int, int] | None = None  # (line number, offset after the line)
    found: tuple[int, _Span] | None = None
    offset = 0
    for number, line in enumerate(_lines(text), start=1):
        marker = line.strip(" \t\r\n")
        if marker == BEGIN:
            if begin is not None:
                raise ParseError(
                    f"{BEGIN!r} again on line {number} before the block of line {begin[0]} "
                    f"was closed by {END!r}",
                    number,
                )
            if found is not None:
                raise ParseError(
                    f"a second aigate-setup block starts on line {number} (the first starts "
                    f"on line {found[0]}); keep only one",
                    number,
                )
            begin = (number, offset + len(line))
        elif marker == END:
            if begin is None:
                raise ParseError(f"{END!r} on line {number} without {BEGIN!r} before it", number)
            found = (begin[0], _Span(begin[1], offset))
            begin = None
        offset += len(line)
    if begin is not None:
        raise ParseError(f"{BEGIN!r} on line {begin[0]} has no {END!r} after it", begin[0])
    return found[1] if found else None


def extract_block(text: str) -> str | None:
    """The text between the marker lines (None when there is no block)."""
    span = _find(text)
    return None if span is None else text[span.body_start : span.body_end]


def _with_newline(body: str, nl: str) -> str:
    body = body.replace("\r\n", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    return body.replace("\n", nl) if nl != "\n" else body


def merge_block(text: str, body: str) -> str:
    """Put `body` between the markers: replace the old body, or append a new block.

    Lines outside the block are kept byte for byte. New lines use the file's newline style; a
    file without a final newline keeps none. Returns `text` itself when nothing changes.
    """
    nl = newline_of(text)
    body = _with_newline(body, nl)
    span = _find(text)
    if span is not None:
        if text[span.body_start : span.body_end] == body:
            return text
        return text[: span.body_start] + body + text[span.body_end :]
    block = BEGIN + nl + body + END
    if not text:
        return block + nl
    if text.endswith("\n"):
        last_line = text[text.rfind("\n", 0, len(text) - 1) + 1 : -1]
        sep = "" if last_line.strip(" \t\r") == "" else nl
        return text + sep + block + nl
    return text + nl + nl + block


def remove_block(text: str) -> str | None:
    """`text` without the managed block (markers included, and the blank line `merge_block`
    put before an appended block); None when only whitespace would remain. A file that ended in
    a blank line before the block was appended cannot be told from one that did not: the blank
    line goes."""
    lines = text.split("\n")
    keep = list(lines)
    start = next((i for i, ln in enumerate(lines) if ln.strip(" \t\r") == BEGIN), None)
    end = next(
        (i for i, ln in enumerate(lines) if i > (start or 0) and ln.strip(" \t\r") == END), None
    )
    if start is None or end is None:
        return text  # nothing of ours in it
    start_line = start
    at_end = all(not ln for ln in lines[end + 1 :])
    del keep[start : end + 1]
    if at_end:
        # init appended the block after one blank line it added (when the file did not end in
        # one); without a final newline it added two line breaks: take those back too.
        if start >= 2 and keep[start - 1].strip("\r") == "" and keep[start - 2].strip("\r"):
            del keep[start - 1]
            start -= 1
        if len(lines) == end + 1:  # the block had no newline after it
            keep = keep[:start]
            if keep and lines[start_line].endswith("\r") and keep[-1].endswith("\r"):
                keep[-1] = keep[-1][:-1]  # the CR of the CRLF init added
    out = "\n".join(keep)
    return out if out.strip() else None
