"""init and the state file: hand edits (scripted), replaced defaults, --no-default next
steps, and Codex's user-wide default in project scope."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli
from init_support import init, init_json
from test_remove import CODEX_BEFORE, MODEL, codex_file, opencode_file, seed

from aigate_setup import state
from aigate_setup.testing import FakeGateway


def test_scripted_rerun_reports_a_hand_edit_in_json_and_text(fake_gateway: FakeGateway) -> None:
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    text = codex_file().read_text()
    codex_file().write_text(text.replace(f'model = "{MODEL}"', 'model = "my/edit"'))
    r, doc = init_json(fake_gateway, "--model", MODEL, "--no-smoke-test", "--client", "codex")
    assert r.exit_code == 0, r.stderr
    assert doc["replaced"] == [
        {"key": "model", "old": "my/edit", "new": MODEL, "file": str(codex_file())}
    ]
    assert f'model = "{MODEL}"' in codex_file().read_text()  # --yes overwrites, as asked
    codex_file().write_text(text.replace(f'model = "{MODEL}"', 'model = "my/edit"'))
    r = init(fake_gateway, "--model", MODEL, "--no-smoke-test", "--client", "codex")
    assert "replaced: ~/.codex/config.toml: model was changed by hand" in r.stdout


def test_no_hand_edit_when_the_user_changed_nothing(fake_gateway: FakeGateway) -> None:
    assert init(fake_gateway, "--model", MODEL, "--no-smoke-test").exit_code == 0
    r, doc = init_json(fake_gateway, "--model", "openai/gpt-5.5-mini", "--no-smoke-test")
    assert r.exit_code == 0, r.stderr
    assert doc["replaced"] == []


def test_replaced_defaults_are_said_in_text_and_json(fake_gateway: FakeGateway) -> None:
    seed()
    r, doc = init_json(fake_gateway, "--model", MODEL, "--no-smoke-test")
    assert r.exit_code == 0, r.stderr
    replaced = {d["client"]: d for d in doc["defaults_replaced"]}
    assert replaced["codex"]["old"] == {"provider": "openrouter", "model": "o3"}
    assert replaced["codex"]["new"] == {"provider": "aigate", "model": MODEL}
    assert replaced["opencode"]["old"] == {"provider": "ollama", "model": "qwen3"}
    assert "Codex defaulted to openrouter / o3; now aigate / openai/gpt-5.5" in r.stderr
    last = state.load().last("init")
    assert last is not None
    values = {(v.client, v.key): v for v in last.values}
    assert values["codex", "model_provider"].replaced == "openrouter"
    assert values["codex", "model_provider"].written == "aigate"
    assert values["opencode", "model"].replaced == "ollama/qwen3"


def test_no_default_next_steps_name_the_flags_that_pick_aigate(
    fake_gateway: FakeGateway,
) -> None:
    seed()
    r = init(fake_gateway, "--model", MODEL, "--no-smoke-test", "--no-default")
    assert r.exit_code == 0, r.stderr
    assert codex_file().read_text().startswith(CODEX_BEFORE)
    steps = r.stdout.split("Next steps:")[1]
    assert f"codex -c model_provider=aigate -m {MODEL}" in steps
    assert f"opencode -m aigate/{MODEL}" in steps
    assert "\n  codex:     codex\n" not in steps
    assert "Codex defaulted" not in r.stdout
    assert '"model": "ollama/qwen3"' in opencode_file().read_text()


def test_project_scope_says_codex_default_is_user_wide(
    fake_gateway: FakeGateway, tmp_path: Path
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    args = ("--model", MODEL, "--no-smoke-test", "--scope", "project")
    r, doc = init_json(fake_gateway, *args, "--project-dir", str(project), "--client", "codex")
    assert r.exit_code == 0, r.stderr
    assert len(doc["notices"]) == 1
    assert "user-wide setting" in doc["notices"][0]
    assert "user-wide setting" in r.stderr


def test_after_remove_the_users_new_default_is_a_replaced_default_not_a_hand_edit(
    fake_gateway: FakeGateway,
) -> None:
    seed()
    args = ("--model", MODEL, "--no-smoke-test", "--client", "codex")
    assert init(fake_gateway, *args).exit_code == 0
    assert run_cli("remove", "--yes").exit_code == 0
    codex_file().write_text(CODEX_BEFORE.replace('"openrouter"  # mine', '"ollama"  # mine', 1))
    r, doc = init_json(fake_gateway, *args)
    assert r.exit_code == 0, r.stderr
    assert doc["replaced"] == []
    assert [d["old"] for d in doc["defaults_replaced"]] == [{"provider": "ollama", "model": "o3"}]
    assert run_cli("remove", "--yes").exit_code == 0
    assert 'model_provider = "ollama"' in codex_file().read_text()
