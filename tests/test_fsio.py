"""fsio: the only writer. Real files in the sandbox HOME; assert what ends up on disk."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aigate_setup import __version__, fsio, paths
from aigate_setup.errors import AigateError, ConfigError
from aigate_setup.fsio import FileChange

KEY = "sk-test-0123456789abcdefWXYZ"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def runs_on_disk() -> list[str]:
    base = paths.backups_dir()
    return sorted(p.name for p in base.iterdir()) if base.exists() else []


def stray_temp_files(*dirs: Path) -> list[Path]:
    return [p for d in dirs if d.exists() for p in d.iterdir() if p.name.endswith(".aigate-tmp")]


def change(path: Path, new: bytes, *, client: str = "codex", sensitive: bool = False) -> FileChange:
    return FileChange(client, path, fsio.read_bytes(path), new, sensitive)


# --------------------------------------------------------------------------- FileChange, read, diff


def test_status_of_a_change(tmp_path: Path) -> None:
    p = tmp_path / "f"
    assert FileChange("codex", p, None, b"x").status == "created"
    assert FileChange("codex", p, b"x", b"y").status == "updated"
    assert FileChange("codex", p, b"x", b"x").status == "unchanged"


def test_read_bytes_missing_symlink_and_dangling(sandbox_home: Path) -> None:
    target = sandbox_home / "real.toml"
    link = sandbox_home / "link.toml"
    assert fsio.read_bytes(target) is None
    target.write_bytes(b"a = 1\n")
    link.symlink_to(target)
    assert fsio.read_bytes(link) == b"a = 1\n"
    dangling = sandbox_home / "dangling.toml"
    dangling.symlink_to(sandbox_home / "nowhere.toml")
    assert fsio.read_bytes(dangling) is None


def test_read_bytes_directory_in_the_way(sandbox_home: Path) -> None:
    d = sandbox_home / "config.toml"
    d.mkdir()
    with pytest.raises(ConfigError) as info:
        fsio.read_bytes(d)
    assert str(info.value) == f"{d}: is a directory, expected a file"
    assert info.value.hint is not None and "mv" in info.value.hint


def test_read_bytes_file_where_a_directory_should_be(sandbox_home: Path) -> None:
    (sandbox_home / ".codex").write_text("oops")
    with pytest.raises(ConfigError) as info:
        fsio.read_bytes(sandbox_home / ".codex" / "config.toml")
    assert f"{sandbox_home / '.codex'} is a file, not a directory" in str(info.value)


@pytest.mark.skipif(IS_ROOT or sys.platform == "win32", reason="root can read anything")
def test_read_bytes_permission_denied(sandbox_home: Path) -> None:
    p = sandbox_home / "secret.json"
    p.write_text("{}")
    p.chmod(0)
    try:
        with pytest.raises(ConfigError) as info:
            fsio.read_bytes(p)
        assert "permission denied" in str(info.value)
        assert info.value.hint is not None and "chmod" in info.value.hint
    finally:
        p.chmod(0o644)


def test_unified_diff_update_labels_and_hunks() -> None:
    c = FileChange("codex", Path("/h/.codex/config.toml"), b"a = 1\nb = 2\n", b"a = 1\nb = 3\n")
    assert fsio.unified_diff(c) == (
        "--- a/h/.codex/config.toml\n"
        "+++ b/h/.codex/config.toml\n"
        "@@ -1,2 +1,2 @@\n"
        " a = 1\n"
        "-b = 2\n"
        "+b = 3\n"
    )


def test_unified_diff_new_unchanged_and_no_final_newline() -> None:
    new = FileChange("kilo", Path("/h/kilo.jsonc"), None, b"{\n}")
    assert fsio.unified_diff(new) == (
        "--- /dev/null\n+++ b/h/kilo.jsonc\n@@ -0,0 +1,2 @@\n+{\n+}\n\\ No newline at end of file\n"
    )
    assert fsio.unified_diff(FileChange("kilo", Path("/h/k"), b"x", b"x")) == ""
    empty = FileChange("kilo", Path("/h/k"), None, b"")
    assert fsio.unified_diff(empty) == "--- /dev/null\n+++ b/h/k\n"


def test_unified_diff_is_binary_safe_and_keeps_crlf() -> None:
    c = FileChange("codex", Path("/x"), b"\xff\xfe\x00bad\r\n", b"\xef\xbb\xbfgood\r\n")
    diff = fsio.unified_diff(c)
    assert "-\ufffd\ufffd\x00bad\r\n" in diff
    assert "+\ufeffgood\r\n" in diff


def test_unified_diff_masks_keys() -> None:
    c = FileChange("opencode", Path("/x"), f'{{"apiKey": "{KEY}"}}\n'.encode(), b"{}\n")
    diff = fsio.unified_diff(c)
    assert KEY not in diff
    assert '-{"apiKey": "sk-...WXYZ"}\n' in diff


def test_color_diff_is_plain_without_a_tty() -> None:
    diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
    assert fsio.color_diff(diff) == diff


# --------------------------------------------------------------------------- apply


def test_apply_statuses_and_files_on_disk(sandbox_home: Path) -> None:
    kept = sandbox_home / "kept.txt"
    kept.write_bytes(b"same\n")
    edited = sandbox_home / "edited.txt"
    edited.write_bytes(b"old\n")
    new = sandbox_home / ".config" / "opencode" / "opencode.json"
    changes = [
        change(kept, b"same\n"),
        change(edited, b"new\n", client="claude"),
        change(new, b"{}\n", client="opencode"),
    ]
    result = fsio.apply(changes)
    assert [s for _, s in result.statuses] == ["unchanged", "updated", "created"]
    assert [c.path for c, _ in result.statuses] == [kept, edited, new]
    assert result.run_id is not None
    assert runs_on_disk() == [result.run_id]
    assert kept.read_bytes() == b"same\n"
    assert edited.read_bytes() == b"new\n"
    assert new.read_bytes() == b"{}\n"
    assert mode(new) == 0o644
    assert mode(new.parent) == 0o755  # outside aigate's own dirs


def test_run_id_format(sandbox_home: Path) -> None:
    result = fsio.apply([change(sandbox_home / "a", b"1")])
    assert result.run_id is not None
    date, _, suffix = result.run_id.partition("-")
    assert len(date) == 16 and date[8] == "T" and date.endswith("Z")
    assert len(suffix) == 4 and int(suffix, 16) >= 0


def test_identical_second_apply_writes_nothing_and_keeps_no_backup(sandbox_home: Path) -> None:
    p = sandbox_home / ".codex" / "config.toml"
    p.parent.mkdir()
    p.write_bytes(b"model = 'x'\n")
    first = fsio.apply([change(p, b"model = 'y'\n")])
    stamp = os.stat(p).st_mtime_ns
    second = fsio.apply([change(p, b"model = 'y'\n")])
    assert second.run_id is None
    assert [s for _, s in second.statuses] == ["unchanged"]
    assert runs_on_disk() == [first.run_id]
    assert os.stat(p).st_mtime_ns == stamp
    assert fsio.apply([]).run_id is None


def test_backup_and_manifest(sandbox_home: Path) -> None:
    old = b"\xef\xbb\xbf# mine\r\nmodel = 'x'\r\n"
    edited = sandbox_home / ".codex" / "config.toml"
    edited.parent.mkdir()
    edited.write_bytes(old)
    edited.chmod(0o640)
    keyfile = sandbox_home / ".config" / "aigate" / "key"
    result = fsio.apply(
        [
            change(edited, b"model = 'y'\r\n"),
            change(keyfile, KEY.encode() + b"\n", client="claude", sensitive=True),
        ],
        command="init",
    )
    run_dir = paths.backups_dir() / str(result.run_id)
    raw = (run_dir / "manifest.json").read_text()
    assert KEY not in raw
    manifest = json.loads(raw)
    assert manifest["version"] == 1
    assert manifest["run_id"] == result.run_id
    assert manifest["command"] == "init"
    assert manifest["aigate_setup_version"] == __version__
    assert manifest["created"].endswith("Z")
    modified, created = manifest["files"]
    assert modified == {
        "path": str(edited),
        "client": "codex",
        "action": "modified",
        "sha256_before": hashlib.sha256(old).hexdigest(),
        "sha256_after": hashlib.sha256(b"model = 'y'\r\n").hexdigest(),
        "mode": "0640",
        "backup": "001-config.toml",
        "sensitive": False,
    }
    assert created["sensitive"] is True
    assert created["action"] == "created"
    assert created["sha256_before"] is None
    assert created["backup"] is None
    assert created["mode"] == "0600"
    assert manifest["dirs_created"] == [str(keyfile.parent.parent), str(keyfile.parent)]
    assert (run_dir / "001-config.toml").read_bytes() == old
    assert mode(run_dir / "001-config.toml") == 0o600
    assert mode(run_dir) == 0o700
    assert sorted(p.name for p in run_dir.iterdir()) == ["001-config.toml", "manifest.json"]


def test_sensitive_new_file_is_0600_in_a_0700_dir(sandbox_home: Path) -> None:
    keyfile = sandbox_home / ".config" / "aigate" / "key"
    fsio.apply([change(keyfile, b"secret\n", sensitive=True)])
    assert mode(keyfile) == 0o600
    assert mode(keyfile.parent) == 0o700


def test_existing_mode_is_kept(sandbox_home: Path) -> None:
    p = sandbox_home / "opencode.json"
    p.write_bytes(b"{}\n")
    p.chmod(0o640)
    fsio.apply([change(p, b'{"a": 1}\n')])
    assert p.read_bytes() == b'{"a": 1}\n'
    assert mode(p) == 0o640


def test_symlink_stays_a_symlink_and_its_target_changes(sandbox_home: Path) -> None:
    dotfiles = sandbox_home / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "config.toml"
    target.write_bytes(b"a = 1\n")
    target.chmod(0o600)
    link = sandbox_home / ".codex" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "dotfiles" / "config.toml")
    result = fsio.apply([change(link, b"a = 2\n")])
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("..", "dotfiles", "config.toml")
    assert target.read_bytes() == b"a = 2\n"
    assert mode(target) == 0o600
    assert stray_temp_files(link.parent, dotfiles) == []
    assert [s for _, s in result.statuses] == ["updated"]


def test_dangling_symlink_creates_its_target(sandbox_home: Path) -> None:
    link = sandbox_home / "kilo.jsonc"
    link.symlink_to(sandbox_home / "store" / "kilo.jsonc")
    result = fsio.apply([change(link, b"{}\n")])
    assert [s for _, s in result.statuses] == ["created"]
    assert link.is_symlink()
    assert (sandbox_home / "store" / "kilo.jsonc").read_bytes() == b"{}\n"


def test_two_paths_to_one_file_with_different_contents_are_refused(sandbox_home: Path) -> None:
    real = sandbox_home / "a.json"
    real.write_bytes(b"{}")
    link = sandbox_home / "b.json"
    link.symlink_to(real)
    with pytest.raises(AigateError, match="are the same file"):
        fsio.apply([change(real, b"1"), change(link, b"2")])
    assert real.read_bytes() == b"{}"
    assert runs_on_disk() == []


def test_file_edited_meanwhile_is_refused(sandbox_home: Path) -> None:
    a = sandbox_home / "a.toml"
    b = sandbox_home / "b.toml"
    a.write_bytes(b"a\n")
    b.write_bytes(b"b\n")
    changes = [change(a, b"A\n"), change(b, b"B\n")]
    b.write_bytes(b"user edit\n")
    with pytest.raises(AigateError) as info:
        fsio.apply(changes)
    assert str(info.value) == f"{b} changed on disk after aigate-setup read it; nothing was written"
    assert a.read_bytes() == b"a\n"
    assert b.read_bytes() == b"user edit\n"
    assert runs_on_disk() == []


def test_read_only_file_is_refused_and_nothing_is_written(sandbox_home: Path) -> None:
    first = sandbox_home / "first.json"
    first.write_bytes(b"{}\n")
    locked = sandbox_home / ".codex" / "config.toml"
    locked.parent.mkdir()
    locked.write_bytes(b"a = 1\n")
    locked.chmod(0o444)
    changes = [
        change(first, b'{"x": 1}\n'),
        change(sandbox_home / "new.json", b"{}\n"),
        change(locked, b"a = 2\n"),
    ]
    with pytest.raises(AigateError) as info:
        fsio.apply(changes)
    assert str(info.value) == f"cannot write {locked}: the file is read-only"
    assert info.value.hint == f"chmod u+w {locked}"
    assert first.read_bytes() == b"{}\n"
    assert locked.read_bytes() == b"a = 1\n"
    assert not (sandbox_home / "new.json").exists()
    assert runs_on_disk() == []
    assert stray_temp_files(sandbox_home, locked.parent) == []


def test_read_only_directory_is_refused(sandbox_home: Path) -> None:
    d = sandbox_home / ".config" / "opencode"
    d.mkdir(parents=True)
    d.chmod(0o555)
    try:
        with pytest.raises(AigateError) as info:
            fsio.apply([change(d / "opencode.json", b"{}\n")])
        assert "is read-only" in str(info.value)
        assert info.value.hint == f"chmod u+w {d}"
        assert list(d.iterdir()) == []
    finally:
        d.chmod(0o755)


def test_atomic_write_refuses_read_only_file(sandbox_home: Path) -> None:
    p = sandbox_home / "ro.txt"
    p.write_bytes(b"keep")
    p.chmod(0o400)
    with pytest.raises(AigateError, match="read-only"):
        fsio.atomic_write(p, b"new")
    assert p.read_bytes() == b"keep"


def test_atomic_write_modes_and_parents(sandbox_home: Path) -> None:
    p = sandbox_home / "a" / "b" / "c.txt"
    fsio.atomic_write(p, b"1", new_mode=0o600)
    assert p.read_bytes() == b"1"
    assert mode(p) == 0o600
    p.chmod(0o604)
    fsio.atomic_write(p, b"2")
    assert (p.read_bytes(), mode(p)) == (b"2", 0o604)
    assert stray_temp_files(p.parent) == []


def test_directory_in_the_way_writes_nothing(sandbox_home: Path) -> None:
    first = sandbox_home / "first.toml"
    first.write_bytes(b"a = 1\n")
    blocked = sandbox_home / ".config" / "kilo" / "kilo.jsonc"
    blocked.parent.mkdir(parents=True)
    c1 = change(first, b"a = 2\n")
    c2 = FileChange("kilo", blocked, None, b"{}\n")
    blocked.mkdir()  # appears after planning
    with pytest.raises(ConfigError, match="is a directory"):
        fsio.apply([c1, c2])
    assert first.read_bytes() == b"a = 1\n"
    assert runs_on_disk() == []


def test_failure_midway_rolls_back_earlier_files(
    sandbox_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = sandbox_home / "edited.toml"
    edited.write_bytes(b"original\r\n")
    edited.chmod(0o640)
    created = sandbox_home / ".config" / "opencode" / "opencode.json"
    failing = sandbox_home / "third.json"
    failing.write_bytes(b"{}")
    real_replace = os.replace

    def replace(src: str, dst: str | Path) -> None:
        if Path(dst) == failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    changes = [
        change(edited, b"changed\r\n"),
        change(created, b"{}\n"),
        change(failing, b'{"x": 1}'),
    ]
    with pytest.raises(AigateError) as info:
        fsio.apply(changes)
    assert str(info.value) == (
        f"cannot write {failing}: no space left on device; no file was changed"
    )
    assert edited.read_bytes() == b"original\r\n"
    assert mode(edited) == 0o640
    assert not created.exists()
    assert not (sandbox_home / ".config" / "opencode").exists()
    assert failing.read_bytes() == b"{}"
    assert runs_on_disk() == []
    assert stray_temp_files(sandbox_home) == []


# --------------------------------------------------------------------------- the lock


@contextmanager
def lock_held_by_subprocess() -> Iterator[int]:
    code = (
        "import sys\n"
        "from aigate_setup import fsio\n"
        "with fsio.run_lock(timeout=5):\n"
        "    print('locked', flush=True)\n"
        "    sys.stdin.readline()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            assert proc.stdout.readline() == "locked\n"
            yield proc.pid
        finally:
            proc.stdin.close()
            proc.wait(timeout=20)


def test_second_run_fails_clearly_while_the_lock_is_held(
    sandbox_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIGATE_LOCK_TIMEOUT", "0.5")
    p = sandbox_home / "a.toml"
    with lock_held_by_subprocess() as pid:
        started = time.monotonic()
        with pytest.raises(AigateError) as info:
            fsio.apply([change(p, b"x")])
        elapsed = time.monotonic() - started
    assert str(info.value) == f"another aigate-setup run is in progress (pid {pid})"
    assert info.value.hint is not None and "lock" in info.value.hint
    assert 0.4 <= elapsed < 5
    assert not p.exists()
    # Once the other run is gone, the lock is free again.
    assert fsio.apply([change(p, b"x")]).run_id is not None


def test_second_run_waits_for_a_short_holder(
    sandbox_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIGATE_LOCK_TIMEOUT", "10")
    holding = threading.Event()

    def hold() -> None:
        with fsio.run_lock():
            holding.set()
            time.sleep(0.3)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(5)
    p = sandbox_home / "a.toml"
    result = fsio.apply([change(p, b"x")])
    t.join(5)
    assert result.run_id is not None and p.read_bytes() == b"x"


def test_lock_is_reentrant_and_released_after_errors(sandbox_home: Path) -> None:
    with fsio.run_lock(), fsio.run_lock():
        fsio.apply([change(sandbox_home / "x", b"1")])
    with pytest.raises(AigateError):
        fsio.apply([FileChange("codex", sandbox_home / "x", b"stale", b"2")])
    with fsio.run_lock(timeout=0):
        pass


def test_a_huge_diff_is_cut_with_a_count() -> None:
    from aigate_setup.fsio import diff

    new = "".join(f"line {i}\n" for i in range(5000)).encode()
    out = diff.diff_bytes(Path("/x/big.json"), None, new)
    assert out.count("\n") <= diff.MAX_DIFF_LINES + 1
    assert out.endswith("more diff lines not shown)\n")
    one_line = b"x" * 100_000
    cut = diff.diff_bytes(Path("/x/one.json"), None, one_line)
    assert len(cut) < diff.MAX_DIFF_CHARS and "not shown" in cut
    small = diff.diff_bytes(Path("/x/s"), b"a\n", b"b\n")
    assert "not shown" not in small and small.endswith("+b\n")
