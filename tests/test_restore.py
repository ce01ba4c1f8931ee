"""restore: put a run back from its backups, through the API and the CLI."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import run_cli

from aigate_setup import fsio, paths
from aigate_setup.errors import AigateError, UsageError
from aigate_setup.fsio import FileChange

BOM_CRLF = b'\xef\xbb\xbf# my settings\r\n{\r\n  // keep me\r\n  "theme": "dark",\r\n}\r\n'


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def change(path: Path, new: bytes, *, client: str = "opencode") -> FileChange:
    return FileChange(client, path, fsio.read_bytes(path), new)


def runs_on_disk() -> list[str]:
    base = paths.backups_dir()
    return sorted(p.name for p in base.iterdir()) if base.exists() else []


@pytest.fixture
def one_run(sandbox_home: Path) -> dict[str, Path]:
    """A run that modified a CRLF+BOM 0640 file and a plain one and created a new file."""
    jsonc = sandbox_home / ".config" / "kilo" / "kilo.jsonc"
    jsonc.parent.mkdir(parents=True)
    jsonc.write_bytes(BOM_CRLF)
    jsonc.chmod(0o640)
    toml = sandbox_home / ".codex" / "config.toml"
    toml.parent.mkdir()
    toml.write_bytes(b"model = 'mine'")  # no final newline
    created = sandbox_home / ".config" / "aigate" / "aigate-claude.sh"
    fsio.apply(
        [
            change(jsonc, BOM_CRLF.replace(b"dark", b"light"), client="kilo"),
            change(toml, b"model = 'openai/gpt-5.5'\n", client="codex"),
            change(created, b"export X=1\n", client="claude"),
        ]
    )
    return {"jsonc": jsonc, "toml": toml, "created": created}


def test_restore_round_trip_to_the_original_bytes(one_run: dict[str, Path]) -> None:
    applied = fsio.list_runs()[0].run_id
    result = fsio.restore()
    assert result.restored_run == applied
    assert [s for _, s in result.statuses] == ["restored", "restored", "deleted"]
    assert result.warnings == ()
    assert one_run["jsonc"].read_bytes() == BOM_CRLF
    assert mode(one_run["jsonc"]) == 0o640
    assert one_run["toml"].read_bytes() == b"model = 'mine'"
    assert not one_run["created"].exists()
    assert not one_run["created"].parent.exists()  # the directory that run created
    assert result.run_id is not None and result.run_id != applied


def test_restore_is_itself_undoable(one_run: dict[str, Path]) -> None:
    after_apply = {k: p.read_bytes() for k, p in one_run.items()}
    first = fsio.restore()
    runs = fsio.list_runs()
    assert runs[0].run_id == first.run_id
    assert runs[0].command == "restore" and runs[0].restored_run == first.restored_run
    second = fsio.restore()  # the newest run is the restore: undo it
    assert second.restored_run == first.run_id
    assert {k: p.read_bytes() for k, p in one_run.items()} == after_apply
    assert mode(one_run["jsonc"]) == 0o640
    assert mode(one_run["created"]) == 0o644
    # ...and the original run can still be restored by id afterwards.
    original = runs[-1].run_id
    fsio.restore(original)
    assert one_run["jsonc"].read_bytes() == BOM_CRLF
    assert not one_run["created"].exists()


def test_restore_warns_about_later_edits_and_backs_them_up(one_run: dict[str, Path]) -> None:
    one_run["toml"].write_bytes(b"model = 'edited by hand'\n")
    result = fsio.restore()
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{one_run['toml']} changed after run ")
    assert one_run["toml"].read_bytes() == b"model = 'mine'"
    fsio.restore()  # undo the restore: the hand edit comes back
    assert one_run["toml"].read_bytes() == b"model = 'edited by hand'\n"


def test_restore_keeps_a_created_file_the_user_changed(one_run: dict[str, Path]) -> None:
    one_run["created"].write_bytes(b"export X=1\n# mine now\n")
    result = fsio.restore()
    assert dict((c.path, s) for c, s in result.statuses)[one_run["created"]] == "skipped"
    assert any("changed since; left in place" in w for w in result.warnings)
    assert one_run["created"].read_bytes() == b"export X=1\n# mine now\n"


def test_restore_recreates_a_file_deleted_since(one_run: dict[str, Path]) -> None:
    one_run["toml"].unlink()
    result = fsio.restore()
    assert any("was deleted after run" in w for w in result.warnings)
    assert one_run["toml"].read_bytes() == b"model = 'mine'"


def test_restore_through_a_symlink_keeps_the_link(sandbox_home: Path) -> None:
    target = sandbox_home / "dotfiles" / "opencode.json"
    target.parent.mkdir()
    target.write_bytes(b"{}\n")
    link = sandbox_home / "opencode.json"
    link.symlink_to(target)
    fsio.apply([change(link, b'{"model": "aigate/x"}\n')])
    fsio.restore()
    assert link.is_symlink()
    assert target.read_bytes() == b"{}\n"


def test_restore_when_everything_already_matches(one_run: dict[str, Path]) -> None:
    run = fsio.list_runs()[0]
    fsio.restore()
    before = runs_on_disk()
    result = fsio.restore(run.run_id)
    assert result.run_id is None
    assert {s for _, s in result.statuses} == {"unchanged"}
    assert runs_on_disk() == before


def test_restore_refuses_a_damaged_backup(one_run: dict[str, Path]) -> None:
    run = fsio.list_runs()[0]
    backup = next(f.backup for f in run.files if f.backup)
    (run.dir / str(backup)).write_bytes(b"tampered")
    with pytest.raises(AigateError, match="damaged"):
        fsio.restore()
    assert one_run["created"].exists()


def test_unknown_run_and_no_runs(sandbox_home: Path) -> None:
    with pytest.raises(AigateError, match="nothing to restore"):
        fsio.restore()
    with pytest.raises(UsageError, match="no run 'nope'"):
        fsio.restore("nope")


def test_list_runs_newest_first_and_ignores_junk(one_run: dict[str, Path]) -> None:
    (paths.backups_dir() / "20990101T000000Z-dead").mkdir()  # no manifest
    (paths.backups_dir() / "notes.txt").write_text("x")
    fsio.restore()
    runs = fsio.list_runs()
    assert [r.command for r in runs] == ["restore", "init"]
    assert [f.action for f in runs[0].files] == ["modified", "modified", "deleted"]
    assert [f.action for f in runs[1].files] == ["modified", "modified", "created"]


# --------------------------------------------------------------------------- the CLI


def test_cli_restore_with_no_runs() -> None:
    r = run_cli("restore", "--yes")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "error: nothing to restore: aigate-setup has not changed any file yet" in r.stderr
    assert "hint: `aigate-setup init`" in r.stderr
    listed = run_cli("restore", "--list")
    assert listed.exit_code == 0
    assert listed.stdout == "no runs yet: aigate-setup has not changed any file\n"
    doc = json.loads(run_cli("restore", "--list", "--format", "json").stdout)
    assert doc == {"version": 1, "command": "restore", "status": "ok", "runs": []}


def test_cli_unknown_run_id_is_a_usage_error(one_run: dict[str, Path]) -> None:
    r = run_cli("restore", "--yes", "20200101T000000Z-abcd")
    assert r.exit_code == 2
    assert "no run '20200101T000000Z-abcd'" in r.stderr
    assert "hint: see the runs with `aigate-setup restore --list`" in r.stderr
    doc = json.loads(run_cli("restore", "--yes", "bogus", "--format", "json").stdout)
    assert doc["status"] == "fail" and doc["error"]["exit_code"] == 2


def test_cli_list_text_and_json(one_run: dict[str, Path]) -> None:
    run = fsio.list_runs()[0]
    r = run_cli("restore", "--list")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"{run.run_id}  {run.created[:10]} ")
    assert lines[0].endswith(" UTC  init  (3 files)")
    assert lines[1:4] == [
        f"    modified  {one_run['jsonc']}",
        f"    modified  {one_run['toml']}",
        f"    created   {one_run['created']}",
    ]
    doc = json.loads(run_cli("restore", "--list", "--format", "json").stdout)
    assert doc["version"] == 1 and doc["command"] == "restore" and doc["status"] == "ok"
    assert doc["runs"][0]["run_id"] == run.run_id
    assert doc["runs"][0]["command"] == "init"
    assert doc["runs"][0]["files"][2] == {
        "path": str(one_run["created"]),
        "client": "claude",
        "action": "created",
    }
    assert run_cli("restore", "--list", run.run_id).exit_code == 2


def test_cli_dry_run_shows_diffs_and_writes_nothing(one_run: dict[str, Path]) -> None:
    before = {k: p.read_bytes() for k, p in one_run.items()}
    runs_before = runs_on_disk()
    r = run_cli("restore", "--dry-run")
    assert r.exit_code == 0
    toml = one_run["toml"].as_posix().lstrip("/")
    assert (
        f"--- a/{toml}\n+++ b/{toml}\n@@ -1 +1 @@\n"
        "-model = 'openai/gpt-5.5'\n+model = 'mine'\n\\ No newline at end of file\n"
    ) in r.stdout
    created = one_run["created"].as_posix().lstrip("/")
    assert f"--- a/{created}\n+++ /dev/null\n@@ -1 +0,0 @@\n-export X=1\n" in r.stdout
    assert f"deleted   {one_run['created']}\n" in r.stdout
    assert r.stdout.endswith("; nothing was written\n")
    assert {k: p.read_bytes() for k, p in one_run.items()} == before
    assert runs_on_disk() == runs_before
    doc = json.loads(run_cli("restore", "--dry-run", "--format", "json").stdout)
    assert doc["dry_run"] is True and doc["run_id"] is None
    assert [f["status"] for f in doc["files"]] == ["restored", "restored", "deleted"]
    assert runs_on_disk() == runs_before


def test_cli_restore_text(one_run: dict[str, Path]) -> None:
    applied = fsio.list_runs()[0].run_id
    r = run_cli("restore", "--yes")
    assert r.exit_code == 0, r.stderr
    new = fsio.list_runs()[0].run_id
    assert r.stdout == (
        f"restored  {one_run['jsonc']}\n"
        f"restored  {one_run['toml']}\n"
        f"deleted   {one_run['created']}\n"
        f"restored run {applied}; undo this with: aigate-setup restore\n"
        f"(this restore is run {new})\n"
    )
    assert one_run["jsonc"].read_bytes() == BOM_CRLF


def test_cli_restore_json_and_warnings_on_stderr(one_run: dict[str, Path]) -> None:
    applied = fsio.list_runs()[0].run_id
    one_run["toml"].write_bytes(b"hand edit\n")
    r = run_cli("restore", "--yes", applied, "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["command"] == "restore" and doc["status"] == "ok"
    assert doc["restored_run"] == applied
    assert doc["run_id"] == fsio.list_runs()[0].run_id
    assert doc["files"] == [
        {"path": str(one_run["jsonc"]), "status": "restored"},
        {"path": str(one_run["toml"]), "status": "restored"},
        {"path": str(one_run["created"]), "status": "deleted"},
    ]
    assert len(doc["warnings"]) == 1
    one_run["toml"].write_bytes(b"second hand edit\n")
    text = run_cli("restore", "--yes")  # undo the restore, text mode: the warning goes to stderr
    assert text.exit_code == 0
    assert "warning:" not in text.stdout
    assert f"warning: {one_run['toml']} changed after run {doc['run_id']}; restoring anyway" in (
        text.stderr
    )
    assert one_run["toml"].read_bytes() == b"hand edit\n"


def test_cli_dry_run_never_shows_a_key(sandbox_home: Path) -> None:
    key = "sk-test-0123456789abcdefWXYZ"
    keyfile = sandbox_home / ".config" / "aigate" / "key"
    config = sandbox_home / "opencode.json"
    config.write_text(f'{{"apiKey": "{key}"}}\n')
    fsio.apply(
        [
            FileChange("claude", keyfile, None, key.encode(), sensitive=True),
            change(config, b'{"apiKey": "{env:AIGATE_API_KEY}"}\n'),
        ]
    )
    r = run_cli("restore", "--dry-run")
    assert r.exit_code == 0
    assert key not in r.output
    assert "(contents hidden: this file holds your key)" in r.stdout
    assert '+{"apiKey": "sk-...WXYZ"}' in r.stdout
    assert key not in (fsio.list_runs()[0].dir / "manifest.json").read_text()
    fsio.restore()
    fsio.restore()  # undo: the key file comes back, still 0600
    assert keyfile.read_text() == key
    assert mode(keyfile) == 0o600
