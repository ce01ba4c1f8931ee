"""OpenCode writer: opencode.json(c), provider.aigate + root model, comments kept."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

import pytest
from writer_support import make_selection, write

from aigate_setup import paths
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import opencode
from aigate_setup.merge import jsonc
from aigate_setup.plan import PlanError, Selection, build_changes
from aigate_setup.rules import RuleContext, validate_file

BASE = "https://api.aigate.shop/v1"
CATALOG = Catalog(
    models=(
        Model("openai/gpt-5.5", "chat", ("codex", "opencode", "kilo"), context_length=400000,
              max_output_tokens=128000, name="GPT 5.5"),
        Model("google/gemini-3-pro", "chat", ("opencode", "kilo"), context_length=1000000),
        Model("deepseek/deepseek-v3.2", "chat", ("opencode", "kilo")),
    ),
    source="test",
)  # fmt: skip


def sel(**kw: Any) -> Selection:
    return make_selection(
        **{**{"clients": ("opencode",), "extra_models": ("google/gemini-3-pro",)}, **kw}
    )


def user_file(name: str = "opencode.json") -> Path:
    return paths.xdg_config_home() / "opencode" / name


def run(s: Selection, catalog: Catalog | None = CATALOG) -> tuple[Path, str]:
    (change,) = build_changes(s, catalog)
    return change.path, change.new.decode()


AIGATE = {
    "npm": "@ai-sdk/openai-compatible",
    "name": "AIGate",
    "options": {"baseURL": BASE, "apiKey": "{env:AIGATE_API_KEY}"},
    "models": {
        "openai/gpt-5.5": {"name": "GPT 5.5", "limit": {"context": 400000, "output": 128000}},
        # context known but not output: no limit at all
        "google/gemini-3-pro": {"name": "google/gemini-3-pro"},
    },
}


def test_new_user_file() -> None:
    path, text = run(sel())
    assert path == user_file()
    assert json.loads(text) == {
        "$schema": "https://opencode.ai/config.json",
        "model": "aigate/openai/gpt-5.5",
        "provider": {"aigate": AIGATE},
    }
    assert validate_file(path, text, RuleContext(catalog=CATALOG)) == []


def test_new_file_without_catalog_uses_ids_as_names() -> None:
    _, text = run(sel(extra_models=("openai/gpt-5.5",)), None)
    models = json.loads(text)["provider"]["aigate"]["models"]
    assert models == {"openai/gpt-5.5": {"name": "openai/gpt-5.5"}}


def test_project_scope_and_jsonc_twin(tmp_path: Path) -> None:
    path, _ = run(sel(scope="project", project_dir=tmp_path))
    assert path == tmp_path / "opencode.json"
    write(tmp_path / "opencode.jsonc", "{}\n")
    path, _ = run(sel(scope="project", project_dir=tmp_path))
    assert path == tmp_path / "opencode.jsonc"
    write(user_file("opencode.jsonc"), "{}\n")
    assert opencode.target_paths("user", tmp_path) == [user_file("opencode.jsonc")]


def test_no_default_leaves_the_model_alone() -> None:
    write(user_file(), '{"model": "anthropic/claude-sonnet-4"}\n')
    _, text = run(sel(make_default=False))
    data = json.loads(text)
    assert data["model"] == "anthropic/claude-sonnet-4"
    assert data["provider"]["aigate"]["options"]["baseURL"] == BASE
    _, fresh = run(sel(make_default=False, scope="project", project_dir=Path.cwd()))
    assert "model" not in json.loads(fresh)


USER_JSONC = """\
{
    // my OpenCode settings
    "theme": "tokyonight",
    "provider": {
        "local": {
            "npm": "@ai-sdk/openai-compatible",
            "options": { "baseURL": "http://localhost:11434/v1" },
        },
        /* set up by hand */
        "aigate": {
            "options": {
                "baseURL": "https://old.aigate.example/v1",
                "headers": { "X-Team": "core" },
            },
            "models": {
                "openai/gpt-5.5": { "name": "My GPT", "options": { "reasoningEffort": "high" } },
                "mistral/large": {},
            },
        },
    },
    "model": "local/qwen",
}
"""


def test_existing_jsonc_keeps_user_content_and_fixes_owned_values() -> None:
    path = user_file("opencode.jsonc")
    write(path, USER_JSONC)
    got_path, text = run(sel())
    assert got_path == path
    data = jsonc.loads(text)
    assert data["theme"] == "tokyonight"
    assert data["model"] == "aigate/openai/gpt-5.5"
    assert data["provider"]["local"] == {
        "npm": "@ai-sdk/openai-compatible",
        "options": {"baseURL": "http://localhost:11434/v1"},
    }
    ours = data["provider"]["aigate"]
    assert ours["npm"] == "@ai-sdk/openai-compatible"
    assert ours["name"] == "AIGate"
    assert ours["options"] == {
        "baseURL": BASE,
        "headers": {"X-Team": "core"},
        "apiKey": "{env:AIGATE_API_KEY}",
    }
    assert ours["models"]["openai/gpt-5.5"] == {
        "name": "GPT 5.5",
        "options": {"reasoningEffort": "high"},
        "limit": {"context": 400000, "output": 128000},
    }
    assert ours["models"]["mistral/large"] == {}
    assert ours["models"]["google/gemini-3-pro"] == {"name": "google/gemini-3-pro"}
    for line in (
        "    // my OpenCode settings",
        "        /* set up by hand */",
        '            "options": { "baseURL": "http://localhost:11434/v1" },',
    ):
        assert line + "\n" in text  # fmt: skip
    assert "old.aigate.example" not in text


def test_rerun_is_unchanged() -> None:
    write(user_file("opencode.jsonc"), USER_JSONC)
    _, first = run(sel())
    write(user_file("opencode.jsonc"), first)
    (change,) = build_changes(sel(), CATALOG)
    assert change.status == "unchanged"
    # and on a file we created ourselves
    user_file("opencode.jsonc").unlink()
    _, created = run(sel())
    write(user_file(), created)
    (change,) = build_changes(sel(), CATALOG)
    assert change.status == "unchanged"


def test_a_name_without_catalog_does_not_overwrite_a_known_one() -> None:
    _, text = run(sel())
    write(user_file(), text)
    (change,) = build_changes(sel(), None)
    assert change.status == "unchanged"


def test_enabled_and_disabled_provider_lists_stay_consistent() -> None:
    write(
        user_file(),
        '{\n  "enabled_providers": ["anthropic"],\n  "disabled_providers": ["aigate", "x"]\n}\n',
    )
    _, text = run(sel())
    data = json.loads(text)
    assert data["enabled_providers"] == ["anthropic", "aigate"]
    assert data["disabled_providers"] == ["x"]


def test_comment_only_file_keeps_its_comments() -> None:
    write(user_file(), "// nothing here yet\n")
    _, text = run(sel())
    assert text.startswith("// nothing here yet\n{\n")
    assert jsonc.loads(text)["provider"]["aigate"]["name"] == "AIGate"


@pytest.mark.parametrize(
    ("content", "line", "needle"),
    [
        ('{\n  "provider": {\n    "aigate": {,}\n  }\n}\n', 3, ""),
        ('{\n  "provider": "aigate"\n}\n', 2, "provider"),
        ('{\n  "provider": {"aigate": {"models": []}}\n}\n', 2, "provider.aigate.models"),
        ('[1, 2]\n', 1, "top level"),
        ('{"enabled_providers": "aigate"}', 1, "enabled_providers"),
    ],
)  # fmt: skip
def test_unusable_file_is_reported(content: str, line: int, needle: str) -> None:
    write(user_file(), content)
    with pytest.raises(PlanError) as info:
        build_changes(sel(), CATALOG)
    assert info.value.path == user_file()
    assert info.value.line == line
    assert needle in str(info.value)
    assert str(info.value).startswith(f"{user_file()}:{line}:")


def test_config_paths_in_load_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENCODE_CONFIG", str(tmp_path / "custom.json"))
    project = Path.cwd()
    g = paths.xdg_config_home() / "opencode"
    assert [p for p, _ in opencode.config_paths(project)] == [
        g / "config.json",
        g / "opencode.json",
        g / "opencode.jsonc",
        tmp_path / "custom.json",
        project / "opencode.json",
        project / "opencode.jsonc",
        project / ".opencode" / "opencode.json",
        project / ".opencode" / "opencode.jsonc",
        paths.home() / ".opencode" / "opencode.json",
        paths.home() / ".opencode" / "opencode.jsonc",
    ]
    assert {k for _, k in opencode.config_paths(project)} == {"opencode"}


def test_windows_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setattr(paths, "home", lambda: PureWindowsPath("C:/Users/me"))
    # paths.home() is patched to a PureWindowsPath: widen the declared type to compare.
    found: Sequence[PurePath] = opencode.target_paths("user", Path.cwd())
    assert found == [PureWindowsPath(r"C:\Users\me\.config\opencode\opencode.json")]


def test_config_paths_from_home_name_each_file_once() -> None:
    listed = [p for p, _ in opencode.config_paths(paths.home())]
    assert len(listed) == len(set(listed))
    assert paths.home() / ".opencode" / "opencode.json" in listed
