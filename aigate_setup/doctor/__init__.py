"""`aigate-setup doctor`, by concern: environment checks, per-client checks (each client module
adds its own through the registry), `--with-clients` runs, and `--fix`. The network diagnosis
lives with the other HTTP code in `gateway.diagnose`; `commands.doctor` runs them all."""

from __future__ import annotations

from aigate_setup import settings

DEFAULT_TIMEOUT = 5.0


def check_timeout() -> float:
    """Seconds each network check (and each `--version`) may take: $AIGATE_TIMEOUT, else 5."""
    return settings.timeout(DEFAULT_TIMEOUT)
