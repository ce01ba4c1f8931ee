"""Kilo writer: provider in the user kilo.jsonc, only `model` in a project file, legacy export."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

import pytest
from writer_support import make_selection, write

from aigate_setup import paths
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import kilo
from aigate_setup.merge import jsonc
from aigate_setup.plan import Selection, build_changes
from aigate_setup.rules import RuleContext, validate_file

BASE = "https://api.aigate.shop/v1"
KEY = "sk-test-0123456789abcdefWXYZ"
CATALOG = Catalog(
    models=(
        Model("openai/gpt-5.5", "chat", ("codex", "opencode", "kilo"), context_length=400000,
              max_output_tokens=128000, name="GPT 5.5"),
    ),
    source="test",
)  # fmt: skip


def sel(**kw: Any) -> Selection:
    return make_selection(**{**{"clients": ("kilo",)}, **kw})


def kilo_dir() -> Path:
    return paths.xdg_config_home() / "kilo"


def test_new_user_file() -> None:
    (change,) = build_changes(sel(), CATALOG)
    assert change.path == kilo_dir() / "kilo.jsonc"
    data = json.loads(change.new)
    assert data["$schema"] == "https://app.kilo.ai/config.json"
    assert data["model"] == "aigate/openai/gpt-5.5"
    assert data["provider"]["aigate"]["options"] == {
        "baseURL": BASE,
        "apiKey": "{env:AIGATE_API_KEY}",
    }
    assert "enabled_providers" not in data
    assert validate_file(change.path, change.new.decode(), RuleContext(catalog=CATALOG)) == []


def test_existing_kilo_json_is_edited_instead() -> None:
    write(kilo_dir() / "kilo.json", '{\n  "theme": "dark"\n}\n')
    (change,) = build_changes(sel(), CATALOG)
    assert change.path == kilo_dir() / "kilo.json"
    assert json.loads(change.new)["theme"] == "dark"


def test_project_scope_splits_provider_and_model(tmp_path: Path) -> None:
    write(kilo_dir() / "kilo.jsonc", '{\n  // mine\n  "model": "kilo/auto"\n}\n')
    user, project = build_changes(sel(scope="project", project_dir=tmp_path), CATALOG)
    assert user.path == kilo_dir() / "kilo.jsonc"
    assert project.path == tmp_path / "kilo.jsonc"
    user_data = jsonc.loads(user.new.decode())
    assert user_data["model"] == "kilo/auto"  # the global default is not ours to change
    assert user_data["provider"]["aigate"]["name"] == "AIGate"
    assert json.loads(project.new) == {
        "$schema": "https://app.kilo.ai/config.json",
        "model": "aigate/openai/gpt-5.5",
    }
    text = project.new.decode()
    assert "{env:" not in text and "{file:" not in text
    assert kilo.file_kind(project.path) == "kilo-project"
    assert validate_file(project.path, text, RuleContext(catalog=CATALOG)) == []


def test_project_scope_edits_an_existing_project_kilo_json(tmp_path: Path) -> None:
    write(tmp_path / "kilo.json", '{"instructions": ["AGENTS.md"]}')
    _, project = build_changes(sel(scope="project", project_dir=tmp_path), CATALOG)
    assert project.path == tmp_path / "kilo.json"
    assert json.loads(project.new) == {
        "instructions": ["AGENTS.md"],
        "model": "aigate/openai/gpt-5.5",
    }
    assert "$schema" not in project.new.decode()


def test_project_scope_without_default_writes_no_project_file(tmp_path: Path) -> None:
    changes = build_changes(sel(scope="project", project_dir=tmp_path, make_default=False), None)
    assert [c.path for c in changes] == [kilo_dir() / "kilo.jsonc"]
    assert "model" not in json.loads(changes[0].new)


def test_enabled_providers_gains_aigate_once() -> None:
    write(kilo_dir() / "kilo.jsonc", '{\n  "enabled_providers": ["anthropic"]\n}\n')
    (change,) = build_changes(sel(), CATALOG)
    assert jsonc.loads(change.new.decode())["enabled_providers"] == ["anthropic", "aigate"]
    write(kilo_dir() / "kilo.jsonc", change.new.decode())
    (again,) = build_changes(sel(), CATALOG)
    assert again.status == "unchanged"


def test_rerun_is_unchanged_in_project_scope(tmp_path: Path) -> None:
    s = sel(scope="project", project_dir=tmp_path)
    for change in build_changes(s, CATALOG):
        write(change.path, change.new.decode())
    assert {c.status for c in build_changes(s, CATALOG)} == {"unchanged"}


def test_config_paths_cover_every_file_kilo_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    project = Path.cwd()
    found = dict(kilo.config_paths(project))
    g = kilo_dir()
    for name in ("config.json", "kilo.json", "kilo.jsonc", "opencode.json", "opencode.jsonc"):
        assert found[g / name] == "kilo-user"
    for rel in (
        "kilo.json",
        "kilo.jsonc",
        "opencode.jsonc",
        ".kilo/kilo.jsonc",
        ".kilocode/kilo.json",
    ):
        assert found[project / rel] == "kilo-project"  # fmt: skip
    assert project / ".opencode" / "opencode.json" not in found  # Kilo 7.7 reads no .opencode
    home = paths.home()
    assert found[home / ".kilo" / "kilo.json"] == "kilo-user"
    assert found[home / ".kilocode" / "kilo.json"] == "kilo-user"
    order = [p for p, _ in kilo.config_paths(project)]
    assert order.index(g / "kilo.jsonc") < order.index(project / "kilo.jsonc")
    assert order.index(project / "kilo.json") < order.index(project / "kilo.jsonc")
    # .kilo wins over .kilocode; $HOME's over the project's (tests/test_resolve_layers.py)
    assert order.index(project / ".kilocode" / "kilo.json") < order.index(
        project / ".kilo" / "kilo.json"
    )
    assert order.index(project / ".kilo" / "opencode.json") < order.index(
        home / ".kilocode" / "kilo.jsonc"
    )


def test_windows_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setattr(paths, "home", lambda: PureWindowsPath("C:/Users/me"))
    # paths.home() is patched to a PureWindowsPath: widen the declared type to compare.
    found: Sequence[PurePath] = kilo.target_paths("user", Path.cwd())
    assert found == [PureWindowsPath(r"C:\Users\me\.config\kilo\kilo.jsonc")]


def test_legacy_export(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIGATE_API_KEY", KEY)
    text = kilo.legacy_export(sel())
    doc = json.loads(text)
    profiles = doc["providerProfiles"]
    assert profiles["currentApiConfigName"] == "aigate"
    assert profiles["apiConfigs"]["aigate"] == {
        "id": "aigate",
        "apiProvider": "openai",
        "openAiBaseUrl": BASE,
        "openAiModelId": "openai/gpt-5.5",
        "openAiApiKey": "",
    }
    assert KEY not in text


def test_legacy_instructions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIGATE_API_KEY", KEY)
    text = kilo.legacy_instructions(sel())
    assert "OpenAI Compatible" in text
    assert f"Base URL:      {BASE}\n" in text
    assert "Model:         openai/gpt-5.5\n" in text
    assert "$AIGATE_API_KEY" in text
    assert KEY not in text
    assert "import" not in text.lower()
    with_file = kilo.legacy_instructions(sel(), tmp_path / "kilo-settings.json")
    assert str(tmp_path / "kilo-settings.json") in with_file
    assert "paste your key" in with_file


def test_config_paths_from_home_name_each_file_once_as_user_files() -> None:
    found = kilo.config_paths(paths.home())
    assert len({p for p, _ in found}) == len(found)
    assert dict(found)[paths.home() / ".kilo" / "kilo.json"] == "kilo-user"
