"""restore trusts nothing in a manifest: every tampered one is refused whole, before any write."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from aigate_setup import fsio, paths
from aigate_setup.fsio import FileChange

Manifest = dict[str, Any]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    state = paths.state_dir()
    return {
        str(p): (p.read_bytes(), mode(p))
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and not p.is_relative_to(state)
    }


@pytest.fixture
def run(sandbox_home: Path) -> fsio.RunInfo:
    """A run that modified two files and created one; a victim file outside it."""
    a = sandbox_home / ".codex" / "config.toml"
    a.parent.mkdir()
    a.write_bytes(b"model = 'mine'\n")
    b = sandbox_home / ".config" / "kilo" / "kilo.jsonc"
    b.parent.mkdir(parents=True)
    b.write_bytes(b"{}\n")
    created = sandbox_home / ".config" / "aigate" / "aigate-claude.sh"
    (sandbox_home / "victim.txt").write_bytes(b"the user's own file\n")
    fsio.apply(
        [
            FileChange("codex", a, fsio.read_bytes(a), b"model = 'aigate'\n"),
            FileChange("kilo", b, fsio.read_bytes(b), b'{"model": "aigate/x"}\n'),
            FileChange("claude", created, None, b"export X=1\n"),
        ]
    )
    return fsio.list_runs()[0]


def edit(run: fsio.RunInfo, change: Callable[[Manifest], None]) -> None:
    path = run.dir / "manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def assert_refused(sandbox_home: Path, run: fsio.RunInfo, reason: str) -> None:
    """`restore` (the CLI, text and JSON) refuses the run and changes nothing at all."""
    before = snapshot(sandbox_home)
    runs_before = sorted(p.name for p in paths.backups_dir().iterdir())
    r = run_cli("restore", "--yes")
    assert r.exit_code == 1, r.output
    assert r.stdout == ""
    assert f"error: the manifest of run {run.run_id} cannot be trusted: " in r.stderr
    assert reason in r.stderr
    assert "; nothing was restored\n" in r.stderr
    assert "hint: it was edited or damaged (" in r.stderr
    assert "pick another run with `aigate-setup restore --list`" in r.stderr
    doc = json.loads(run_cli("restore", "--yes", run.run_id, "--format", "json").stdout)
    assert doc["status"] == "fail" and doc["error"]["exit_code"] == 1
    assert run_cli("restore", "--dry-run").exit_code == 1
    assert snapshot(sandbox_home) == before
    assert sorted(p.name for p in paths.backups_dir().iterdir()) == runs_before


def entry(index: int, **values: Any) -> Callable[[Manifest], None]:
    def change(data: Manifest) -> None:
        data["files"][index].update(values)

    return change


def top(**values: Any) -> Callable[[Manifest], None]:
    def change(data: Manifest) -> None:
        data.update(values)

    return change


TAMPERS: dict[str, tuple[Callable[[Manifest], None], str]] = {
    "backup climbs out": (entry(2, backup="../../../victim.txt"), "files[2].backup is not valid"),
    "backup climbs out 2": (entry(0, backup="001-../../x"), "files[0].backup is not valid"),
    "absolute backup": (entry(0, backup="/etc/passwd"), "files[0].backup is not valid"),
    "relative target": (entry(0, path="victim.txt"), "is not an absolute, normalised path"),
    "dotdot target": (entry(0, path="/tmp/../etc/passwd"), "is not an absolute, normalised path"),
    "control chars": (entry(0, path="/tmp/\x1b[2Jx"), "files[0].path holds control characters"),
    "unknown file key": (entry(1, owner="root"), "files[1] has unknown keys: 'owner'"),
    "unknown top key": (top(post_restore="rm -rf ~"), "has unknown keys: 'post_restore'"),
    "missing key": (lambda d: d["files"][0].pop("sha256_before"), "lacks sha256_before"),
    "version 2": (top(version=2), "version 2 is not 1"),
    "version string": (top(version="1"), "version '1' is not 1"),
    "version bool": (top(version=True), "version True is not 1"),
    "files not a list": (top(files={"a": 1}), "files is not a list"),
    "sensitive not bool": (entry(0, sensitive="yes"), "files[0] has a value of the wrong type"),
    "mode not octal": (entry(0, mode="rwx"), "files[0].mode is not valid"),
    "mode number": (entry(0, mode=493), "files[0].mode is not valid"),
    "bad hash": (entry(0, sha256_before="00"), "files[0].sha256_before is not valid"),
    "action": (entry(0, action="chmod"), "files[0].action is not created, modified or deleted"),
    "deleted by init": (
        entry(0, action="deleted", sha256_after=None),
        "files[0]: only a restore deletes files",
    ),
    "created with backup": (entry(2, backup="003-x"), "does not match its action 'created'"),
    "run id": (top(run_id="20200101T000000Z-abcd"), "its run_id is not the name of its directory"),
    "twice": (
        lambda d: d["files"].append(dict(d["files"][0], backup="004-config.toml")),
        "a file is listed twice",
    ),
    "state dir target": (
        lambda d: d["files"][0].update(path=str(paths.state_dir() / "lock")),
        "is inside aigate-setup's own state directory",
    ),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_a_tampered_manifest_is_refused_whole(
    sandbox_home: Path, run: fsio.RunInfo, name: str
) -> None:
    tamper, reason = TAMPERS[name]
    edit(run, tamper)
    assert_refused(sandbox_home, run, reason)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "it is not valid JSON"),
        (b'{"version": NaN}', "the manifest holds NaN"),
        (b"[" * 100_000 + b"]" * 100_000, "it is not valid JSON"),
        (b"\xff\xfe", "it is not valid JSON"),
        (b"[]", "the manifest is not an object"),
        (b" " * (1024 * 1024 + 1), "is too large"),
    ],
)
def test_a_manifest_that_is_not_one_is_refused(
    sandbox_home: Path, run: fsio.RunInfo, raw: bytes, reason: str
) -> None:
    (run.dir / "manifest.json").write_bytes(raw)
    assert_refused(sandbox_home, run, reason)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX files")
def test_a_manifest_that_is_a_fifo_or_a_link_is_refused(
    sandbox_home: Path, run: fsio.RunInfo
) -> None:
    manifest = run.dir / "manifest.json"
    copy = sandbox_home / "manifest-copy.json"
    copy.write_bytes(manifest.read_bytes())
    manifest.unlink()
    manifest.symlink_to(copy)
    assert_refused(sandbox_home, run, "is a symlink, not a regular file")
    manifest.unlink()
    os.mkfifo(manifest)
    assert_refused(sandbox_home, run, "is a named pipe (FIFO), not a regular file")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_a_backup_linked_out_of_its_run_directory_is_refused(
    sandbox_home: Path, run: fsio.RunInfo
) -> None:
    backup = run.dir / str(run.files[0].backup)
    data = backup.read_bytes()
    outside = sandbox_home / "outside"
    outside.write_bytes(data)  # even with the right bytes (and hash)
    backup.unlink()
    backup.symlink_to(outside)
    assert_refused(sandbox_home, run, "the backup of ")
    assert "is outside its run directory" in run_cli("restore", "--yes").stderr


def test_a_setuid_mode_is_never_restored(sandbox_home: Path, run: fsio.RunInfo) -> None:
    target = run.files[0].path
    edit(run, entry(0, mode="4755"))
    edit(run, entry(1, mode="2644"))
    edit(run, entry(2, mode="1777"))
    r = run_cli("restore", "--yes")
    assert r.exit_code == 0, r.stderr
    assert target.read_bytes() == b"model = 'mine'\n"
    assert mode(target) == 0o755
    assert mode(run.files[1].path) == 0o644


def test_the_newest_run_damaged_is_an_error_not_an_older_run(
    sandbox_home: Path, run: fsio.RunInfo
) -> None:
    a = run.files[0].path
    fsio.apply([FileChange("codex", a, fsio.read_bytes(a), b"model = 'third'\n")])
    newest = fsio.list_runs()[0]
    edit(newest, top(command="rm -rf"))
    listed = run_cli("restore", "--list")
    assert listed.exit_code == 0
    assert listed.stdout.startswith(f"{run.run_id}  ")
    assert newest.run_id not in listed.stdout
    assert (
        f"warning: run {newest.run_id} is left out: its manifest cannot be trusted "
        "(command is not valid)" in listed.stderr
    )
    doc = json.loads(run_cli("restore", "--list", "--format", "json").stdout)
    assert [r["run_id"] for r in doc["runs"]] == [run.run_id]
    assert_refused(sandbox_home, newest, "command is not valid")
    # The older, intact run can still be restored by its id.
    r = run_cli("restore", "--yes", run.run_id)
    assert r.exit_code == 0, r.stderr
    assert a.read_bytes() == b"model = 'mine'\n"


def test_a_run_directory_that_is_a_symlink_is_not_a_run(
    sandbox_home: Path, run: fsio.RunInfo
) -> None:
    elsewhere = sandbox_home / "elsewhere"
    run.dir.rename(elsewhere)
    run.dir.symlink_to(elsewhere)
    assert fsio.list_runs() == []
    r = run_cli("restore", "--yes")
    assert r.exit_code == 1
    assert "nothing to restore" in r.stderr
