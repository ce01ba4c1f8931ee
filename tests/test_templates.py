"""Every template renders with the context its client builds (StrictUndefined catches gaps)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from writer_support import make_selection

from aigate_setup import templates
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import aider, claude, codex, common, continue_, kilo, opencode, qwen
from aigate_setup.merge import yaml
from aigate_setup.merge.toml import parse_toml
from aigate_setup.plan import ClaudeSlots, Selection

CATALOG = Catalog(
    models=(
        Model("openai/gpt-5.5", "chat", ("codex",), context_length=400000,
              max_output_tokens=128000, name='GPT "5.5"'),
    ),
    source="test",
)  # fmt: skip


def sel(**kw: Any) -> Selection:
    return make_selection(
        **{**{"claude": ClaudeSlots("a/o", "a/s", "a/h"), "extra_models": ("x/y",)}, **kw}
    )


def _legacy(s: Selection) -> dict[str, Any]:
    return {"base_url": s.base_url, "key_env": s.key_env, "model": s.model, "export_path": "f"}


CONTEXTS: dict[str, Callable[[Selection], dict[str, Any]]] = {
    "codex/config.toml.j2": lambda s: codex.context(s, CATALOG),
    "codex/provider.toml.j2": lambda s: codex.context(s, CATALOG),
    "opencode/opencode.json.j2": lambda s: opencode.context(s, CATALOG),
    "opencode/_provider.json.j2": lambda s: common.provider_context(s, CATALOG),
    "kilo/kilo.jsonc.j2": lambda s: kilo.context(s, CATALOG),
    "kilo/kilo-project.jsonc.j2": lambda s: kilo.context(s, CATALOG, user_file=False),
    "kilo/legacy-instructions.txt.j2": _legacy,
    "claude/block.sh.j2": lambda s: claude.context(s, CATALOG, ps1=False),
    "claude/block.ps1.j2": lambda s: claude.context(s, CATALOG, ps1=True),
    "claude/header.sh.j2": lambda s: {"source_path": "'/x'"},
    "claude/header.ps1.j2": lambda s: {"source_path": "'/x'"},
    "qwen/settings.json.j2": lambda s: qwen.context(s, CATALOG),
    "continue/config.yaml.j2": lambda s: continue_.context(s, CATALOG),
    "aider/aider.conf.yml.j2": lambda s: aider.context(s, CATALOG),
    "aider/aider.env.j2": lambda s: aider.context(s, CATALOG),
    "claude/key-helper.sh.j2": lambda s: _helper(s, "linux"),
    "claude/key-helper.cmd.j2": lambda s: _helper(s, "win32"),
    **{
        f"shell/{kind}.{flavor}.j2": (
            lambda s: {"key_env": s.key_env, "env_file": "'/e'", "key_file": "'/k'"}
        )
        for kind in ("block", "env")
        for flavor in ("sh", "fish", "ps1")
    },
}


def _helper(s: Selection, platform: str) -> dict[str, Any]:
    from aigate_setup.clients.claude import settings

    return dict(settings.helper_context(s, platform))


def test_every_template_has_a_context() -> None:
    assert set(templates.names()) == set(CONTEXTS)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
@pytest.mark.parametrize(
    "variant",
    [{}, {"make_default": False}, {"key_file": Path("/k f")}, {"scope": "project"}],
    ids=["default", "no-default", "key-file", "project"],
)
def test_template_renders(name: str, variant: dict[str, Any]) -> None:
    s = sel(**variant)
    text = templates.render(name, **CONTEXTS[name](s))
    assert text.endswith("\n")
    assert "None" not in text
    if name.endswith("config.toml.j2"):
        parse_toml(text)
    is_json = name.endswith(".json.j2") or name.startswith("kilo/kilo")
    if is_json and not name.startswith(("opencode/_", "qwen/")):
        data = json.loads(text)
        assert data["$schema"].startswith("https://")
    if name.startswith("qwen/"):
        assert json.loads(text)["$version"] == 4
    if name.endswith(".yml.j2") or name.endswith(".yaml.j2"):
        assert isinstance(yaml.load(text), dict)


def test_json_templates_escape_values() -> None:
    text = templates.render("opencode/opencode.json.j2", **opencode.context(sel(), CATALOG))
    assert json.loads(text)["provider"]["aigate"]["models"]["openai/gpt-5.5"]["name"] == (
        'GPT "5.5"'
    )


def test_a_missing_value_fails() -> None:
    ctx = codex.context(sel(), CATALOG)
    del ctx["base_url"]
    with pytest.raises(jinja2.UndefinedError):
        templates.render("codex/config.toml.j2", **ctx)


def test_one_environment() -> None:
    env = templates.environment()
    assert env is templates.environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.keep_trailing_newline
