"""`aigate-setup remove` through the CLI: files on disk, output, state file, restore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from init_support import init, init_json, snapshot

from aigate_setup import fsio, paths, state
from aigate_setup.testing import FakeGateway

MODEL = "openai/gpt-5.5"
CODEX_BEFORE = (
    '# my settings\nmodel_provider = "openrouter"  # mine\nmodel = "o3"\n\n'
    '[model_providers.openrouter]\nname = "OpenRouter"\nbase_url = "https://openrouter.ai/api/v1"\n'
    'env_key = "OPENROUTER_API_KEY"\n'
)
OPENCODE_BEFORE = '{\n  // mine\n  "model": "ollama/qwen3",\n  "theme": "dark"\n}\n'


def codex_file() -> Path:
    return paths.codex_home() / "config.toml"


def opencode_file() -> Path:
    return paths.xdg_config_home() / "opencode" / "opencode.json"


def seed() -> None:
    codex_file().parent.mkdir(parents=True, exist_ok=True)
    codex_file().write_text(CODEX_BEFORE)
    opencode_file().parent.mkdir(parents=True, exist_ok=True)
    opencode_file().write_text(OPENCODE_BEFORE)


def remove(*args: str) -> tuple[int, dict[str, Any], str]:
    r = run_cli("remove", "--yes", "--format", "json", *args)
    return r.exit_code, json.loads(r.stdout), r.stderr


def test_init_then_remove_gives_every_file_back(fake_gateway: FakeGateway) -> None:
    seed()
    root = paths.home()
    before = snapshot(root)
    r = init(fake_gateway, "--model", MODEL, "--no-smoke-test")
    assert r.exit_code == 0, r.stderr
    assert state.path().is_file()
    code, doc, err = remove()
    assert code == 0, err
    assert doc["command"] == "remove" and doc["status"] == "ok"
    assert {f["status"] for f in doc["files"]} <= {"updated", "deleted"}
    after = {k: v for k, v in snapshot(root).items() if not k.startswith(".local/state")}
    assert after == {k: v for k, v in before.items() if not k.startswith(".local/state")}
    defaults = {d["client"]: d for d in doc["defaults"]}
    assert defaults["codex"]["after"] == {"provider": "openrouter", "model": "o3"}
    assert defaults["opencode"]["after"] == {"provider": "ollama", "model": "qwen3"}
    # the remove is a run: restore gives the init result back
    fsio.restore()  # (in-process: the CLI's restore asks first in newer versions)
    assert "aigate" in codex_file().read_text()
    last = state.load().last("init")
    assert last is not None and last.base_url == fake_gateway.base_url


def test_remove_dry_run_writes_nothing_and_without_tty_needs_yes(
    fake_gateway: FakeGateway,
) -> None:
    seed()
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    written = codex_file().read_bytes()
    r = run_cli("remove", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert '-model_provider = "aigate"' in r.stdout.replace("  # mine", "")
    assert codex_file().read_bytes() == written
    r = run_cli("remove")
    assert r.exit_code == 2
    assert "--yes" in r.stderr
    assert codex_file().read_bytes() == written


def test_hand_edited_default_is_kept_and_said(fake_gateway: FakeGateway) -> None:
    seed()
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    text = codex_file().read_text().replace(f'model = "{MODEL}"', 'model = "openai/gpt-5.4"')
    codex_file().write_text(text)
    code, doc, _ = remove("--client", "codex")
    assert code == 0
    out = codex_file().read_text()
    assert "[model_providers.aigate]" not in out
    assert 'model = "openai/gpt-5.4"' in out  # the user's choice stays
    assert any("model" in line for line in doc["left"])
    assert opencode_file().read_text() != OPENCODE_BEFORE  # --client codex only


def test_remove_without_state_file_takes_out_what_it_recognises(
    fake_gateway: FakeGateway,
) -> None:
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    state.path().unlink()
    for run in paths.backups_dir().iterdir():  # another machine's run: no backups either
        for f in run.iterdir():
            f.unlink()
        run.rmdir()
    code, doc, _ = remove()
    assert code == 0
    assert not codex_file().exists()  # it held nothing else
    assert not opencode_file().exists()
    assert any("state file is missing" in line for line in doc["left"])
    codex = next(d for d in doc["defaults"] if d["client"] == "codex")
    assert codex["after"] is None and codex["fallback"]


def test_corrupt_state_file_warns_once_and_never_crashes(fake_gateway: FakeGateway) -> None:
    seed()
    state.path().parent.mkdir(parents=True, exist_ok=True)
    state.path().write_bytes(b"{not json")
    r, _ = init_json(fake_gateway, "--model", MODEL, "--no-smoke-test")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("state.json is damaged") == 1
    assert state.load().problem is None  # the run wrote a new one
    state.path().write_bytes(b"\x00\xff")
    code, _, err = remove()
    assert code == 0
    assert err.count("state.json is damaged") == 1


def test_unchanged_rerun_writes_no_state(fake_gateway: FakeGateway) -> None:
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    first = state.path().read_bytes()
    runs = sorted(paths.backups_dir().iterdir())
    r, doc = init_json(fake_gateway, "--model", MODEL, "--no-smoke-test")
    assert r.exit_code == 0
    assert {f["status"] for f in doc["files"]} == {"unchanged"}
    assert state.path().read_bytes() == first
    assert sorted(paths.backups_dir().iterdir()) == runs


def test_remove_with_nothing_to_remove(fake_gateway: FakeGateway) -> None:
    seed()
    code, doc, _ = remove()
    assert code == 0
    assert doc["outcome"] == "nothing"
    assert codex_file().read_text() == CODEX_BEFORE
    assert not state.path().exists()


def test_delete_key_only_when_asked(fake_gateway: FakeGateway) -> None:
    key = paths.aigate_config_dir() / "key"
    key.parent.mkdir(parents=True)
    key.write_text("sk-kept\n")
    key.chmod(0o600)
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    remove()
    assert key.exists()
    code, doc, _ = remove("--delete-key")
    assert code == 0
    assert not key.exists()
    assert "sk-kept" not in json.dumps(doc)


def test_edited_files_get_their_defaults_back_from_the_state_file(
    fake_gateway: FakeGateway,
) -> None:
    seed()
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    # Edits elsewhere in both files: the backups no longer match, the state file still knows.
    extra = "[tui]\nx = 1\n\n[model_providers.openrouter]"
    codex_file().write_text(codex_file().read_text().replace("[model_providers.openrouter]", extra))
    text = opencode_file().read_text().replace('"theme": "dark"', '"theme": "light"')
    opencode_file().write_text(text)
    code, doc, err = remove()
    assert code == 0, err
    assert codex_file().read_text() == CODEX_BEFORE.replace("[model_providers.openrouter]", extra)
    assert opencode_file().read_text() == OPENCODE_BEFORE.replace("dark", "light")
    assert {d["client"]: d["restored"] for d in doc["defaults"]} == {
        "codex": True,
        "opencode": True,
        "kilo": False,  # init created its file: deleted, Kilo falls back to its own default
    }
    # recorded as a remove run: a later init replaces nothing of aigate-setup's own
    last = state.load().last("remove")
    assert last is not None and ("codex", str(codex_file())) in last.files


def test_an_unparsable_file_stops_remove_with_its_position(fake_gateway: FakeGateway) -> None:
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    written = opencode_file().read_bytes()
    codex_file().write_text("model = \n")
    r = run_cli("remove", "--yes")
    assert r.exit_code == 1
    assert f"{codex_file()}:1:" in r.stderr
    assert opencode_file().read_bytes() == written  # all or nothing


def test_a_new_writer_plugs_in_with_one_entry(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aigate_setup.commands import remove_writers

    startup = paths.home() / ".custom_startup"  # a file no built-in writer knows
    startup.write_text(
        "alias ll='ls -l'\n# >>> aigate-setup >>>\n. ~/.config/aigate/env.sh\n# <<< aigate-setup <<<\n"
    )

    def unrender(path: Path, text: str) -> str | None:
        return text.split("# >>> aigate-setup >>>")[0] or None

    writer = remove_writers.Writer("shell", lambda where: [startup], unrender)
    monkeypatch.setattr(remove_writers, "WRITERS", [*remove_writers.WRITERS, writer])
    monkeypatch.setattr("aigate_setup.commands.remove.WRITERS", remove_writers.WRITERS)
    code, doc, _ = remove()
    assert code == 0
    assert startup.read_text() == "alias ll='ls -l'\n"
    assert {"client": "shell", "path": str(startup), "status": "updated"} in doc["files"]


def test_an_unreadable_state_file_does_not_stop_init(fake_gateway: FakeGateway) -> None:
    state.path().mkdir(parents=True)  # a directory where the file should be
    r = init(fake_gateway, "--model", MODEL, "--no-smoke-test", "--client", "codex")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("state.json cannot be read") == 1
    assert "[model_providers.aigate]" in codex_file().read_text()


def test_project_scope_files_are_found_through_the_state_file(
    fake_gateway: FakeGateway, tmp_path: Path
) -> None:
    seed()
    project = tmp_path / "proj"
    project.mkdir()
    (project / "opencode.json").write_text('{\n  "theme": "dark"\n}\n')
    before = snapshot(tmp_path)
    args = ("--model", MODEL, "--no-smoke-test", "--scope", "project")
    r = init(fake_gateway, *args, "--project-dir", str(project))
    assert r.exit_code == 0, r.stderr
    assert (project / "kilo.jsonc").is_file()
    assert (project / ".aigate" / "aigate-claude.sh").is_file()
    code, _, err = remove()  # from another directory, without --project-dir
    assert code == 0, err
    after = snapshot(tmp_path)
    state_dir = str(paths.state_dir().relative_to(tmp_path))
    assert {k: v for k, v in after.items() if not k.startswith(state_dir)} == {
        k: v for k, v in before.items() if not k.startswith(state_dir)
    }
    assert not (project / ".aigate").exists()  # the directory init made for the script
    assert not (paths.xdg_config_home() / "kilo").exists()
