"""fsio against hostile files and crashes: FIFOs, devices, huge files, loose key-file modes,
leftovers of a killed run, an interruption raised inside the write phase."""

from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Protocol

import pytest
from conftest import TEST_KEY

from aigate_setup import fsio, paths
from aigate_setup.errors import AigateError, ConfigError
from aigate_setup.fsio import FileChange
from aigate_setup.fsio.atomic import STALE_AFTER
from aigate_setup.fsio.journal import STALE_RUN_AFTER

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and modes")


class Gateway(Protocol):
    @property
    def base_url(self) -> str: ...


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def change(path: Path, new: bytes, *, sensitive: bool = False) -> FileChange:
    return FileChange("codex", path, fsio.read_bytes(path), new, sensitive)


def tree(root: Path) -> dict[str, bytes]:
    """Every regular file under `root` (not following links), the catalog cache aside."""
    cache = paths.cache_dir()
    return {
        str(p): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and not p.is_relative_to(cache)
    }


def backup_dirs() -> list[str]:
    base = paths.backups_dir()
    return sorted(p.name for p in base.iterdir()) if base.exists() else []


# --------------------------------------------------------------------------- reading


@POSIX
def test_read_bytes_refuses_a_fifo_without_blocking(sandbox_home: Path) -> None:
    fifo = sandbox_home / "opencode.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        fsio.read_bytes(fifo)
    assert time.monotonic() - started < 5
    assert str(info.value) == f"{fifo}: is a named pipe (FIFO), not a regular file"
    assert info.value.hint == f"put a regular file there, or move it aside (mv {fifo} {fifo}.bak)"


@POSIX
def test_read_bytes_never_follows_a_link_to_a_device(sandbox_home: Path) -> None:
    link = sandbox_home / "config.toml"
    link.symlink_to("/dev/zero")
    with pytest.raises(ConfigError) as info:
        fsio.read_bytes(link)
    assert str(info.value) == (f"{link}: is a symlink to /dev/zero, a device, not a regular file")


def test_read_bytes_has_a_size_cap(sandbox_home: Path) -> None:
    p = sandbox_home / "kilo.jsonc"
    p.write_bytes(b" " * fsio.MAX_FILE_BYTES)
    assert fsio.read_bytes(p) == b" " * fsio.MAX_FILE_BYTES
    p.write_bytes(b" " * (fsio.MAX_FILE_BYTES + 1))
    with pytest.raises(ConfigError) as info:
        fsio.read_bytes(p)
    assert str(info.value) == f"{p}: is too large to be a config file (more than 4 MiB)"
    assert info.value.hint == f"check that this is the right file (ls -l {p})"


@POSIX
def test_read_bytes_link_loop_is_a_clear_error(sandbox_home: Path) -> None:
    loop = sandbox_home / "loop.json"
    loop.symlink_to(loop)
    with pytest.raises(ConfigError, match="cannot be read: Too many levels of symbolic links"):
        fsio.read_bytes(loop)


def _init(gw: Gateway, *extra: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """The real console entry point in a child process: a hang would be a failure, not a stall."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "aigate_setup", "init", "--yes", "--base-url", gw.base_url,
         "--model", "openai/gpt-5.5", "--no-smoke-test", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "AIGATE_API_KEY": TEST_KEY},
        check=False,
    )  # fmt: skip
    return proc, time.monotonic() - started


@POSIX
def test_init_with_a_fifo_for_a_config_fails_fast_and_writes_nothing(
    sandbox_home: Path, fake_gateway: Gateway
) -> None:
    fifo = sandbox_home / ".config" / "opencode" / "opencode.json"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    before = tree(sandbox_home)
    proc, elapsed = _init(fake_gateway)
    assert proc.returncode == 1, proc.stderr
    assert elapsed < 30
    assert f"{fifo}: is a named pipe (FIFO), not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree(sandbox_home) == before
    assert backup_dirs() == []
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@POSIX
def test_init_with_a_config_linked_to_dev_zero_fails_fast_and_writes_nothing(
    sandbox_home: Path, fake_gateway: Gateway
) -> None:
    link = paths.codex_home() / "config.toml"
    link.parent.mkdir(parents=True)
    link.symlink_to("/dev/zero")
    before = tree(sandbox_home)
    proc, elapsed = _init(fake_gateway, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert elapsed < 30
    assert f"{link}: is a symlink to /dev/zero, a device, not a regular file" in proc.stderr
    assert '"status": "fail"' in proc.stdout
    assert tree(sandbox_home) == before
    assert backup_dirs() == []
    assert os.readlink(link) == "/dev/zero"


# --------------------------------------------------------------------------- the key file


@POSIX
@pytest.mark.parametrize("loose", [0o644, 0o666, 0o640])
def test_a_loose_key_file_is_owner_only_before_the_key_goes_in(
    sandbox_home: Path, monkeypatch: pytest.MonkeyPatch, loose: int
) -> None:
    keyfile = sandbox_home / ".config" / "aigate" / "key"
    keyfile.parent.mkdir(parents=True)
    keyfile.write_bytes(b"sk-old-0123456789abcdef\n")
    keyfile.chmod(loose)
    seen: list[tuple[bytes, int]] = []
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == keyfile:  # the moment the new key lands in the file
            seen.append((Path(src).read_bytes(), mode(Path(src))))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    result = fsio.apply([change(keyfile, TEST_KEY.encode() + b"\n", sensitive=True)])
    assert seen == [(TEST_KEY.encode() + b"\n", 0o600)]
    assert mode(keyfile) == 0o600
    # The old key's backup is private too, in a private directory.
    run_dir = paths.backups_dir() / str(result.run_id)
    assert mode(run_dir) == 0o700
    assert mode(paths.backups_dir()) == 0o700
    assert mode(run_dir / "001-key") == 0o600
    # Putting the run back restores the old key, but never world-readable again.
    fsio.restore()
    assert keyfile.read_bytes() == b"sk-old-0123456789abcdef\n"
    assert mode(keyfile) == 0o600


@POSIX
def test_a_new_key_file_is_0600_whatever_the_umask(sandbox_home: Path) -> None:
    keyfile = sandbox_home / ".config" / "aigate" / "key"
    old = os.umask(0)
    try:
        fsio.apply([change(keyfile, b"sk-new\n", sensitive=True)])
    finally:
        os.umask(old)
    assert mode(keyfile) == 0o600
    assert mode(keyfile.parent) == 0o700


# --------------------------------------------------------------------------- interrupted in-process


@pytest.mark.parametrize("raised", [KeyboardInterrupt, SystemExit, RuntimeError])
def test_any_exception_in_the_write_phase_rolls_back(
    sandbox_home: Path, monkeypatch: pytest.MonkeyPatch, raised: type[BaseException]
) -> None:
    first = sandbox_home / "first.toml"
    first.write_bytes(b"a = 1\n")
    first.chmod(0o640)
    created = sandbox_home / "new" / "dir" / "created.json"
    third = sandbox_home / "third.json"
    third.write_bytes(b"{}\n")
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == third:
            raise raised()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(raised):
        fsio.apply([change(first, b"a = 2\n"), change(created, b"{}\n"), change(third, b"[]\n")])
    assert first.read_bytes() == b"a = 1\n"
    assert mode(first) == 0o640
    assert not (sandbox_home / "new").exists()
    assert third.read_bytes() == b"{}\n"
    assert backup_dirs() == []
    assert [p for p in sandbox_home.rglob("*") if p.name.endswith(".aigate-tmp")] == []


def test_a_failed_rollback_names_the_run_to_restore(
    sandbox_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = sandbox_home / "first.toml"
    first.write_bytes(b"a = 1\n")
    second = sandbox_home / "second.toml"
    second.write_bytes(b"b = 1\n")
    real_replace = os.replace
    calls: list[Path] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(Path(dst))
        if Path(dst) == second or calls.count(first) > 1:  # the write, then the rollback
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(AigateError) as info:
        fsio.apply([change(first, b"a = 2\n"), change(second, b"b = 2\n")])
    run_id = backup_dirs()[0]
    assert str(info.value) == (
        f"cannot write {second}: Input/output error; rolling back failed for {first}"
    )
    assert info.value.hint == f"put the files back with: aigate-setup restore {run_id}"
    monkeypatch.setattr(os, "replace", real_replace)
    fsio.restore(run_id)
    assert first.read_bytes() == b"a = 1\n"


# --------------------------------------------------------------------------- leftovers of kill -9


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@POSIX
def test_a_later_run_removes_stale_temp_files_and_nothing_else(sandbox_home: Path) -> None:
    d = sandbox_home / ".codex"
    d.mkdir()
    target = d / "config.toml"
    target.write_bytes(b"a = 1\n")
    old = time.time() - STALE_AFTER - 60
    dead = d / f".config.toml.{_dead_pid()}.abcd_123.aigate-tmp"
    live = d / f".config.toml.{os.getppid()}.efgh_456.aigate-tmp"
    legacy_old = d / ".config.toml.ijkl_789.aigate-tmp"
    legacy_new = d / ".config.toml.mnop_012.aigate-tmp"
    for p in (dead, live, legacy_old, legacy_new):
        p.write_bytes(b"half")
    os.utime(legacy_old, (old, old))
    # Look-alikes that are not ours: never touched.
    user_files = [
        d / ".config.toml.bak",
        d / "config.toml.aigate-tmp",
        d / ".config.toml.1.short.aigate-tmp",
        d / ".other.toml.1.abcd_123.aigate-tmp",
    ]
    for p in user_files:
        p.write_bytes(b"mine")
        os.utime(p, (old, old))
    precious = sandbox_home / "precious"
    precious.write_bytes(b"precious")
    link = d / f".config.toml.{_dead_pid()}.qrst_345.aigate-tmp"
    link.symlink_to(precious)
    folder = d / f".config.toml.{_dead_pid()}.uvwx_678.aigate-tmp"
    folder.mkdir()

    fsio.apply([change(target, b"a = 2\n")])
    left = {p.name for p in d.iterdir()}
    assert dead.name not in left and legacy_old.name not in left
    assert {live.name, legacy_new.name, link.name, folder.name} <= left
    assert {p.name for p in user_files} <= left
    assert precious.read_bytes() == b"precious"
    assert target.read_bytes() == b"a = 2\n"


@POSIX
def test_atomic_write_also_removes_its_stale_temp_files(sandbox_home: Path) -> None:
    target = sandbox_home / "cache.json"
    dead = sandbox_home / f".cache.json.{_dead_pid()}.abcd_123.aigate-tmp"
    dead.write_bytes(b"half")
    fsio.atomic_write(target, b"{}")
    assert not dead.exists()


def test_a_later_run_removes_backup_dirs_without_a_manifest(sandbox_home: Path) -> None:
    base = paths.backups_dir()
    base.mkdir(parents=True)
    old = time.time() - STALE_RUN_AFTER - 60
    stale = base / "20200101T000000Z-aaaa"
    stale.mkdir()
    (stale / "001-config.toml").write_bytes(b"old bytes")
    (stale / ".manifest.json.123.abcd_123.aigate-tmp").write_bytes(b"{")
    fresh = base / "20200101T000000Z-bbbb"
    fresh.mkdir()
    foreign = base / "20200101T000000Z-cccc"
    foreign.mkdir()
    (foreign / "notes.txt").write_bytes(b"the user's")
    not_a_run = base / "my-stuff"
    not_a_run.mkdir()
    for d in (stale, foreign, not_a_run):
        os.utime(d, (old, old))
    p = sandbox_home / "a.toml"
    result = fsio.apply([change(p, b"x")])
    assert backup_dirs() == sorted([fresh.name, foreign.name, not_a_run.name, str(result.run_id)])
    assert (foreign / "notes.txt").read_bytes() == b"the user's"
    # A complete run is never touched, however old.
    run_dir = base / str(result.run_id)
    os.utime(run_dir, (old, old))
    fsio.apply([change(p, b"y")])
    assert (run_dir / "manifest.json").exists()


# --------------------------------------------------------------------------- the one diff


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_preview_hides_a_key_file_and_colours_only_real_diffs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    key = FileChange("aigate", Path("/h/key"), b"sk-a", TEST_KEY.encode(), sensitive=True)
    hidden = "--- /h/key\n+++ /h/key\n(contents hidden: this file holds your key)\n"
    assert fsio.preview_change(key, Tty()) == hidden
    assert fsio.hidden_diff(Path("/h/key")) == hidden
    plain = FileChange("codex", Path("/h/c"), b"a\n", b"b\n")
    assert fsio.preview_change(plain, io.StringIO()) == fsio.unified_diff(plain)
    coloured = fsio.preview_change(plain, Tty())
    assert coloured == (
        "\033[1m--- a/h/c\033[0m\n\033[1m+++ b/h/c\033[0m\n\033[36m@@ -1 +1 @@\033[0m\n"
        "\033[31m-a\033[0m\n\033[32m+b\033[0m\n"
    )
    assert (
        fsio.preview(Path("/h/c"), b"x", None)
        == "--- a/h/c\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n\\ No newline at end of file\n"
    )


@POSIX
def test_init_never_reads_a_legacy_export_target_that_is_a_pipe(
    sandbox_home: Path, tmp_path: Path, fake_gateway: Gateway
) -> None:
    started = time.monotonic()
    err_file = tmp_path / "stderr"
    with err_file.open("w") as err_out, subprocess.Popen(
        [sys.executable, "-m", "aigate_setup", "init", "--yes", "--base-url",
         fake_gateway.base_url, "--model", "openai/gpt-5.5", "--no-smoke-test",
         "--client", "kilo", "--kilo-legacy-export", "/dev/stdin"],
        stdin=subprocess.PIPE,  # kept open while it runs: reading it would never end
        stdout=subprocess.DEVNULL,
        stderr=err_out,
        env={**os.environ, "AIGATE_API_KEY": TEST_KEY},
    ) as proc:  # fmt: skip
        try:
            code = proc.wait(timeout=30)
        finally:
            proc.kill()
    err = err_file.read_text()
    assert time.monotonic() - started < 30
    # Refused as bad input before anything is read or written (exit 2).
    assert code == 2, err
    assert "--kilo-legacy-export /dev/stdin is not a regular file" in err
    assert backup_dirs() == []
