"""The one key pattern and the one masking function.

Everything that may show a key (an error message, a diff, a gateway's echo, a URL) goes through
`scrub` or `mask_key` here, so no output path can forget a case another one handles.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# What an AIGate (or OpenAI-style) key looks like: `sk-` and a run of token characters. Used
# liberally for masking (six characters are enough to hide), strictly for detection in files.
# The patterns compile on first use (re's own cache), and only for text that holds `sk-`,
# `bearer` or `=`: most text does not.
KEY_RE = r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9][A-Za-z0-9_-]{5,}"
# A literal key in a config file is a long run; shorter ones are placeholders (`sk-xxx`).
MIN_KEY_LENGTH = 19
_BEARER = r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}"
_SECRET_QUERY = r"(?i)([?&](?:[a-z0-9_.-]*(?:key|token|secret|password|passwd|pwd|auth|sig)[a-z0-9_.-]*)=)[^&#\s]*"


def mask_key(key: str | None) -> str:
    """Show a key as `sk-...abcd` (never more than the last four characters)."""
    if not key:
        return "(not set)"
    key = key.strip()
    prefix = "sk-" if key.startswith("sk-") else ""
    tail = key[-4:] if len(key) >= 12 and key[-4:].isprintable() else ""
    return f"{prefix}...{tail}"


def looks_like_key(value: str) -> bool:
    """True when `value` holds something shaped like a real key (not a short placeholder)."""
    return "sk-" in value and any(len(m[0]) >= MIN_KEY_LENGTH for m in re.finditer(KEY_RE, value))


def find_keys(text: str) -> list[re.Match[str]]:
    """Every key-shaped run in `text` that is long enough to be a real key."""
    if "sk-" not in text:
        return []
    return [m for m in re.finditer(KEY_RE, text) if len(m[0]) >= MIN_KEY_LENGTH]


def scrub(text: str, *keys: str | None) -> str:
    """`text` with the given keys, anything key-shaped and bearer tokens masked.

    A key is also matched without its surrounding whitespace: a key pasted with a trailing
    newline must not survive in an error such as `Illegal header value b'Bearer sk-...\\r'`.
    """
    for key in keys:
        if not key:
            continue
        for variant in {key, key.strip()}:
            if len(variant) >= 4:
                text = text.replace(variant, mask_key(variant))
                text = text.replace(repr(variant)[1:-1], mask_key(variant))
    if "sk-" in text:
        text = re.sub(KEY_RE, lambda m: mask_key(m[0]), text)
    if "bearer" in text.lower():
        text = re.sub(_BEARER, lambda m: m[1] + "***", text)
    return text


def mask_url(url: str) -> str:
    """A URL with any user:password and secret-looking query values replaced by `***`."""
    try:
        parts = urlsplit(url)
        has_userinfo = parts.username is not None or parts.password is not None
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return scrub(url)
    if has_userinfo:
        if ":" in host:
            host = f"[{host}]"
        netloc = "***@" + host + (f":{port}" if port else "")
        parts = parts._replace(netloc=netloc)
    masked = urlunsplit(parts)
    if "=" in masked:
        masked = re.sub(_SECRET_QUERY, lambda m: m[1] + "***", masked)
    return scrub(masked)
