"""`aigate-setup restore [--list] [--dry-run] [RUN_ID]`: undo a run from its backups.

`run` returns what happened (or would happen); `render.restore` shows it. A restore changes
files, so in a terminal it asks first (`ask`, from the CLI); `--yes` skips the question.
Without a terminal there is nobody to ask: a script's `restore RUN_ID` restores, as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aigate_setup import fsio
from aigate_setup.errors import UsageError
from aigate_setup.options import RestoreOptions

Action = Literal["list", "dry_run", "restore", "declined"]
# Shown the run and what restoring it does: True to go on.
Ask = Callable[[fsio.RunInfo, list[fsio.Planned]], bool]


@dataclass(frozen=True)
class RestoredFile:
    """One file of the restored run: restored | deleted | unchanged | skipped.

    In a dry run `before` and `after` are its bytes now and after the restore (None: absent);
    `sensitive` files hold a key and their contents are never shown.
    """

    path: Path
    client: str
    status: str
    before: bytes | None = None
    after: bytes | None = None
    sensitive: bool = False


@dataclass(frozen=True)
class RestoreResult:
    action: Action
    runs: tuple[fsio.RunInfo, ...] = ()  # --list, newest first
    damaged: tuple[fsio.DamagedRun, ...] = ()  # --list: runs left out, manifest not trusted
    restored_run: str | None = None  # the run put back
    run_id: str | None = None  # the restore's own run (None: dry run, or nothing to do)
    files: tuple[RestoredFile, ...] = ()
    warnings: tuple[str, ...] = ()


def run(opts: RestoreOptions, ask: Ask | None = None) -> RestoreResult:
    if opts.list_runs:
        if opts.run_id is not None:
            raise UsageError("--list takes no RUN_ID", hint="aigate-setup restore --list")
        runs, damaged = fsio.scan_runs()
        return RestoreResult("list", runs=tuple(runs), damaged=tuple(damaged))
    if opts.dry_run:
        return _dry_run(opts.run_id)
    run_id = opts.run_id
    if not opts.yes and ask is not None:
        found = fsio.find_run(run_id)  # an unknown or damaged run is reported before asking
        planned = fsio.plan_restore(found)
        if not ask(found, planned):
            return RestoreResult("declined", restored_run=found.run_id)
        run_id = found.run_id  # exactly the run the user said yes to
    result = fsio.restore(run_id)
    return RestoreResult(
        "restore",
        restored_run=result.restored_run,
        run_id=result.run_id,
        files=tuple(RestoredFile(c.path, c.client, s) for c, s in result.statuses),
        warnings=result.warnings,
    )


def _dry_run(run_id: str | None) -> RestoreResult:
    run = fsio.find_run(run_id)
    planned = fsio.plan_restore(run)
    files = tuple(
        RestoredFile(
            p.file.path, p.file.client, p.status, p.current, p.want, sensitive=p.file.sensitive
        )
        for p in planned
    )
    warnings = tuple(w for p in planned for w in p.warnings)
    return RestoreResult("dry_run", restored_run=run.run_id, files=files, warnings=warnings)
