"""OpenCode's static rules (`check`, doctor): how its files are recognised and read
(`file_kind`, `guess_kind`, `READERS`) and its own rules (`STATIC_RULES`). Split from
clients/opencode.py, which loads this module on first use of those names, so that `status` and
`init` do not pay for the rule registry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from aigate_setup.clients import common, kilo, kilo_rules
from aigate_setup.clients.base import FileKind
from aigate_setup.clients.opencode import NAME, SCHEMA, TITLE
from aigate_setup.rules.kinds import json_like
from aigate_setup.rules.positions import get, member, members, string
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.rules.urls import is_aigate_url, is_local_url
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.merge import jsonc
    from aigate_setup.rules.source import Source


# OpenCode's config shape is Kilo's too (a fork): the rules and the reader here also run on
# Kilo's files, with Kilo's known keys; Kilo's own rules are in kilo_rules.py.

NAMES = ("opencode.json", "opencode.jsonc")
# Top-level keys of the pinned OpenCode's config schema (data/opencode-root-keys.json, from the
# binary by scripts/gen_known_keys.py; a test compares it with the installed client).
SCHEMA_ROOT_KEYS = common.root_keys(NAME)
# Keys older versions read from this file and that moved to tui.json: ignored now, but not a
# mistake worth a warning in a config shared with older versions.
LEGACY_ROOT_KEYS = frozenset({"theme", "keybinds", "tui"})
ROOT_KEYS = SCHEMA_ROOT_KEYS | LEGACY_ROOT_KEYS
# Keys people write that the clients silently ignore, with the key they meant.
ROOT_KEY_TYPOS: dict[str, str] = {
    "providers": "provider",
    "models": "provider.<id>.models",
    "mcpServers": "mcp",
    "mcp_servers": "mcp",
    "mcpservers": "mcp",
    "agents": "agent",
    "commands": "command",
    "plugins": "plugin",
    "permissions": "permission",
    "instruction": "instructions",
    "smallModel": "small_model",
    "small-model": "small_model",
    "defaultModel": "model",
    "default_model": "model",
    "baseURL": "provider.<id>.options.baseURL",
    "apiKey": "provider.<id>.options.apiKey",
    "enabledProviders": "enabled_providers",
    "disabledProviders": "disabled_providers",
}
FAMILY_KINDS: tuple[FileKind, ...] = ("opencode", "kilo-user", "kilo-project")
_REF_RE = re.compile(r"^\{(env|file):[^}]+\}$")
_EXAMPLE = f"""{{
  "$schema": "{SCHEMA}",
  "provider": {{
    "{common.PROVIDER_ID}": {{
      "npm": "{common.NPM_PACKAGE}",
      "options": {{"baseURL": "https://api.aigate.shop/v1", "apiKey": "{{env:AIGATE_API_KEY}}"}},
      "models": {{"openai/gpt-5.5": {{"limit": {{"context": 400000, "output": 128000}}}}}}
    }}
  }},
  "model": "{common.PROVIDER_ID}/openai/gpt-5.5"
}}
"""


def file_kind(path: Path) -> FileKind | None:
    """opencode.json(c) anywhere, except where Kilo reads it as its own file."""
    if path.name not in NAMES or kilo_rules.file_kind(path) is not None:
        return None
    return "opencode"


def guess_kind(path: Path, text: str) -> tuple[int, FileKind] | None:
    return (50, "opencode") if json_like(path, text) else None


def _ours(src: Source, providers: jsonc.Node | None) -> set[str]:
    """Providers that send to AIGate: ours by id, or by a base URL on the gateway."""
    ours = {common.PROVIDER_ID} if member(providers, common.PROVIDER_ID) else set()
    for pm in members(providers):
        url = string(get(pm.value, "options", "baseURL"))
        if url is not None and is_aigate_url(url, src.ctx):
            ours.add(pm.key)
    return ours


def _urls(src: Source) -> list[UrlRef]:
    refs = []
    for pm in members(get(src.json, "provider")):
        node = get(pm.value, "options", "baseURL")
        url = string(node)
        if node is not None and url is not None:
            label = f"provider.{pm.key}.options.baseURL"
            keyed = string(get(pm.value, "options", "apiKey")) not in (None, "")
            refs.append(UrlRef(label, url, *src.pos(node.start), "v1", keyed=keyed))
    return refs


def _well_formed(ref: str) -> bool:
    return "/" in ref and not ref.startswith("/") and not ref.endswith("/")


def _root_refs(src: Source) -> Iterator[tuple[str, jsonc.Node, str]]:
    """The root `model` and `small_model` references: key, node, value."""
    for key in ("model", "small_model"):
        node = get(src.json, key)
        ref = string(node)
        if node is not None and ref is not None:
            yield key, node, ref


def _provider_models(src: Source, ours: set[str]) -> Iterator[ModelRef]:
    for pm in members(get(src.json, "provider")):
        for mm in members(get(pm.value, "models")):
            catalog_id = mm.key if pm.key in ours else None
            label = f"provider.{pm.key}.models key"
            yield ModelRef(label, mm.key, *src.pos(mm.key_start), catalog_id=catalog_id)
            for field in ("id", "name"):
                node = get(mm.value, field)
                value = string(node)
                if node is not None and value is not None:
                    label = f"provider.{pm.key}.models[{mm.key!r}].{field}"
                    what: Literal["id", "name"] = "name" if field == "name" else "id"
                    yield ModelRef(label, value, *src.pos(node.start), field=what)
        node = get(pm.value, "name")
        value = string(node)
        if node is not None and value is not None:
            yield ModelRef(f"provider.{pm.key}.name", value, *src.pos(node.start), field="name")


# Root keys that name a model besides `model` and `small_model` (Kilo's subagent model).
_MORE_MODEL_KEYS = ("subagent_model",)


def _models(src: Source) -> list[ModelRef]:
    root = src.json
    if root is None:
        return []
    providers = get(root, "provider")
    ours = _ours(src, providers)
    refs = list(_provider_models(src, ours))
    for key, node, ref in _root_refs(src):
        pid, _, model_id = ref.partition("/")
        routed = pid in ours or (pid == common.PROVIDER_ID and member(providers, pid) is None)
        catalog_id = model_id if _well_formed(ref) and routed else None
        refs.append(ModelRef(key, ref, *src.pos(node.start), catalog_id=catalog_id))
    for key in _MORE_MODEL_KEYS:
        extra = get(root, key)
        value = string(extra)
        if extra is not None and value is not None:
            refs.append(ModelRef(key, value, *src.pos(extra.start)))
    for section in ("agent", "mode", "command"):
        for am in members(get(root, section)):
            at = get(am.value, "model")
            value = string(at)
            if at is not None and value is not None:
                label = f"{section}.{am.key}.model"
                refs.append(ModelRef(label, value, *src.pos(at.start)))
    return refs


_KILO_KEYS = kilo_rules.ROOT_KEYS | LEGACY_ROOT_KEYS
READERS: tuple[Reader, ...] = (
    Reader("opencode", NAME, TITLE, "jsonc", "opencode.json", _urls, _models, ROOT_KEYS),
    Reader("kilo-user", kilo.NAME, kilo.TITLE, "jsonc", "~/.config/kilo/kilo.jsonc", _urls,
           _models, _KILO_KEYS),
    Reader("kilo-project", kilo.NAME, kilo.TITLE, "jsonc", "kilo.jsonc", _urls, _models,
           _KILO_KEYS),
)  # fmt: skip


def _key_hint(src: Source, pid: str, ours: set[str]) -> str:
    """Which variable to reference: the AIGate key for AIGate providers, else one named after
    the provider (never the AIGate key for someone else's server)."""
    if pid in ours:
        return f'set "apiKey": "{{env:{src.ctx.key_env}}}" and export the key in that variable'
    var = re.sub(r"[^A-Za-z0-9]+", "_", pid).strip("_").upper() or "PROVIDER"
    return (
        f'set "apiKey": "{{env:{var}_API_KEY}}" (or another variable) and export the key there;'
        " rotate the key"
    )


@rule(
    "AIG003",
    "literal-api-key",
    "error",
    "Provider apiKey is not an {env:...} reference",
    kinds=FAMILY_KINDS,
    doc="""A literal `apiKey` is the key itself in the config file. OpenCode and Kilo read
    `{env:AIGATE_API_KEY}` from the environment when they start. A provider on this machine or
    a private network (Ollama on localhost:11434, a LAN server) is exempt: its "key" is a
    placeholder such as "ollama".""",
    example=_EXAMPLE.replace("{env:AIGATE_API_KEY}", "sk-EXAMPLE-NOT-A-KEY-1"),
    fix='set "apiKey": "{env:AIGATE_API_KEY}"',
    secret=True,
)
def literal_api_key(src: Source) -> Iterator[Hit]:
    providers = get(src.json, "provider")
    ours: set[str] | None = None
    for pm in members(providers):
        node = get(pm.value, "options", "apiKey")
        api_key = string(node)
        if node is None or not api_key or _REF_RE.match(api_key.strip()):
            continue
        if is_local_url(string(get(pm.value, "options", "baseURL"))):
            continue
        if ours is None:
            ours = _ours(src, providers)
        yield Hit(
            *src.pos(node.start),
            f"provider.{pm.key}.options.apiKey is a literal value {mask_key(api_key)}",
            _key_hint(src, pm.key, ours),
        )


# Providers OpenCode and Kilo know without a `npm`/`options.baseURL` of their own (the
# models.dev catalog they load, and their own gateways). A model list under one of them adds
# to (or overrides) the built-in models; the client still knows the others.
BUILTIN_PROVIDERS = frozenset(
    {
        "opencode", "kilo", "openai", "anthropic", "google", "google-vertex",
        "google-vertex-anthropic", "openrouter", "github-copilot", "github-models", "vercel",
        "amazon-bedrock", "azure", "azure-cognitive-services", "groq", "mistral", "deepseek",
        "xai", "togetherai", "fireworks-ai", "cerebras", "deepinfra", "perplexity", "cohere",
        "huggingface", "nvidia", "zai", "zai-coding-plan", "zhipuai", "moonshotai",
        "moonshotai-cn", "alibaba", "alibaba-cn", "baseten", "venice", "inception", "requesty",
        "upstage", "morph", "chutes", "synthetic", "wandb", "lmstudio", "ollama-cloud",
        "modelscope", "cloudflare-workers-ai", "cloudflare-ai-gateway", "sap-ai-core",
        "scaleway", "ovhcloud", "nebius", "vultr", "friendli", "minimax", "llama", "v0",
        "gitlab", "poe", "lucidquery", "fastrouter", "inference", "submodel", "iflowcn",
        "aihubmix", "302ai", "helicone", "zenmux", "bailing", "cortecs", "io-net",
    }
)  # fmt: skip


def _custom(pid: str, provider: jsonc.Node) -> bool:
    """A provider the config defines itself (its own package or base URL, or an id the
    client does not know): only its declared models exist."""
    has_own = get(provider, "npm") is not None or get(provider, "options", "baseURL") is not None
    return has_own or pid not in BUILTIN_PROVIDERS


@rule(
    "AIG030",
    "model-not-declared",
    "error",
    "Root model is not declared under its provider",
    kinds=FAMILY_KINDS,
    doc="""A model reference `provider/model` is looked up in `provider.<id>.models` (split on
    the first `/`: `aigate/openai/gpt-5.5` needs `models["openai/gpt-5.5"]`). For a custom
    provider (one with its own `npm` or `options.baseURL`, or an id the client does not know)
    an undeclared model is "model not found" at start. Built-in providers (openrouter,
    github-copilot, ...) still know the models a config does not list.""",
    example=_EXAMPLE.replace(
        '"model": "aigate/openai/gpt-5.5"', '"model": "aigate/openai/gpt-5.6"'
    ),
    fix='declare it under provider.<id>.models, e.g. "models": {"openai/gpt-5.5": {}}',
)
def model_not_declared(src: Source) -> Iterator[Hit]:
    providers = get(src.json, "provider")
    for key, node, ref in _root_refs(src):
        if not _well_formed(ref):
            continue
        pid, model_id = ref.split("/", 1)
        prov = member(providers, pid)
        if prov is None or prov.value.kind != "object" or not _custom(pid, prov.value):
            continue
        models = get(prov.value, "models")
        declared = {m.key for m in members(models)}
        if (models is None and get(prov.value, "npm") is None) or model_id in declared:
            continue
        import difflib

        hint = f'add "{model_id}": {{}} under provider.{pid}.models'
        close = difflib.get_close_matches(model_id, sorted(declared), n=1)
        if close:
            hint += f" (or did you mean {pid}/{close[0]}?)"
        yield Hit(
            *src.pos(node.start),
            f"{key} {ref!r}: {model_id!r} is not declared under provider.{pid}.models",
            hint,
        )


@rule(
    "AIG031",
    "model-ref-format",
    "error",
    "Model reference is not provider/model",
    kinds=FAMILY_KINDS,
    doc="""`model` and `small_model` name a provider and a model: `<provider>/<model id>`.
    Without the provider the client cannot find the model.""",
    example=_EXAMPLE.replace('"model": "aigate/openai/gpt-5.5"', '"model": "gpt-5.5"'),
    fix='write it as "<provider>/<model id>", e.g. "aigate/openai/gpt-5.5"',
)
def model_ref_format(src: Source) -> Iterator[Hit]:
    for key, node, ref in _root_refs(src):
        if not _well_formed(ref):
            yield Hit(*src.pos(node.start), f'{key} {ref!r} is not "<provider>/<model>"')


@rule(
    "AIG032",
    "limit-incomplete",
    "error",
    "limit sets only one of context/output",
    kinds=FAMILY_KINDS,
    doc="""The config schema requires both `context` and `output` in a model's `limit`; with
    one of them the client rejects the whole file.""",
    example=_EXAMPLE.replace(', "output": 128000', ""),
    fix='set both, e.g. "limit": {"context": 200000, "output": 32000}',
)
def limit_incomplete(src: Source) -> Iterator[Hit]:
    for pm in members(get(src.json, "provider")):
        for mm in members(get(pm.value, "models")):
            limit = get(mm.value, "limit")
            if limit is None or limit.kind != "object":
                continue
            have = {m.key for m in limit.members}
            if ("context" in have) != ("output" in have):
                missing = "output" if "context" in have else "context"
                yield Hit(
                    *src.pos(limit.start),
                    f"provider.{pm.key}.models[{mm.key!r}].limit has no {missing!r};"
                    f" {src.title} rejects the config",
                )


@rule(
    "AIG033",
    "misspelled-root-key",
    "error",
    "Misspelled root key (silently ignored)",
    kinds=FAMILY_KINDS,
    doc="""OpenCode and Kilo ignore unknown root keys without a word, so `providers` (for
    `provider`) or `mcpServers` (for `mcp`) leaves the client without that setting.""",
    example=_EXAMPLE.replace('"provider": {', '"providers": {', 1),
    fix="rename the key as suggested",
)
def misspelled_root_key(src: Source) -> Iterator[Hit]:
    for m in members(src.json):
        if m.key in src.reader.root_keys or m.key not in ROOT_KEY_TYPOS:
            continue
        meant = ROOT_KEY_TYPOS[m.key]
        yield Hit(
            *src.pos(m.key_start),
            f"root key {m.key!r} is not a setting {src.title} knows, so it is silently ignored;"
            f" did you mean {meant!r}?",
            f"rename {m.key!r} to {meant!r}",
        )


@rule(
    "AIG034",
    "unknown-root-key",
    "warning",
    "Unknown root key",
    kinds=FAMILY_KINDS,
    doc="""A root key that is not in the client's config schema is ignored; usually a typo.
    The known keys come from the schema of the pinned client (OpenCode 1.18.33, Kilo 7.7.7).""",
    example=_EXAMPLE.replace('"provider": {', '"themes": "dark",\n  "provider": {', 1),
    fix="check the spelling against the client's config schema",
)
def unknown_root_key(src: Source) -> Iterator[Hit]:
    known = src.reader.root_keys
    for m in members(src.json):
        if m.key in known or m.key in ROOT_KEY_TYPOS:
            continue
        import difflib

        close = difflib.get_close_matches(m.key, sorted(known), n=1)
        hint = f"did you mean {close[0]!r}?" if close else None
        yield Hit(*src.pos(m.key_start), f"unknown root key {m.key!r} for {src.title}", hint)


STATIC_RULES: tuple[Rule, ...] = (
    literal_api_key,
    model_not_declared,
    model_ref_format,
    limit_incomplete,
    misspelled_root_key,
    unknown_root_key,
)
