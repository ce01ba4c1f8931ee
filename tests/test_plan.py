"""plan.build_changes: every client at once, parse-all-first, idempotence, preserved bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from writer_support import make_selection, write

from aigate_setup import fsio, paths
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import codex
from aigate_setup.errors import ConfigError, UsageError
from aigate_setup.merge import jsonc
from aigate_setup.merge.toml import parse_toml
from aigate_setup.plan import ClaudeSlots, PlanError, Selection, build_changes, targets

KEY = "sk-test-0123456789abcdefWXYZ"
BASE = "https://api.aigate.shop/v1"
CATALOG = Catalog(
    models=(
        Model("openai/gpt-5.5", "chat", ("codex", "opencode", "kilo"), context_length=400000,
              max_output_tokens=128000, name="GPT 5.5"),
        Model("anthropic/claude-sonnet-4.6", "chat", ("codex", "opencode", "kilo", "claude")),
    ),
    source="test",
)  # fmt: skip


def sel(**kw: Any) -> Selection:
    return make_selection(**{**{"extra_models": ("anthropic/claude-sonnet-4.6",)}, **kw})


def test_all_clients_user_scope(sandbox_home: Path) -> None:
    changes = build_changes(sel(), CATALOG)
    config = sandbox_home / ".config"
    assert [(c.client, c.path, c.status) for c in changes] == [
        ("codex", sandbox_home / ".codex" / "config.toml", "created"),
        ("opencode", config / "opencode" / "opencode.json", "created"),
        ("kilo", config / "kilo" / "kilo.jsonc", "created"),
        ("claude", config / "aigate" / "aigate-claude.sh", "created"),
        ("claude", config / "aigate" / "aigate-claude.ps1", "created"),
        ("claude", sandbox_home / ".claude" / "settings.json", "created"),
        ("claude", config / "aigate" / "claude-key-helper.sh", "created"),
    ]
    assert not any(c.sensitive for c in changes)
    assert not (sandbox_home / ".codex").exists()  # planning writes nothing


def test_project_scope_targets(sandbox_home: Path, tmp_path: Path) -> None:
    got = targets(sel(scope="project", project_dir=tmp_path))
    assert got == [
        ("codex", sandbox_home / ".codex" / "config.toml"),
        ("opencode", tmp_path / "opencode.json"),
        ("kilo", sandbox_home / ".config" / "kilo" / "kilo.jsonc"),
        ("kilo", tmp_path / "kilo.jsonc"),
        ("claude", tmp_path / ".aigate" / "aigate-claude.sh"),
        ("claude", tmp_path / ".aigate" / "aigate-claude.ps1"),
        ("claude", tmp_path / ".claude" / "settings.local.json"),
        ("claude", sandbox_home / ".config" / "aigate" / "claude-key-helper.sh"),
    ]


def test_apply_then_rerun_is_unchanged_and_the_key_is_nowhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIGATE_API_KEY", KEY)
    changes = build_changes(sel(), CATALOG)
    result = fsio.apply(changes)
    assert result.run_id is not None
    for change in changes:
        assert change.path.read_bytes() == change.new
        assert KEY.encode() not in change.new
    again = build_changes(sel(), CATALOG)
    assert [c.status for c in again] == ["unchanged"] * len(again)
    assert [c.new for c in again] == [c.new for c in changes]


def test_every_unparsable_file_is_listed_and_nothing_computed() -> None:
    codex_file = paths.codex_home() / "config.toml"
    opencode_file = paths.xdg_config_home() / "opencode" / "opencode.json"
    write(codex_file, "model = \n")
    write(opencode_file, '{\n  "a": 1\n  "b": 2\n}\n')
    with pytest.raises(PlanError) as info:
        build_changes(sel(), CATALOG)
    err = info.value
    assert isinstance(err, ConfigError)
    assert [p.path for p in err.problems] == [codex_file, opencode_file]
    message = str(err)
    assert message.startswith(f"{codex_file}:1:")
    assert f"{opencode_file}:3:3:" in message
    assert "\n" not in message
    assert err.hint is not None and "nothing was written" in err.hint


def test_unreadable_and_undecodable_files_are_problems_too() -> None:
    (paths.codex_home() / "config.toml").mkdir(parents=True)
    write(paths.xdg_config_home() / "kilo" / "kilo.jsonc", "")
    (paths.xdg_config_home() / "kilo" / "kilo.jsonc").write_bytes(b'{"x": "\xff"}')
    with pytest.raises(PlanError) as info:
        build_changes(sel(), CATALOG)
    assert len(info.value.problems) == 2
    assert "directory" in str(info.value)
    assert "UTF-8" in str(info.value)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"clients": ("vim",)}, "unknown client"),
        ({"clients": ()}, "no client"),
        ({"key_env": "AIGATE-KEY"}, "--key-env"),
        ({"key_env": "X;rm -rf ~"}, "--key-env"),
        ({"model": ""}, "--model"),
        ({"model": "a\nb"}, "control character"),
        ({"extra_models": ("ok", "")}, "--extra-model"),
        ({"claude": ClaudeSlots("a", "b\x00", "c")}, "--claude-sonnet"),
        ({"base_url": "ftp://x"}, "--base-url"),
    ],
)
def test_bad_selections_are_usage_errors(change: dict[str, Any], needle: str) -> None:
    with pytest.raises(UsageError) as info:
        build_changes(sel(**change), CATALOG)
    assert needle in str(info.value)
    assert info.value.hint


def test_crlf_bom_file_keeps_its_style() -> None:
    path = paths.xdg_config_home() / "opencode" / "opencode.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'\xef\xbb\xbf{\r\n  "theme": "x"\r\n}')
    (change, *_) = build_changes(sel(clients=("opencode",)), CATALOG)
    assert change.new.startswith(b'\xef\xbb\xbf{\r\n  "theme": "x",\r\n')
    assert b"\n" not in change.new.replace(b"\r\n", b"")
    assert not change.new.endswith(b"\n")  # no final newline before, none after


# --- properties: whatever the user had, their keys survive and a re-run changes nothing ------

_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda k: k not in ("model", "provider", "model_provider", "model_providers")
)
_scalars = st.one_of(st.integers(-1000, 1000), st.booleans(), st.text(max_size=12), st.none())
_user = st.dictionaries(_keys, _scalars, max_size=6)


def _jsonc_text(data: dict[str, Any], indent: str, comments: bool, crlf: bool) -> str:
    lines = ["{"]
    items = list(data.items())
    for i, (k, v) in enumerate(items):
        if comments:
            lines.append(f"{indent}// about {k}")
        comma = "," if i < len(items) - 1 or comments else ""
        lines.append(f"{indent}{json.dumps(k)}: {json.dumps(v)}{comma}")
    lines.append("}")
    nl = "\r\n" if crlf else "\n"
    return nl.join(lines) + nl


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_user, indent=st.sampled_from(["  ", "    ", "\t"]), comments=st.booleans(),
       crlf=st.booleans())  # fmt: skip
def test_opencode_user_keys_survive(
    data: dict[str, Any], indent: str, comments: bool, crlf: bool
) -> None:
    path = paths.xdg_config_home() / "opencode" / "opencode.json"
    original = _jsonc_text(data, indent, comments, crlf)
    write(path, original)
    (change,) = build_changes(sel(clients=("opencode",)), CATALOG)
    text = change.new.decode()
    merged = jsonc.loads(text)
    for k, v in data.items():
        assert merged[k] == v
        if comments:
            assert f"{indent}// about {k}" in text
    assert merged["provider"]["aigate"]["options"]["baseURL"] == BASE
    write(path, text)
    (again,) = build_changes(sel(clients=("opencode",)), CATALOG)
    assert again.status == "unchanged"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_user, tables=st.dictionaries(_keys, _user, max_size=3), crlf=st.booleans())
def test_codex_user_keys_survive(
    data: dict[str, Any], tables: dict[str, dict[str, Any]], crlf: bool
) -> None:
    def toml_value(v: Any) -> str:
        if isinstance(v, str):
            return codex.toml_str(v)
        return "true" if v is True else "false" if v is False else json.dumps(v)

    lines = ["# mine"] + [f"{k} = {toml_value(v)}" for k, v in data.items() if v is not None]
    for name, body in tables.items():
        lines += ["", f"[t_{name}]"] + [f"{k} = {toml_value(v)}" for k, v in body.items()
                                         if v is not None]  # fmt: skip
    nl = "\r\n" if crlf else "\n"
    path = paths.codex_home() / "config.toml"
    write(path, nl.join(lines) + nl)
    (change,) = build_changes(sel(clients=("codex",)), CATALOG)
    merged = parse_toml(change.new.decode())
    for k, v in data.items():
        if v is not None:
            assert merged[k] == v
    for name, body in tables.items():
        assert merged[f"t_{name}"] == {k: v for k, v in body.items() if v is not None}
    assert merged["model_provider"] == "aigate"
    assert change.new.decode().startswith("# mine" + nl)
    write(path, change.new.decode())
    (again,) = build_changes(sel(clients=("codex",)), CATALOG)
    assert again.status == "unchanged"


def test_trailing_slash_of_the_base_url_is_dropped() -> None:
    changes = build_changes(sel(base_url=BASE + "/"), CATALOG)
    assert all(b"/v1/" not in c.new for c in changes)
    assert b'"baseURL": "https://api.aigate.shop/v1"' in changes[1].new
