"""The `init` wizard (interactive and scripted)."""

from __future__ import annotations

from aigate_setup.errors import NotBuiltYet
from aigate_setup.options import InitOptions


def run_init(opts: InitOptions) -> int:
    raise NotBuiltYet("init")
