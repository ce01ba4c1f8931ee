"""Qwen Code, Continue CLI and Aider writers: new files, merges into existing ones, idempotence,
no trailing comma for Qwen, unrender/owned_values, rules, state, and no key in any file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from hypothesis import given, settings
from hypothesis import strategies as st
from writer_support import make_selection, write

from aigate_setup import paths
from aigate_setup.clients import aider, continue_, qwen
from aigate_setup.merge import jsonc, yaml
from aigate_setup.plan import PlanError, Selection, build_changes
from aigate_setup.rules import RuleContext, validate_file

BASE = "https://api.aigate.shop/v1"


def sel(client: str, **kw: Any) -> Selection:
    return make_selection(**{"clients": (client,), **kw})


def plan(s: Selection) -> dict[Path, str]:
    return {c.path: c.new.decode() for c in build_changes(s, None)}


def rule_ids(path: Path, text: str) -> set[str]:
    return {f.rule for f in validate_file(path, text, RuleContext())}


# --- Qwen Code ------------------------------------------------------------------------------


def test_qwen_new_user_file() -> None:
    (path, text), = plan(sel("qwen", extra_models=("google/gemini-3-pro",))).items()  # fmt: skip
    assert path == paths.home() / ".qwen" / "settings.json"
    data = json.loads(text)
    assert data["$version"] == 4
    assert data["modelProviders"]["aigate"][0] == {
        "id": "openai/gpt-5.5", "name": "openai/gpt-5.5 (AIGate)",
        "envKey": "AIGATE_API_KEY", "baseUrl": BASE,
    }  # fmt: skip
    assert [e["id"] for e in data["modelProviders"]["aigate"]] == [
        "openai/gpt-5.5", "google/gemini-3-pro",
    ]  # fmt: skip
    assert data["providerProtocol"] == {"aigate": "openai"}
    assert data["security"] == {"auth": {"selectedType": "openai"}}
    assert data["model"] == {"name": "openai/gpt-5.5"}
    assert qwen.trailing_comma(text) is None
    assert rule_ids(path, text) == set()
    write(path, text)
    assert plan(sel("qwen", extra_models=("google/gemini-3-pro",)))[path] == text


def test_qwen_no_default_and_project_scope(tmp_path: Path) -> None:
    (path, text), = plan(sel("qwen", make_default=False, scope="project",
                             project_dir=tmp_path)).items()  # fmt: skip
    assert path == tmp_path / ".qwen" / "settings.json"
    data = json.loads(text)
    assert "model" not in data and "security" not in data


USER_QWEN = """{
  // my settings
  "$version": 4,
  "ui": {"theme": "Default"},
  "modelProviders": {
    "openai": [{"id": "gpt-4o", "envKey": "OPENAI_API_KEY"}]
  },
  "model": {"name": "gpt-4o", "sessionTokenLimit": 1000}
}
"""


def test_qwen_merge_keeps_user_content_and_adds_no_trailing_comma() -> None:
    path = qwen.user_file()
    write(path, USER_QWEN)
    text = plan(sel("qwen"))[path]
    assert "// my settings" in text and qwen.trailing_comma(text) is None
    data = jsonc.loads(text)
    assert data["modelProviders"]["openai"] == [{"id": "gpt-4o", "envKey": "OPENAI_API_KEY"}]
    assert data["model"] == {"name": "openai/gpt-5.5", "sessionTokenLimit": 1000}
    assert data["ui"] == {"theme": "Default"}
    owned = qwen.owned_values(path, text)
    assert owned["model.name"] == "openai/gpt-5.5"
    assert owned["security.auth.selectedType"] == "openai"
    back = qwen.unrender(path, text)
    assert back is not None
    assert jsonc.loads(back) == {
        k: v for k, v in jsonc.loads(USER_QWEN).items() if k != "model"
    } | {"model": {"sessionTokenLimit": 1000}}


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=5),
        st.one_of(st.integers(), st.text("xyz /", max_size=5), st.lists(st.integers(), max_size=3)),
        max_size=5,
    ),
    st.booleans(),
)
def test_qwen_merge_property(user: dict[str, Any], comment: bool) -> None:
    """Any user object: every user key survives, no trailing comma, a second run is a no-op."""
    text = json.dumps(user, indent=2) + "\n"
    if comment:
        text = "// mine\n" + text
    s = sel("qwen")
    out = qwen.render(s, None, qwen.user_file(), text)
    assert qwen.trailing_comma(out) is None
    data = jsonc.loads(out)
    assert {k: data[k] for k in user} == user
    assert qwen.render(s, None, qwen.user_file(), out) == out
    assert ("// mine" in out) == comment
    back = qwen.unrender(qwen.user_file(), out)
    assert (jsonc.loads(back) if back is not None else {}) == user


def test_qwen_refuses_a_trailing_comma() -> None:
    write(qwen.user_file(), '{\n  "ui": {"theme": "x"},\n}\n')
    with pytest.raises(PlanError) as err:
        build_changes(sel("qwen"), None)
    assert "trailing comma" in str(err.value)


def test_qwen_rules_and_state(tmp_path: Path) -> None:
    path = tmp_path / ".qwen" / "settings.json"
    entry = {"id": "a/b", "apiKey": TEST_KEY}
    literal = json.dumps({"modelProviders": {"aigate": [entry]}})
    assert "AIG070" in rule_ids(path, literal)
    assert "AIG071" in rule_ids(path, '{"a": 1,}')
    write(qwen.user_file(), plan(sel("qwen"))[qwen.user_file()])
    state = qwen.read_state(tmp_path)
    assert state.configured and state.aigate_default and state.key.var == "AIGATE_API_KEY"
    assert state.base_url is not None and state.base_url.value == BASE
    # A project file with modelProviders replaces the user's map: no AIGate entry any more.
    write(path, '{"modelProviders": {"openai": []}}\n')
    state = qwen.read_state(tmp_path)
    assert not state.configured and "replaces" in state.problem


# --- Continue CLI ---------------------------------------------------------------------------


def test_continue_new_file() -> None:
    (path, text), = plan(sel("continue")).items()  # fmt: skip
    assert path == paths.home() / ".continue" / "config.yaml"
    data = yaml.plain(yaml.load(text))
    assert data["name"] and data["version"]
    assert data["models"] == [{
        "name": "aigate/openai/gpt-5.5", "provider": "openai", "model": "openai/gpt-5.5",
        "apiBase": BASE, "apiKey": "${{ secrets.AIGATE_API_KEY }}",
    }]  # fmt: skip
    assert rule_ids(path, text) == set()
    write(path, text)
    assert plan(sel("continue"))[path] == text
    assert continue_.unrender(path, text) is None


USER_CONTINUE = """# my assistant
name: Mine
version: 0.0.1
models:
  # local one
  - name: local
    provider: ollama
    model: llama3
    apiKey: ${{ secrets.OLLAMA_KEY }}
context:
  - provider: code
"""


def test_continue_merge_default_first_and_no_default_last() -> None:
    path = continue_.user_file()
    write(path, USER_CONTINUE)
    text = plan(sel("continue"))[path]
    assert "# local one" in text and "${{ secrets.OLLAMA_KEY }}" in text
    models = yaml.plain(yaml.load(text))["models"]
    assert [m["name"] for m in models] == ["aigate/openai/gpt-5.5", "local"]
    back = continue_.unrender(path, text)
    assert back == USER_CONTINUE  # ruamel round-trips this style byte for byte
    write(path, USER_CONTINUE)
    text = plan(sel("continue", make_default=False))[path]
    models = yaml.plain(yaml.load(text))["models"]
    assert [m["name"] for m in models] == ["local", "aigate/openai/gpt-5.5"]
    state = continue_.read_state(Path.cwd())
    assert not state.aigate_default
    write(path, text)
    state = continue_.read_state(Path.cwd())
    assert state.configured and state.key.var == "AIGATE_API_KEY" and not state.aigate_default


def test_continue_literal_key_rule(tmp_path: Path) -> None:
    path = tmp_path / ".continue" / "config.yaml"
    text = USER_CONTINUE.replace("${{ secrets.OLLAMA_KEY }}", TEST_KEY)
    assert "AIG072" in rule_ids(path, text)
    assert "AIG001" in rule_ids(path, "models: [\n")


# --- Aider ----------------------------------------------------------------------------------


def test_aider_new_files() -> None:
    changes = plan(sel("aider"))
    conf, env = aider.user_file(), aider.env_file()
    assert set(changes) == {conf, env}
    data = yaml.plain(yaml.load(changes[conf]))
    assert data == {
        "model": "openai/openai/gpt-5.5", "openai-api-base": BASE,
        "env-file": str(env), "analytics-disable": True,
    }  # fmt: skip
    assert Path(data["env-file"]).is_absolute()
    assert changes[env].splitlines()[-1] == "OPENAI_API_KEY=${AIGATE_API_KEY}"
    assert rule_ids(conf, changes[conf]) == set()
    for path, text in changes.items():
        write(path, text)
    assert plan(sel("aider")) == changes


def test_aider_merge_is_byte_exact_and_unrender_gives_the_file_back() -> None:
    conf = aider.user_file()
    user = "# my aider\ndark-mode: true  # eyes\nmodel: gpt-4o\n\nauto-commits: false\n"
    write(conf, user)
    text = plan(sel("aider"))[conf]
    assert text.startswith("# my aider\ndark-mode: true  # eyes\nmodel: openai/openai/gpt-5.5\n")
    assert aider.owned_values(conf, text)["model"] == "openai/openai/gpt-5.5"
    back = aider.unrender(conf, text)
    assert back == "# my aider\ndark-mode: true  # eyes\n\nauto-commits: false\n"
    assert aider.unrender(aider.env_file(), "x") is None


def test_aider_project_scope_and_rules(tmp_path: Path) -> None:
    changes = plan(sel("aider", scope="project", project_dir=tmp_path))
    assert set(changes) == {tmp_path / ".aider.conf.yml", aider.env_file()}
    path = tmp_path / ".aider.conf.yml"
    assert "AIG073" in rule_ids(path, f"openai-api-key: {TEST_KEY}\n")
    assert "AIG074" in rule_ids(path, "env-file: ~/.config/aigate/aider.env\n")
    for p, text in changes.items():
        write(p, text)
    state = aider.read_state(tmp_path)
    assert state.configured and state.aigate_default and state.model == "openai/gpt-5.5"
    assert state.key.var == "AIGATE_API_KEY"


# --- every client --------------------------------------------------------------------------


@pytest.mark.parametrize("client", ["qwen", "continue", "aider"])
@pytest.mark.parametrize("scope", ["user", "project"])
def test_no_key_in_any_file_written(
    client: str, scope: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIGATE_API_KEY", TEST_KEY)
    for path, text in plan(sel(client, scope=scope, project_dir=tmp_path)).items():
        assert TEST_KEY not in text, path
        assert "sk-" not in text, path


def test_yes_default_stays_the_first_four() -> None:
    from aigate_setup.constants import CLIENTS, DEFAULT_CLIENTS

    assert DEFAULT_CLIENTS == ("codex", "opencode", "kilo", "claude")
    assert set(CLIENTS) - set(DEFAULT_CLIENTS) == {"qwen", "continue", "aider"}


def test_wizard_offers_new_clients_only_when_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aigate_setup.commands.init_questions import client_choices

    monkeypatch.setenv("PATH", str(tmp_path))
    assert [c for _, c, _ in client_choices(tmp_path)] == ["codex", "opencode", "kilo", "claude"]
    write(qwen.user_file(), "{}\n")
    binary = tmp_path / "cn"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    choices = {c: (title, pre) for title, c, pre in client_choices(tmp_path)}
    assert set(choices) == {"codex", "opencode", "kilo", "claude", "qwen", "continue"}
    assert choices["qwen"] == ("qwen  (configured)", True)
    assert choices["continue"] == ("continue  (installed)", True)
    assert choices["codex"][1] is False


def test_init_notes_the_aider_git_question(fake_gateway: Any) -> None:
    from conftest import run_cli

    result = run_cli(
        "init", "--yes", "--client", "aider", "--model", "openai/gpt-5.5",
        "--base-url", fake_gateway.base_url, "--no-smoke-test",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "git init" in result.output


def test_check_finds_the_new_clients_files_in_a_tree(tmp_path: Path) -> None:
    from conftest import run_cli

    write(tmp_path / ".aider.conf.yml", f"openai-api-key: {TEST_KEY}\n")
    write(tmp_path / ".qwen" / "settings.json", '{"model": {"name": "a/b"},}\n')
    write(tmp_path / ".continue" / "config.yaml", "models:\n  - name: x\n    apiKey: plain-key\n")
    result = run_cli("check", "--format", "json", str(tmp_path))
    assert result.exit_code == 1, result.output
    found = {(Path(f["path"]).name, f["rule"]) for f in json.loads(result.stdout)["findings"]}
    assert {(".aider.conf.yml", "AIG073"), ("settings.json", "AIG071"),
            ("config.yaml", "AIG072")} <= found  # fmt: skip
    assert TEST_KEY not in result.output
