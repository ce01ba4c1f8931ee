"""The run lock: one aigate-setup run writes at a time, on every platform."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from aigate_setup import paths, settings
from aigate_setup.errors import AigateError
from aigate_setup.fsio.atomic import make_dirs, read_regular

LOCK_FILE = "lock"
# How long a second run waits for the lock before giving up (env AIGATE_LOCK_TIMEOUT, seconds).
DEFAULT_LOCK_TIMEOUT = settings.DEFAULT_LOCK_TIMEOUT


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
    wait = settings.lock_timeout() if timeout is None else timeout
    state = paths.state_dir()
    lock_path = state / LOCK_FILE
    try:
        make_dirs(state)
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
        raw = read_regular(lock_path, limit=64, follow_symlinks=False) or b""
    except AigateError:
        return "unknown"
    text = raw.decode("ascii", errors="replace").strip()
    return text if text.isdigit() else "unknown"
