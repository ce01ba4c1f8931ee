"""Background servers that keep the key they started with (a client module may offer
`background_server()`): when doctor finds a key problem, it says which one is running and the
command that restarts it, or a fixed key never reaches that client."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from aigate_setup.findings import Check

if TYPE_CHECKING:
    from aigate_setup.clients.base import ClientState
    from aigate_setup.options import DoctorOptions

# Checks whose failure means the key the clients send is missing, malformed or rejected.
_KEY_CHECKS = ("env.key", "env.key_format", "gateway.key")


def key_problem(checks: Sequence[Check]) -> bool:
    return any(
        c.status == "fail" and (c.id in _KEY_CHECKS or c.id.endswith(".key")) for c in checks
    )


def server_checks(
    states: Sequence[ClientState], opts: DoctorOptions, checks: Sequence[Check]
) -> list[Check]:
    """<client>.server for each client whose background server runs, when the key is wrong."""
    from aigate_setup.clients import get

    if not key_problem(checks):
        return []
    out: list[Check] = []
    for st in states:
        probe: Callable[[], Any] | None = getattr(get(st.name), "background_server", None)
        server = probe() if probe is not None else None
        if server is None:
            continue
        detail = (
            f"{server.what} is running and keeps the key it started with: "
            "a key fixed in this shell does not reach it"
        )
        hint = f"once {opts.common.key_env} is right in this shell, run: {server.restart}"
        out.append(Check(f"{st.name}.server", "warn", "Background server", detail, hint, st.name))
    return out
