"""Static rules for this client's files (`aigate-setup check`), and its file classifier."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import paths
from aigate_setup.clients.base import FileKind
from aigate_setup.clients.codex import NAME, TITLE
from aigate_setup.clients.codex.writer import RESERVED_PROVIDER_IDS, WIRE_API
from aigate_setup.clients.common import (
    PROVIDER_ID,
    PROVIDER_NAME,
)
from aigate_setup.rules.kinds import place, same_place
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.rules.urls import is_aigate_url, is_local_url
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.rules.source import Source


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
    if same_place(path.parent, place(paths.codex_home)):
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
            keyed = bool(
                prov.get("env_key")
                or prov.get("experimental_bearer_token")
                or prov.get("requires_openai_auth")
            )
            label = f"[model_providers.{pid}] base_url"
            refs.append(UrlRef(label, url, line, col, "v1", keyed=keyed))
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
        for key in ("model", "review_model"):
            value = profile.get(key) if isinstance(profile, dict) else None
            if isinstance(value, str):
                at = idx.value(("profiles", name, key))
                refs.append(ModelRef(f"[profiles.{name}] {key}", value, *at))
    for pid, prov in _providers(src).items():
        inner = prov.get("model")
        if isinstance(inner, str):
            at = idx.value(("model_providers", pid, "model"))
            refs.append(ModelRef(f"[model_providers.{pid}] model", inner, *at))
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
        'env_key = "AIGATE_API_KEY"', 'experimental_bearer_token = "sk-EXAMPLE-NOT-A-KEY-1"'
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
    "Codex root profile key / [profiles.*] tables",
    kinds=_KINDS,
    doc="""A root `profile` key is an error since Codex 0.134: Codex does not start. A
    `[profiles.<name>]` table still loads (plain `codex` answers normally), but `codex
    --profile <name>` refuses to start while it is there (Codex 0.169 wants the profile in
    `$CODEX_HOME/<name>.config.toml`), so the tables are a warning.""",
    example='profile = "fast"\nmodel = "openai/gpt-5.5"\n',
    fix="delete the root `profile` key (Codex refuses it since 0.134); move each profile to"
    " $CODEX_HOME/<name>.config.toml",
)
def profiles(src: Source) -> Iterator[Hit]:
    data = src.toml
    if data is None:
        return
    if "profile" in data:
        line, col = src.toml_index.key(("profile",))
        yield Hit(line, col, "root `profile` key: Codex refuses this file since 0.134")
    table = data.get("profiles")
    if not isinstance(table, dict):
        return
    hint = "move the profile to $CODEX_HOME/<name>.config.toml (plain `codex` loads the tables,"
    hint += " but `codex --profile <name>` refuses to start while they are there)"
    names = list(table) or [None]
    for name in names:
        line, col = src.toml_index.key(("profiles",) if name is None else ("profiles", name))
        shown = "[profiles]" if name is None else f"[profiles.{name}]"
        yield Hit(
            line,
            col,
            f"{shown} is the legacy profile form; `codex --profile` refuses to start with it",
            hint,
            severity="warning",
        )


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


@rule(
    "AIG024",
    "codex-env-key-missing",
    "error",
    "Codex provider without env_key",
    kinds=_KINDS,
    doc="""Without `env_key` Codex sends no key, and the gateway answers 401 to every request
    (a server on this machine or a private network, such as Ollama, may need none).""",
    example=_PROVIDER.replace('env_key = "AIGATE_API_KEY"\n', ""),
    fix='add env_key = "AIGATE_API_KEY" to the provider',
)
def env_key_missing(src: Source) -> Iterator[Hit]:
    for pid, prov in _providers(src).items():
        if (
            not prov.get("env_key")
            and not prov.get("experimental_bearer_token")
            and not is_local_url(prov.get("base_url"))
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


def _chosen_aigate(src: Source) -> tuple[str, dict[str, Any]] | None:
    """The chosen provider (`model_provider`) when it is defined here and sends to AIGate."""
    data = src.toml or {}
    chosen = data.get("model_provider")
    if not isinstance(chosen, str) or not _routes_to_aigate(src, chosen):
        return None
    prov = _providers(src).get(chosen)
    return (chosen, prov) if prov is not None else None


@rule(
    "AIG027",
    "codex-provider-model",
    "error",
    "Codex model set inside [model_providers.<id>] (ignored)",
    kinds=_KINDS,
    doc="""Codex reads the model only from the root `model` key (or a profile); a `model` inside
    a `[model_providers.<id>]` table is ignored. With no root `model`, Codex requests its own
    default model, which the gateway does not serve under that id (404 on every request).""",
    example=f'model_provider = "{PROVIDER_ID}"\n\n'
    + _PROVIDER.replace(
        'wire_api = "responses"', 'wire_api = "responses"\nmodel = "openai/gpt-5.5"'
    ),
    fix='move it to the root: model = "<id>" before the first [table]',
)
def provider_model(src: Source) -> Iterator[Hit]:
    data = src.toml
    if data is None:
        return
    root_model = data.get("model")
    chosen = (
        (data.get("model_provider") or "") if isinstance(data.get("model_provider"), str) else ""
    )
    for pid, prov in _providers(src).items():
        inner = prov.get("model")
        if not isinstance(inner, str):
            continue
        line, col = src.toml_index.key(("model_providers", pid, "model"))
        hint = f'move it to the root: model = "{inner}" (before the first [table])'
        if pid == chosen and root_model is None:
            yield Hit(
                line,
                col,
                f"[model_providers.{pid}] model = {inner!r} is ignored by Codex and there is no"
                " root `model`: Codex requests its own default model (404 at the gateway)",
                hint,
            )
        else:
            yield Hit(
                line,
                col,
                f"[model_providers.{pid}] model = {inner!r} is ignored by Codex",
                "delete it (Codex reads only the root `model`)" if root_model is not None else hint,
                severity="warning",
            )


@rule(
    "AIG028",
    "codex-no-model",
    "warning",
    "Codex sends to AIGate without a model",
    kinds=("codex-user",),
    doc="""With `model_provider` on AIGate and no root `model`, Codex requests its built-in
    default model (an OpenAI name without a provider prefix), which the gateway answers with
    404.""",
    example=f'model_provider = "{PROVIDER_ID}"\n\n{_PROVIDER}',
    fix='set model = "<id>" at the root (an exact id from `aigate-setup models`)',
)
def no_model(src: Source) -> Iterator[Hit]:
    data = src.toml
    found = _chosen_aigate(src)
    if data is None or found is None or "model" in data:
        return
    pid, prov = found
    if isinstance(prov.get("model"), str):
        return  # AIG027 says it, with the inner value
    line, col = src.toml_index.value(("model_provider",))
    yield Hit(
        line,
        col,
        f"model_provider = {pid!r} sends to AIGate but no root `model` is set: Codex requests"
        " its own default model (404 at the gateway)",
    )


_I64_MAX = 2**63 - 1


def _big_ints(value: object, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], int]]:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -(2**63) <= value <= _I64_MAX:
            yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _big_ints(v, (*path, str(k)))
    elif isinstance(value, list):
        for v in value:
            yield from _big_ints(v, path)


@rule(
    "AIG029",
    "codex-integer-range",
    "error",
    "Codex integer out of range",
    kinds=_KINDS,
    doc="""Codex reads TOML integers as signed 64-bit numbers: a value of 2^63 or more (such as
    `model_context_window = 9223372036854775808`) makes it refuse the whole file.""",
    example='model = "openai/gpt-5.5"\nmodel_context_window = 9223372036854775808\n',
    fix="use a realistic number (a model's context window is well below 2^63)",
)
def integer_range(src: Source) -> Iterator[Hit]:
    data = src.toml
    if data is None:
        return
    for path, value in _big_ints(data, ()):
        line, col = src.toml_index.value(path)
        shown = str(value) if len(str(value)) <= 30 else str(value)[:27] + "..."
        yield Hit(
            line,
            col,
            f"{'.'.join(path)} = {shown} does not fit a 64-bit integer; Codex refuses the file",
        )


STATIC_RULES: tuple[Rule, ...] = (
    bearer_token,
    wire_api,
    profiles,
    reserved_provider,
    project_provider,
    env_key_missing,
    undefined_provider,
    provider_model,
    no_model,
    integer_range,
)
