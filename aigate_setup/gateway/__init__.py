"""The only HTTP client code: JSON GETs, the "Say OK." smoke probes, retries, error mapping.

Every failure becomes a `GatewayError` whose message is one line naming the URL and whose hint
says what to do. Nothing that leaves this module ever contains the API key: bodies echoed by the
server are scrubbed of it (and of anything that looks like a key) before they are shown.
"""

from __future__ import annotations

import email.utils
import errno
import json
import random
import re
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from aigate_setup import __version__, settings
from aigate_setup.clients.base import Auth, Route
from aigate_setup.errors import GatewayError
from aigate_setup.options import DEFAULT_KEY_ENV, gateway_root
from aigate_setup.secrets import mask_key
from aigate_setup.settings import TIMEOUT_ENV

DEFAULT_TIMEOUT = 10.0  # seconds to wait for an answer to a GET
CONNECT_TIMEOUT = 10.0  # seconds to wait for the TCP/TLS connection
RETRY_STATUSES = frozenset({429, 500, 502, 503})
BACKOFF_BASE = 0.5  # first retry waits about this long, then doubling (with jitter)
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 10.0  # never wait longer than this for a server's Retry-After
SMOKE_PROMPT = "Say OK."
SMOKE_MAX_TOKENS = 32  # OpenAI's Responses API rejects max_output_tokens below 16
ANTHROPIC_VERSION = "2023-06-01"


_KEYLIKE = re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


# --------------------------------------------------------------------------- helpers


def default_timeout() -> float:
    """DEFAULT_TIMEOUT, or $AIGATE_TIMEOUT (seconds)."""
    return settings.timeout(DEFAULT_TIMEOUT)


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT))


def make_client(timeout: float | None = None) -> httpx.Client:
    """An httpx client with explicit timeouts; trust_env so HTTPS_PROXY, NO_PROXY and
    SSL_CERT_FILE / SSL_CERT_DIR from the environment are honoured."""
    return httpx.Client(
        timeout=_timeout(default_timeout() if timeout is None else timeout),
        trust_env=True,
        follow_redirects=False,
        headers={"User-Agent": f"aigate-setup/{__version__}"},
    )


def scrub(text: str, key: str | None = None) -> str:
    """Remove the key (and anything that looks like a key or bearer token) from text."""
    if key:
        text = text.replace(key, mask_key(key))
    text = _KEYLIKE.sub(lambda m: mask_key(m.group(0)), text)
    return _BEARER.sub(lambda m: m.group(1) + "***", text)


def _safe_url(url: str) -> str:
    """The URL without user:password@ and without a query string (either could hold a secret)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _looks_html(body: bytes, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = body.lstrip()[:200].lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<title"))


def _html_title(body: bytes) -> str | None:
    match = _TITLE.search(body)
    if not match:
        return None
    title = _one_line(match.group(1).decode("utf-8", "replace"), 80)
    return title or None


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _proxy_for(url: str) -> str | None:
    """The proxy the environment routes this URL through (HTTP(S)_PROXY, minus NO_PROXY)."""
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
    return _safe_url(proxy) if "://" in proxy else proxy


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen and len(seen) < 10:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


# --------------------------------------------------------------------------- error mapping


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


def _error_detail(body: bytes, content_type: str, key: str | None) -> str:
    """What the server said, in one short line: the JSON error message, an HTML title, or text."""
    if not body.strip():
        return "empty body"
    if _looks_html(body, content_type):
        title = _html_title(body)
        return f'an HTML page ("{scrub(title, key)}")' if title else "an HTML page"
    try:
        data = json.loads(body)
    except ValueError:
        return "'" + _one_line(scrub(body.decode("utf-8", "replace"), key), 120) + "'"
    if isinstance(data, dict):
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
        if message is not None:
            text = _one_line(scrub(str(message), key), 160)
            if code not in (None, ""):
                text += f" ({_one_line(scrub(str(code), key), 40)})"
            return text
    return "'" + _one_line(scrub(body.decode("utf-8", "replace"), key), 120) + "'"


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
    safe = _safe_url(url)
    detail = _error_detail(body, content_type, key)
    hint = _action(status, key_env)
    if _looks_html(body, content_type):
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


def explain_exception(
    exc: Exception, url: str, *, method: str = "GET", timeout: float | None = None
) -> GatewayError:
    """A transport failure (refused, DNS, timeout, TLS, proxy, cut connection) -> one line + fix."""
    safe = _safe_url(url)
    host = urlsplit(safe).hostname or safe
    chain = _causes(exc)
    text = " ".join(str(c) for c in chain).lower()
    where = f"{method} {safe}"
    proxy = _proxy_for(safe)
    if proxy:
        where += f" (via proxy {proxy})"

    def err(message: str, hint: str, *, retryable: bool = False) -> GatewayError:
        return GatewayError(message, url=safe, hint=hint, retryable=retryable)

    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        after = f" after {timeout:g}s" if timeout else ""
        return err(
            f"{where} timed out{after} ({phase})",
            "the gateway or the network is slow or down: retry later; check HTTPS_PROXY/NO_PROXY"
            f" and --base-url (set {TIMEOUT_ENV}=SECONDS to wait longer)",
            retryable=True,
        )
    if isinstance(exc, httpx.ProxyError):
        return err(
            f"{where} failed at the proxy: {_one_line(str(exc), 120)}",
            "check HTTPS_PROXY / HTTP_PROXY / NO_PROXY (or unset them to connect directly)",
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return err(
            f"{where} is not a usable URL: {_one_line(str(exc), 120)}",
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
        return err(f"{where} failed: TLS error: {_one_line(reason, 120)}", hint)
    refused = any(
        isinstance(c, ConnectionRefusedError)
        or (isinstance(c, OSError) and c.errno == errno.ECONNREFUSED)
        for c in chain
    )
    if (refused or "connection refused" in text) and proxy:
        return err(
            f"{where} failed: connection refused by the proxy",
            "check HTTPS_PROXY / HTTP_PROXY (is the proxy up?) or add the host to NO_PROXY",
        )
    if refused or "connection refused" in text:
        return err(
            f"{where} failed: connection refused by {urlsplit(safe).netloc}",
            "is the gateway up, and is --base-url right? (default https://api.aigate.shop/v1)",
        )
    if isinstance(exc, httpx.RemoteProtocolError) and "complete message body" in text:
        return err(
            f"{where} failed: the answer was truncated ({_one_line(str(exc), 120)})",
            "the connection or a proxy cut the answer short: retry; if it persists, check "
            "HTTPS_PROXY/NO_PROXY and --base-url",
            retryable=True,
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return err(
            f"{where} failed: the connection was cut or the answer was malformed "
            f"({_one_line(str(exc), 120)})",
            "a truncated answer: retry; if it persists, check proxies (HTTPS_PROXY) and --base-url",
            retryable=True,
        )
    if isinstance(exc, httpx.NetworkError):
        return err(
            f"{where} failed: network error: {_one_line(str(exc), 120)}",
            "check your network connection, HTTPS_PROXY/NO_PROXY and --base-url, then retry",
            retryable=True,
        )
    return err(
        f"{where} failed: {type(exc).__name__}: {_one_line(str(exc), 120)}",
        "check --base-url and your network; `aigate-setup doctor` runs every check",
    )


def _decode_json(
    body: bytes, content_type: str, url: str, *, method: str, status: int, key: str | None
) -> Any:
    """A 2xx body -> parsed JSON, or a GatewayError saying it is HTML, truncated or not JSON."""
    safe = _safe_url(url)
    hint_base = (
        "check --base-url points at the gateway's /v1 base (e.g. https://api.aigate.shop/v1)"
    )
    if _looks_html(body, content_type):
        title = _html_title(body)
        shown = f' ("{scrub(title, key)}")' if title else ""
        raise GatewayError(
            f"{method} {safe} answered with an HTML page{shown}, not JSON",
            url=safe,
            status=status,
            hint="a proxy, captive portal or login page is in the way, or --base-url is wrong; "
            + hint_base,
        )
    if not body.strip():
        raise GatewayError(
            f"{method} {safe} answered {status} with an empty body, not JSON",
            url=safe,
            status=status,
            hint=hint_base,
            retryable=True,
        )
    try:
        return json.loads(body)
    except ValueError:
        truncated = _unclosed(body)
        if truncated:
            raise GatewayError(
                f"{method} {safe} sent a truncated JSON body ({len(body)} bytes, cut off)",
                url=safe,
                status=status,
                hint="the connection or a proxy cut the answer short: retry; "
                "if it persists check HTTPS_PROXY",
                retryable=True,
            ) from None
        snippet = _one_line(scrub(body.decode("utf-8", "replace"), key), 80)
        raise GatewayError(
            f"{method} {safe} answered with a body that is not JSON: {snippet!r}",
            url=safe,
            status=status,
            hint=hint_base,
        ) from None


def _unclosed(body: bytes) -> bool:
    """True when a body that starts like JSON ends inside a string or an open object/array."""
    text = body.strip()
    if text[:1] not in (b"{", b"["):
        return False
    depth, in_string, escaped = 0, False, False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):  # { [
            depth += 1
        elif byte in (0x7D, 0x5D):  # } ]
            depth -= 1
    return in_string or depth > 0


def _retry_after(headers: httpx.Headers) -> float | None:
    raw = headers.get("retry-after")
    if not raw:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --------------------------------------------------------------------------- requests


def request_json(
    method: str,
    url: str,
    *,
    key: str | None,
    client: httpx.Client | None = None,
    timeout: float | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    auth: Auth = "bearer",
    key_env: str = DEFAULT_KEY_ENV,
) -> Any:
    """One request -> parsed JSON; any failure -> GatewayError (one line, URL, hint; no key)."""
    seconds = default_timeout() if timeout is None else timeout
    send_headers = {"Accept": "application/json", **(headers or {})}
    if key:
        if auth == "x-api-key":
            send_headers["x-api-key"] = key
        else:
            send_headers["Authorization"] = f"Bearer {key}"
    own = client is None
    http = client or make_client(seconds)
    try:
        try:
            response = http.request(
                method,
                url,
                json=json_body,
                headers=send_headers,
                timeout=_timeout(seconds),
                follow_redirects=method == "GET",
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise explain_exception(exc, url, method=method, timeout=seconds) from None
    finally:
        if own:
            http.close()
    body = response.content
    ctype = response.headers.get("content-type", "")
    if response.status_code >= 300:
        raise explain_status(
            response.status_code,
            body,
            url,
            method=method,
            content_type=ctype,
            key=key,
            key_env=key_env,
            retry_after=_retry_after(response.headers),
        )
    return _decode_json(body, ctype, url, method=method, status=response.status_code, key=key)


def get_json(
    url: str,
    *,
    key: str | None,
    client: httpx.Client | None = None,
    timeout: float | None = None,
    key_env: str = DEFAULT_KEY_ENV,
) -> Any:
    """GET url and parse JSON. The key is sent (as Bearer) only when given."""
    return request_json("GET", url, key=key, client=client, timeout=timeout, key_env=key_env)


def get_balance(
    base_url: str,
    key: str,
    *,
    client: httpx.Client | None = None,
    timeout: float | None = None,
    key_env: str = DEFAULT_KEY_ENV,
) -> dict[str, Any]:
    """GET {base}/balance: `balance`, `used`, `token.{remaining,used,unlimited_quota}`."""
    url = base_url.rstrip("/") + "/balance"
    data = get_json(url, key=key, client=client, timeout=timeout, key_env=key_env)
    if not isinstance(data, dict):
        raise GatewayError(
            f"GET {_safe_url(url)} answered JSON that is not a balance object",
            url=_safe_url(url),
            hint="check --base-url points at the AIGate /v1 base",
        )
    return data


# --------------------------------------------------------------------------- smoke test


@dataclass(frozen=True)
class Probe:
    client: str
    model: str
    route: Route
    auth: Auth = "bearer"


def probe_for(client: str, model: str) -> Probe:
    """The route and auth header each client really uses (each client module says which)."""
    from aigate_setup.clients import get

    module = get(client)
    return Probe(client, model, module.PROBE_ROUTE, module.PROBE_AUTH)


@dataclass(frozen=True)
class SmokeResult:
    client: str
    model: str
    route: str  # the URL path used, e.g. /v1/responses
    ok: bool
    status: int | None
    ms: int  # latency of the last attempt
    message: str  # the reply text, or the explained error
    hint: str = ""
    attempts: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "model": self.model,
            "route": self.route,
            "ok": self.ok,
            "status": self.status,
            "ms": self.ms,
            "message": self.message,
            "hint": self.hint or None,
            "attempts": self.attempts,
        }


def probe_url(base_url: str, route: Route) -> str:
    base = base_url.rstrip("/")
    if route == "responses":
        return base + "/responses"
    if route == "messages":
        return gateway_root(base) + "/v1/messages"
    return base + "/chat/completions"


def probe_body(probe: Probe) -> dict[str, Any]:
    if probe.route == "responses":
        return {
            "model": probe.model,
            "input": SMOKE_PROMPT,
            "max_output_tokens": SMOKE_MAX_TOKENS,
            "stream": False,
        }
    if probe.route == "messages":
        return {
            "model": probe.model,
            "max_tokens": SMOKE_MAX_TOKENS,
            "messages": [{"role": "user", "content": SMOKE_PROMPT}],
        }
    return {
        "model": probe.model,
        "messages": [{"role": "user", "content": SMOKE_PROMPT}],
        "max_tokens": SMOKE_MAX_TOKENS,
        "stream": False,
    }


def _text_parts(parts: Any, types: tuple[str, ...]) -> str:
    if isinstance(parts, str):
        return parts
    out: list[str] = []
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, dict) and part.get("type", types[0]) in types:
                text = part.get("text")
                if isinstance(text, str):
                    out.append(text)
            elif isinstance(part, str):
                out.append(part)
    return "".join(out)


def reply_text(route: str, data: Any) -> str | None:
    """The assistant's text from a Responses, Chat Completions or Anthropic Messages reply;
    None when the JSON has none of these shapes."""
    if not isinstance(data, dict):
        return None
    if route == "responses" or "output" in data or "output_text" in data:
        if isinstance(data.get("output_text"), str):
            return str(data["output_text"])
        output = data.get("output")
        if isinstance(output, list):
            texts = [
                _text_parts(item.get("content"), ("output_text", "text"))
                for item in output
                if isinstance(item, dict) and item.get("type", "message") == "message"
            ]
            return "".join(texts)
    if route == "chat" or "choices" in data:
        choices = data.get("choices")
        if isinstance(choices, list):
            if not choices:
                return ""
            first = choices[0]
            if isinstance(first, dict):
                message = first.get("message")
                if isinstance(message, dict):
                    return _text_parts(message.get("content"), ("text", "output_text"))
                if isinstance(first.get("text"), str):
                    return str(first["text"])
                return ""
    if route == "messages" or "content" in data:
        content = data.get("content")
        if isinstance(content, list | str):
            return _text_parts(content, ("text",))
    return None


def _backoff(attempt: int, retry_after: float | None) -> float:
    """Seconds to wait before retry number `attempt` (1-based)."""
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP) + random.uniform(0, 0.1)
    base = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    return random.uniform(base / 2, base)  # "equal jitter"


def _run_probe(
    http: httpx.Client,
    base_url: str,
    key: str,
    probe: Probe,
    *,
    timeout: float,
    retries: int,
    key_env: str,
) -> SmokeResult:
    url = probe_url(base_url, probe.route)
    path = urlsplit(url).path
    headers = {"Content-Type": "application/json"}
    if probe.route == "messages":
        headers["anthropic-version"] = ANTHROPIC_VERSION
    attempt = 0
    while True:
        attempt += 1
        started = time.monotonic()
        try:
            data = request_json(
                "POST",
                url,
                key=key,
                client=http,
                timeout=timeout,
                json_body=probe_body(probe),
                headers=headers,
                auth=probe.auth,
                key_env=key_env,
            )
        except GatewayError as exc:
            ms = int((time.monotonic() - started) * 1000)
            if exc.status in RETRY_STATUSES and attempt <= retries:
                retry_after = _retry_after_from(exc)
                time.sleep(_backoff(attempt, retry_after))
                continue
            return SmokeResult(
                probe.client,
                probe.model,
                path,
                False,
                exc.status,
                ms,
                scrub(exc.message, key),
                scrub(exc.hint or "", key),
                attempt,
            )
        ms = int((time.monotonic() - started) * 1000)
        text = reply_text(probe.route, data)
        if text is None:
            return SmokeResult(
                probe.client,
                probe.model,
                path,
                False,
                200,
                ms,
                f"POST {_safe_url(url)} answered JSON that is not a {probe.route} reply",
                "check --base-url and that the gateway supports this route for the model",
                attempt,
            )
        shown = _one_line(scrub(text, key), 200) or "(empty reply)"
        return SmokeResult(probe.client, probe.model, path, True, 200, ms, shown, "", attempt)


def _retry_after_from(exc: GatewayError) -> float | None:
    return exc.retry_after if isinstance(exc, GatewayStatusError) else None


def smoke_test(
    base_url: str,
    key: str,
    probes: Sequence[Probe],
    *,
    timeout: float = 30.0,
    retries: int = 3,
    client: httpx.Client | None = None,
    key_env: str = DEFAULT_KEY_ENV,
) -> list[SmokeResult]:
    """One minimal "Say OK." request per probe, all at once; results in the order of `probes`.
    429/500/502/503 are retried up to `retries` times (backoff + jitter, Retry-After honoured,
    capped); 400/401/402/403/404/413 and transport failures are not."""
    if not probes:
        return []
    own = client is None
    http = client or make_client(timeout)
    try:
        # Daemon threads, not an executor: the interpreter joins executor threads at exit,
        # so Ctrl-C during a hung probe would wait out the whole timeout.
        results: list[SmokeResult | BaseException | None] = [None] * len(probes)

        def work(i: int, probe: Probe) -> None:
            try:
                results[i] = _run_probe(
                    http,
                    base_url,
                    key,
                    probe,
                    timeout=timeout,
                    retries=max(0, retries),
                    key_env=key_env,
                )
            except BaseException as exc:  # re-raised in the caller's thread
                results[i] = exc

        threads = [
            threading.Thread(target=work, args=(i, p), daemon=True, name=f"probe-{p.client}")
            for i, p in enumerate(probes)
        ]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.1)
        out: list[SmokeResult] = []
        for r in results:
            if isinstance(r, BaseException):
                raise r
            assert r is not None
            out.append(r)
        return out
    finally:
        if own:
            http.close()
