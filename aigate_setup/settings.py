"""Every AIGATE_* variable, read and validated in one place.

A bad value is one clear usage error (exit 2) whichever command reads it first; the CLI calls
`load()` before any command runs, so `AIGATE_TIMEOUT=abc` fails the same way everywhere.
"""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

import os
from typing import NamedTuple

from aigate_setup.errors import UsageError

TIMEOUT_ENV = "AIGATE_TIMEOUT"  # seconds per network request (catalog, probes, doctor checks)
LOCK_TIMEOUT_ENV = "AIGATE_LOCK_TIMEOUT"  # seconds a second run waits for the lock
CLIENT_TIMEOUT_ENV = "AIGATE_CLIENT_TIMEOUT"  # seconds for each `doctor --with-clients` run
DEBUG_ENV = "AIGATE_DEBUG"  # print tracebacks of internal errors
BASE_URL_ENV = "AIGATE_BASE_URL"  # read by click as the --base-url default

DEFAULT_LOCK_TIMEOUT = 10.0
DEFAULT_CLIENT_TIMEOUT = 120.0


class Settings(NamedTuple):
    timeout: float | None  # None: each caller's own default
    lock_timeout: float
    client_timeout: float
    debug: bool


def _seconds(name: str, *, allow_zero: bool = False) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    ok = value >= 0 if allow_zero else value > 0
    if not ok or value != value or value == float("inf"):
        what = "a number of seconds (0 or more)" if allow_zero else "a positive number of seconds"
        raise UsageError(f"{name}={raw!r} is not {what}", f"e.g. {name}=30, or unset it")
    return value


def load() -> Settings:
    """Read and validate every AIGATE_* setting; UsageError on the first bad one."""
    lock = _seconds(LOCK_TIMEOUT_ENV, allow_zero=True)
    client = _seconds(CLIENT_TIMEOUT_ENV)
    return Settings(
        timeout=_seconds(TIMEOUT_ENV),
        lock_timeout=DEFAULT_LOCK_TIMEOUT if lock is None else lock,
        client_timeout=DEFAULT_CLIENT_TIMEOUT if client is None else client,
        debug=bool(os.environ.get(DEBUG_ENV)),
    )


def timeout(default: float) -> float:
    """Seconds one network request may take: $AIGATE_TIMEOUT, else the caller's default."""
    value = load().timeout
    return default if value is None else value


def lock_timeout() -> float:
    return load().lock_timeout


def client_timeout() -> float:
    return load().client_timeout


def debug() -> bool:
    return bool(os.environ.get(DEBUG_ENV))
