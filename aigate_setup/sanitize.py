"""Text from outside (a gateway, a catalog, a client's output) made safe to show on a terminal."""

from __future__ import annotations

import re

# Both compiled on first use (re's own cache): most text is printable and needs neither.
# ANSI/VT escape sequences (CSI, OSC, and two-character escapes).
_ANSI = r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])"
# C0/C1 controls (but tab and newline), DEL, bidi overrides and zero-width characters.
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"


def clean(text: str) -> str:
    """`text` without escape sequences, control, bidi, zero-width characters or lone surrogates."""
    if text.isprintable():  # none of those is printable (ESC, Cc, Cf, Zl, Zp, Cs, Cn)
        return text
    return re.sub(_UNSAFE, "", re.sub(_ANSI, "", text))


def one_line(text: str, limit: int = 200) -> str:
    """`text` cleaned and folded onto one line of at most `limit` characters."""
    line = " ".join(clean(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
