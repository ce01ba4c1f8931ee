"""Codex CLI: `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`).

Owned: `[model_providers.aigate]` (name, base_url = the /v1 base, env_key, wire_api =
"responses") and, unless --no-default, the root `model_provider = "aigate"`, `model` and
(when the catalog knows the context length) `model_context_window`, plus `model_catalog_json`
naming the /model picker's catalog `$CODEX_HOME/aigate-models.json` (owned whole; catalog.py).
Codex ignores `model_provider(s)` in a project `.codex/config.toml`, so project scope writes the
user file too.
Never written: `profile` / `[profiles.*]` (errors since Codex 0.134), a reserved provider id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aigate_setup import lazy

NAME = "codex"
TITLE = "Codex"
# The root key naming the /model picker's catalog file (see clients/codex/catalog.py).
CATALOG_KEY = "model_catalog_json"

if TYPE_CHECKING:
    from aigate_setup.clients.codex.catalog import catalog_path, parse_problem, render, targets
    from aigate_setup.clients.codex.catalog_rules import file_kind, guess_kind, model_catalog
    from aigate_setup.clients.codex.remove import (
        DEFAULT_KEYS,
        FALLBACK,
        USE_AIGATE,
        USER_WIDE_DEFAULT,
        default_of,
        is_ours,
        owned_values,
        put_back,
        unrender,
    )
    from aigate_setup.clients.codex.resolve import resolve
    from aigate_setup.clients.codex.rules import (
        BUILTIN_PROVIDER_IDS,
        bearer_token,
        env_key_missing,
        profiles,
        project_provider,
        reserved_provider,
        undefined_provider,
        wire_api,
    )
    from aigate_setup.clients.codex.server import background_server
    from aigate_setup.clients.codex.state import ONE_SHOT, ONE_SHOT_ENV, doctor_checks, read_state
    from aigate_setup.clients.codex.writer import (
        BINARY,
        CATALOG_ENDPOINT,
        ENDPOINT_MISSING,
        INSTALL_HINT,
        MAX_CONTEXT_WINDOW,
        PROBE_AUTH,
        PROBE_ROUTE,
        RESERVED_PROVIDER_IDS,
        TEMPLATE,
        WIRE_API,
        config_paths,
        context,
        context_window,
        target_paths,
        toml_str,
        user_config,
        written_values,
    )
    from aigate_setup.rules.registry import Reader, Rule

    STATIC_RULES: tuple[Rule, ...]
    READERS: tuple[Reader, ...]

_LAZY = lazy.table(
    {
        "aigate_setup.clients.codex.catalog": (
            "catalog_path",
            "parse_problem",
            "render",
            "targets",
        ),
        "aigate_setup.clients.codex.catalog_rules": (
            "file_kind",
            "guess_kind",
            "model_catalog",
        ),
        "aigate_setup.clients.codex.remove": (
            "DEFAULT_KEYS",
            "FALLBACK",
            "USE_AIGATE",
            "USER_WIDE_DEFAULT",
            "default_of",
            "is_ours",
            "owned_values",
            "put_back",
            "unrender",
        ),
        "aigate_setup.clients.codex.rules": (
            "BUILTIN_PROVIDER_IDS",
            "bearer_token",
            "env_key_missing",
            "profiles",
            "project_provider",
            "reserved_provider",
            "undefined_provider",
            "wire_api",
        ),
        "aigate_setup.clients.codex.resolve": ("resolve",),
        "aigate_setup.clients.codex.server": ("background_server",),
        "aigate_setup.clients.codex.state": (
            "ONE_SHOT",
            "ONE_SHOT_ENV",
            "doctor_checks",
            "read_state",
        ),
        "aigate_setup.clients.codex.writer": (
            "BINARY",
            "CATALOG_ENDPOINT",
            "ENDPOINT_MISSING",
            "INSTALL_HINT",
            "MAX_CONTEXT_WINDOW",
            "PROBE_AUTH",
            "PROBE_ROUTE",
            "RESERVED_PROVIDER_IDS",
            "TEMPLATE",
            "WIRE_API",
            "config_paths",
            "context",
            "context_window",
            "target_paths",
            "toml_str",
            "user_config",
            "written_values",
        ),
    }
)


def __getattr__(name: str) -> Any:
    if name in ("STATIC_RULES", "READERS"):  # config.toml's and the picker catalog's
        from aigate_setup.clients.codex import catalog_rules, rules

        rules_ = (*rules.STATIC_RULES, catalog_rules.model_catalog)
        readers = (*rules.READERS, catalog_rules.READER)
        globals().update(STATIC_RULES=rules_, READERS=readers)
        return globals()[name]
    return lazy.load(__name__, _LAZY, name)


__all__ = [
    "BINARY",
    "BUILTIN_PROVIDER_IDS",
    "CATALOG_ENDPOINT",
    "DEFAULT_KEYS",
    "ENDPOINT_MISSING",
    "FALLBACK",
    "INSTALL_HINT",
    "MAX_CONTEXT_WINDOW",
    "NAME",
    "ONE_SHOT",
    "ONE_SHOT_ENV",
    "PROBE_AUTH",
    "PROBE_ROUTE",
    "READERS",
    "RESERVED_PROVIDER_IDS",
    "STATIC_RULES",
    "TEMPLATE",
    "TITLE",
    "USER_WIDE_DEFAULT",
    "USE_AIGATE",
    "WIRE_API",
    "background_server",
    "bearer_token",
    "catalog_path",
    "config_paths",
    "context",
    "context_window",
    "default_of",
    "doctor_checks",
    "env_key_missing",
    "file_kind",
    "guess_kind",
    "is_ours",
    "model_catalog",
    "owned_values",
    "parse_problem",
    "profiles",
    "project_provider",
    "put_back",
    "read_state",
    "render",
    "reserved_provider",
    "resolve",
    "target_paths",
    "targets",
    "toml_str",
    "undefined_provider",
    "unrender",
    "user_config",
    "wire_api",
    "written_values",
]
