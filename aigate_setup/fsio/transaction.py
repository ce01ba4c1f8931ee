"""A run writes all of its files or none: `apply`, and the journalled write both it and
`restore` use.

Inside the run lock: re-check that each target still holds the bytes the plan was built
from, back the old bytes up under `backups/<run-id>/` with a manifest, then write each file
atomically. If a write fails, or the run is interrupted (Ctrl-C, SIGTERM, any exception), the
files already written are put back and nothing is left changed. While the run writes, SIGINT
and SIGTERM only raise a flag that is acted on between two files, so an interruption never
lands half-way through putting one file in place or taking it back.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import stat
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from aigate_setup import paths
from aigate_setup.errors import EXIT_INTERRUPTED, AigateError
from aigate_setup.fsio.atomic import (
    check_writable,
    clean_stale_temp,
    missing_dirs,
    mode_of,
    read_bytes,
    read_only,
    write,
    write_error,
)
from aigate_setup.fsio.change import ApplyResult, FileChange
from aigate_setup.fsio.journal import clean_stale_runs, new_run_dir, remove_tree, write_manifest
from aigate_setup.fsio.lock import run_lock


@dataclass(frozen=True)
class Op:
    """One file operation of a run. `new is None` deletes; `mode` None keeps the current mode."""

    client: str
    path: Path  # as the user knows it (may be a symlink)
    real: Path  # where the bytes live
    old: bytes | None
    new: bytes | None
    old_mode: int | None
    new_mode: int  # for a file that does not exist yet
    mode: int | None = None  # force this mode after writing (restore)
    sensitive: bool = False


def sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- interruptions

_SIGNALS = tuple(
    s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s
)
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class Interrupts:
    """While active, SIGINT and SIGTERM are recorded instead of acted on; `check()` raises
    KeyboardInterrupt at a point where the run can still be rolled back cleanly.

    Only the main thread can own signal handlers; elsewhere this does nothing. A signal the
    process ignores (nohup, a background job) stays ignored. The previous handlers come back
    on exit.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous: dict[int, _Handler] = {}

    def _record(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is not threading.main_thread():
            return self
        for sig in _SIGNALS:
            previous = signal.getsignal(sig)
            if previous == signal.SIG_IGN:
                continue
            signal.signal(sig, self._record)
            self._previous[sig] = previous
        return self

    def check(self) -> None:
        if self.received is not None:
            raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, signal.SIG_DFL if previous is None else previous)
        self._previous.clear()
        if exc[0] is None:
            self.check()  # arrived after the last file: the run is whole; honour it now


# --------------------------------------------------------------------------- the write


def _entry(i: int, op: Op) -> tuple[str | None, dict[str, Any]]:
    backup = None if op.old is None else f"{i:03d}-{op.real.name}"
    action = "created" if op.old is None else "deleted" if op.new is None else "modified"
    mode = op.old_mode if op.old is not None else op.mode or op.new_mode
    return backup, {
        "path": str(op.path),
        "client": op.client,
        "action": action,
        "sha256_before": sha256(op.old),
        "sha256_after": sha256(op.new),
        "mode": f"{(mode if mode is not None else 0o644):04o}",
        "backup": backup,
        "sensitive": op.sensitive,
    }


def _precheck(ops: Sequence[Op]) -> list[Path]:
    """Refuse before anything is written; return the directories the run will create."""
    for op in ops:
        if op.new is not None:
            check_writable(op.path, op.real)
        elif op.old is not None and read_only(op.real.parent, os.stat(op.real.parent)):
            raise AigateError(
                f"cannot delete {op.path}: the directory {op.real.parent} is read-only",
                hint=f"chmod u+w {op.real.parent}",
            )
    dirs_created: list[Path] = []
    for op in ops:
        if op.new is not None:
            for d in missing_dirs(op.real.parent):
                if d not in dirs_created:
                    dirs_created.append(d)
    return dirs_created


def _back_up(
    ops: Sequence[Op],
    run_id: str,
    run_dir: Path,
    *,
    command: str,
    dirs_created: Sequence[Path],
    restored_run: str | None,
    interrupts: Interrupts,
) -> None:
    entries = []
    for i, op in enumerate(ops, 1):
        interrupts.check()
        backup, entry = _entry(i, op)
        if backup is not None and op.old is not None:
            write(run_dir / backup, op.old, new_mode=0o600)
        entries.append(entry)
    interrupts.check()
    write_manifest(
        run_dir,
        run_id,
        command=command,
        entries=entries,
        dirs_created=dirs_created,
        restored_run=restored_run,
    )


def _apply_op(op: Op) -> None:
    if op.new is None:
        if op.old is not None:
            os.unlink(op.real)
    else:
        write(op.real, op.new, new_mode=op.new_mode, mode=op.mode, sensitive=op.sensitive)


def execute(ops: list[Op], *, command: str, restored_run: str | None = None) -> str:
    """Back up, write every op, roll back on failure or interruption. Caller holds the lock.

    Returns the run id. Raises AigateError when a write fails (nothing changed), and
    re-raises an interruption (KeyboardInterrupt, also for SIGTERM) after rolling back.
    """
    dirs_created = _precheck(ops)
    with Interrupts() as interrupts:
        try:
            run_id, run_dir = new_run_dir()
        except OSError as exc:
            raise write_error(paths.backups_dir(), exc) from None
        try:
            _back_up(
                ops,
                run_id,
                run_dir,
                command=command,
                dirs_created=dirs_created,
                restored_run=restored_run,
                interrupts=interrupts,
            )
        except OSError as exc:
            remove_tree(run_dir)
            raise write_error(run_dir, exc) from None
        except BaseException:
            remove_tree(run_dir)
            raise

        started = 0
        try:
            for op in ops:
                interrupts.check()
                started += 1
                _apply_op(op)
            interrupts.check()
        except BaseException as exc:
            _undo(ops[:started], dirs_created, exc, run_id, run_dir)
            raise
    return run_id


def _undo(
    started: Sequence[Op],
    dirs_created: Sequence[Path],
    exc: BaseException,
    run_id: str,
    run_dir: Path,
) -> None:
    """Put back what a failed or interrupted run wrote, then raise the right error."""
    problems = _rollback(started, dirs_created)
    interrupted = not isinstance(exc, Exception)
    if problems:
        why = "interrupted" if interrupted else f"cannot write {started[-1].path}: {_reason(exc)}"
        err = AigateError(
            f"{why}; rolling back failed for {', '.join(problems)}",
            hint=f"put the files back with: aigate-setup restore {run_id}",
        )
        if interrupted:
            err.exit_code = EXIT_INTERRUPTED
        raise err from None
    remove_tree(run_dir)
    if isinstance(exc, OSError):
        err = write_error(started[-1].path, exc)
        raise AigateError(f"{err.message}; no file was changed", hint=err.hint) from None


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__


def _rollback(started: Sequence[Op], dirs_created: Sequence[Path]) -> list[str]:
    """Undo `started` (the last one may be partly done), newest first; safe to interrupt:
    the caller's Interrupts still hold SIGINT/SIGTERM back."""
    problems = []
    for op in reversed(started):
        try:
            _put_back(op)
        except (OSError, AigateError):
            problems.append(str(op.path))
    for d in reversed(dirs_created):
        with contextlib.suppress(OSError):
            os.rmdir(d)
    return problems


def _put_back(op: Op) -> None:
    current = read_bytes(op.real)
    if op.old is None:
        if current is not None:
            os.unlink(op.real)
        return
    if current == op.old and mode_of(op.real) == op.old_mode:
        return  # never touched (or already back)
    write(op.real, op.old, new_mode=0o644, mode=op.old_mode, sensitive=op.sensitive)


# --------------------------------------------------------------------------- apply


def _ops_for(changes: Sequence[FileChange]) -> tuple[list[Op], list[tuple[FileChange, str]]]:
    ops: list[Op] = []
    statuses: list[tuple[FileChange, str]] = []
    seen: dict[Path, FileChange] = {}
    for change in changes:
        current = read_bytes(change.path)
        if current != change.old:
            raise AigateError(
                f"{change.path} changed on disk after aigate-setup read it; nothing was written",
                hint="run the command again to merge with the new contents",
            )
        real = Path(os.path.realpath(change.path))
        if real in seen:
            if (seen[real].new, seen[real].delete) != (change.new, change.delete):
                raise AigateError(
                    f"{change.path} and {seen[real].path} are the same file "
                    "but were planned with different contents; nothing was written",
                    hint="remove the symlink between them, or pick one scope",
                )
            statuses.append((change, "unchanged" if change.status == "unchanged" else "updated"))
            continue
        seen[real] = change
        statuses.append((change, change.status))
        if change.status == "unchanged":
            continue
        ops.append(
            Op(
                client=change.client,
                path=Path(os.path.abspath(change.path)),
                real=real,
                old=change.old,
                new=None if change.delete else change.new,
                old_mode=mode_of(real) if change.old is not None else None,
                new_mode=0o600 if change.sensitive else 0o644,
                mode=change.mode,
                sensitive=change.sensitive,
            )
        )
    return ops, statuses


def clean_leftovers(targets: Sequence[Path]) -> None:
    """What killed runs left behind: their temporary files beside these targets, and backup
    directories without a manifest. Caller holds the run lock."""
    for real in dict.fromkeys(Path(os.path.realpath(t)) for t in targets):
        clean_stale_temp(real)
    clean_stale_runs()


def apply(changes: Sequence[FileChange], *, command: str = "init") -> ApplyResult:
    """Write every change, or none. Unchanged files are not touched; no backup if nothing changes."""
    with run_lock():
        clean_leftovers([c.path for c in changes])
        ops, statuses = _ops_for(changes)
        notes = tighten_unchanged(changes)
        if not ops:
            return ApplyResult(None, statuses, notes)
        run_id = execute(ops, command=command)
    return ApplyResult(run_id, statuses, notes)


def tighten_unchanged(changes: Sequence[FileChange]) -> tuple[str, ...]:
    """A file holding a key whose bytes are already right still loses its group and other
    permission bits (a key file someone made world-readable): one note per file tightened."""
    notes = []
    for change in changes:
        if not change.sensitive or change.delete or change.status != "unchanged":
            continue
        with contextlib.suppress(OSError):  # gone or not ours to chmod: the next run says so
            st = os.stat(change.path)
            loose = stat.S_IMODE(st.st_mode) & 0o077
            if stat.S_ISREG(st.st_mode) and loose:
                os.chmod(change.path, stat.S_IMODE(st.st_mode) & ~0o077)
                notes.append(
                    f"{paths.display(change.path)}: group and others could read it; "
                    "its permissions are now owner-only"
                )
    return tuple(notes)
