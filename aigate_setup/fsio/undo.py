"""Putting a run back from its backups. A restore is itself a run (and can be undone)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from aigate_setup.errors import AigateError
from aigate_setup.fsio.atomic import mode_of, read_bytes
from aigate_setup.fsio.change import ApplyResult, FileChange
from aigate_setup.fsio.journal import RunFile, RunInfo, find_run, read_backup
from aigate_setup.fsio.lock import run_lock
from aigate_setup.fsio.transaction import Op, clean_leftovers, execute, sha256

RESTORE_STATUSES = ("restored", "deleted", "unchanged", "skipped")


@dataclass
class Planned:
    """What restoring one file of a run does: its bytes now and after (None: absent)."""

    file: RunFile
    current: bytes | None
    want: bytes | None
    status: str  # restored | deleted | unchanged | skipped
    op: Op | None = None
    warnings: list[str] = field(default_factory=list)


def _plan_created(run: RunInfo, f: RunFile, real: Path, current: bytes | None) -> Planned:
    """A file the run created goes again, unless it changed since (then it stays)."""
    if current is None:
        return Planned(f, None, None, "unchanged")
    if sha256(current) == f.sha256_after:
        op = Op(f.client, f.path, real, current, None, mode_of(real), 0o644, None, f.sensitive)
        return Planned(f, current, None, "deleted", op)
    return Planned(
        f,
        current,
        current,
        "skipped",
        warnings=[
            f"{f.path} was created by run {run.run_id} but changed since; "
            "left in place (delete it yourself if you no longer want it)"
        ],
    )


def _plan_file(run: RunInfo, f: RunFile) -> Planned:
    real = Path(os.path.realpath(f.path))
    current = read_bytes(f.path)
    if f.action == "created":
        return _plan_created(run, f, real, current)
    want = read_backup(run, f)
    if sha256(want) != f.sha256_before:
        raise AigateError(
            f"the backup of {f.path} in run {run.run_id} is damaged (sha256 mismatch)",
            hint="pick another run with `aigate-setup restore --list`",
        )
    warnings = []
    if sha256(current) != f.sha256_after:
        what = "was deleted" if current is None else "changed"
        warnings.append(
            f"{f.path} {what} after run {run.run_id}; restoring anyway "
            "(the current version is backed up by this restore)"
        )
    cur_mode = mode_of(real) if current is not None else None
    if current == want and cur_mode == f.mode:
        return Planned(f, current, want, "unchanged")
    op = Op(f.client, f.path, real, current, want, cur_mode, f.mode, f.mode, f.sensitive)
    return Planned(f, current, want, "restored", op, warnings)


def plan_restore(run: RunInfo) -> list[Planned]:
    """What restoring `run` would do, file by file. Reads everything, writes nothing; any
    damaged backup fails the whole plan."""
    return [_plan_file(run, f) for f in run.files]


def _statuses(planned: list[Planned]) -> list[tuple[FileChange, str]]:
    return [
        (
            FileChange(
                p.file.client, p.file.path, p.current, p.want if p.want is not None else b""
            ),
            p.status,
        )
        for p in planned
    ]


def _remove_empty_dirs(run: RunInfo) -> None:
    """Directories the restored run created, now empty, go too (only above its own files)."""
    targets = [f.path for f in run.files]
    targets += [Path(os.path.realpath(t)) for t in targets]
    for d in sorted(run.dirs_created, key=lambda p: len(p.parts), reverse=True):
        if any(d in t.parents for t in targets):
            with contextlib.suppress(OSError):
                os.rmdir(d)


def restore(run_id: str | None = None) -> ApplyResult:
    """Put back the files of a run (the latest by default). The restore is itself a run."""
    with run_lock():
        run = find_run(run_id)
        clean_leftovers([f.path for f in run.files])
        planned = plan_restore(run)
        ops = [p.op for p in planned if p.op is not None]
        new_run = execute(ops, command="restore", restored_run=run.run_id) if ops else None
        if new_run is not None:
            _remove_empty_dirs(run)
    warnings = tuple(w for p in planned for w in p.warnings)
    return ApplyResult(new_run, _statuses(planned), warnings, run.run_id)
