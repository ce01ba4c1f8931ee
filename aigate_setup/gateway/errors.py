"""Error mapping: an HTTP status or a transport failure -> one explained line plus the action
from the gateway's error table. Nothing shown here contains the key, a URL's credentials or raw
control characters: every outside string passes `secrets.scrub` and `sanitize.one_line`."""

from __future__ import annotations

import errno
import json
import re
import socket
import ssl
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx

from aigate_setup.constants import DEFAULT_KEY_ENV
from aigate_setup.errors import GatewayError
from aigate_setup.sanitize import one_line
from aigate_setup.secrets import mask_url, scrub
from aigate_setup.settings import TIMEOUT_ENV

RETRY_STATUSES = frozenset({429, 500, 502, 503})

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
# `user:password@` in a URL or a scheme-less proxy setting (HTTPS_PROXY=user:pass@host:3128).
_USERINFO = re.compile(r"(?<![\w.%+-])([\w.%+~-]+):[^\s@/]+@")


class GatewayStatusError(GatewayError):
    """The gateway answered with an HTTP error status (kept: Retry-After, for retries)."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int,
        hint: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, url=url, status=status, hint=hint, retryable=retryable)
        self.retry_after = retry_after


def safe_url(url: str) -> str:
    """The URL as it may be shown: credentials and secret-looking query values masked."""
    return mask_url(url)


def hide_credentials(text: str) -> str:
    """`text` with every `user:password@` masked and every key scrubbed."""
    return scrub(_USERINFO.sub("***@", text))


def shown(text: str, limit: int) -> str:
    """An outside string (an exception text, a server's message) made safe to show."""
    return one_line(hide_credentials(text), limit)


def looks_html(body: bytes, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = body.lstrip()[:200].lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<title"))


def html_title(body: bytes) -> str | None:
    match = _TITLE.search(body[:65536])
    if not match:
        return None
    title = one_line(match.group(1).decode("utf-8", "replace"), 80)
    return title or None


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def proxy_for(url: str) -> str | None:
    """The proxy the environment routes this URL through (HTTP(S)_PROXY, minus NO_PROXY), with
    its credentials masked."""
    import urllib.request

    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or not parts.hostname:
        return None
    try:
        if urllib.request.proxy_bypass(parts.hostname):
            return None
    except (OSError, ValueError):
        return None
    if "://" in proxy:
        return mask_url(proxy)
    return hide_credentials(proxy)


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen and len(seen) < 10:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


# --------------------------------------------------------------------------- HTTP statuses

# The gateway's error table (shared/reference/aigate-agent-guide.md), as actions for a user.
_ACTIONS: dict[int, str] = {
    400: "the gateway rejected the request (bad body, wrong endpoint or unsupported parameter); "
    "check the model suits this route with `aigate-setup models`",
    402: "not enough balance or quota: top up your AIGate account (or raise this key's quota)",
    403: "no access to this model or the account needs verification: check the exact model id "
    "with `aigate-setup models` and your account status",
    404: "wrong route or unknown model id: check --base-url ends in /v1 and use an exact id "
    "from `aigate-setup models`",
    410: "the generated content link expired: generate it again",
    413: "the input is too large: send a smaller input or choose a larger-context model",
    429: "rate or quota limit: wait a moment and retry, with fewer requests in parallel",
    500: "the gateway had an internal error: retry later",
    502: "the provider is temporarily unavailable: retry later or choose another model",
    503: "the model is temporarily unavailable: retry later, check the model id, "
    "or choose another model",
}


def _action(status: int, key_env: str) -> str:
    if status == 401:
        return (
            f"missing or invalid API key: check it, e.g. `export {key_env}=sk-...` "
            "(sent as `Authorization: Bearer ...`)"
        )
    if status in _ACTIONS:
        return _ACTIONS[status]
    if status >= 500:
        return "the gateway failed: retry later or choose another model"
    if 300 <= status < 400:
        return "the gateway redirected: check --base-url (use the final https:// URL ending in /v1)"
    return "check --base-url and the request; `aigate-setup doctor` runs every check"


def _json_message(data: Any, key: str | None) -> str | None:
    """The `error.message (code)` of an error body, or None when it has none."""
    if not isinstance(data, dict):
        return None
    err = data.get("error")
    message: Any = None
    code: Any = None
    if isinstance(err, dict):
        message = err.get("message")
        code = err.get("code") or err.get("type")
    elif isinstance(err, str):
        message = err
    if message is None and isinstance(data.get("message"), str):
        message = data["message"]
    if message is None:
        return None
    text = one_line(scrub(str(message), key), 160)
    if code not in (None, ""):
        text += f" ({one_line(scrub(str(code), key), 40)})"
    return text


def _error_detail(body: bytes, content_type: str, key: str | None) -> str:
    """What the server said, in one short line: the JSON error message, an HTML title, or text."""
    if not body.strip():
        return "empty body"
    if looks_html(body, content_type):
        title = html_title(body)
        return f'an HTML page ("{scrub(title, key)}")' if title else "an HTML page"
    try:
        message = _json_message(json.loads(body), key)
    except (ValueError, RecursionError):
        message = None
    if message is not None:
        return message
    return "'" + one_line(scrub(body[:4096].decode("utf-8", "replace"), key), 120) + "'"


def explain_status(
    status: int,
    body: bytes,
    url: str,
    *,
    method: str = "GET",
    content_type: str = "",
    key: str | None = None,
    key_env: str = DEFAULT_KEY_ENV,
    retry_after: float | None = None,
) -> GatewayError:
    """The gateway's error table: an HTTP error status and body -> one explained line + action."""
    safe = safe_url(url)
    detail = _error_detail(body, content_type, key)
    hint = _action(status, key_env)
    if looks_html(body, content_type):
        hint += "; an HTML page usually comes from a proxy, captive portal or a wrong --base-url"
    if status == 429 and retry_after is not None:
        hint += f" (the gateway asks to wait {retry_after:g}s)"
    return GatewayStatusError(
        f"{method} {safe} failed: {_status_text(status)}: {detail}",
        url=safe,
        status=status,
        hint=hint,
        retryable=status in RETRY_STATUSES,
        retry_after=retry_after,
    )


# --------------------------------------------------------------------------- limits

_SLOW_HINT = (
    "the gateway or the network is slow or down: retry later; check HTTPS_PROXY/NO_PROXY"
    f" and --base-url (set {TIMEOUT_ENV}=SECONDS to wait longer)"
)


def deadline_error(method: str, url: str, seconds: float, phase: str) -> GatewayError:
    """The request's overall deadline passed: before the answer began, it is a plain timeout;
    after, the gateway kept sending without finishing (a drip, an endless stream)."""
    safe = safe_url(url)
    where = _where(method, safe)
    if phase != "reading":
        return GatewayError(
            f"{where} timed out after {seconds:g}s ({phase})",
            url=safe,
            hint=_SLOW_HINT,
            retryable=True,
        )
    return GatewayError(
        f"{where} failed: the gateway did not finish answering within {seconds:g}s",
        url=safe,
        hint="the answer kept coming slowly or never ended: check --base-url points at the "
        f"gateway's /v1 base and HTTPS_PROXY; set {TIMEOUT_ENV}=SECONDS to wait longer",
        retryable=True,
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MiB"
    return f"{n / 1024:g} KiB"


def too_large_error(method: str, url: str, limit: int) -> GatewayError:
    """The decoded answer passed its size cap (a compression bomb, an endless body)."""
    safe = safe_url(url)
    return GatewayError(
        f"{_where(method, safe)} failed: the answer is larger than {_size(limit)}; stopped reading",
        url=safe,
        hint="a model catalog or a reply is far smaller: check --base-url points at the "
        "gateway's /v1 base (a proxy or a broken server may be sending an endless body)",
    )


def unsupported_encoding_error(method: str, url: str, encoding: str) -> GatewayError:
    safe = safe_url(url)
    return GatewayError(
        f"{_where(method, safe)} failed: the answer uses an unsupported content encoding "
        f"{one_line(encoding, 40)!r}",
        url=safe,
        hint="the gateway was asked for gzip or deflate only: check --base-url and HTTPS_PROXY",
    )


# --------------------------------------------------------------------------- transport failures


def _where(method: str, safe: str) -> str:
    where = f"{method} {safe}"
    proxy = proxy_for(safe)
    return where + (f" (via proxy {proxy})" if proxy else "")


def _timeout_error(exc: Exception, where: str, safe: str, timeout: float | None) -> GatewayError:
    phases: dict[type[Exception], str] = {
        httpx.ConnectTimeout: "connecting",
        httpx.ReadTimeout: "waiting for the answer",
        httpx.WriteTimeout: "sending the request",
        httpx.PoolTimeout: "waiting for a free connection",
    }
    phase = phases.get(type(exc), "waiting")
    after = f" after {timeout:g}s" if timeout else ""
    return GatewayError(
        f"{where} timed out{after} ({phase})", url=safe, hint=_SLOW_HINT, retryable=True
    )


def _tls_error(chain: list[BaseException], text: str, exc: Exception) -> tuple[str, str]:
    reason = next((str(c) for c in chain if isinstance(c, ssl.SSLError)), str(exc))
    if "wrong version number" in text or "record layer" in text or "unknown protocol" in text:
        hint = (
            "the server did not answer with TLS: use http:// if it serves plain HTTP, check "
            "the port; behind a corporate proxy set HTTPS_PROXY"
        )
    else:
        hint = (
            "behind a corporate proxy or TLS inspection? point SSL_CERT_FILE at its CA bundle "
            "(and set HTTPS_PROXY); otherwise check the system clock and --base-url"
        )
    return f"TLS error: {shown(reason, 120)}", hint


def _refused(chain: list[BaseException], text: str) -> bool:
    return "connection refused" in text or any(
        isinstance(c, ConnectionRefusedError)
        or (isinstance(c, OSError) and c.errno == errno.ECONNREFUSED)
        for c in chain
    )


def _network_error(
    exc: Exception, chain: list[BaseException], where: str, safe: str
) -> GatewayError:
    """Refused, cut or truncated connections and other network errors."""

    def err(message: str, hint: str, *, retryable: bool = False) -> GatewayError:
        return GatewayError(f"{where} failed: {message}", url=safe, hint=hint, retryable=retryable)

    text = " ".join(str(c) for c in chain).lower()
    if _refused(chain, text):
        if proxy_for(safe):
            return err(
                "connection refused by the proxy",
                "check HTTPS_PROXY / HTTP_PROXY (is the proxy up?) or add the host to NO_PROXY",
            )
        return err(
            f"connection refused by {urlsplit(safe).netloc}",
            "is the gateway up, and is --base-url right? (default https://api.aigate.shop/v1)",
        )
    if isinstance(exc, httpx.RemoteProtocolError) and "complete message body" in text:
        return err(
            f"the answer was truncated ({shown(str(exc), 120)})",
            "the connection or a proxy cut the answer short: retry; if it persists, check "
            "HTTPS_PROXY/NO_PROXY and --base-url",
            retryable=True,
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return err(
            f"the connection was cut or the answer was malformed ({shown(str(exc), 120)})",
            "a truncated answer: retry; if it persists, check proxies (HTTPS_PROXY) and --base-url",
            retryable=True,
        )
    if isinstance(exc, httpx.NetworkError):
        return err(
            f"network error: {shown(str(exc), 120)}",
            "check your network connection, HTTPS_PROXY/NO_PROXY and --base-url, then retry",
            retryable=True,
        )
    return err(
        f"{type(exc).__name__}: {shown(str(exc), 120)}",
        "check --base-url and your network; `aigate-setup doctor` runs every check",
    )


def explain_exception(
    exc: Exception, url: str, *, method: str = "GET", timeout: float | None = None
) -> GatewayError:
    """A transport failure (refused, DNS, timeout, TLS, proxy, cut connection) -> one line + fix."""
    safe = safe_url(url)
    host = urlsplit(safe).hostname or safe
    chain = _causes(exc)
    text = " ".join(str(c) for c in chain).lower()
    where = _where(method, safe)

    def err(message: str, hint: str) -> GatewayError:
        return GatewayError(message, url=safe, hint=hint)

    if isinstance(exc, httpx.TimeoutException):
        return _timeout_error(exc, where, safe, timeout)
    if isinstance(exc, httpx.ProxyError):
        return err(
            f"{where} failed at the proxy: {shown(str(exc), 120)}",
            "check HTTPS_PROXY / HTTP_PROXY / NO_PROXY (or unset them to connect directly)",
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return err(
            f"{where} is not a usable URL: {shown(str(exc), 120)}",
            "use an http(s) URL ending in /v1, e.g. --base-url https://api.aigate.shop/v1",
        )
    gai = any(isinstance(c, socket.gaierror) for c in chain)
    if gai or "name or service not known" in text or "nodename nor servname" in text:
        return err(
            f"{where} failed: cannot resolve host name {host!r} (DNS lookup failed)",
            "check the host name in --base-url / AIGATE_BASE_URL, your network and DNS "
            "(and HTTPS_PROXY if you need a proxy)",
        )
    if any(isinstance(c, ssl.SSLError) for c in chain) or "ssl" in text or "certificate" in text:
        message, hint = _tls_error(chain, text, exc)
        return err(f"{where} failed: {message}", hint)
    return _network_error(exc, chain, where, safe)
