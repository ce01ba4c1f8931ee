"""Codex CLI: `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`).

Owned: `[model_providers.aigate]` (name, base_url = the /v1 base, env_key, wire_api =
"responses") and, unless --no-default, the root `model_provider = "aigate"`, `model` and
(when the catalog knows the context length) `model_context_window`. Codex ignores
`model_provider(s)` in a project `.codex/config.toml`, so project scope writes the user file too.
Never written: `profile` / `[profiles.*]` (errors since Codex 0.134), a reserved provider id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import paths
from aigate_setup.clients.base import Auth, Route
from aigate_setup.clients.common import PROVIDER_ID, PROVIDER_NAME, same_path
from aigate_setup.errors import ConfigError

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.findings import Finding
    from aigate_setup.plan import Selection
    from aigate_setup.rules import RuleContext

NAME = "codex"
TITLE = "Codex"
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


def file_kind(path: Path, project_dir: Path | None = None) -> str:
    if same_path(path, user_config()):
        return "codex-user"
    return "codex-project" if path.parent.name == ".codex" else "codex-user"


def toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are all valid TOML; DEL must be escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def context_window(sel: Selection, catalog: Catalog | None) -> int | None:
    model = catalog.get(sel.model) if catalog is not None else None
    return model.context_length if model is not None and model.context_length else None


def owned_values(sel: Selection, catalog: Catalog | None) -> dict[tuple[str, ...], Any]:
    """Every owned key path and its value, in the order they are written."""
    table = ("model_providers", PROVIDER_ID)
    updates: dict[tuple[str, ...], Any] = {}
    if sel.make_default:
        updates[("model_provider",)] = PROVIDER_ID
        updates[("model",)] = sel.model
        window = context_window(sel, catalog)
        if window is not None:
            updates[("model_context_window",)] = window
    updates[(*table, "name")] = PROVIDER_NAME
    updates[(*table, "base_url")] = sel.base_url
    updates[(*table, "env_key")] = sel.key_env
    updates[(*table, "wire_api")] = WIRE_API
    return updates


def context(sel: Selection, catalog: Catalog | None) -> dict[str, Any]:
    window = context_window(sel, catalog)
    return {
        "make_default": sel.make_default,
        "provider_id": toml_str(PROVIDER_ID),
        "model": toml_str(sel.model),
        "context_window": window,
        "provider_name": toml_str(PROVIDER_NAME),
        "base_url": toml_str(sel.base_url),
        "key_env": toml_str(sel.key_env),
        "wire_api": toml_str(WIRE_API),
    }


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    """Why the existing config.toml cannot take our edits (syntax, or a key of the wrong type)."""
    from aigate_setup.errors import ParseError
    from aigate_setup.merge.toml import parse_toml

    try:
        data = parse_toml(text)
    except ParseError as exc:
        return ConfigError(
            exc.message,
            path=path,
            line=exc.line,
            column=exc.column,
            hint="fix the TOML syntax, then run aigate-setup init again",
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


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    """The whole new file text: a fresh template, or the old text with owned keys set."""
    from aigate_setup import templates

    if old_text is None or not old_text.strip():
        # A missing or blank file: the template holds exactly what set_values would write.
        return templates.render(TEMPLATE, **context(sel, catalog))
    from aigate_setup.merge.toml import set_values

    return set_values(old_text, owned_values(sel, catalog))


def validate(
    path: Path, text: str, ctx: RuleContext | None = None, *, project_dir: Path | None = None
) -> list[Finding]:
    from aigate_setup.rules import RuleContext, validate_text

    kind: Any = file_kind(path, project_dir)
    return validate_text(path, text, kind, ctx or RuleContext())


# --- effective settings and doctor checks

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aigate_setup.clients.base import ClientState, ConfigFile, Origin
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions

# `doctor --with-clients`: `codex <ONE_SHOT>` with a stdin of /dev/null (DESIGN.md, facts).
ONE_SHOT: tuple[str, ...] = (
    "exec",
    "--skip-git-repo-check",
    "-c",
    "analytics.enabled=false",
    "--disable",
    "plugins",
    "{prompt}",
)
ONE_SHOT_ENV: Mapping[str, str] = {}


def _table(data: dict[str, Any], *keys: str) -> object:
    value: object = data
    for k in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(k)
    return value


def _parse(f: ConfigFile, text: str) -> dict[str, Any]:
    from aigate_setup.merge.tomlread import parse_toml

    return parse_toml(text)


def read_state(project_dir: Path) -> ClientState:
    """What Codex will use: the provider comes only from the user config (Codex ignores
    `model_provider(s)` in a project file); `model` from the user config, then the project's."""
    from dataclasses import replace

    from aigate_setup.clients.base import ClientState, Origin, Sourced, parse_layers

    files, parsed = parse_layers(config_paths(project_dir), _parse)
    user = [(f, d) for f, d in parsed if f.kind == "codex-user"]
    project = [(f, d) for f, d in parsed if f.kind == "codex-project"]
    ufile, udata = user[-1] if user else (None, {})
    state = ClientState(
        NAME, files, referenced=any(d.get("model_provider") == PROVIDER_ID for _, d in parsed)
    )
    model: Sourced | None = None
    for f, d in [*user, *project]:
        value = d.get("model")
        if isinstance(value, str):
            model = Sourced(value, Origin(f.path))
    root_provider = udata.get("model_provider")
    if ufile is not None and isinstance(root_provider, str):
        state = replace(state, default_provider=Sourced(root_provider, Origin(ufile.path)))
    state = replace(state, default_model=model, aigate_default=root_provider == PROVIDER_ID)
    provider = _table(udata, "model_providers", PROVIDER_ID)
    if ufile is not None and isinstance(provider, dict):
        return _configured(state, Origin(ufile.path), provider)
    if any(isinstance(_table(d, "model_providers", PROVIDER_ID), dict) for _, d in project):
        where = paths.display(project[-1][0].path)
        problem = f"[model_providers.aigate] is only in {where}, which Codex ignores for providers"
        return replace(state, referenced=True, problem=problem)
    return state


def _configured(state: ClientState, origin: Origin, provider: dict[str, Any]) -> ClientState:
    from dataclasses import replace

    from aigate_setup.clients.base import KeyRef, Sourced

    base = provider.get("base_url")
    env_key = provider.get("env_key")
    key = KeyRef(
        var=env_key if isinstance(env_key, str) and env_key else None,
        literal=isinstance(provider.get("experimental_bearer_token"), str),
        origin=origin,
    )
    model = state.default_model.value if state.default_model is not None else None
    usable = model if state.aigate_default and model else None
    return replace(
        state,
        configured=True,
        provider=origin,
        base_url=Sourced(base, origin) if isinstance(base, str) else None,
        key=key,
        model=usable,
        models=(usable,) if usable else (),
    )


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    """codex.provider, codex.base_url, codex.key, codex.default."""
    from aigate_setup.doctor import parts

    title = "AIGate provider"
    if not state.configured:
        detail = state.problem or (
            'model_provider = "aigate" but [model_providers.aigate] is missing'
            if state.referenced
            else "no [model_providers.aigate] in the Codex config"
        )
        return [
            parts.provider_missing(state, requested, part="provider", title=title, detail=detail)
        ]
    missing = parts.check(
        NAME,
        "key",
        "fail",
        "Key reference",
        f"no env_key in {state.where}",
        f"{parts.setup_hint(NAME)} (or {parts.FIX})",
    )
    return [
        parts.check(NAME, "provider", "pass", title, f"[model_providers.aigate] in {state.where}"),
        parts.base_url_check(state, want=opts.common.base_url.rstrip("/"), what="base_url"),
        parts.key_check(
            state,
            opts,
            binary=BINARY,
            how=f'env_key = "{opts.common.key_env}"',
            missing=missing,
        ),
        _default_check(state),
    ]


def _default_check(state: ClientState) -> Check:
    from aigate_setup.doctor import parts

    title = "Default model"
    model = state.default_model.value if state.default_model is not None else None
    if state.aigate_default and model:
        detail = f'model_provider = "aigate", model = "{model}"'
        return parts.check(NAME, "default", "pass", title, detail)
    if state.aigate_default:
        return parts.check(
            NAME,
            "default",
            "fail",
            title,
            'model_provider = "aigate" but no model is set',
            'set model = "<id from `aigate-setup models --client codex`>"',
        )
    shown = state.default_provider.value if state.default_provider else "openai (built in)"
    hint = (
        f"{parts.setup_hint(NAME)} (makes AIGate the default), "
        "or pick an aigate/ model in the client"
    )
    return parts.check(
        NAME, "default", "warn", title, f"the default provider is {shown}, not aigate", hint
    )
