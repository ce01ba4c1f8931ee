"""GET /v1/models -> typed Model records, classification, on-disk cache.

Only the standard library is imported here at module level; the HTTP code (and httpx) lives in
aigate_setup.gateway and is imported when a catalog is actually fetched.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from aigate_setup import paths
from aigate_setup.errors import AigateError, GatewayError, UsageError
from aigate_setup.options import CLIENTS, KINDS, Common, ModelsOptions

if TYPE_CHECKING:
    import httpx

Kind = Literal["chat", "embedding", "image", "video", "other"]

CACHE_FILE = "models.json"
CACHE_VERSION = 1


@dataclass(frozen=True)
class Model:
    id: str
    kind: Kind
    # Clients (of options.CLIENTS) that can use this model; empty for non-chat models.
    clients: tuple[str, ...] = ()
    # Why a chat model is not usable by a client, when the catalog says so: {client: reason}.
    unusable: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    context_length: int | None = None
    max_output_tokens: int | None = None
    name: str | None = None  # a display name when the gateway gives one
    # The gateway's own endpoint types for this model (new-api `supported_endpoint_types`).
    endpoint_types: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        return self.id.split("/", 1)[0] if "/" in self.id else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "clients": list(self.clients),
            "unusable": dict(self.unusable),
            "context_length": self.context_length,
            "max_output_tokens": self.max_output_tokens,
            "name": self.name,
        }


@dataclass(frozen=True)
class Catalog:
    models: tuple[Model, ...]
    source: str  # the URL or file it came from
    from_cache: bool = False
    fetched_at: float | None = None  # unix time of the fetch (for a cached copy: when cached)
    skipped: int = 0  # malformed entries that were left out
    # Why the cache was used (the network error), when from_cache is True.
    fetch_error: str | None = None

    def get(self, model_id: str) -> Model | None:
        for m in self.models:
            if m.id == model_id:
                return m
        return None

    def chat(self, client: str | None = None) -> list[Model]:
        return [
            m for m in self.models if m.kind == "chat" and (client is None or client in m.clients)
        ]


# --------------------------------------------------------------------------- classification

# new-api's EndpointType constants (constant/endpoint_type.go).
_CHAT_ENDPOINTS = {"openai", "openai-response", "anthropic", "gemini"}
_ENDPOINT_KIND: dict[str, Kind] = {
    "embeddings": "embedding",
    "embedding": "embedding",
    "image-generation": "image",
    "openai-video": "video",
    "video": "video",
    "jina-rerank": "other",
    "rerank": "other",
}
# Route paths some gateways list instead of endpoint types.
_PATH_ENDPOINT = (
    ("/responses", "openai-response"),
    ("/chat/completions", "openai"),
    ("/messages", "anthropic"),
    ("/embeddings", "embeddings"),
    ("/images/", "image-generation"),
    ("/video", "openai-video"),
    ("/rerank", "jina-rerank"),
)

_ID_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        "other",
        re.compile(
            r"rerank|(?<![a-z])tts(?![a-z])|whisper|moderation|transcribe|speech|"
            r"text-to-audio|audio-gen|(?<![a-z])suno"
        ),
    ),
    ("embedding", re.compile(r"embed|(?<![a-z])bge-|(?<![a-z])gte-|(?<![a-z])e5-")),
    (
        "video",
        re.compile(
            r"video|(?<![a-z0-9])[tiv]2v(?![a-z])|kling|(?<![a-z])veo|sora|seedance|hailuo|"
            r"runway|(?<![a-z])pika|(?<![a-z])vidu|(?<![a-z])wan-?2|luma|(?<![a-z])ray-?\d"
        ),
    ),
    (
        "image",
        re.compile(
            r"image|dall-e|dalle|imagen|flux|stable-diffusion|sdxl|(?<![a-z])sd-?3|midjourney|"
            r"(?<![a-z])mj[-_]|recraft|ideogram|seedream|kolors|hidream|playground-v"
        ),
    ),
)

_TYPE_WORDS: dict[str, Kind] = {
    "chat": "chat",
    "text": "chat",
    "llm": "chat",
    "language": "chat",
    "completion": "chat",
    "completions": "chat",
    "embedding": "embedding",
    "embeddings": "embedding",
    "image": "image",
    "images": "image",
    "image-generation": "image",
    "image_generation": "image",
    "video": "video",
    "video-generation": "video",
    "rerank": "other",
    "audio": "other",
    "tts": "other",
    "stt": "other",
    "moderation": "other",
}


def kind_from_id(model_id: str) -> Kind:
    """The last resort: guess the kind from the id (embed, image, video... patterns)."""
    lowered = model_id.lower()
    for kind, pattern in _ID_PATTERNS:
        if pattern.search(lowered):
            return kind
    return "chat"


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v.strip().lower() for v in value if isinstance(v, str) and v.strip()]
    return []


def endpoint_types(entry: Mapping[str, Any]) -> list[str]:
    """new-api `supported_endpoint_types`, or endpoint paths mapped to those types."""
    types = _str_list(entry.get("supported_endpoint_types"))
    for key in ("supported_endpoints", "endpoints"):
        for item in _str_list(entry.get(key)):
            if item.startswith("/") or "/" in item:
                types.extend(t for frag, t in _PATH_ENDPOINT if frag in item)
            else:
                types.append(item)
    return list(dict.fromkeys(t.lower() for t in types))


def _modalities(entry: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(input, output) modalities from OpenRouter `architecture` or a `modalities` field."""
    inputs: list[str] = []
    outputs: list[str] = []
    arch = entry.get("architecture")
    if isinstance(arch, Mapping):
        inputs += _str_list(arch.get("input_modalities"))
        outputs += _str_list(arch.get("output_modalities"))
        modality = arch.get("modality")
        if not outputs and isinstance(modality, str) and "->" in modality:
            left, right = modality.lower().split("->", 1)
            inputs += [m for m in left.split("+") if m]
            outputs += [m for m in right.split("+") if m]
    mods = entry.get("modalities")
    if isinstance(mods, Mapping):
        inputs += _str_list(mods.get("input"))
        outputs += _str_list(mods.get("output"))
    for key in ("output_modalities",):
        outputs += _str_list(entry.get(key))
    return inputs, outputs


def _kind_from_outputs(outputs: list[str]) -> Kind | None:
    if not outputs:
        return None
    out = set(outputs)
    if out & {"embedding", "embeddings", "vector"}:
        return "embedding"
    if "video" in out:
        return "video"
    if "image" in out:
        return "image"
    if "text" in out:
        return "chat"
    return "other"


def classify(entry: Mapping[str, Any]) -> Kind:
    """chat / embedding / image / video / other, from whatever the entry carries:
    an explicit kind/type, endpoint types, modalities; the id patterns when nothing says."""
    model_id = str(entry.get("id", ""))
    for key in ("kind", "type", "mode", "model_type", "task"):
        value = entry.get(key)
        if isinstance(value, str) and value.lower() in _TYPE_WORDS:
            return _TYPE_WORDS[value.lower()]
    types = endpoint_types(entry)
    if types:
        special = [_ENDPOINT_KIND[t] for t in types if t in _ENDPOINT_KIND]
        if special:
            return special[0]
        if any(t in _CHAT_ENDPOINTS for t in types):
            # Image models served through chat completions (Gemini image) list only "openai".
            by_id = kind_from_id(model_id)
            return by_id if by_id in ("image", "video") else "chat"
    _inputs, outputs = _modalities(entry)
    by_modality = _kind_from_outputs(outputs)
    if by_modality is not None:
        return by_modality
    mods = entry.get("modalities")
    if isinstance(mods, list):
        listed = set(_str_list(mods))
        if "text" not in listed and listed:
            guess = _kind_from_outputs(sorted(listed))
            if guess is not None and guess != "chat":
                return guess
    return kind_from_id(model_id)


def _clients_for(entry: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, str]]:
    types = endpoint_types(entry)
    if not types:
        return CLIENTS, {}
    usable: list[str] = []
    unusable: dict[str, str] = {}
    listed = ", ".join(types)
    from aigate_setup.clients import CLIENT_MODULES

    for client, module in CLIENT_MODULES.items():
        if module.CATALOG_ENDPOINT in types:
            usable.append(client)
        else:
            unusable[client] = f"{module.ENDPOINT_MISSING} (the catalog lists: {listed})"
    return tuple(usable), unusable


def _positive_int(*values: Any) -> int | None:
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and value > 0:
            return value
        if isinstance(value, float) and value.is_integer() and value > 0:
            return int(value)
        if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
            return int(value)
    return None


def _model_from_entry(entry: Any) -> Model | None:
    """One catalog entry -> Model, or None when it is malformed (no usable id)."""
    if isinstance(entry, str):
        entry = {"id": entry}
    if not isinstance(entry, Mapping):
        return None
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id.strip() or len(model_id) > 300:
        return None
    model_id = model_id.strip()
    if any(ch.isspace() for ch in model_id):
        return None
    kind = classify(entry)
    clients: tuple[str, ...] = ()
    unusable: dict[str, str] = {}
    if kind == "chat":
        given = entry.get("clients")
        if isinstance(given, list) and isinstance(entry.get("kind"), str):
            # Our own `models --format json` output: trust what it says.
            clients = tuple(c for c in CLIENTS if c in given)
            raw_unusable = entry.get("unusable")
            if isinstance(raw_unusable, Mapping):
                unusable = {str(k): str(v) for k, v in raw_unusable.items() if k in CLIENTS and v}
        else:
            clients, unusable = _clients_for(entry)
    top = entry.get("top_provider")
    top = top if isinstance(top, Mapping) else {}
    name = entry.get("name") or entry.get("display_name")
    return Model(
        id=model_id,
        kind=kind,
        clients=clients,
        unusable=unusable,
        context_length=_positive_int(
            entry.get("context_length"),
            entry.get("context_window"),
            entry.get("max_context_length"),
            entry.get("max_input_tokens"),
            top.get("context_length"),
        ),
        max_output_tokens=_positive_int(
            entry.get("max_output_tokens"),
            top.get("max_completion_tokens"),
            entry.get("max_completion_tokens"),
            entry.get("max_tokens"),
        ),
        name=name if isinstance(name, str) and name.strip() and name != model_id else None,
        endpoint_types=tuple(endpoint_types(entry)),
    )


def _entries(data: Any, source: str) -> list[Any]:
    """The list of model entries in any catalog shape; GatewayError when it is not a catalog."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in ("data", "models"):
            if isinstance(data.get(key), list):
                return cast(list[Any], data[key])
        if data.get("status") == "fail" and isinstance(data.get("error"), Mapping):
            msg = data["error"].get("message", "an error")
            raise GatewayError(
                f"{source} holds a failed `models` run ({msg}), not a catalog",
                url=source,
                hint="rerun `aigate-setup models --format json > FILE` once it succeeds",
            )
        error = data.get("error")
        message = None
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            message = error["message"]
        elif isinstance(error, str):
            message = error
        elif data.get("success") is False and isinstance(data.get("message"), str):
            message = data["message"]
        if message is not None:
            from aigate_setup.gateway import scrub

            raise GatewayError(
                f"{source} answered with an error instead of the model list: "
                f"{' '.join(scrub(message).split())[:160]}",
                url=source,
                hint="check the key and --base-url; `aigate-setup doctor` runs every check",
            )
    shape = type(data).__name__ if not isinstance(data, Mapping) else "an object without `data`"
    raise GatewayError(
        f"{source} is not a model catalog (got {shape}; expected "
        '{"object": "list", "data": [{"id": ...}]})',
        url=source,
        hint="check --base-url points at the gateway's /v1 base, e.g. https://api.aigate.shop/v1",
    )


def parse_catalog(
    data: Any, source: str, *, from_cache: bool = False, fetched_at: float | None = None
) -> Catalog:
    """Tolerant parse of an OpenAI list, a bare list, new-api (`supported_endpoint_types`),
    OpenRouter (`architecture`, `context_length`, `top_provider`) or our own JSON output.
    Malformed entries are skipped and counted; duplicates keep the first."""
    models: dict[str, Model] = {}
    skipped = 0
    for entry in _entries(data, source):
        model = _model_from_entry(entry)
        if model is None:
            skipped += 1
        elif model.id not in models:
            models[model.id] = model
    return Catalog(
        models=tuple(models.values()),
        source=source,
        from_cache=from_cache,
        fetched_at=fetched_at,
        skipped=skipped,
    )


# --------------------------------------------------------------------------- cache


def _cache_path() -> Path:
    return paths.cache_dir() / CACHE_FILE


def _read_cache() -> dict[str, Any]:
    try:
        doc = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("version") != CACHE_VERSION:
        return {}
    entries = doc.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(base_url: str, raw: Any, fetched_at: float) -> None:
    """Keep the last good raw response per base URL. Best effort: a cache that cannot be
    written never fails the command."""
    entries = _read_cache()
    entries[base_url] = {"fetched_at": fetched_at, "data": raw}
    doc = {"version": CACHE_VERSION, "entries": entries}
    from aigate_setup import fsio

    with contextlib.suppress(AigateError, OSError):
        fsio.atomic_write(_cache_path(), json.dumps(doc, ensure_ascii=False).encode())


def cached_catalog(base_url: str) -> Catalog | None:
    """The cached catalog for this base URL, or None."""
    entry = _read_cache().get(base_url)
    if not isinstance(entry, dict) or "data" not in entry:
        return None
    fetched_at = entry.get("fetched_at")
    try:
        return parse_catalog(
            entry["data"],
            base_url.rstrip("/") + "/models",
            from_cache=True,
            fetched_at=float(fetched_at) if isinstance(fetched_at, int | float) else None,
        )
    except GatewayError:
        return None


def _network_failure(exc: GatewayError) -> bool:
    """Worth falling back to the cache: unreachable, timed out, 429/5xx, or a page that is not
    the gateway's JSON (proxy, portal). Not for 4xx answers such as a bad key."""
    if exc.status is None:
        return True
    return exc.status == 429 or exc.status >= 500 or exc.status < 400


def fetch_catalog(
    common: Common,
    *,
    refresh: bool = False,
    client: httpx.Client | None = None,
    timeout: float | None = None,
) -> Catalog:
    """GET {base}/models (key sent only when set) -> Catalog, caching the last good answer.
    On a network failure return the cached copy (from_cache=True, fetch_error set) unless
    `refresh`; otherwise raise the explained GatewayError."""
    from aigate_setup import gateway

    url = common.base_url.rstrip("/") + "/models"
    try:
        raw = gateway.get_json(
            url, key=common.key(), client=client, timeout=timeout, key_env=common.key_env
        )
        fetched_at = time.time()
        catalog = parse_catalog(raw, url, fetched_at=fetched_at)
    except GatewayError as exc:
        if not refresh and _network_failure(exc):
            cached = cached_catalog(common.base_url)
            if cached is not None:
                return Catalog(
                    models=cached.models,
                    source=cached.source,
                    from_cache=True,
                    fetched_at=cached.fetched_at,
                    skipped=cached.skipped,
                    fetch_error=exc.message,
                )
        raise
    _write_cache(common.base_url, raw, fetched_at)
    return catalog


def load_catalog_file(path: Path) -> Catalog:
    """A catalog from a file: `models --format json` output or a raw /v1/models response."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(
            f"catalog file {path} does not exist",
            "create it with `aigate-setup models --format json > FILE`",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(
            f"cannot read catalog file {path}: {reason}",
            "pass a readable UTF-8 JSON file from `aigate-setup models --format json`",
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}:{exc.lineno}:{exc.colno}: catalog file is not valid JSON: {exc.msg}",
            "create it with `aigate-setup models --format json > FILE`",
        ) from None
    try:
        return parse_catalog(data, str(path))
    except GatewayError as exc:
        raise UsageError(exc.message, exc.hint) from None


# --------------------------------------------------------------------------- choosing models


def suggest(catalog: Catalog, wrong_id: str, n: int = 3) -> list[str]:
    """The chat ids closest to a mistyped one (also matching without the provider prefix)."""
    wanted = wrong_id.strip().lower()
    if not wanted or n <= 0:
        return []
    scored: list[tuple[float, str]] = []
    for model in catalog.chat():
        cand = model.id.lower()
        short = cand.split("/", 1)[-1]
        short_wanted = wanted.split("/", 1)[-1]
        score = max(
            difflib.SequenceMatcher(None, wanted, cand).ratio(),
            difflib.SequenceMatcher(None, short_wanted, short).ratio(),
        )
        if short_wanted and (short_wanted in cand or short in wanted):
            score = max(score, 0.8)
        if score >= 0.5:
            scored.append((score, model.id))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [model_id for _score, model_id in scored[:n]]


_VERSION = re.compile(r"(?<![a-z0-9])(\d{1,2})(?:[.\-_](\d{1,2}))?(?![0-9])")
_DATE = re.compile(r"(20\d{6})")


def _version_key(model_id: str) -> tuple[tuple[int, ...], int, int]:
    name = model_id.lower().split("/", 1)[-1]
    match = _VERSION.search(name)
    version: tuple[int, ...] = ()
    if match:
        version = tuple(int(g) for g in match.groups() if g is not None)
    date = _DATE.search(name)
    return version, int(date.group(1)) if date else 0, -len(model_id)


def best_claude_slots(catalog: Catalog) -> dict[str, str | None]:
    """{"opus": id, "sonnet": id, "haiku": id}: per slot, the newest-version chat id that
    contains the name and that Claude Code can use; None when nothing matches."""
    usable = catalog.chat("claude")
    slots: dict[str, str | None] = {}
    for slot in ("opus", "sonnet", "haiku"):
        candidates = [m.id for m in usable if slot in m.id.lower()]
        slots[slot] = max(candidates, key=_version_key) if candidates else None
    return slots


# --------------------------------------------------------------------------- the command


def _human_tokens(n: int | None) -> str:
    if not n:
        return "-"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if n >= 1000:
        return f"{round(n / 1000)}k"
    return str(n)


def _when(ts: float | None) -> str:
    if ts is None:
        return "an unknown time"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


def _iso(ts: float | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def filter_models(catalog: Catalog, kind: str | None, client: str | None) -> list[Model]:
    models: Iterable[Model] = catalog.models
    if kind:
        models = (m for m in models if m.kind == kind)
    if client:
        models = (m for m in models if m.kind == "chat" and client in m.clients)
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(models, key=lambda m: (order.get(m.kind, 99), m.id))


def _clients_cell(model: Model) -> str:
    if model.kind != "chat":
        return "-"
    return ",".join(model.clients) if model.clients else "none"


def format_table(models: list[Model]) -> str:
    """An aligned table: id, kind, context, clients."""
    header = ("ID", "KIND", "CONTEXT", "CLIENTS")
    rows = [header]
    for m in models:
        rows.append((m.id, m.kind, _human_tokens(m.context_length), _clients_cell(m)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip()
        for r in rows
    ]
    return "\n".join(lines)


def _count_line(shown: list[Model], catalog: Catalog, opts: ModelsOptions) -> str:
    counts = {k: sum(1 for m in shown if m.kind == k) for k in KINDS}
    parts = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    noun = "model" if len(shown) == 1 else "models"
    line = f"{len(shown)} {noun}" + (f" ({parts})" if parts else "")
    filters = [
        f"--{flag} {value}" for flag, value in (("kind", opts.kind), ("client", opts.client))
    ]
    filters = [f for f, value in zip(filters, (opts.kind, opts.client), strict=True) if value]
    if filters:
        line += f" matching {' '.join(filters)} (of {len(catalog.models)})"
    line += f" from {catalog.source}"
    if catalog.skipped:
        line += (
            f"; skipped {catalog.skipped} malformed entr{'y' if catalog.skipped == 1 else 'ies'}"
        )
    return line


def run_models(opts: ModelsOptions) -> int:
    """`aigate-setup models`: fetch, classify, filter, print (table or JSON)."""
    from aigate_setup import report

    catalog = fetch_catalog(opts.common, refresh=opts.refresh)
    if catalog.from_cache:
        report.info(f"warning: {catalog.fetch_error}")
        report.info(f"using cached catalog from {_when(catalog.fetched_at)}")
    shown = filter_models(catalog, opts.kind, opts.client)
    if opts.common.fmt == "json":
        report.print_json(
            report.envelope(
                "models",
                "ok",
                source=catalog.source,
                from_cache=catalog.from_cache,
                fetched_at=_iso(catalog.fetched_at),
                count=len(shown),
                skipped=catalog.skipped,
                models=[m.to_json() for m in shown],
            )
        )
    else:
        if shown:
            sys.stdout.write(format_table(shown) + "\n")
            sys.stdout.flush()
    report.info(_count_line(shown, catalog, opts))
    return 0
