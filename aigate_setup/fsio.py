"""The only writer: atomic writes, backups + manifest, diffs, restore, the run lock."""

from __future__ import annotations

from aigate_setup.errors import NotBuiltYet
from aigate_setup.options import RestoreOptions


def run_restore(opts: RestoreOptions) -> int:
    raise NotBuiltYet("restore")
