"""`aigate-setup doctor`: environment, gateway and per-client checks. Never writes (except --fix)."""

from __future__ import annotations

from aigate_setup.errors import NotBuiltYet
from aigate_setup.options import DoctorOptions


def run_doctor(opts: DoctorOptions) -> int:
    raise NotBuiltYet("doctor")
