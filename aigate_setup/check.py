"""`aigate-setup check`: static validation of checked-in configs. Never writes."""

from __future__ import annotations

from aigate_setup.errors import NotBuiltYet
from aigate_setup.options import CheckOptions


def run_check(opts: CheckOptions) -> int:
    raise NotBuiltYet("check")
