"""The only writer: atomic writes, the run lock, backups + journal, restore, diffs.

Every file aigate-setup changes goes through `apply` (or `restore`, which is a run too):
inside one process lock it re-checks that each target still holds the bytes the plan was
built from, backs the old bytes up under `paths.backups_dir()/<run-id>/` with a
`manifest.json` (paths, hashes, modes; never a key), then writes each file atomically.
If any write fails or the run is interrupted, the files already written are put back and
nothing is left changed.

    atomic.py       read_bytes (regular files only, size cap), atomic_write, modes, leftovers
    lock.py         run_lock
    journal.py      run directories, manifests (validated on read), list_runs, find_run
    transaction.py  apply: back up, write all or nothing, roll back on failure or signal
    undo.py         restore and plan_restore
    diff.py         unified_diff, preview (a key file's diff is hidden), color_diff

Importing the package is cheap (`status` reads the state file through `read_bytes`): each
name loads its module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aigate_setup import lazy

if TYPE_CHECKING:
    from aigate_setup.fsio.atomic import MAX_FILE_BYTES, atomic_write, read_bytes
    from aigate_setup.fsio.change import ApplyResult, FileChange, Status
    from aigate_setup.fsio.diff import (
        HIDDEN,
        color_diff,
        diff_bytes,
        hidden_diff,
        preview,
        preview_change,
        unified_diff,
    )
    from aigate_setup.fsio.journal import (
        MANIFEST,
        MANIFEST_VERSION,
        DamagedManifest,
        DamagedRun,
        RunFile,
        RunInfo,
        find_run,
        list_runs,
        scan_runs,
    )
    from aigate_setup.fsio.lock import DEFAULT_LOCK_TIMEOUT, LOCK_FILE, run_lock
    from aigate_setup.fsio.transaction import apply
    from aigate_setup.fsio.undo import Planned, plan_restore, restore

_LAZY = {
    "MAX_FILE_BYTES": "aigate_setup.fsio.atomic",
    "atomic_write": "aigate_setup.fsio.atomic",
    "read_bytes": "aigate_setup.fsio.atomic",
    "ApplyResult": "aigate_setup.fsio.change",
    "FileChange": "aigate_setup.fsio.change",
    "Status": "aigate_setup.fsio.change",
    "HIDDEN": "aigate_setup.fsio.diff",
    "color_diff": "aigate_setup.fsio.diff",
    "diff_bytes": "aigate_setup.fsio.diff",
    "hidden_diff": "aigate_setup.fsio.diff",
    "preview": "aigate_setup.fsio.diff",
    "preview_change": "aigate_setup.fsio.diff",
    "unified_diff": "aigate_setup.fsio.diff",
    "MANIFEST": "aigate_setup.fsio.journal",
    "MANIFEST_VERSION": "aigate_setup.fsio.journal",
    "DamagedManifest": "aigate_setup.fsio.journal",
    "DamagedRun": "aigate_setup.fsio.journal",
    "RunFile": "aigate_setup.fsio.journal",
    "RunInfo": "aigate_setup.fsio.journal",
    "find_run": "aigate_setup.fsio.journal",
    "list_runs": "aigate_setup.fsio.journal",
    "scan_runs": "aigate_setup.fsio.journal",
    "DEFAULT_LOCK_TIMEOUT": "aigate_setup.fsio.lock",
    "LOCK_FILE": "aigate_setup.fsio.lock",
    "run_lock": "aigate_setup.fsio.lock",
    "apply": "aigate_setup.fsio.transaction",
    "Planned": "aigate_setup.fsio.undo",
    "plan_restore": "aigate_setup.fsio.undo",
    "restore": "aigate_setup.fsio.undo",
}


def __getattr__(name: str) -> Any:
    return lazy.load(__name__, _LAZY, name)


__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "HIDDEN",
    "LOCK_FILE",
    "MANIFEST",
    "MANIFEST_VERSION",
    "MAX_FILE_BYTES",
    "ApplyResult",
    "DamagedManifest",
    "DamagedRun",
    "FileChange",
    "Planned",
    "RunFile",
    "RunInfo",
    "Status",
    "apply",
    "atomic_write",
    "color_diff",
    "diff_bytes",
    "find_run",
    "hidden_diff",
    "list_runs",
    "plan_restore",
    "preview",
    "preview_change",
    "read_bytes",
    "restore",
    "run_lock",
    "scan_runs",
    "unified_diff",
]
