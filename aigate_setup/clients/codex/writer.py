"""What aigate-setup writes for this client: its files, the owned values, render and merge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import paths
from aigate_setup.clients.base import Auth, Route
from aigate_setup.clients.codex import CATALOG_KEY
from aigate_setup.clients.common import (
    PROVIDER_ID,
    PROVIDER_NAME,
    check_env_name,
    check_model_id,
)
from aigate_setup.errors import ConfigError

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.plan import Selection


BINARY = "codex"
INSTALL_HINT = "npm install -g @openai/codex@0.169.0"
# The smoke probe: the route this client really calls, with the auth header it sends.
PROBE_ROUTE: Route = "responses"
PROBE_AUTH: Auth = "bearer"
# The endpoint type a catalog entry must list for this client to use the model.
CATALOG_ENDPOINT = "openai-response"
ENDPOINT_MISSING = "no Responses API route (/v1/responses), which Codex needs"
WIRE_API = "responses"  # "chat" is a hard error in Codex 0.169
RESERVED_PROVIDER_IDS = frozenset({"openai", "ollama", "lmstudio"})
TEMPLATE = "codex/config.toml.j2"

if PROVIDER_ID in RESERVED_PROVIDER_IDS:  # pragma: no cover - a guard against a bad edit
    raise RuntimeError(f"provider id {PROVIDER_ID!r} is reserved by Codex")


def user_config() -> Path:
    return paths.codex_home() / "config.toml"


def target_paths(scope: str, project_dir: Path) -> list[Path]:
    """The user config in both scopes (a project config cannot choose a provider)."""
    return [user_config()]


def targets(sel: Selection) -> list[Path]:
    return target_paths(sel.scope, sel.project_dir)


def config_paths(project_dir: Path) -> list[tuple[Path, str]]:
    """User config, then the project's `.codex/config.toml` (loaded for trusted projects)."""
    return [
        (user_config(), "codex-user"),
        (project_dir / ".codex" / "config.toml", "codex-project"),
    ]


def toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are all valid TOML; DEL must be escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


# Codex reads integers as i64; a larger value makes it refuse the whole config.
MAX_CONTEXT_WINDOW = 2**63 - 1


def context_window(sel: Selection, catalog: Catalog | None) -> int | None:
    model = catalog.get(sel.model) if catalog is not None else None
    window = model.context_length if model is not None else None
    return window if window is not None and 0 < window <= MAX_CONTEXT_WINDOW else None


def written_values(
    sel: Selection, catalog: Catalog | None, catalog_file: str | None = None
) -> dict[tuple[str, ...], Any]:
    """Every owned key path and its value, in the order they are written. `catalog_file`:
    the `model_catalog_json` value when the picker's catalog file is written."""
    table = ("model_providers", PROVIDER_ID)
    updates: dict[tuple[str, ...], Any] = {}
    if sel.make_default:
        updates[("model_provider",)] = PROVIDER_ID
        updates[("model",)] = check_model_id("--model", sel.model)
        window = context_window(sel, catalog)
        if window is not None:
            updates[("model_context_window",)] = window
    if catalog_file is not None:
        updates[(CATALOG_KEY,)] = catalog_file
    provider = {
        "name": PROVIDER_NAME,
        "base_url": sel.base_url,
        "env_key": check_env_name(sel.key_env),
        "wire_api": WIRE_API,
    }
    for key, value in provider.items():
        path = (*table, key)
        updates[path] = value
    return updates


def context(
    sel: Selection, catalog: Catalog | None, catalog_file: str | None = None
) -> dict[str, Any]:
    window = context_window(sel, catalog)
    return {
        "catalog_file": toml_str(catalog_file) if catalog_file is not None else None,
        "make_default": sel.make_default,
        "provider_id": toml_str(PROVIDER_ID),
        "model": toml_str(check_model_id("--model", sel.model)),
        "context_window": window,
        "provider_name": toml_str(PROVIDER_NAME),
        "base_url": toml_str(sel.base_url),
        "key_env": toml_str(check_env_name(sel.key_env)),
        "wire_api": toml_str(WIRE_API),
    }


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    """Why the existing config.toml cannot take our edits (syntax, or a key of the wrong type)."""
    from aigate_setup.errors import ParseError
    from aigate_setup.merge.toml import parse_toml

    try:
        data = parse_toml(text)
    except ParseError as exc:
        return ConfigError.from_parse(
            exc, path, "fix the TOML syntax, then run aigate-setup init again"
        )
    providers = data.get("model_providers")
    if providers is not None and not isinstance(providers, dict):
        return _shape(path, text, "model_providers", "a table")
    if isinstance(providers, dict):
        ours = providers.get(PROVIDER_ID)
        if ours is not None and not isinstance(ours, dict):
            return _shape(path, text, f"model_providers.{PROVIDER_ID}", "a table")
    return None


def _shape(path: Path, text: str, key: str, expected: str) -> ConfigError:
    line = next(
        (i for i, raw in enumerate(text.splitlines(), 1) if raw.lstrip().startswith(key)), None
    )
    return ConfigError(
        f"is not {expected}",
        path=path,
        line=line,
        column=1 if line else None,
        key_path=key,
        hint="fix or remove this key, then run aigate-setup init again",
    )


def render(
    sel: Selection,
    catalog: Catalog | None,
    path: Path,
    old_text: str | None,
    catalog_file: str | None = None,
) -> str:
    """The whole new file text: a fresh template, or the old text with owned keys set."""
    from aigate_setup import templates

    if old_text is None or not old_text.strip():
        # A missing or blank file: the template holds exactly what set_values would write.
        return templates.render(TEMPLATE, **context(sel, catalog, catalog_file))
    from aigate_setup.merge.toml import set_values

    return set_values(old_text, written_values(sel, catalog, catalog_file))
