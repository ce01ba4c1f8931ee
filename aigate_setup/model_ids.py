"""Model ids and display names are data, never syntax.

OpenCode and Kilo expand `{file:...}` and `{env:...}` anywhere in their configs, so an id such as
`acme/gpt-5{file:~/.ssh/id_rsa}` would make them read a local file and send it to the gateway.
An id with a brace, a control or invisible character, whitespace, or more than `MAX_LENGTH`
characters is refused (flags: exit 2; catalog entries: skipped with one warning). Display names
are cleaned instead. The one validator for the CLI, the selection, the catalog and the writers.
"""

from __future__ import annotations

import unicodedata

from aigate_setup.sanitize import clean

MAX_LENGTH = 200
# Cc: C0/C1 controls and DEL; Cf: bidi overrides, zero-width and other invisible formatting
# characters; Cs: lone surrogates (they cannot even be encoded as UTF-8).
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in _INVISIBLE


def check_model_id(value: str) -> str | None:
    """Why `value` cannot be a model id (`"contains { or }"`...), or None when it can."""
    if not value:
        return "is empty"
    if "{" in value or "}" in value:
        return "contains { or } (OpenCode and Kilo would expand {file:...} or {env:...} in it)"
    if any(_invisible(ch) for ch in value):
        return "contains a control character"
    if any(ch.isspace() for ch in value):
        return "contains whitespace"
    if len(value) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    return None


def shown(value: str, limit: int = 80) -> str:
    """`value` quoted for an error line: escapes visible, one line, at most about `limit` long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def clean_display_name(text: str) -> str | None:
    """A catalog display name made safe for a config: no escape sequences, braces, control or
    invisible characters, one line of at most `MAX_LENGTH` characters; None if nothing is left."""
    kept = "".join(ch for ch in clean(text) if ch not in "{}" and not _invisible(ch))
    line = " ".join(kept.split())[:MAX_LENGTH].rstrip()
    return line or None
