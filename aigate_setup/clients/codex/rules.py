"""Static rules for this client's files (`aigate-setup check`), and its file classifier."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aigate_setup import paths
from aigate_setup.clients.base import FileKind
from aigate_setup.clients.codex.writer import (
    NAME,
    RESERVED_PROVIDER_IDS,
    TITLE,
    WIRE_API,
)
from aigate_setup.clients.common import (
    PROVIDER_ID,
    PROVIDER_NAME,
)
from aigate_setup.options import is_loopback
from aigate_setup.rules.kinds import same_place
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.rules.urls import is_aigate_url
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
