"""Diffs for people: unified, key-masked, optionally coloured; a key file's is never shown.

The one implementation of "what would change" that `init --dry-run`, `doctor --fix` and
`restore --dry-run` print.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TextIO

from aigate_setup import report, secrets
from aigate_setup.fsio.change import FileChange

HIDDEN = "(contents hidden: this file holds your key)"
# A diff longer than this is cut (a generated file such as Codex's picker catalog holds tens of
# kilobytes of the client's own prompt per model); the file itself is written whole.
MAX_DIFF_LINES = 300
MAX_DIFF_CHARS = 30_000


def _label(path: Path) -> str:
    return Path(path).as_posix().lstrip("/")


def _lines(data: bytes) -> list[str]:
    text = secrets.scrub(data.decode("utf-8", errors="replace"))
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1] + "\n\\ No newline at end of file\n")
    return lines


def diff_bytes(path: Path, old: bytes | None, new: bytes | None) -> str:
    """A unified diff `a/<path>` -> `b/<path>`; None (missing) diffs as /dev/null; same -> ""."""
    if old == new:
        return ""
    a_label = "/dev/null" if old is None else f"a/{_label(path)}"
    b_label = "/dev/null" if new is None else f"b/{_label(path)}"
    lines = list(difflib.unified_diff(_lines(old or b""), _lines(new or b""), a_label, b_label))
    if not lines:
        return f"--- {a_label}\n+++ {b_label}\n"  # e.g. an empty file created
    return _cut(lines)


def _cut(lines: list[str]) -> str:
    """The diff, or its head and a line saying how much was left out."""
    kept: list[str] = []
    size = 0
    for line in lines[:MAX_DIFF_LINES]:
        if size + len(line) > MAX_DIFF_CHARS:
            break
        kept.append(line)
        size += len(line)
    if len(kept) == len(lines):
        return "".join(lines)
    if not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    return "".join(kept) + f"... ({len(lines) - len(kept)} more diff lines not shown)\n"


def unified_diff(change: FileChange) -> str:
    """A unified diff `a/<path>` -> `b/<path>`; a new file diffs from /dev/null; unchanged -> "".

    For display only: undecodable bytes become U+FFFD and `sk-...` keys are masked.
    """
    return diff_bytes(change.path, change.old, None if change.delete else change.new)


def hidden_diff(path: Path) -> str:
    """What is shown instead of the diff of a file that holds a key."""
    return f"--- {path}\n+++ {path}\n{HIDDEN}\n"


def preview(
    path: Path,
    old: bytes | None,
    new: bytes | None,
    *,
    sensitive: bool = False,
    stream: TextIO | None = None,
) -> str:
    """What to show for a file that changes: its diff coloured for `stream` (stdout by
    default), or for a file that holds a key, `hidden_diff` (never its contents, never
    coloured). Callers skip unchanged files."""
    if sensitive:
        return hidden_diff(path)
    return color_diff(diff_bytes(path, old, new), stream)


def preview_change(change: FileChange, stream: TextIO | None = None) -> str:
    """`preview` of a planned change (what `init --dry-run` and `doctor --fix` show)."""
    new = None if change.delete else change.new
    return preview(change.path, change.old, new, sensitive=change.sensitive, stream=stream)


_COLORS = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))


def color_diff(diff: str, stream: TextIO | None = None) -> str:
    """Colour a diff for a terminal (no-op off a TTY or with NO_COLOR)."""
    if not diff or not report.use_color(stream):
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        body = line.rstrip("\n")
        end = line[len(body) :]
        color = next((c for prefix, c in _COLORS if line.startswith(prefix)), None)
        out.append(report.paint(body, color, stream) + end if color else line)
    return "".join(out)
