"""fsio deletes a file within a run (what `remove` needs), and `restore` puts it back."""

from __future__ import annotations

from pathlib import Path

from aigate_setup import fsio, paths, state


def test_a_run_deletes_a_file_and_restore_brings_it_back(tmp_path: Path) -> None:
    gone = tmp_path / "gone.json"
    gone.write_bytes(b'{"a": 1}\n')
    gone.chmod(0o640)
    kept = tmp_path / "kept.toml"
    kept.write_bytes(b"x = 1\n")
    changes = [
        fsio.FileChange("opencode", gone, gone.read_bytes(), b"", delete=True),
        fsio.FileChange("codex", kept, b"x = 1\n", b"x = 2\n"),
    ]
    assert [c.status for c in changes] == ["deleted", "updated"]
    result = fsio.apply(changes, command="remove")
    assert [s for _, s in result.statuses] == ["deleted", "updated"]
    assert not gone.exists()
    run = fsio.find_run(result.run_id)
    assert run.command == "remove"
    assert [f.action for f in run.files] == ["deleted", "modified"]
    assert "-{" in fsio.unified_diff(changes[0]) and "+++ /dev/null" in fsio.unified_diff(
        changes[0]
    )
    fsio.restore(result.run_id)
    assert gone.read_bytes() == b'{"a": 1}\n'
    assert gone.stat().st_mode & 0o777 == 0o640
    assert kept.read_bytes() == b"x = 1\n"


def test_deleting_a_missing_file_is_unchanged(tmp_path: Path) -> None:
    change = fsio.FileChange("codex", tmp_path / "none", None, b"", delete=True)
    assert change.status == "unchanged"
    assert fsio.apply([change], command="remove").run_id is None


def test_the_state_file_is_part_of_a_run_and_restored(tmp_path: Path) -> None:
    target = tmp_path / "c.toml"
    record = state.RunRecord("init", state.now(), "https://x/v1", "AIGATE_API_KEY")
    st = state.State().with_run(record)
    result = fsio.apply(
        [fsio.FileChange("codex", target, None, b"x = 1\n"), state.change(st, None)],
        command="init",
    )
    assert state.load().runs == (record,)
    assert str(paths.state_file()) in [str(f.path) for f in fsio.find_run(result.run_id).files]
    fsio.restore(result.run_id)
    assert not state.path().exists()
    assert not target.exists()
