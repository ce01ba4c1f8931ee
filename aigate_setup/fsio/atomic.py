"""Reading and writing one file safely: regular files only, atomic replace, modes, symlinks.

`read_bytes` reads a config without ever blocking on a FIFO, following a link to a device or
swallowing an endless file. `atomic_write` (and the journal, through `write`) puts bytes in a
temporary file beside the target, fsyncs, renames it over the target and fsyncs the directory;
a symlinked target stays a symlink and its real file is replaced. Temporary files carry the
writer's pid, so a later run can tell a crashed writer's leftovers from a live one's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import time
from pathlib import Path

from aigate_setup import paths
from aigate_setup.errors import AigateError, ConfigError

# The largest config (or backup) aigate-setup reads: real configs are a few KiB.
MAX_FILE_BYTES = 4 * 1024 * 1024
TMP_SUFFIX = ".aigate-tmp"
# A leftover temporary file without a pid (older versions) is stale after this many seconds.
STALE_AFTER = 600.0
# Never set setuid, setgid or sticky bits on a file we write.
PERMISSION_BITS = 0o777
# What is left of a file's mode when it holds a key: nothing for the group or others.
OWNER_ONLY = 0o700

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


# --------------------------------------------------------------------------- reading


def read_bytes(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The file's bytes (through symlinks), or None if it does not exist.

    Only a regular file of at most `limit` bytes is read. Raises ConfigError, naming the path,
    when something else is in the way: a directory, a FIFO, a device (also behind a symlink),
    a file where a directory should be, a file that is too large, no permission, a link loop.
    """
    return read_regular(Path(path), limit=limit, follow_symlinks=True)


def read_regular(path: Path, *, limit: int, follow_symlinks: bool) -> bytes | None:
    """`read_bytes`; with `follow_symlinks=False` a symlink itself is refused (backups)."""
    try:
        st = os.stat(path) if follow_symlinks else os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _read_error(path, exc) from None
    _require_regular(path, st)
    _require_size(path, st.st_size, limit)
    flags = os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY | _O_BINARY
    if not follow_symlinks:
        flags |= _O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _read_error(path, exc) from None
    try:
        opened = os.fstat(fd)
        _require_regular(path, opened)  # swapped for something else since the stat
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _read_error(path, exc) from None
    finally:
        os.close(fd)
    _require_size(path, size, limit)
    return b"".join(chunks)


def _require_regular(path: Path, st: os.stat_result) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(
            "is a directory, expected a file",
            path=path,
            hint=f"move it aside (mv {path} {path}.bak) and run again",
        )
    if stat.S_ISFIFO(st.st_mode):
        what = "a named pipe (FIFO)"
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        what = "a device"
    elif stat.S_ISSOCK(st.st_mode):
        what = "a socket"
    elif stat.S_ISLNK(st.st_mode):
        what = "a symlink"
    else:
        what = "a special file"
    if os.path.islink(path) and not stat.S_ISLNK(st.st_mode):
        what = f"a symlink to {os.path.realpath(path)}, {what}"
    raise ConfigError(
        f"is {what}, not a regular file",
        path=path,
        hint=f"put a regular file there, or move it aside (mv {path} {path}.bak)",
    )


def _require_size(path: Path, size: int, limit: int) -> None:
    if size > limit:
        raise ConfigError(
            f"is too large to be a config file (more than {_size(limit)})",
            path=path,
            hint=f"check that this is the right file (ls -l {path})",
        )


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n} bytes"


def _read_error(path: Path, exc: OSError) -> ConfigError:
    if isinstance(exc, IsADirectoryError):
        return ConfigError(
            "is a directory, expected a file",
            path=path,
            hint=f"move it aside (mv {path} {path}.bak) and run again",
        )
    if isinstance(exc, NotADirectoryError):
        blocker = _first_non_dir_parent(path)
        return ConfigError(
            f"cannot be read: {blocker} is a file, not a directory",
            path=path,
            hint=f"move {blocker} aside and run again",
        )
    if isinstance(exc, PermissionError):
        return ConfigError(
            "cannot be read: permission denied",
            path=path,
            hint=f"check its owner and mode (ls -l {path}); e.g. chmod u+r {path}",
        )
    return ConfigError(
        f"cannot be read: {exc.strerror or exc}",
        path=path,
        hint=f"check the file (ls -l {path})",
    )


def _first_non_dir_parent(path: Path) -> Path:
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return path.parent


# --------------------------------------------------------------------------- modes and directories


def mode_of(real: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(real).st_mode)
    except OSError:
        return None


def is_private(directory: Path) -> bool:
    """Directories we create under aigate's own config/state dirs are 0700."""
    for root in (paths.aigate_config_dir(), paths.state_dir()):
        if directory == root or root in directory.parents:
            return True
    return False


def missing_dirs(directory: Path) -> list[Path]:
    """The directories that do not exist yet, outermost first."""
    missing: list[Path] = []
    d = directory
    while not d.exists() and d != d.parent:
        missing.append(d)
        d = d.parent
    return list(reversed(missing))


def make_dirs(directory: Path) -> list[Path]:
    created = []
    for d in missing_dirs(directory):
        try:
            os.mkdir(d, 0o700 if is_private(d) else 0o755)
        except FileExistsError:
            continue
        created.append(d)
    return created


def read_only(path: Path, st: os.stat_result) -> bool:
    # A file with no write bit at all is read-only on purpose, even for root.
    return not os.access(path, os.W_OK) or not st.st_mode & 0o222


def check_writable(path: Path, real: Path) -> None:
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
        if read_only(real, st):
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
    if read_only(ancestor, os.stat(ancestor)):
        raise AigateError(
            f"cannot write {path}: the directory {ancestor} is read-only",
            hint=f"chmod u+w {ancestor}",
        )


def fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- writing


def target_mode(
    current: int | None, *, new_mode: int, mode: int | None = None, sensitive: bool = False
) -> int:
    """The mode a written file ends with: forced, else kept, else `new_mode`; never
    setuid/setgid/sticky, and owner-only for a file that holds a key."""
    chosen = mode if mode is not None else current if current is not None else new_mode
    chosen &= PERMISSION_BITS
    return chosen & OWNER_ONLY if sensitive else chosen


def write(
    real: Path, data: bytes, *, new_mode: int, mode: int | None = None, sensitive: bool = False
) -> None:
    """Temp file beside `real`, fsync, os.replace, fsync the directory.

    The temporary file is created 0600 and gets its final mode before the rename, so the
    bytes never sit in a file with a looser mode than the one they end up in.
    """
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    final = target_mode(
        stat.S_IMODE(st.st_mode) if st else None, new_mode=new_mode, mode=mode, sensitive=sensitive
    )
    make_dirs(real.parent)
    import tempfile  # only writers pay for it: reading is on `status`'s path

    fd, tmp = tempfile.mkstemp(
        dir=real.parent, prefix=f".{real.name}.{os.getpid()}.", suffix=TMP_SUFFIX
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, final)
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
    fsync_dir(real.parent)


def atomic_write(path: Path, data: bytes, *, new_mode: int = 0o644) -> None:
    """Write `data` to `path` atomically, through symlinks, keeping the existing mode.

    A file that does not exist yet gets `new_mode`; missing parent directories are created.
    Raises AigateError (naming the path, with a hint) when the file cannot be written.
    """
    path = Path(path)
    real = Path(os.path.realpath(path))
    check_writable(path, real)
    clean_stale_temp(real)
    try:
        write(real, data, new_mode=new_mode)
    except OSError as exc:
        raise write_error(path, exc) from None


def write_error(path: Path, exc: OSError) -> AigateError:
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


# --------------------------------------------------------------------------- leftovers of a crash


def _temp_pattern(name: str) -> re.Pattern[str]:
    # `.<name>.<pid>.<8 random>.aigate-tmp` (older versions: without the pid).
    return re.compile(rf"\.{re.escape(name)}\.(?:(\d+)\.)?[a-z0-9_]{{8}}{re.escape(TMP_SUFFIX)}")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid() or sys.platform == "win32":
        return True  # Windows: os.kill would end the process; the age decides instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def is_stale_temp(entry: Path, name: str, now: float | None = None) -> bool:
    """True for a temporary file of ours beside `name` whose writer is gone.

    Only a regular file we own whose name matches our pattern exactly: a file of its pid when
    that process no longer exists, or an older version's file (no pid) older than STALE_AFTER.
    """
    match = _temp_pattern(name).fullmatch(entry.name)
    if match is None:
        return False
    try:
        st = os.lstat(entry)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    if match.group(1) is not None:
        return not _pid_alive(int(match.group(1)))
    return (time.time() if now is None else now) - st.st_mtime > STALE_AFTER


def clean_stale_temp(real: Path) -> list[Path]:
    """Remove what a killed writer left beside `real`; returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(real.parent.iterdir())
    except OSError:
        return removed
    prefix = f".{real.name}."
    for entry in entries:
        if entry.name.startswith(prefix) and is_stale_temp(entry, real.name):
            with contextlib.suppress(OSError):
                os.unlink(entry)
                removed.append(entry)
    return removed
