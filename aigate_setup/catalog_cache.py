"""The catalog cache: the last good catalog per base URL, in
`$XDG_CACHE_HOME/aigate-setup/models.json` (0600). It holds the models as parsed (only entries
that passed the checks, cleaned and scrubbed of the key), never the gateway's raw answer.

Best effort both ways: a missing, corrupt or oversized cache reads as empty, and a cache that
cannot be written never fails the command.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from aigate_setup import paths
from aigate_setup.errors import AigateError

CACHE_FILE = "models.json"
CACHE_VERSION = 1
MAX_CACHE_BYTES = 64 * 1024 * 1024  # one catalog per base URL


def cache_path() -> Path:
    return paths.cache_dir() / CACHE_FILE


def _entries() -> dict[str, Any]:
    try:
        with cache_path().open("rb") as f:
            raw = f.read(MAX_CACHE_BYTES + 1)
        if len(raw) > MAX_CACHE_BYTES:
            return {}
        doc = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(doc, dict) or doc.get("version") != CACHE_VERSION:
        return {}
    entries = doc.get("entries")
    return entries if isinstance(entries, dict) else {}


def read(base_url: str) -> tuple[Any, float | None] | None:
    """(the cached catalog document, when it was fetched) for this base URL, or None."""
    entry = _entries().get(base_url)
    if not isinstance(entry, dict) or "data" not in entry:
        return None
    fetched_at = entry.get("fetched_at")
    return entry["data"], float(fetched_at) if isinstance(fetched_at, int | float) else None


def write(base_url: str, data: Any, fetched_at: float | None) -> None:
    """Keep `data` (a catalog document) for this base URL, in a file only the user can read."""
    entries = _entries()
    entries[base_url] = {"fetched_at": fetched_at, "data": data}
    doc = {"version": CACHE_VERSION, "entries": entries}
    from aigate_setup import fsio

    path = cache_path()
    with contextlib.suppress(AigateError, OSError, ValueError, RecursionError):
        text = json.dumps(doc, ensure_ascii=False).encode("utf-8", "replace")
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, 0o600)  # an older cache may be world-readable
        fsio.atomic_write(path, text, new_mode=0o600)
