"""Base URL rules (AIG010-AIG016) for every URL a client module finds in its files.

One URL has at most one shape problem (a full endpoint, /v1 twice, a missing /v1, ...), so
`analyze` decides which single rule speaks for it. Every URL shown in a message or hint goes
through `shown_url`: user:password, secret query values and keys inside a URL never come out.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from typing import Literal, NamedTuple
from urllib.parse import SplitResult, urlsplit, urlunsplit

from aigate_setup.options import is_loopback
from aigate_setup.rules.registry import Hit, RuleContext, UrlRef, rule
from aigate_setup.rules.source import Source
from aigate_setup.secrets import mask_url

_ENDPOINTS = ("/chat/completions", "/completions", "/responses", "/messages", "/embeddings")
_DOUBLE_V1 = re.compile(r"/v1/v1(/|$)")
_V1_RUN = re.compile(r"(/v1)+(?=/|$)", re.IGNORECASE)
_VERSION = re.compile(r"/v\d")

Shape = Literal["double-v1", "endpoint", "root-v1", "no-v1"]


def shown_url(url: str) -> str:
    """`url` as it may be shown: unchanged unless it carries a credential, then masked."""
    masked = mask_url(url)
    try:
        plain = urlunsplit(urlsplit(url))
    except ValueError:
        plain = url
    return url if masked == plain else masked


def host_only(gateway_host: str) -> str:
    """The host name of a `--gateway-host` value (which may be a URL or host:port)."""
    value = gateway_host.strip().lower()
    if "://" in value:
        with contextlib.suppress(ValueError):
            value = urlsplit(value).hostname or value
    return value.split("/")[0].rsplit(":", 1)[0] if value.count(":") == 1 else value


_LOCAL_SUFFIXES = (".localhost", ".local", ".lan", ".internal", ".home.arpa", ".docker")


def is_local_host(host: str) -> bool:
    """True for this machine and private networks: loopback, RFC 1918 / ULA / link-local
    addresses, `localhost`, single-label names (a LAN or container host such as `ollama`) and
    the private suffixes (.local, .lan, .internal, .home.arpa). A dummy key or plain http there
    exposes nothing to the internet."""
    import ipaddress

    host = host.lower().strip("[]").rstrip(".")
    if not host:
        return False
    if is_loopback(host) or host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return addr.is_private or addr.is_link_local or addr.is_loopback


def url_host(url: object) -> str | None:
    """The host of an http(s) URL string, else None."""
    if not isinstance(url, str):
        return None
    try:
        return urlsplit(url.strip()).hostname or None
    except ValueError:
        return None


def is_local_url(url: object) -> bool:
    """True when `url` is a URL on this machine or a private network (`is_local_host`)."""
    host = url_host(url)
    return host is not None and is_local_host(host)


def is_aigate_url(url: str, ctx: RuleContext) -> bool:
    """True when `url` points at the AIGate gateway (or the host given with --gateway-host)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return False
    if ctx.gateway_host and host == host_only(ctx.gateway_host):
        return True
    return host == "aigate.shop" or host.endswith(".aigate.shop")


class Analysis(NamedTuple):  # not a dataclass: one costs about a millisecond at import
    url: str  # stripped
    parts: SplitResult | None  # None: not an http(s) URL
    host: str
    path: str  # without trailing slashes
    shape: Shape | None
    endpoint: str | None


@functools.lru_cache(maxsize=256)
def analyze(url: str, style: Literal["v1", "root"]) -> Analysis | None:
    """What is wrong with the shape of one base URL; None for a reference ({env:}, $VAR)."""
    url = url.strip()
    if not url or "{env:" in url or "{file:" in url or "$" in url:
        return None
    parts: SplitResult | None = None
    host = ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        pass
    if parts is None or parts.scheme not in ("http", "https") or not host:
        return Analysis(url, None, "", "", None, None)
    path = parts.path.rstrip("/")
    lowered = path.lower()
    endpoint = next((e for e in _ENDPOINTS if lowered.endswith(e)), None)
    shape: Shape | None = None
    if _DOUBLE_V1.search(lowered):
        shape = "double-v1"
    elif endpoint:
        shape = "endpoint"
    elif style == "root" and lowered.endswith("/v1"):
        shape = "root-v1"
    elif style == "v1" and not _VERSION.search(lowered):
        shape = "no-v1"
    return Analysis(url, parts, host, path, shape, endpoint)


def fix_hint(a: Analysis, path: str, style: Literal["v1", "root"]) -> str:
    assert a.parts is not None
    fixed = f"{a.parts.scheme}://{a.parts.netloc}{path}"
    what = "the gateway root" if style == "root" else "the base URL"
    return f"use {what} {shown_url(fixed)}"


def shaped(src: Source, shape: Shape) -> Iterator[tuple[UrlRef, Analysis]]:
    """The URLs of `src` whose one shape problem is `shape`."""
    for ref in src.urls:
        a = analyze(ref.value, ref.style)
        if a is not None and a.shape == shape:
            yield ref, a


def valid(src: Source) -> Iterator[tuple[UrlRef, Analysis]]:
    """The URLs of `src` that are http(s) URLs."""
    for ref in src.urls:
        a = analyze(ref.value, ref.style)
        if a is not None and a.parts is not None:
            yield ref, a


@rule(
    "AIG010",
    "endpoint-url",
    "error",
    "Base URL is a full endpoint URL",
    kinds=None,
    example_kind="codex-user",
    doc="""Clients append the route (/chat/completions, /responses, /v1/messages) to the base
    URL themselves, so a full endpoint URL makes them call a path that does not exist.""",
    example='[model_providers.aigate]\nbase_url = "https://api.aigate.shop/v1/responses"\n'
    'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n',
    fix="use the base URL, e.g. https://api.aigate.shop/v1; clients append the route themselves",
)
def endpoint_url(src: Source) -> Iterator[Hit]:
    for ref, a in shaped(src, "endpoint"):
        assert a.endpoint is not None
        base = a.path[: -len(a.endpoint)]
        if ref.style == "root" and base.lower().endswith("/v1"):
            base = base[:-3]
        yield Hit(
            ref.line,
            ref.column,
            f"{ref.label} {shown_url(a.url)} is a full endpoint URL"
            f" (the client appends {a.endpoint} itself)",
            fix_hint(a, base, ref.style),
        )


@rule(
    "AIG011",
    "double-v1",
    "error",
    "Base URL contains /v1/v1",
    kinds=None,
    example_kind="codex-user",
    doc="""The client appends its route to a base URL that already ends in /v1, so a base with
    /v1 twice calls /v1/v1/... and gets 404 for every request.""",
    example='[model_providers.aigate]\nbase_url = "https://api.aigate.shop/v1/v1"\n'
    'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n',
    fix="use https://api.aigate.shop/v1 (once)",
)
def double_v1(src: Source) -> Iterator[Hit]:
    for ref, a in shaped(src, "double-v1"):
        fixed = _V1_RUN.sub("/v1", a.path)
        yield Hit(
            ref.line,
            ref.column,
            f"{ref.label} {shown_url(a.url)} repeats /v1",
            fix_hint(a, fixed, ref.style),
        )


@rule(
    "AIG012",
    "missing-v1",
    "warning",
    "OpenAI-style base URL without /v1",
    kinds=None,
    example_kind="codex-user",
    doc="""OpenAI-style clients (Codex, OpenCode, Kilo) append /chat/completions or /responses
    directly to the base URL; the gateway serves them under /v1. Only base URLs on the AIGate
    host are checked: other services have their own paths (`https://api.deepseek.com`).""",
    example='[model_providers.aigate]\nbase_url = "https://api.aigate.shop"\n'
    'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n',
    fix="end the base URL in /v1, e.g. https://api.aigate.shop/v1",
)
def missing_v1(src: Source) -> Iterator[Hit]:
    for ref, a in shaped(src, "no-v1"):
        if not is_aigate_url(a.url, src.ctx):
            continue
        yield Hit(
            ref.line,
            ref.column,
            f"{ref.label} {shown_url(a.url)} has no /v1; OpenAI-style clients append"
            " /chat/completions or /responses to it",
            fix_hint(a, a.path + "/v1", ref.style),
        )


@rule(
    "AIG014",
    "insecure-http",
    "error",
    "Plain http to a non-loopback host",
    kinds=None,
    example_kind="codex-user",
    doc="""Over plain http the key travels unencrypted to anything on the way. http is fine for
    a server on this machine (127.0.0.1, localhost); for a private network address (a LAN
    Ollama on 192.168.x.y) or a provider without a key it is a warning: the prompts still
    travel in clear text.""",
    example='[model_providers.aigate]\nbase_url = "http://api.aigate.shop/v1"\n'
    'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n',
    fix="use https:// (http is only fine for 127.0.0.1/localhost)",
)
def insecure_http(src: Source) -> Iterator[Hit]:
    for ref, a in valid(src):
        assert a.parts is not None
        if a.parts.scheme != "http" or is_loopback(a.host):
            continue
        if ref.keyed is False:
            yield Hit(
                ref.line,
                ref.column,
                f"{ref.label} {shown_url(a.url)} uses plain http to {a.host};"
                " no key is configured, but the prompts travel unencrypted",
                "use https:// when the server offers it",
                severity="warning",
            )
        elif is_local_host(a.host):
            yield Hit(
                ref.line,
                ref.column,
                f"{ref.label} {shown_url(a.url)} uses plain http to {a.host} on a private"
                " network; the key and the prompts travel unencrypted on that network",
                "use https:// when the server offers it (fine on a trusted network)",
                severity="warning",
            )
        else:
            yield Hit(
                ref.line,
                ref.column,
                f"{ref.label} {shown_url(a.url)} uses plain http to {a.host};"
                " the key would travel unencrypted",
            )


@rule(
    "AIG015",
    "foreign-host",
    "error",
    "Base URL points at another host than the gateway",
    kinds=None,
    example_kind="codex-user",
    doc="""With --gateway-host, every base URL must point at that host: a config that sends the
    key (and the prompts) somewhere else is a mistake or an attack.""",
    example='[model_providers.aigate]\nbase_url = "https://gateway.example.com/v1"\n'
    'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n',
    fix="use the gateway host given with --gateway-host",
)
def foreign_host(src: Source) -> Iterator[Hit]:
    if not src.ctx.gateway_host:
        return
    want = host_only(src.ctx.gateway_host)
    for ref, a in valid(src):
        if a.host.lower() != want:
            yield Hit(
                ref.line,
                ref.column,
                f"{ref.label} {shown_url(a.url)} points at {a.host}, not the gateway {want}",
                f"use the {want} base URL",
            )


@rule(
    "AIG016",
    "invalid-url",
    "error",
    "Base URL is not an http(s) URL",
    kinds=None,
    example_kind="codex-user",
    doc="""Without a scheme and a host the client cannot connect at all (or treats the value as
    a path).""",
    example='[model_providers.aigate]\nbase_url = "api.aigate.shop/v1"\n'
    'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n',
    fix="use a full URL such as https://api.aigate.shop/v1",
)
def invalid_url(src: Source) -> Iterator[Hit]:
    for ref in src.urls:
        a = analyze(ref.value, ref.style)
        if a is not None and a.parts is None:
            yield Hit(
                ref.line,
                ref.column,
                f"{ref.label} {shown_url(a.url)!r} is not an http(s) URL",
                _full_url_hint(ref, src.ctx),
            )


def _full_url_hint(ref: UrlRef, ctx: RuleContext) -> str:
    """The example URL for this client: the gateway root for Claude Code (it appends
    /v1/messages itself), the /v1 base for OpenAI-style clients."""
    host = host_only(ctx.gateway_host) if ctx.gateway_host else "api.aigate.shop"
    if ref.style == "root":
        return f"use a full URL such as https://{host} (the gateway root, without /v1)"
    return f"use a full URL such as https://{host}/v1"


RULES = (endpoint_url, double_v1, missing_v1, insecure_http, foreign_host, invalid_url)
