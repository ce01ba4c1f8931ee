"""The state file: round trip, newest values, and a damaged file never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigate_setup import state


def _record(command: str = "init", **kw: object) -> state.RunRecord:
    base: dict[str, object] = {
        "command": command,
        "at": "2026-12-02T10:00:00Z",
        "base_url": "http://127.0.0.1:9/v1",
        "key_env": "AIGATE_API_KEY",
        "clients": ("codex",),
    }
    base.update(kw)
    return state.RunRecord(**base)  # type: ignore[arg-type]


def test_missing_file_is_empty_state() -> None:
    loaded = state.load()
    assert loaded.runs == ()
    assert loaded.base_url is None
    assert state.remembered_base_url() is None


def test_round_trip_and_remembered_base_url() -> None:
    value = state.OwnedValue("codex", "/h/.codex/config.toml", "model", "a/b", "o3")
    st = state.State().with_run(_record(values=(value,), created=("/h/x",)))
    path = state.path()
    path.parent.mkdir(parents=True)
    path.write_bytes(state.dump(st))
    loaded = state.load()
    assert loaded == st
    assert state.remembered_base_url() == "http://127.0.0.1:9/v1"
    assert loaded.last_written("/h/.codex/config.toml", "model") == value
    assert loaded.created_by_us("/h/x")
    assert not loaded.created_by_us("/h/y")


def test_newest_written_and_oldest_replaced() -> None:
    p = "/h/.codex/config.toml"
    first = state.OwnedValue("codex", p, "model", "a/b", "o3")
    second = state.OwnedValue("codex", p, "model", "a/c", "a/b")
    st = state.State().with_run(_record(values=(first,))).with_run(_record(values=(second,)))
    assert st.last_written(p, "model") == second
    replaced = st.first_replaced(p, "model")
    assert replaced is not None and replaced.replaced == "o3"
    removed = st.with_run(_record("remove", values=(state.OwnedValue("codex", p, "model", None),)))
    assert removed.first_replaced(p, "model") is None


@pytest.mark.parametrize(
    "data",
    [b"{not json", b"[]", b'{"version": 99, "runs": []}', b'{"version": 1, "runs": [1]}',
     b'{"version": 1, "runs": [{"command": 5}]}', b"\xff\xfe", b"[" * 100000],
)  # fmt: skip
def test_damaged_file_warns_once_and_is_empty(data: bytes) -> None:
    path = state.path()
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    warnings: list[str] = []
    loaded = state.load(warnings.append)
    assert loaded.runs == ()
    assert loaded.problem
    assert len(warnings) == 1 and warnings[0].startswith("warning: ")


def test_invalid_remembered_url_is_ignored(tmp_path: Path) -> None:
    path = state.path()
    path.parent.mkdir(parents=True)
    path.write_bytes(state.dump(state.State().with_run(_record(base_url="ftp://x"))))
    warnings: list[str] = []
    assert state.remembered_base_url(warnings.append) is None
    assert warnings


def test_keeps_a_bounded_history() -> None:
    st = state.State()
    for i in range(state.KEEP_RUNS + 5):
        st = st.with_run(_record(at=str(i)))
    assert len(st.runs) == state.KEEP_RUNS
    assert st.runs[-1].at == str(state.KEEP_RUNS + 4)
    assert state.parse(state.dump(st)) == st


def test_change_is_a_file_change() -> None:
    ch = state.change(state.State().with_run(_record()), None)
    assert ch.path == state.path()
    assert ch.status == "created"
    assert b"AIGATE_API_KEY" in ch.new and b"sk-" not in ch.new


def test_still_ours_ends_at_a_remove() -> None:
    p = "/h/.codex/config.toml"
    wrote = state.OwnedValue("codex", p, "model_provider", "aigate", "openrouter")
    st = state.State().with_run(_record(values=(wrote,)))
    assert st.still_ours(p, "model_provider") == wrote
    put_back = state.OwnedValue("codex", p, "model_provider", "openrouter", "aigate")
    st = st.with_run(_record("remove", values=(put_back,)))
    assert st.still_ours(p, "model_provider") is None
    assert st.first_replaced(p, "model_provider") is None
    again = state.OwnedValue("codex", p, "model_provider", "aigate", "ollama")
    st = st.with_run(_record(values=(again,)))
    assert st.still_ours(p, "model_provider") == again
    first = st.first_replaced(p, "model_provider")
    assert first is not None and first.replaced == "ollama"


def test_files_and_project_dirs_round_trip() -> None:
    record = _record(files=(("codex", "/h/c.toml"),), scope="project", project_dir="/p")
    st = state.parse(state.dump(state.State().with_run(record)))
    assert st.files_of("codex") == [Path("/h/c.toml")]
    assert st.files_of("kilo") == []
    assert st.project_dirs() == [Path("/p")]
