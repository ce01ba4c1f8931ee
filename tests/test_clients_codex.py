"""Codex writer: $CODEX_HOME/config.toml, owned keys only, tomlkit round trip."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

import pytest
from writer_support import make_selection, write

from aigate_setup import paths
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import codex
from aigate_setup.errors import ConfigError
from aigate_setup.merge.toml import parse_toml
from aigate_setup.plan import PlanError, Selection, build_changes
from aigate_setup.rules import RuleContext, validate_file

BASE = "https://api.aigate.shop/v1"
CATALOG = Catalog(
    models=(
        Model("openai/gpt-5.5", "chat", ("codex", "opencode", "kilo"), context_length=400000,
              max_output_tokens=128000, name="GPT 5.5"),
        Model("google/gemini-3-pro", "chat", ("codex", "opencode", "kilo")),
    ),
    source="test",
)  # fmt: skip


def sel(**kw: Any) -> Selection:
    return make_selection(**{**{"clients": ("codex",)}, **kw})


def run(s: Selection, catalog: Catalog | None = CATALOG) -> str:
    (change,) = build_changes(s, catalog)
    return change.new.decode()


def test_new_file_has_exactly_the_owned_values(sandbox_home: Path) -> None:
    text = run(sel())
    data = parse_toml(text)
    assert data == {
        "model_provider": "aigate",
        "model": "openai/gpt-5.5",
        "model_context_window": 400000,
        "model_providers": {
            "aigate": {
                "name": "AIGate",
                "base_url": BASE,
                "env_key": "AIGATE_API_KEY",
                "wire_api": "responses",
            }
        },
    }
    assert "profile" not in text
    # paths.home() is patched to a PureWindowsPath: widen the declared type to compare.
    found: Sequence[PurePath] = codex.target_paths("user", Path.cwd())
    assert found == [sandbox_home / ".codex" / "config.toml"]
    assert validate_file(codex.user_config(), text, RuleContext(catalog=CATALOG)) == []


def test_codex_home_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "elsewhere"))
    (change,) = build_changes(sel(), CATALOG)
    assert change.path == tmp_path / "elsewhere" / "config.toml"


def test_project_scope_still_writes_the_user_file(sandbox_home: Path, tmp_path: Path) -> None:
    (change,) = build_changes(sel(scope="project", project_dir=tmp_path), CATALOG)
    assert change.path == sandbox_home / ".codex" / "config.toml"


def test_no_context_window_without_catalog_knowledge() -> None:
    assert "model_context_window" not in parse_toml(run(sel(), None))
    unknown = parse_toml(run(sel(model="google/gemini-3-pro")))
    assert "model_context_window" not in unknown
    assert unknown["model"] == "google/gemini-3-pro"


def test_no_default_adds_only_the_provider_table() -> None:
    data = parse_toml(run(sel(make_default=False)))
    assert set(data) == {"model_providers"}


USER_CONFIG = """\
# my codex settings
model = "o3"   # the old default
approval_policy = "on-request"

[model_providers.other]
name = "Other"
base_url = "https://other.example/v1"
env_key = "OTHER_KEY"
wire_api = "responses"

# aigate, set by hand long ago
[model_providers.aigate]
name = "My gateway"
base_url = "https://api.aigate.shop/v1/"
env_key = "AIGATE_API_KEY"
wire_api = "chat"
query_params = { team = "core" }

[mcp_servers.docs]
command = "docs-mcp"
"""


def test_existing_file_keeps_everything_not_owned() -> None:
    write(codex.user_config(), USER_CONFIG)
    text = run(sel())
    data = parse_toml(text)
    assert data["model"] == "openai/gpt-5.5"
    assert data["model_provider"] == "aigate"
    assert data["approval_policy"] == "on-request"
    assert data["model_providers"]["other"]["base_url"] == "https://other.example/v1"
    ours = data["model_providers"]["aigate"]
    assert ours == {
        "name": "AIGate",
        "base_url": BASE,
        "env_key": "AIGATE_API_KEY",
        "wire_api": "responses",
        "query_params": {"team": "core"},
    }
    assert data["mcp_servers"] == {"docs": {"command": "docs-mcp"}}
    for line in ("# my codex settings", "# aigate, set by hand long ago", "[mcp_servers.docs]"):
        assert line in text
    # Root keys go before the first table (after it they would belong to that table).
    assert text.index("model_provider =") < text.index("[model_providers.other]")
    assert "profile" not in text


def test_rerun_is_byte_identical() -> None:
    write(codex.user_config(), USER_CONFIG)
    first = run(sel())
    write(codex.user_config(), first)
    (change,) = build_changes(sel(), CATALOG)
    assert change.status == "unchanged"
    assert change.new.decode() == first


def test_crlf_and_bom_are_kept() -> None:
    raw = ("\ufeff" + USER_CONFIG).replace("\n", "\r\n").encode()
    codex.user_config().parent.mkdir(parents=True)
    codex.user_config().write_bytes(raw)
    (change,) = build_changes(sel(), CATALOG)
    assert change.new.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in change.new.replace(b"\r\n", b"")


def test_unparsable_file_is_reported_with_position() -> None:
    write(codex.user_config(), 'model = "x"\n[model_providers.aigate\nname = 1\n')
    with pytest.raises(PlanError) as info:
        build_changes(sel(), CATALOG)
    err = info.value
    assert isinstance(err, ConfigError)
    assert err.path == codex.user_config()
    assert err.line == 2
    assert str(err).startswith(f"{codex.user_config()}:2:")


def test_wrong_shape_is_reported() -> None:
    write(codex.user_config(), 'model_providers = "aigate"\n')
    with pytest.raises(PlanError) as info:
        build_changes(sel(), CATALOG)
    assert info.value.key_path is None or "model_providers" in str(info.value)
    assert "model_providers" in str(info.value)
    assert info.value.line == 1


def test_reserved_ids_are_never_ours() -> None:
    assert codex.RESERVED_PROVIDER_IDS.isdisjoint({"aigate"})
    assert codex.WIRE_API == "responses"


def test_config_paths() -> None:
    project = Path.cwd()
    assert codex.config_paths(project) == [
        (codex.user_config(), "codex-user"),
        (project / ".codex" / "config.toml", "codex-project"),
    ]
    assert codex.file_kind(project / ".codex" / "config.toml") == "codex-project"
    assert codex.file_kind(codex.user_config()) == "codex-user"


def test_windows_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODEX_HOME")
    monkeypatch.setattr(paths, "home", lambda: PureWindowsPath("C:/Users/me"))
    # paths.home() is patched to a PureWindowsPath: widen the declared type to compare.
    found: Sequence[PurePath] = codex.target_paths("user", Path.cwd())
    assert found == [PureWindowsPath(r"C:\Users\me\.codex\config.toml")]
