"""The only writer: atomic writes, backups + manifest, diffs, restore, the run lock.

Every file aigate-setup changes goes through `apply` (or `restore`, which is a run too):
inside one process lock it re-checks that each target still holds the bytes the plan was
built from, backs the old bytes up under `paths.backups_dir()/<run-id>/` with a
`manifest.json` (paths, hashes, modes; never a key), then writes each file atomically.
If any write fails, the files already written are put back and nothing is left changed.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import json
import os
import re
import secrets
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from aigate_setup import __version__, paths, report, settings
from aigate_setup.errors import AigateError, ConfigError, UsageError
from aigate_setup.options import RestoreOptions
from aigate_setup.secrets import mask_key

Status = Literal["created", "updated", "unchanged"]

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
LOCK_FILE = "lock"
# How long a second run waits for the lock before giving up (env AIGATE_LOCK_TIMEOUT, seconds).
DEFAULT_LOCK_TIMEOUT = 10.0
_RUN_ID_RE = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{4,}$")
# Anything that looks like a gateway key is masked in every diff we show.
_KEY_RE = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class FileChange:
    """One planned file: its bytes as read (`old`, None if missing) and as they should be."""

    client: str
    path: Path
    old: bytes | None
    new: bytes
    sensitive: bool = False  # a new file gets 0600 instead of 0644

    @property
    def status(self) -> Status:
        if self.old is None:
            return "created"
        return "unchanged" if self.old == self.new else "updated"


@dataclass(frozen=True)
class ApplyResult:
    """What a run did. `run_id` is None when nothing was written (everything unchanged).

    For `apply` the statuses are created/updated/unchanged; for `restore` they are
    restored/deleted/unchanged/skipped (a deleted file's change has `new == b""`).
    """

    run_id: str | None
    statuses: list[tuple[FileChange, str]]
    warnings: tuple[str, ...] = ()
    restored_run: str | None = None


@dataclass(frozen=True)
class RunFile:
    path: Path
    client: str
    action: Literal["created", "modified", "deleted"]
    sha256_before: str | None
    sha256_after: str | None
    mode: int  # before the run; for a created file, the mode it was created with
    backup: str | None  # file name inside the run directory
    sensitive: bool = False  # holds a key: never show its contents


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    created: str  # ISO 8601 UTC with microseconds
    command: str
    version: str
    files: tuple[RunFile, ...]
    dir: Path
    restored_run: str | None = None
    dirs_created: tuple[Path, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "created": self.created,
            "command": self.command,
            "version": self.version,
            "restored_run": self.restored_run,
            "files": [
                {"path": str(f.path), "client": f.client, "action": f.action} for f in self.files
            ],
        }


@dataclass(frozen=True)
class _Op:
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


# --------------------------------------------------------------------------- reading + diff


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes (through symlinks), or None if it does not exist.

    Raises ConfigError when something is in the way: a directory, a file where a
    directory should be, no permission, a symlink loop.
    """
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(
            "is a directory, expected a file",
            path=path,
            hint=f"move it aside (mv {path} {path}.bak) and run again",
        ) from None
    except NotADirectoryError:
        blocker = _first_non_dir_parent(Path(path))
        raise ConfigError(
            f"cannot be read: {blocker} is a file, not a directory",
            path=path,
            hint=f"move {blocker} aside and run again",
        ) from None
    except PermissionError:
        raise ConfigError(
            "cannot be read: permission denied",
            path=path,
            hint=f"check its owner and mode (ls -l {path}); e.g. chmod u+r {path}",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot be read: {exc.strerror or exc}",
            path=path,
            hint=f"check the file (ls -l {path})",
        ) from None


def _first_non_dir_parent(path: Path) -> Path:
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return path.parent


def _display(path: Path) -> str:
    return Path(path).as_posix().lstrip("/")


def _diff_lines(data: bytes) -> list[str]:
    text = _KEY_RE.sub(lambda m: mask_key(m.group(0)), data.decode("utf-8", errors="replace"))
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1] + "\n\\ No newline at end of file\n")
    return lines


def _diff(path: Path, old: bytes | None, new: bytes | None) -> str:
    if old == new:
        return ""
    a_label = "/dev/null" if old is None else f"a/{_display(path)}"
    b_label = "/dev/null" if new is None else f"b/{_display(path)}"
    out = "".join(
        difflib.unified_diff(_diff_lines(old or b""), _diff_lines(new or b""), a_label, b_label)
    )
    return out or f"--- {a_label}\n+++ {b_label}\n"  # e.g. an empty file created


def unified_diff(change: FileChange) -> str:
    """A unified diff `a/<path>` -> `b/<path>`; a new file diffs from /dev/null; unchanged -> "".

    For display only: undecodable bytes become U+FFFD and `sk-...` keys are masked.
    """
    return _diff(change.path, change.old, change.new)


def color_diff(diff: str, stream: Any = None) -> str:
    """Colour a diff for a terminal (no-op off a TTY or with NO_COLOR)."""
    if not diff or not report.use_color(stream):
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        body = line.rstrip("\n")
        end = line[len(body) :]
        if line.startswith(("+++", "---")):
            out.append(report.paint(body, "bold", stream) + end)
        elif line.startswith("@@"):
            out.append(report.paint(body, "cyan", stream) + end)
        elif line.startswith("+"):
            out.append(report.paint(body, "green", stream) + end)
        elif line.startswith("-"):
            out.append(report.paint(body, "red", stream) + end)
        else:
            out.append(line)
    return "".join(out)


# --------------------------------------------------------------------------- lock


def _lock_timeout() -> float:
    return settings.lock_timeout()


if sys.platform == "win32":
    import msvcrt

    # Lock a byte far past the pid so other processes can still read the pid.
    _WIN_LOCK_OFFSET = 4096

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


_held = threading.local()


@contextlib.contextmanager
def run_lock(timeout: float | None = None) -> Iterator[None]:
    """Hold the process-wide aigate-setup lock (re-entrant within one thread).

    Waits at most `timeout` seconds (default AIGATE_LOCK_TIMEOUT or 10), then raises.
    """
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    wait = _lock_timeout() if timeout is None else timeout
    state = paths.state_dir()
    lock_path = state / LOCK_FILE
    try:
        _make_dirs(state)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AigateError(
            f"cannot open the lock file {lock_path}: {exc.strerror or exc}",
            hint=f"check that {state} is writable (ls -ld {state})",
        ) from None
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise AigateError(
                    f"another aigate-setup run is in progress (pid {_lock_owner(lock_path)})",
                    hint=f"wait for it to finish, then run the command again (lock file: {lock_path})",
                )
            time.sleep(0.05)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode())
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            _unlock(fd)
    finally:
        os.close(fd)


def _lock_owner(lock_path: Path) -> str:
    try:
        text = lock_path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"


# --------------------------------------------------------------------------- writing


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _is_private(directory: Path) -> bool:
    """Directories we create under aigate's own config/state dirs are 0700."""
    for root in (paths.aigate_config_dir(), paths.state_dir()):
        if directory == root or root in directory.parents:
            return True
    return False


def _missing_dirs(directory: Path) -> list[Path]:
    """The directories that do not exist yet, outermost first."""
    missing: list[Path] = []
    d = directory
    while not d.exists() and d != d.parent:
        missing.append(d)
        d = d.parent
    return list(reversed(missing))


def _make_dirs(directory: Path) -> list[Path]:
    created = []
    for d in _missing_dirs(directory):
        try:
            os.mkdir(d, 0o700 if _is_private(d) else 0o755)
        except FileExistsError:
            continue
        created.append(d)
    return created


def _read_only(path: Path, st: os.stat_result) -> bool:
    # A file with no write bit at all is read-only on purpose, even for root.
    return not os.access(path, os.W_OK) or not st.st_mode & 0o222


def _check_writable(path: Path, real: Path) -> None:
    """Raise a clear AigateError if `real` (the target of `path`) cannot be written."""
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise AigateError(
            f"cannot write {path}: {exc.strerror or exc}", hint=f"check it with ls -l {path}"
        ) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise AigateError(
                f"cannot write {path}: it is a directory",
                hint=f"move it aside (mv {path} {path}.bak) and run again",
            )
        if not stat.S_ISREG(st.st_mode):
            raise AigateError(
                f"cannot write {path}: not a regular file", hint=f"check it with ls -l {path}"
            )
        if _read_only(real, st):
            raise AigateError(
                f"cannot write {path}: the file is read-only", hint=f"chmod u+w {real}"
            )
    ancestor = real.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise AigateError(
            f"cannot write {path}: {ancestor} is a file, not a directory",
            hint=f"move {ancestor} aside and run again",
        )
    if _read_only(ancestor, os.stat(ancestor)):
        raise AigateError(
            f"cannot write {path}: the directory {ancestor} is read-only",
            hint=f"chmod u+w {ancestor}",
        )


def _fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write(real: Path, data: bytes, *, new_mode: int, mode: int | None = None) -> None:
    """Temp file beside `real`, fsync, os.replace, fsync the directory."""
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    target_mode = mode if mode is not None else (stat.S_IMODE(st.st_mode) if st else new_mode)
    _make_dirs(real.parent)
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".aigate-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, target_mode)
        if st is not None and hasattr(os, "chown"):
            # Keep the owner when root edits someone else's file (best effort).
            with contextlib.suppress(OSError):
                if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                    os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(real.parent)


def atomic_write(path: Path, data: bytes, *, new_mode: int = 0o644) -> None:
    """Write `data` to `path` atomically, through symlinks, keeping the existing mode.

    A file that does not exist yet gets `new_mode`; missing parent directories are created.
    Raises AigateError (naming the path, with a hint) when the file cannot be written.
    """
    path = Path(path)
    real = Path(os.path.realpath(path))
    _check_writable(path, real)
    try:
        _write(real, data, new_mode=new_mode)
    except OSError as exc:
        raise _write_error(path, exc) from None


def _write_error(path: Path, exc: OSError) -> AigateError:
    if isinstance(exc, PermissionError):
        return AigateError(
            f"cannot write {path}: permission denied",
            hint=f"check its owner and mode: ls -l {path}",
        )
    if exc.errno == errno.ENOSPC:
        return AigateError(f"cannot write {path}: no space left on device", hint="free some space")
    return AigateError(
        f"cannot write {path}: {exc.strerror or exc}", hint=f"check it with ls -l {path}"
    )


# --------------------------------------------------------------------------- runs


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _new_run_dir() -> tuple[str, Path]:
    base = paths.backups_dir()
    _make_dirs(base)
    for _ in range(100):
        run_id = f"{_now().strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"
        run_dir = base / run_id
        try:
            os.mkdir(run_dir, 0o700)
        except FileExistsError:
            continue
        return run_id, run_dir
    raise AigateError(f"cannot create a backup directory in {base}", hint=f"ls -l {base}")


def _mode_of(real: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(real).st_mode)
    except OSError:
        return None


def _execute(ops: list[_Op], *, command: str, restored_run: str | None = None) -> str:
    """Back up, write every op, roll back on failure. Caller holds the lock. Returns the run id."""
    for op in ops:
        if op.new is not None:
            _check_writable(op.path, op.real)
        elif op.old is not None and _read_only(op.real.parent, os.stat(op.real.parent)):
            raise AigateError(
                f"cannot delete {op.path}: the directory {op.real.parent} is read-only",
                hint=f"chmod u+w {op.real.parent}",
            )
    dirs_created: list[Path] = []
    for op in ops:
        if op.new is not None:
            for d in _missing_dirs(op.real.parent):
                if d not in dirs_created:
                    dirs_created.append(d)

    try:
        run_id, run_dir = _new_run_dir()
    except OSError as exc:
        raise _write_error(paths.backups_dir(), exc) from None
    try:
        entries = []
        for i, op in enumerate(ops, 1):
            backup = None
            if op.old is not None:
                backup = f"{i:03d}-{op.real.name}"
                _write(run_dir / backup, op.old, new_mode=0o600)
            action = "created" if op.old is None else "deleted" if op.new is None else "modified"
            mode = op.old_mode if op.old is not None else op.mode or op.new_mode
            entries.append(
                {
                    "path": str(op.path),
                    "client": op.client,
                    "action": action,
                    "sha256_before": _sha256(op.old),
                    "sha256_after": _sha256(op.new),
                    "mode": f"{(mode if mode is not None else 0o644):04o}",
                    "backup": backup,
                    "sensitive": op.sensitive,
                }
            )
        manifest: dict[str, Any] = {
            "version": MANIFEST_VERSION,
            "run_id": run_id,
            "command": command,
            "created": _now().isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "aigate_setup_version": __version__,
            "files": entries,
            "dirs_created": [str(d) for d in dirs_created],
        }
        if restored_run is not None:
            manifest["restored_run"] = restored_run
        _write(
            run_dir / MANIFEST,
            (json.dumps(manifest, indent=2) + "\n").encode(),
            new_mode=0o600,
        )
    except OSError as exc:
        _remove_tree(run_dir)
        raise _write_error(run_dir, exc) from None

    done: list[_Op] = []
    try:
        for op in ops:
            if op.new is None:
                if op.old is not None:
                    os.unlink(op.real)
            else:
                _write(op.real, op.new, new_mode=op.new_mode, mode=op.mode)
            done.append(op)
    except OSError as exc:
        failed = ops[len(done)]
        problems = _rollback(done, dirs_created)
        if problems:
            raise AigateError(
                f"cannot write {failed.path}: {exc.strerror or exc}; "
                f"rolling back failed for {', '.join(problems)}",
                hint=f"put the files back with: aigate-setup restore {run_id}",
            ) from None
        _remove_tree(run_dir)
        err = _write_error(failed.path, exc)
        raise AigateError(f"{err.message}; no file was changed", hint=err.hint) from None
    return run_id


def _rollback(done: list[_Op], dirs_created: list[Path]) -> list[str]:
    problems = []
    for op in reversed(done):
        try:
            if op.old is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(op.real)
            else:
                _write(op.real, op.old, new_mode=0o644, mode=op.old_mode)
        except OSError:
            problems.append(str(op.path))
    for d in reversed(dirs_created):
        with contextlib.suppress(OSError):
            os.rmdir(d)
    return problems


def _remove_tree(run_dir: Path) -> None:
    with contextlib.suppress(OSError):
        for child in run_dir.iterdir():
            child.unlink()
        run_dir.rmdir()


def apply(changes: Sequence[FileChange], *, command: str = "init") -> ApplyResult:
    """Write every change, or none. Unchanged files are not touched; no backup if nothing changes."""
    with run_lock():
        ops: list[_Op] = []
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
                if seen[real].new != change.new:
                    raise AigateError(
                        f"{change.path} and {seen[real].path} are the same file "
                        "but were planned with different contents; nothing was written",
                        hint="remove the symlink between them, or pick one scope",
                    )
                statuses.append((change, "unchanged" if change.old == change.new else "updated"))
                continue
            seen[real] = change
            statuses.append((change, change.status))
            if change.status == "unchanged":
                continue
            ops.append(
                _Op(
                    client=change.client,
                    path=Path(os.path.abspath(change.path)),
                    real=real,
                    old=change.old,
                    new=change.new,
                    old_mode=_mode_of(real) if change.old is not None else None,
                    new_mode=0o600 if change.sensitive else 0o644,
                    sensitive=change.sensitive,
                )
            )
        if not ops:
            return ApplyResult(None, statuses)
        run_id = _execute(ops, command=command)
    return ApplyResult(run_id, statuses)


def _load_run(run_dir: Path) -> RunInfo:
    data = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    files = tuple(
        RunFile(
            path=Path(f["path"]),
            client=str(f.get("client", "")),
            action=f["action"],
            sha256_before=f.get("sha256_before"),
            sha256_after=f.get("sha256_after"),
            mode=int(f.get("mode", "0644"), 8),
            backup=f.get("backup"),
            sensitive=bool(f.get("sensitive", False)),
        )
        for f in data["files"]
    )
    return RunInfo(
        run_id=str(data["run_id"]),
        created=str(data["created"]),
        command=str(data["command"]),
        version=str(data.get("aigate_setup_version", "")),
        files=files,
        dir=run_dir,
        restored_run=data.get("restored_run"),
        dirs_created=tuple(Path(d) for d in data.get("dirs_created", [])),
    )


def list_runs() -> list[RunInfo]:
    """Every run with a readable manifest, newest first."""
    base = paths.backups_dir()
    try:
        candidates = [d for d in base.iterdir() if _RUN_ID_RE.match(d.name) and d.is_dir()]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AigateError(
            f"cannot read the backups in {base}: {exc.strerror or exc}", hint=f"ls -ld {base}"
        ) from None
    runs = []
    for d in candidates:
        try:
            runs.append(_load_run(d))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # an incomplete or foreign directory: not a run we can restore
    runs.sort(key=lambda r: (r.created, r.run_id), reverse=True)
    return runs


def _find_run(run_id: str | None) -> RunInfo:
    runs = list_runs()
    if run_id is None:
        if not runs:
            raise AigateError(
                "nothing to restore: aigate-setup has not changed any file yet",
                hint="`aigate-setup init` writes the configs and keeps a backup of each file",
            )
        return runs[0]
    for run in runs:
        if run.run_id == run_id:
            return run
    raise UsageError(
        f"no run {run_id!r} in {paths.backups_dir()}",
        hint="see the runs with `aigate-setup restore --list`",
    )


@dataclass
class _Planned:
    file: RunFile
    current: bytes | None
    want: bytes | None
    status: str  # restored | deleted | unchanged | skipped
    op: _Op | None = None
    warnings: list[str] = field(default_factory=list)


def _plan_restore(run: RunInfo) -> list[_Planned]:
    planned = []
    for f in run.files:
        real = Path(os.path.realpath(f.path))
        current = read_bytes(f.path)
        cur_hash = _sha256(current)
        if f.action == "created":
            if current is None:
                planned.append(_Planned(f, None, None, "unchanged"))
            elif cur_hash == f.sha256_after:
                op = _Op(
                    f.client, f.path, real, current, None, _mode_of(real), 0o644, None, f.sensitive
                )
                planned.append(_Planned(f, current, None, "deleted", op))
            else:
                planned.append(
                    _Planned(
                        f,
                        current,
                        current,
                        "skipped",
                        warnings=[
                            f"{f.path} was created by run {run.run_id} but changed since; "
                            "left in place (delete it yourself if you no longer want it)"
                        ],
                    )
                )
            continue
        if f.backup is None:
            raise AigateError(
                f"the backup of run {run.run_id} is incomplete: no copy of {f.path}",
                hint=f"check {run.dir / MANIFEST}",
            )
        try:
            want = (run.dir / f.backup).read_bytes()
        except OSError as exc:
            raise AigateError(
                f"cannot read the backup of {f.path} in run {run.run_id}: {exc.strerror or exc}",
                hint=f"ls -l {run.dir}",
            ) from None
        if _sha256(want) != f.sha256_before:
            raise AigateError(
                f"the backup of {f.path} in run {run.run_id} is damaged (sha256 mismatch)",
                hint="pick another run with `aigate-setup restore --list`",
            )
        warnings = []
        if cur_hash != f.sha256_after:
            what = "was deleted" if current is None else "changed"
            warnings.append(
                f"{f.path} {what} after run {run.run_id}; restoring anyway "
                "(the current version is backed up by this restore)"
            )
        cur_mode = _mode_of(real) if current is not None else None
        if current == want and cur_mode == f.mode:
            planned.append(_Planned(f, current, want, "unchanged"))
            continue
        op = _Op(f.client, f.path, real, current, want, cur_mode, f.mode, f.mode, f.sensitive)
        planned.append(_Planned(f, current, want, "restored", op, warnings))
    return planned


def _planned_statuses(planned: list[_Planned]) -> list[tuple[FileChange, str]]:
    return [
        (
            FileChange(
                p.file.client, p.file.path, p.current, p.want if p.want is not None else b""
            ),
            p.status,
        )
        for p in planned
    ]


def restore(run_id: str | None = None) -> ApplyResult:
    """Put back the files of a run (the latest by default). The restore is itself a run."""
    with run_lock():
        run = _find_run(run_id)
        planned = _plan_restore(run)
        ops = [p.op for p in planned if p.op is not None]
        new_run = _execute(ops, command="restore", restored_run=run.run_id) if ops else None
        if new_run is not None:
            # Directories the restored run created and that are now empty go too.
            for d in sorted(run.dirs_created, key=lambda p: len(p.parts), reverse=True):
                with contextlib.suppress(OSError):
                    os.rmdir(d)
    warnings = tuple(w for p in planned for w in p.warnings)
    return ApplyResult(new_run, _planned_statuses(planned), warnings, run.run_id)


# --------------------------------------------------------------------------- the command


def _when(created: str) -> str:
    return created[:19].replace("T", " ") + " UTC"


def _print_list(opts: RestoreOptions) -> int:
    runs = list_runs()
    if opts.common.fmt == "json":
        report.print_json(report.envelope("restore", "ok", runs=[r.to_json() for r in runs]))
        return 0
    if not runs:
        print("no runs yet: aigate-setup has not changed any file")
        return 0
    for run in runs:
        what = run.command + (f" of {run.restored_run}" if run.restored_run else "")
        count = len(run.files)
        print(f"{run.run_id}  {_when(run.created)}  {what}  ({count} file{'s' * (count != 1)})")
        for f in run.files:
            print(f"    {f.action:<9} {f.path}")
    print("\nrestore one with: aigate-setup restore RUN_ID (default: the newest)")
    return 0


def run_restore(opts: RestoreOptions) -> int:
    """`aigate-setup restore [--list] [--dry-run] [RUN_ID]`."""
    if opts.list_runs:
        if opts.run_id is not None:
            raise UsageError("--list takes no RUN_ID", hint="aigate-setup restore --list")
        return _print_list(opts)
    json_mode = opts.common.fmt == "json"
    if opts.dry_run:
        run = _find_run(opts.run_id)
        planned = _plan_restore(run)
        warnings = [w for p in planned for w in p.warnings]
        if json_mode:
            files = [{"path": str(p.file.path), "status": p.status} for p in planned]
            report.print_json(
                report.envelope(
                    "restore",
                    "ok",
                    dry_run=True,
                    run_id=None,
                    restored_run=run.run_id,
                    files=files,
                    warnings=warnings,
                )
            )
            return 0
        for w in warnings:
            report.info(f"warning: {w}")
        for p in planned:
            if p.status in ("skipped", "unchanged"):
                continue
            if p.file.sensitive:
                print(
                    f"--- {p.file.path}\n+++ {p.file.path}\n(contents hidden: this file holds your key)"
                )
                continue
            sys.stdout.write(color_diff(_diff(p.file.path, p.current, p.want), sys.stdout))
        for p in planned:
            print(f"{p.status:<9} {p.file.path}")
        print(f"dry run: would restore run {run.run_id}; nothing was written")
        return 0

    result = restore(opts.run_id)
    if json_mode:
        files = [{"path": str(c.path), "status": s} for c, s in result.statuses]
        report.print_json(
            report.envelope(
                "restore",
                "ok",
                run_id=result.run_id,
                restored_run=result.restored_run,
                files=files,
                warnings=list(result.warnings),
            )
        )
        return 0
    for w in result.warnings:
        report.info(f"warning: {w}")
    for change, status in result.statuses:
        print(f"{status:<9} {change.path}")
    if result.run_id is None:
        print(f"nothing to do: every file already matches run {result.restored_run}")
    else:
        print(f"restored run {result.restored_run}; undo this with: aigate-setup restore")
        print(f"(this restore is run {result.run_id})")
    return 0
