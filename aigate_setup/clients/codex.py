"""Codex CLI: `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`).

Owned: `[model_providers.aigate]` (name, base_url = the /v1 base, env_key, wire_api =
"responses") and, unless --no-default, the root `model_provider = "aigate"`, `model` and
(when the catalog knows the context length) `model_context_window`. Codex ignores
`model_provider(s)` in a project `.codex/config.toml`, so project scope writes the user file too.
Never written: `profile` / `[profiles.*]` (errors since Codex 0.134), a reserved provider id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aigate_setup import paths
from aigate_setup.clients.base import Auth, FileKind, Route
from aigate_setup.clients.common import (
    PROVIDER_ID,
    PROVIDER_NAME,
    check_env_name,
    check_model_id,
)
from aigate_setup.errors import ConfigError
from aigate_setup.options import is_loopback
from aigate_setup.rules.kinds import same_place
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.rules.urls import is_aigate_url
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.plan import Selection
    from aigate_setup.rules.source import Source

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


def toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are all valid TOML; DEL must be escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


# Codex reads integers as i64; a larger value makes it refuse the whole config.
MAX_CONTEXT_WINDOW = 2**63 - 1


def context_window(sel: Selection, catalog: Catalog | None) -> int | None:
    model = catalog.get(sel.model) if catalog is not None else None
    window = model.context_length if model is not None else None
    return window if window is not None and 0 < window <= MAX_CONTEXT_WINDOW else None


def owned_values(sel: Selection, catalog: Catalog | None) -> dict[tuple[str, ...], Any]:
    """Every owned key path and its value, in the order they are written."""
    table = ("model_providers", PROVIDER_ID)
    updates: dict[tuple[str, ...], Any] = {}
    if sel.make_default:
        updates[("model_provider",)] = PROVIDER_ID
        updates[("model",)] = check_model_id("--model", sel.model)
        window = context_window(sel, catalog)
        if window is not None:
            updates[("model_context_window",)] = window
    updates[(*table, "name")] = PROVIDER_NAME
    updates[(*table, "base_url")] = sel.base_url
    updates[(*table, "env_key")] = check_env_name(sel.key_env)
    updates[(*table, "wire_api")] = WIRE_API
    return updates


def context(sel: Selection, catalog: Catalog | None) -> dict[str, Any]:
    window = context_window(sel, catalog)
    return {
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


# --- static rules (check) ---------------------------------------------------------------------

_KINDS: tuple[FileKind, ...] = ("codex-user", "codex-project")
# Built in: the reserved ids plus `oss` (a `model_provider` that needs no table of its own).
BUILTIN_PROVIDER_IDS = RESERVED_PROVIDER_IDS | {"oss"}
_PROVIDER = f"""[model_providers.{PROVIDER_ID}]
name = "{PROVIDER_NAME}"
base_url = "https://api.aigate.shop/v1"
env_key = "AIGATE_API_KEY"
wire_api = "responses"
"""


def file_kind(path: Path) -> FileKind | None:
    """`$CODEX_HOME/config.toml` is the user file; `.codex/config.toml` elsewhere a project's."""
    if path.name != "config.toml":
        return None
    if same_place(path.parent, paths.codex_home()):
        return "codex-user"
    return "codex-project" if path.parent.name == ".codex" else None


def guess_kind(path: Path, text: str) -> tuple[int, FileKind]:
    """A file named otherwise: TOML by its suffix, and the last resort for anything else."""
    return (80 if path.suffix.lower() == ".toml" else 10), "codex-project"


def _providers(src: Source) -> dict[str, dict[str, Any]]:
    data = src.toml or {}
    table = data.get("model_providers")
    if not isinstance(table, dict):
        return {}
    return {pid: prov for pid, prov in table.items() if isinstance(prov, dict)}


def _urls(src: Source) -> list[UrlRef]:
    refs = []
    for pid, prov in _providers(src).items():
        url = prov.get("base_url")
        if isinstance(url, str):
            line, col = src.toml_index.value(("model_providers", pid, "base_url"))
            refs.append(UrlRef(f"[model_providers.{pid}] base_url", url, line, col, "v1"))
    return refs


def _routes_to_aigate(src: Source, chosen: object) -> bool:
    if chosen == PROVIDER_ID:
        return True
    prov = _providers(src).get(chosen) if isinstance(chosen, str) else None
    url = prov.get("base_url") if prov is not None else None
    return isinstance(url, str) and is_aigate_url(url, src.ctx)


def _models(src: Source) -> list[ModelRef]:
    data = src.toml
    if data is None:
        return []
    idx = src.toml_index
    refs = []
    chosen = data.get("model_provider")
    model = data.get("model")
    if isinstance(model, str):
        ours = _routes_to_aigate(src, chosen) or (
            src.kind == "codex-project" and chosen is None and "/" in model
        )
        line, col = idx.value(("model",))
        refs.append(ModelRef("model", model, line, col, catalog_id=model if ours else None))
    review = data.get("review_model")
    if isinstance(review, str):
        refs.append(ModelRef("review_model", review, *idx.value(("review_model",))))
    profiles = data.get("profiles")
    for name, profile in profiles.items() if isinstance(profiles, dict) else ():
        value = profile.get("model") if isinstance(profile, dict) else None
        if isinstance(value, str):
            at = idx.value(("profiles", name, "model"))
            refs.append(ModelRef(f"[profiles.{name}] model", value, *at))
    return refs


READERS: tuple[Reader, ...] = tuple(
    Reader(kind, NAME, TITLE, "toml", shown, _urls, _models)
    for kind, shown in zip(_KINDS, ("~/.codex/config.toml", ".codex/config.toml"), strict=True)
)


@rule(
    "AIG004",
    "codex-bearer-token",
    "error",
    "Codex experimental_bearer_token holds a literal token",
    kinds=_KINDS,
    doc="""`experimental_bearer_token` puts the key itself into config.toml, where backups,
    dotfile repositories and screen shares pick it up. `env_key` names the variable instead.""",
    example=_PROVIDER.replace(
        'env_key = "AIGATE_API_KEY"', 'experimental_bearer_token = "sk-example-0123456789abcdef"'
    ),
    fix='remove experimental_bearer_token and set env_key = "AIGATE_API_KEY"',
    secret=True,
)
def bearer_token(src: Source) -> Iterator[Hit]:
    for pid, prov in _providers(src).items():
        token = prov.get("experimental_bearer_token")
        if isinstance(token, str) and token:
            line, col = src.toml_index.value(("model_providers", pid, "experimental_bearer_token"))
            yield Hit(
                line,
                col,
                f"[model_providers.{pid}] experimental_bearer_token holds a literal token"
                f" {mask_key(token)}",
            )


@rule(
    "AIG020",
    "codex-wire-api",
    "error",
    'Codex wire_api is not "responses"',
    kinds=_KINDS,
    doc="""Codex 0.169 loads only `wire_api = "responses"`; with "chat" it refuses to start.""",
    example=_PROVIDER.replace('"responses"', '"chat"'),
    fix='set wire_api = "responses" (Codex 0.169 refuses "chat")',
)
def wire_api(src: Source) -> Iterator[Hit]:
    for pid, prov in _providers(src).items():
        wire = prov.get("wire_api")
        if wire is not None and wire != WIRE_API:
            line, col = src.toml_index.value(("model_providers", pid, "wire_api"))
            yield Hit(
                line,
                col,
                f'[model_providers.{pid}] wire_api = {wire!r}; Codex 0.169 only loads "responses"',
            )


@rule(
    "AIG021",
    "codex-profiles",
    "error",
    "Codex legacy profile / [profiles.*]",
    kinds=_KINDS,
    doc="""A root `profile` key is an error since Codex 0.134 (Codex does not start); a
    `[profiles.<name>]` table is the legacy form of the same setting.""",
    example='profile = "fast"\nmodel = "openai/gpt-5.5"\n',
    fix="move each profile to $CODEX_HOME/<name>.config.toml and delete the root `profile` key"
    " (errors since Codex 0.134)",
)
def profiles(src: Source) -> Iterator[Hit]:
    data = src.toml
    if data is None:
        return
    idx = src.toml_index
    if "profile" in data:
        line, col = idx.key(("profile",))
        yield Hit(line, col, "root `profile` key is an error since Codex 0.134")
    table = data.get("profiles")
    if not isinstance(table, dict):
        return
    if not table:
        line, col = idx.key(("profiles",))
        yield Hit(line, col, "[profiles] is an error since Codex 0.134")
    for name in table:
        line, col = idx.key(("profiles", name))
        yield Hit(line, col, f"[profiles.{name}] is an error since Codex 0.134")


@rule(
    "AIG022",
    "codex-reserved-provider",
    "error",
    "Codex reserved provider id redefined",
    kinds=_KINDS,
    doc="""openai, ollama and lmstudio are Codex's built-in providers; a table with one of these
    ids is refused.""",
    example=_PROVIDER.replace(f"model_providers.{PROVIDER_ID}", "model_providers.openai"),
    fix="rename the provider, e.g. [model_providers.aigate] (openai, ollama, lmstudio are built in)",
)
def reserved_provider(src: Source) -> Iterator[Hit]:
    for pid in _providers(src):
        if pid in RESERVED_PROVIDER_IDS:
            line, col = src.toml_index.key(("model_providers", pid))
            yield Hit(
                line, col, f"provider id {pid!r} is reserved by Codex and cannot be redefined"
            )


@rule(
    "AIG023",
    "codex-project-provider",
    "warning",
    "Provider keys in a project .codex/config.toml",
    kinds=("codex-project",),
    doc="""Codex ignores `model_provider` and `model_providers` in a project's
    .codex/config.toml: the provider has to be in the user's ~/.codex/config.toml.""",
    example=f'model_provider = "{PROVIDER_ID}"\n',
    fix="move model_provider/model_providers to ~/.codex/config.toml"
    " (`aigate-setup init --client codex`); Codex ignores them in a project file",
)
def project_provider(src: Source) -> Iterator[Hit]:
    data = src.toml or {}
    for key in ("model_provider", "model_providers"):
        if key in data:
            line, col = src.toml_index.key((key,))
            yield Hit(line, col, f"`{key}` in a project .codex/config.toml is ignored by Codex")


def _loopback(url: object) -> bool:
    if not isinstance(url, str):
        return False
    try:
        return is_loopback(urlsplit(url).hostname or "")
    except ValueError:
        return False


@rule(
    "AIG024",
    "codex-env-key-missing",
    "error",
    "Codex provider without env_key",
    kinds=_KINDS,
    doc="""Without `env_key` Codex sends no key, and the gateway answers 401 to every request
    (a local server on 127.0.0.1 may need none).""",
    example=_PROVIDER.replace('env_key = "AIGATE_API_KEY"\n', ""),
    fix='add env_key = "AIGATE_API_KEY" to the provider',
)
def env_key_missing(src: Source) -> Iterator[Hit]:
    for pid, prov in _providers(src).items():
        if (
            not prov.get("env_key")
            and not prov.get("experimental_bearer_token")
            and not _loopback(prov.get("base_url"))
            and not prov.get("requires_openai_auth")
        ):
            line, col = src.toml_index.key(("model_providers", pid))
            yield Hit(line, col, f"[model_providers.{pid}] has no env_key, so Codex sends no key")


@rule(
    "AIG025",
    "codex-undefined-provider",
    "warning",
    "Codex model_provider names an undefined provider",
    kinds=("codex-user",),
    doc="""`model_provider` must name a built-in provider or a [model_providers.<id>] table;
    otherwise Codex stops with an unknown-provider error.""",
    example=f'model_provider = "aigte"\n\n{_PROVIDER}',
    fix="define [model_providers.<id>] or fix model_provider",
)
def undefined_provider(src: Source) -> Iterator[Hit]:
    data = src.toml or {}
    chosen = data.get("model_provider")
    if (
        isinstance(chosen, str)
        and chosen not in _providers(src)
        and chosen not in BUILTIN_PROVIDER_IDS
    ):
        line, col = src.toml_index.value(("model_provider",))
        yield Hit(
            line,
            col,
            f"model_provider = {chosen!r} but [model_providers.{chosen}] is not defined here",
        )


STATIC_RULES: tuple[Rule, ...] = (
    bearer_token,
    wire_api,
    profiles,
    reserved_provider,
    project_provider,
    env_key_missing,
    undefined_provider,
)


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
