"""The settings this client will really use (`read_state`), its doctor checks and one-shot run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import paths
from aigate_setup.clients.codex import NAME
from aigate_setup.clients.codex.writer import BINARY, config_paths
from aigate_setup.clients.common import (
    PROVIDER_ID,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aigate_setup.clients.base import ClientState, ConfigFile, Origin
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions

# `doctor --with-clients`: `codex <ONE_SHOT>` with a stdin of /dev/null.
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
        state = state._replace(default_provider=Sourced(root_provider, Origin(ufile.path)))
    state = state._replace(default_model=model, aigate_default=root_provider == PROVIDER_ID)
    provider = _table(udata, "model_providers", PROVIDER_ID)
    if ufile is not None and isinstance(provider, dict):
        return _configured(state, Origin(ufile.path), provider)
    if any(isinstance(_table(d, "model_providers", PROVIDER_ID), dict) for _, d in project):
        where = paths.display(project[-1][0].path)
        problem = f"[model_providers.aigate] is only in {where}, which Codex ignores for providers"
        return state._replace(referenced=True, problem=problem)
    return state


def _configured(state: ClientState, origin: Origin, provider: dict[str, Any]) -> ClientState:
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
    return state._replace(
        configured=True,
        provider=origin,
        base_url=Sourced(base, origin) if isinstance(base, str) else None,
        key=key,
        model=usable,
        models=(usable,) if usable else (),
    )


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    """codex.provider, codex.base_url, codex.key, codex.default, codex.picker (codex.model)."""
    from aigate_setup.clients.codex import catalog
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
        *catalog.doctor_checks(state),
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
