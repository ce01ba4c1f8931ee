"""The journal of runs: `backups/<run-id>/` with the old bytes and a `manifest.json`.

A manifest records every file of a run (path, action, hashes, mode, backup name; never a key).
Reading one trusts nothing in it: `restore` acts on what it says, so an edited or damaged
manifest (unknown keys, wrong types or version, a relative or `..` path, a backup outside
its run directory) is refused as a whole before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from aigate_setup import __version__, paths
from aigate_setup.errors import AigateError, UsageError
from aigate_setup.fsio.atomic import (
    MAX_FILE_BYTES,
    PERMISSION_BITS,
    TMP_SUFFIX,
    make_dirs,
    read_regular,
    write,
)

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
RUN_ID_RE = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{4,}$")
# A backup directory without a manifest (a run killed while backing up) is removed by a later
# run once it is this old (seconds); a run holds the lock while it backs up, so this is margin.
STALE_RUN_AFTER = 600.0
_MANIFEST_LIMIT = 1024 * 1024
_MAX_FILES = 1000

Action = Literal["created", "modified", "deleted"]


@dataclass(frozen=True)
class RunFile:
    path: Path
    client: str
    action: Action
    sha256_before: str | None
    sha256_after: str | None
    mode: int  # before the run (permission bits only); for a created file, its mode then
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
class DamagedRun:
    """A run directory whose manifest is there but cannot be trusted."""

    run_id: str
    dir: Path
    reason: str


class DamagedManifest(AigateError):
    """A manifest that was edited or damaged: nothing of that run is restored."""

    def __init__(self, damaged: DamagedRun) -> None:
        super().__init__(
            f"the manifest of run {damaged.run_id} cannot be trusted: {damaged.reason}; "
            "nothing was restored",
            hint=f"it was edited or damaged ({damaged.dir / MANIFEST}); "
            "pick another run with `aigate-setup restore --list`",
        )
        self.damaged = damaged


# --------------------------------------------------------------------------- writing a run


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_run_dir() -> tuple[str, Path]:
    base = paths.backups_dir()
    make_dirs(base)
    for _ in range(100):
        run_id = f"{now().strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"
        run_dir = base / run_id
        try:
            os.mkdir(run_dir, 0o700)
        except FileExistsError:
            continue
        return run_id, run_dir
    raise AigateError(f"cannot create a backup directory in {base}", hint=f"ls -l {base}")


def write_manifest(
    run_dir: Path,
    run_id: str,
    *,
    command: str,
    entries: Sequence[dict[str, Any]],
    dirs_created: Sequence[Path],
    restored_run: str | None,
) -> None:
    manifest: dict[str, Any] = {
        "version": MANIFEST_VERSION,
        "run_id": run_id,
        "command": command,
        "created": now().isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "aigate_setup_version": __version__,
        "files": list(entries),
        "dirs_created": [str(d) for d in dirs_created],
    }
    if restored_run is not None:
        manifest["restored_run"] = restored_run
    write(run_dir / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode(), new_mode=0o600)


def remove_tree(run_dir: Path) -> None:
    with contextlib.suppress(OSError):
        for child in run_dir.iterdir():
            child.unlink()
        run_dir.rmdir()


# --------------------------------------------------------------------------- reading a manifest


class _Bad(ValueError):
    """Why a manifest cannot be trusted (internal; becomes a DamagedRun)."""


_TOP_REQUIRED = frozenset({"version", "run_id", "command", "created", "files"})
_TOP_OPTIONAL = frozenset({"aigate_setup_version", "dirs_created", "restored_run"})
_FILE_REQUIRED = frozenset({"path", "action", "sha256_before", "sha256_after", "mode", "backup"})
_FILE_OPTIONAL = frozenset({"client", "sensitive"})
_SHA_RE = re.compile(r"[0-9a-f]{64}")
_MODE_RE = re.compile(r"[0-7]{1,4}")
_WORD_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_CREATED_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
_VERSION_RE = re.compile(r"[0-9A-Za-z.+!_-]{0,64}")
_BACKUP_RE = re.compile(r"\d{3}-[^/\\\x00-\x1f\x7f]{1,255}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _keys(
    obj: object, required: frozenset[str], optional: frozenset[str], what: str
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _Bad(f"{what} is not an object")
    unknown = sorted(set(obj) - required - optional)
    if unknown:
        raise _Bad(f"{what} has unknown keys: {', '.join(map(repr, unknown))}")
    missing = sorted(required - set(obj))
    if missing:
        raise _Bad(f"{what} lacks {', '.join(missing)}")
    return obj


def _text(value: object, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _Bad(f"{what} is not valid")
    return value


def _optional_text(value: object, pattern: re.Pattern[str], what: str) -> str | None:
    return None if value is None else _text(value, pattern, what)


def _absolute(value: object, what: str) -> Path:
    """An absolute, normalised path without control characters (no `..`, no `.`)."""
    if not isinstance(value, str) or not value or len(value) > 4096:
        raise _Bad(f"{what} is not a path")
    if _CONTROL_RE.search(value):
        raise _Bad(f"{what} holds control characters")
    if not os.path.isabs(value) or os.path.normpath(value) != value or ".." in Path(value).parts:
        raise _Bad(f"{what} {value!r} is not an absolute, normalised path")
    return Path(value)


def _file(entry: object, index: int, command: str) -> RunFile:
    what = f"files[{index}]"
    obj = _keys(entry, _FILE_REQUIRED, _FILE_OPTIONAL, what)
    path = _absolute(obj["path"], f"{what}.path")
    state = paths.state_dir()
    if (path == state or state in path.parents) and path != paths.state_file():
        raise _Bad(f"{what}.path is inside aigate-setup's own state directory")
    action = obj["action"]
    if action not in ("created", "modified", "deleted"):
        raise _Bad(f"{what}.action is not created, modified or deleted")
    before = _optional_text(obj["sha256_before"], _SHA_RE, f"{what}.sha256_before")
    after = _optional_text(obj["sha256_after"], _SHA_RE, f"{what}.sha256_after")
    backup = _optional_text(obj["backup"], _BACKUP_RE, f"{what}.backup")
    # What each action must carry: a created file has no old bytes, the others a backup.
    shape = (before is not None, after is not None, backup is not None)
    expected = {"created": (False, True, False), "modified": (True, True, True)}
    if shape != expected.get(action, (True, False, True)):
        raise _Bad(f"{what} does not match its action {action!r}")
    if action == "deleted" and command not in ("restore", "remove"):
        raise _Bad(f"{what}: only a restore deletes files (or a remove)")
    sensitive = obj.get("sensitive", False)
    client = obj.get("client", "")
    if not isinstance(sensitive, bool) or not isinstance(client, str):
        raise _Bad(f"{what} has a value of the wrong type")
    if client:
        _text(client, _WORD_RE, f"{what}.client")
    mode = _text(obj["mode"], _MODE_RE, f"{what}.mode")
    return RunFile(
        path=path,
        client=client,
        action=action,
        sha256_before=before,
        sha256_after=after,
        mode=int(mode, 8) & PERMISSION_BITS,
        backup=backup,
        sensitive=sensitive,
    )


def _reject_constant(name: str) -> Any:
    raise _Bad(f"the manifest holds {name}")


def _parse(raw: bytes, run_dir: Path) -> RunInfo:
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, RecursionError, json.JSONDecodeError) as exc:
        raise _Bad(f"it is not valid JSON ({type(exc).__name__})") from None
    top = _keys(data, _TOP_REQUIRED, _TOP_OPTIONAL, "the manifest")
    if type(top["version"]) is not int or top["version"] != MANIFEST_VERSION:
        raise _Bad(f"version {top['version']!r} is not {MANIFEST_VERSION}")
    if top["run_id"] != run_dir.name:
        raise _Bad("its run_id is not the name of its directory")
    command = _text(top["command"], _WORD_RE, "command")
    files = top["files"]
    if not isinstance(files, list) or len(files) > _MAX_FILES:
        raise _Bad("files is not a list of files")
    entries = tuple(_file(f, i, command) for i, f in enumerate(files))
    if len({f.path for f in entries}) != len(entries):
        raise _Bad("a file is listed twice")
    if len({f.backup for f in entries if f.backup}) != sum(1 for f in entries if f.backup):
        raise _Bad("two files share one backup")
    dirs = top.get("dirs_created", [])
    if not isinstance(dirs, list) or len(dirs) > _MAX_FILES:
        raise _Bad("dirs_created is not a list")
    return RunInfo(
        run_id=run_dir.name,
        created=_text(top["created"], _CREATED_RE, "created"),
        command=command,
        version=_text(top.get("aigate_setup_version", ""), _VERSION_RE, "aigate_setup_version"),
        files=entries,
        dir=run_dir,
        restored_run=_optional_text(top.get("restored_run"), RUN_ID_RE, "restored_run"),
        dirs_created=tuple(_absolute(d, "dirs_created") for d in dirs),
    )


def load_run(run_dir: Path) -> RunInfo | None:
    """The run in `run_dir`, or None when it has no manifest (an incomplete run).

    Raises DamagedManifest when the manifest is there but cannot be trusted.
    """
    try:
        raw = read_regular(run_dir / MANIFEST, limit=_MANIFEST_LIMIT, follow_symlinks=False)
    except AigateError as exc:
        raise DamagedManifest(DamagedRun(run_dir.name, run_dir, exc.message)) from None
    if raw is None:
        return None
    try:
        return _parse(raw, run_dir)
    except _Bad as exc:
        raise DamagedManifest(DamagedRun(run_dir.name, run_dir, str(exc))) from None


def _run_dirs() -> list[Path]:
    base = paths.backups_dir()
    try:
        entries = list(base.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AigateError(
            f"cannot read the backups in {base}: {exc.strerror or exc}", hint=f"ls -ld {base}"
        ) from None
    out = []
    for d in entries:
        # A symlinked run directory could point anywhere: it is not one of ours.
        with contextlib.suppress(OSError):
            if RUN_ID_RE.match(d.name) and stat.S_ISDIR(os.lstat(d).st_mode):
                out.append(d)
    return out


def scan_runs() -> tuple[list[RunInfo], list[DamagedRun]]:
    """Every run with a trustworthy manifest (newest first), and those whose manifest is not."""
    runs: list[RunInfo] = []
    damaged: list[DamagedRun] = []
    for d in _run_dirs():
        try:
            run = load_run(d)
        except DamagedManifest as exc:
            damaged.append(exc.damaged)
            continue
        if run is not None:
            runs.append(run)
    runs.sort(key=lambda r: (r.created, r.run_id), reverse=True)
    damaged.sort(key=lambda r: r.run_id, reverse=True)
    return runs, damaged


def list_runs() -> list[RunInfo]:
    """Every run with a readable, trustworthy manifest, newest first."""
    return scan_runs()[0]


def find_run(run_id: str | None) -> RunInfo:
    """The run to restore: `run_id`, or the newest. A damaged manifest is a clear error."""
    runs, damaged = scan_runs()
    if run_id is None:
        # The newest run is what the user means; never fall back silently to an older one.
        stamp = runs[0].run_id[:16] if runs else ""
        newer = [d for d in damaged if d.run_id[:16] >= stamp]
        if newer:
            raise DamagedManifest(newer[0])
        if not runs:
            raise AigateError(
                "nothing to restore: aigate-setup has not changed any file yet",
                hint="`aigate-setup init` writes the configs and keeps a backup of each file",
            )
        return runs[0]
    for run in runs:
        if run.run_id == run_id:
            return run
    for bad in damaged:
        if bad.run_id == run_id:
            raise DamagedManifest(bad)
    raise UsageError(
        f"no run {run_id!r} in {paths.backups_dir()}",
        hint="see the runs with `aigate-setup restore --list`",
    )


def backup_path(run: RunInfo, f: RunFile) -> Path:
    """Where the old bytes of `f` are: a regular file directly inside the run directory."""
    if f.backup is None:
        raise AigateError(
            f"the backup of run {run.run_id} is incomplete: no copy of {f.path}",
            hint=f"check {run.dir / MANIFEST}",
        )
    candidate = run.dir / f.backup
    inside = os.path.dirname(os.path.realpath(candidate)) == os.path.realpath(run.dir)
    if not inside or candidate.is_symlink():
        raise DamagedManifest(
            DamagedRun(run.run_id, run.dir, f"the backup of {f.path} is outside its run directory")
        )
    return candidate


def read_backup(run: RunInfo, f: RunFile) -> bytes:
    path = backup_path(run, f)
    try:
        data = read_regular(path, limit=MAX_FILE_BYTES, follow_symlinks=False)
    except AigateError as exc:
        raise AigateError(
            f"cannot read the backup of {f.path} in run {run.run_id}: {exc.message}",
            hint=f"ls -l {run.dir}",
        ) from None
    if data is None:
        raise AigateError(
            f"cannot read the backup of {f.path} in run {run.run_id}: No such file or directory",
            hint=f"ls -l {run.dir}",
        )
    return data


# --------------------------------------------------------------------------- leftovers of a crash

# What a run directory may hold: backups `NNN-<name>`, the manifest, and their temporary files.
_OURS = re.compile(
    rf"(\d{{3}}-.+|{re.escape(MANIFEST)}|\.(\d{{3}}-.+|{re.escape(MANIFEST)})\..+{re.escape(TMP_SUFFIX)})"
)


def clean_stale_runs(now_ts: float | None = None) -> list[Path]:
    """Remove backup directories that never got a manifest (their run was killed while
    backing up, before any target was touched). Only our own files inside them are removed;
    a directory holding anything else is left alone. Caller holds the run lock."""
    removed: list[Path] = []
    current = time.time() if now_ts is None else now_ts
    try:
        candidates = _run_dirs()
    except AigateError:
        return removed
    for d in candidates:
        try:
            if os.path.lexists(d / MANIFEST) or current - os.lstat(d).st_mtime <= STALE_RUN_AFTER:
                continue
            children = list(d.iterdir())
            if not all(
                _OURS.fullmatch(c.name) and stat.S_ISREG(os.lstat(c).st_mode) for c in children
            ):
                continue
            for c in children:
                os.unlink(c)
            os.rmdir(d)
        except OSError:
            continue
        removed.append(d)
    return removed
