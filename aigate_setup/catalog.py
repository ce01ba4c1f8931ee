"""GET /v1/models -> typed Model records, catalog files, and the model-selection policy
(suggestions for a mistyped id, Claude Code's slots).

A catalog is outside input: an entry whose id could act as syntax in a client's config (braces,
control characters, whitespace, more than 200 characters, a key) is skipped and counted, with one
warning (`Catalog.warnings`); display names are cleaned; every string is scrubbed of the key and
of anything key-shaped before it is used, shown or cached. Classification lives in
`catalog_classify`, the on-disk cache in `catalog_cache`.

Only the standard library is imported here at module level; the HTTP code (and httpx) lives in
aigate_setup.gateway and is imported when a catalog is actually fetched.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aigate_setup import catalog_cache, sanitize, secrets
from aigate_setup.catalog_classify import Kind, classify, clients_for, endpoint_types
from aigate_setup.errors import GatewayError, UsageError
from aigate_setup.model_ids import check_model_id, clean_display_name
from aigate_setup.options import CLIENTS, KINDS, Common

if TYPE_CHECKING:
    import httpx

__all__ = ["Catalog", "Kind", "Model", "classify", "fetch_catalog", "parse_catalog"]

MAX_CATALOG_BYTES = 16 * 1024 * 1024  # a fetched answer or a --catalog file; far above real ones
# Token counts above this are dropped: JSON readers lose precision past 2**53, and Codex refuses
# a `model_context_window` of 2**63 or more.
MAX_TOKENS = 2**53 - 1


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
    name: str | None = None  # a display name when the gateway gives one (cleaned)
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
    skipped: int = 0  # entries that were left out (malformed or unsafe)
    # Why the cache was used (the network error), when from_cache is True.
    fetch_error: str | None = None
    unsafe: int = 0  # of `skipped`: entries whose id is not safe to write into a config

    def get(self, model_id: str) -> Model | None:
        for m in self.models:
            if m.id == model_id:
                return m
        return None

    def chat(self, client: str | None = None) -> list[Model]:
        return [
            m for m in self.models if m.kind == "chat" and (client is None or client in m.clients)
        ]

    def suggest(self, wrong_id: str, n: int = 3) -> list[str]:
        """The chat ids closest to a mistyped one (see `suggest`)."""
        return suggest(self, wrong_id, n)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What every command using this catalog should show (one line each)."""
        if not self.unsafe:
            return ()
        n = self.unsafe
        return (
            f"skipped {n} catalog entr{'y' if n == 1 else 'ies'} whose model id is not safe to "
            "write into a config (braces, control characters, whitespace, a key, or more than "
            "200 characters)",
        )


# --------------------------------------------------------------------------- parsing

_MALFORMED = "malformed"
_UNSAFE = "unsafe"


def _positive_int(*values: Any) -> int | None:
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, str):
            digits = value.strip()
            if not (digits.isascii() and digits.isdigit() and len(digits) <= 18):
                continue
            value = int(digits)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and 0 < value <= MAX_TOKENS:
            return value
    return None


def _text(value: str, key: str | None, limit: int = 300) -> str:
    """A catalog string that is only shown: one clean line without the key."""
    return sanitize.one_line(secrets.scrub(value, key), limit)


def _holds_key(value: str, key: str | None) -> bool:
    return bool(key and key.strip() and key.strip() in value) or secrets.looks_like_key(value)


def _usage(
    entry: Mapping[str, Any], key: str | None
) -> tuple[Kind, tuple[str, ...], dict[str, str]]:
    """The entry's kind, the clients that can use it and why the others cannot."""
    given = entry.get("clients")
    own_kind = entry.get("kind")
    if isinstance(given, list) and isinstance(own_kind, str):
        # Our own `models --format json` output (or the cache): trust what it says.
        kind = cast(Kind, own_kind) if own_kind in KINDS else classify(entry)
        if kind != "chat":
            return kind, (), {}
        raw = entry.get("unusable")
        unusable: dict[str, str] = {}
        if isinstance(raw, Mapping):
            unusable = {
                str(k): _text(v, key) for k, v in raw.items() if k in CLIENTS and isinstance(v, str)
            }
            unusable = {k: v for k, v in unusable.items() if v}
        return kind, tuple(c for c in CLIENTS if c in given), unusable
    kind = classify(entry)
    if kind != "chat":
        return kind, (), {}
    clients, unusable = clients_for(entry)
    return kind, clients, unusable


def _display_name(entry: Mapping[str, Any], model_id: str, key: str | None) -> str | None:
    name = entry.get("name") or entry.get("display_name")
    if not isinstance(name, str):
        return None
    cleaned = clean_display_name(secrets.scrub(name, key))
    return cleaned if cleaned and cleaned != model_id else None


def _model_from_entry(entry: Any, key: str | None = None) -> Model | str:
    """One catalog entry -> Model, or why it is skipped (_MALFORMED, _UNSAFE)."""
    if isinstance(entry, str):
        entry = {"id": entry}
    if not isinstance(entry, Mapping):
        return _MALFORMED
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        return _MALFORMED
    if check_model_id(model_id) is not None or _holds_key(model_id, key):
        return _UNSAFE
    kind, clients, unusable = _usage(entry, key)
    top = entry.get("top_provider")
    top = top if isinstance(top, Mapping) else {}
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
        name=_display_name(entry, model_id, key),
        endpoint_types=tuple(endpoint_types(entry)),
    )


def _error_message(data: Mapping[str, Any]) -> str | None:
    """The message of an error answer that stands where a model list should be."""
    error = data.get("error")
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return str(error["message"])
    if isinstance(error, str):
        return error
    if data.get("success") is False and isinstance(data.get("message"), str):
        return str(data["message"])
    return None


def _entries(data: Any, source: str, key: str | None = None) -> list[Any]:
    """The list of model entries in any catalog shape; GatewayError when it is not a catalog."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for name in ("data", "models"):
            if isinstance(data.get(name), list):
                return cast(list[Any], data[name])
        if data.get("status") == "fail" and isinstance(data.get("error"), Mapping):
            msg = data["error"].get("message", "an error")
            msg = _text(msg, key, 160) if isinstance(msg, str) else "an error"
            raise GatewayError(
                f"{source} holds a failed `models` run ({msg}), not a catalog",
                url=source,
                hint="rerun `aigate-setup models --format json > FILE` once it succeeds",
            )
        message = _error_message(data)
        if message is not None:
            shown = " ".join(sanitize.clean(secrets.scrub(message, key)).split())[:160]
            raise GatewayError(
                f"{source} answered with an error instead of the model list: {shown}",
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
    data: Any,
    source: str,
    *,
    from_cache: bool = False,
    fetched_at: float | None = None,
    key: str | None = None,
) -> Catalog:
    """Tolerant parse of an OpenAI list, a bare list, new-api (`supported_endpoint_types`),
    OpenRouter (`architecture`, `context_length`, `top_provider`) or our own JSON output.
    Malformed and unsafe entries are skipped and counted; duplicates keep the first. `key`
    (and anything key-shaped) never survives into a model's strings."""
    models: dict[str, Model] = {}
    skipped = unsafe = 0
    for entry in _entries(data, source, key):
        model = _model_from_entry(entry, key)
        if isinstance(model, str):
            skipped += 1
            unsafe += model == _UNSAFE
        elif model.id not in models:
            models[model.id] = model
    return Catalog(
        models=tuple(models.values()),
        source=source,
        from_cache=from_cache,
        fetched_at=fetched_at,
        skipped=skipped,
        unsafe=unsafe,
    )


# --------------------------------------------------------------------------- cache


def _cached_entry(model: Model) -> dict[str, Any]:
    entry = model.to_json()
    if model.endpoint_types:
        entry["supported_endpoint_types"] = list(model.endpoint_types)
    return entry


def _write_cache(base_url: str, catalog: Catalog) -> None:
    """Keep the models as parsed, so the cache holds only what passed the checks."""
    data = {"object": "list", "data": [_cached_entry(m) for m in catalog.models]}
    catalog_cache.write(base_url, data, catalog.fetched_at)


def cached_catalog(base_url: str, key: str | None = None) -> Catalog | None:
    """The cached catalog for this base URL, or None."""
    cached = catalog_cache.read(base_url)
    if cached is None:
        return None
    data, fetched_at = cached
    try:
        return parse_catalog(
            data,
            base_url.rstrip("/") + "/models",
            from_cache=True,
            fetched_at=fetched_at,
            key=key,
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
    key = common.key()
    try:
        raw = gateway.get_json(
            url,
            key=key,
            client=client,
            timeout=timeout,
            key_env=common.key_env,
            limit=MAX_CATALOG_BYTES,
        )
        catalog = parse_catalog(raw, url, fetched_at=time.time(), key=key)
    except GatewayError as exc:
        if not refresh and _network_failure(exc):
            cached = cached_catalog(common.base_url, key)
            if cached is not None:
                return Catalog(
                    models=cached.models,
                    source=cached.source,
                    from_cache=True,
                    fetched_at=cached.fetched_at,
                    skipped=cached.skipped,
                    fetch_error=exc.message,
                    unsafe=cached.unsafe,
                )
        raise
    _write_cache(common.base_url, catalog)
    return catalog


# --------------------------------------------------------------------------- files


def _read_catalog_file(path: Path) -> str:
    """A catalog file's text: a regular file of at most MAX_CATALOG_BYTES (a FIFO or a device
    would hang or never end)."""
    hint = "pass a readable UTF-8 JSON file from `aigate-setup models --format json`"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UsageError(
            f"catalog file {path} does not exist",
            "create it with `aigate-setup models --format json > FILE`",
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read catalog file {path}: {exc.strerror or exc}", hint) from None
    try:
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise UsageError(f"cannot read catalog file {path}: not a regular file", hint)
            data = f.read(MAX_CATALOG_BYTES + 1)
        if len(data) > MAX_CATALOG_BYTES:
            raise UsageError(
                f"cannot read catalog file {path}: larger than "
                f"{MAX_CATALOG_BYTES // (1024 * 1024)} MiB",
                hint,
            )
        return data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read catalog file {path}: {reason}", hint) from None


def load_catalog_file(path: Path) -> Catalog:
    """A catalog from a file: `models --format json` output or a raw /v1/models response."""
    text = _read_catalog_file(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}:{exc.lineno}:{exc.colno}: catalog file is not valid JSON: {exc.msg}",
            "create it with `aigate-setup models --format json > FILE`",
        ) from None
    except (ValueError, RecursionError):
        raise UsageError(
            f"{path}: catalog file is not a usable JSON document (nested too deeply or a "
            "number too large)",
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
    from aigate_setup.clients import claude

    usable = catalog.chat(claude.NAME)
    slots: dict[str, str | None] = {}
    for slot in ("opus", "sonnet", "haiku"):
        candidates = [m.id for m in usable if slot in m.id.lower()]
        slots[slot] = max(candidates, key=_version_key) if candidates else None
    return slots
