"""Model ids are data, never syntax.

OpenCode and Kilo expand `{file:...}` and `{env:...}` anywhere in their configs, so an id or a
display name holding one would make them read a local file and send it to the gateway. An id
with a brace, a control character, whitespace, or more than 200 characters is refused (flags:
exit 2; catalog entries: skipped with one warning); display names are cleaned instead.
"""

from __future__ import annotations

from aigate_setup.sanitize import clean

MAX_ID_LENGTH = 200
MAX_NAME_LENGTH = 200


def check_model_id(value: str) -> str | None:
    """Why `value` cannot be used as a model id, or None when it is fine."""
    if not value:
        return "is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters"
    if "{" in value or "}" in value:
        return "contains { or } (OpenCode and Kilo would expand it)"
    for ch in value:
        if ch.isspace():
            return "contains whitespace"
        if not ch.isprintable():
            return "contains a control or invisible character"
    return None


def clean_display_name(text: str) -> str | None:
    """`text` without braces, control, bidi or zero-width characters, on one line and at most
    MAX_NAME_LENGTH characters; None when nothing is left."""
    cleaned = " ".join(clean(text).replace("{", "").replace("}", "").split())
    cleaned = "".join(ch for ch in cleaned if ch.isprintable())
    if len(cleaned) > MAX_NAME_LENGTH:
        cleaned = cleaned[: MAX_NAME_LENGTH - 3].rstrip() + "..."
    return cleaned or None
