"""`aigate-setup status`: what each client will really use now, and which file or variable
says so. Local and instant: it reads files and the environment, never the network. Prints
nothing; render/status.py shows the result."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple

from aigate_setup.constants import CLIENTS, DEFAULT_BASE_URL

if TYPE_CHECKING:
    from aigate_setup.clients.base import Resolution
    from aigate_setup.options import StatusOptions


class StatusResult(NamedTuple):
    resolutions: list[Resolution]
    gateway: str  # the AIGate /v1 base judged against

    @property
    def failed(self) -> bool:
        return any(r.configured and not r.reaches_aigate for r in self.resolutions)

    @property
    def status(self) -> str:
        return "fail" if self.failed else "ok"

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def gateway(opts: StatusOptions) -> str:
    """The flag or AIGATE_BASE_URL, else the base URL the last init used, else the default."""
    if opts.common.base_url != DEFAULT_BASE_URL:
        return opts.common.base_url
    from aigate_setup import state

    return state.remembered_base_url() or DEFAULT_BASE_URL


def run(opts: StatusOptions) -> StatusResult:
    from aigate_setup.clients import get
    from aigate_setup.errors import UsageError

    if not opts.project_dir.is_dir():
        raise UsageError(
            f"--project-dir {opts.project_dir} is not a directory",
            "pass the directory the clients start in (default: the current directory)",
        )
    url = gateway(opts)
    env = dict(os.environ)
    names = opts.clients or CLIENTS
    return StatusResult([get(n).resolve(opts.project_dir, env, url) for n in names], url)
