"""<client>.effective: whether the client, started in the project directory now, really reaches
AIGate, judged from every layer it reads (the client module's `resolve`). A layer that
overrides what aigate-setup wrote fails the check, naming its file and line or variable."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from aigate_setup.constants import DEFAULT_BASE_URL
from aigate_setup.findings import Check, CheckStatus

if TYPE_CHECKING:
    from aigate_setup.options import DoctorOptions

TITLE = "Reaches AIGate (every layer the client reads)"


def gateway(opts: DoctorOptions) -> str:
    from aigate_setup import state

    if opts.common.base_url != DEFAULT_BASE_URL:
        return opts.common.base_url
    return state.remembered_base_url() or DEFAULT_BASE_URL


def effective_check(client: str, opts: DoctorOptions) -> list[Check]:
    """One check for a configured client; nothing for a client aigate-setup did not set up."""
    from aigate_setup.clients import get
    from aigate_setup.sanitize import one_line

    res = get(client).resolve(opts.project_dir, dict(os.environ), gateway(opts))
    cid = f"{client}.effective"
    if not res.configured:
        return []
    if res.reaches_aigate:
        detail = f"{res.model.value} on {res.base_url.value} ({res.model.origin.show()})"
        return [Check(cid, "pass", TITLE, one_line(detail, 300), "", client)]
    blocking = res.blocking
    hint = blocking[0].fix if blocking else f"aigate-setup status --client {client}"
    # Nothing points anywhere else (e.g. the Claude Code script is not loaded in this shell):
    # a warning, as before; a layer that sends the client elsewhere is a failure.
    status: CheckStatus = "fail" if blocking or not res.base_url.origin.is_default else "warn"
    detail = one_line(res.why, 300)
    if len(blocking) > 1:
        detail += f" (+{len(blocking) - 1} more: aigate-setup status --client {client})"
    return [Check(cid, status, TITLE, detail, hint, client)]
