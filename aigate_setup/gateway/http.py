"""The HTTP client: one factory, one bounded request, JSON decoding, retries' backoff.

Every request has an overall deadline (AIGATE_TIMEOUT, or the caller's default) and a cap on
the decoded size of its answer, so a gateway that drips, never ends, or sends a compression bomb
costs at most that long and that much memory. Bodies are decoded here (gzip/deflate), in
bounded pieces, rather than by httpx, which inflates a whole network read at once.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from aigate_setup import __version__, settings
from aigate_setup.clients.base import Auth
from aigate_setup.constants import DEFAULT_KEY_ENV
from aigate_setup.errors import GatewayError, UsageError
from aigate_setup.gateway.errors import (
    deadline_error,
    explain_exception,
    explain_status,
    hide_credentials,
    html_title,
    looks_html,
    safe_url,
    too_large_error,
    unsupported_encoding_error,
)
from aigate_setup.sanitize import one_line
from aigate_setup.secrets import scrub

DEFAULT_TIMEOUT = 10.0  # seconds a whole request may take (AIGATE_TIMEOUT overrides)
CONNECT_TIMEOUT = 10.0  # seconds to wait for the TCP/TLS connection
MAX_BODY = 16 * 1024 * 1024  # decoded bytes of a JSON answer (a model catalog is far smaller)
MAX_ERROR_BODY = 64 * 1024  # of an error answer only the start is read and shown
DECODE_CHUNK = 64 * 1024  # at most this much is inflated at once
BACKOFF_BASE = 0.5  # first retry waits about this long, then doubling (with jitter)
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 10.0  # never wait longer than this for a server's Retry-After


def default_timeout() -> float:
    """DEFAULT_TIMEOUT, or $AIGATE_TIMEOUT (seconds)."""
    return settings.timeout(DEFAULT_TIMEOUT)


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT))


def _proxy_setting() -> str:
    import urllib.request

    proxies = urllib.request.getproxies()
    for scheme in ("https", "http", "all"):
        if proxies.get(scheme):
            return f"{scheme.upper()}_PROXY={hide_credentials(proxies[scheme])}"
    return "the proxy setting"


def make_client(timeout: float | None = None) -> httpx.Client:
    """An httpx client with explicit timeouts; trust_env so HTTPS_PROXY, NO_PROXY and
    SSL_CERT_FILE / SSL_CERT_DIR from the environment are honoured. A proxy setting httpx
    cannot use is a usage error (exit 2) that never shows the proxy's password."""
    try:
        return httpx.Client(
            timeout=_timeout(default_timeout() if timeout is None else timeout),
            trust_env=True,
            follow_redirects=False,
            headers={"User-Agent": f"aigate-setup/{__version__}"},
        )
    except ImportError:
        raise UsageError(
            f"{_proxy_setting()} is a SOCKS proxy, and SOCKS support is not installed",
            "install it with `pip install 'httpx[socks]'` (or use an http:// proxy)",
        ) from None
    except (ValueError, httpx.InvalidURL) as exc:
        raise UsageError(
            f"{_proxy_setting()} cannot be used: {one_line(hide_credentials(str(exc)), 120)}",
            "use a proxy URL such as http://host:3128 or socks5://host:1080, or unset it",
        ) from None


# --------------------------------------------------------------------------- bounded reading


class _TooLarge(Exception):
    pass


class _Unsupported(Exception):
    pass


class _Inflater:
    """gzip / deflate decoding that never inflates more than DECODE_CHUNK at once."""

    def __init__(self, encoding: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        self.raw = not codings
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise _Unsupported(encoding)
        self.gzip = bool(codings) and codings[0] != "deflate"
        wbits = zlib.MAX_WBITS | 16 if self.gzip else zlib.MAX_WBITS
        self.obj = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.raw:
            yield data
            return
        while data and not self.obj.eof:
            try:
                out = self.obj.decompress(data, DECODE_CHUNK)
            except zlib.error:
                if self.gzip or self.started:
                    raise
                # Some servers send raw deflate without the zlib header.
                self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self.started = True
                continue
            self.started = True
            if out:
                yield out
            data = self.obj.unconsumed_tail


def _read_body(response: httpx.Response, limit: int, cancel: threading.Event) -> bytes:
    """The decoded body, up to `limit` bytes; _TooLarge past it (for an error answer the
    start is enough, so it is cut there instead)."""
    error = response.status_code >= 300
    cap = min(limit, MAX_ERROR_BODY) if error else limit
    if response.is_stream_consumed:  # an in-memory response (httpx.MockTransport)
        body = response.content
        if len(body) > cap and not error:
            raise _TooLarge
        return body[:cap]
    inflater = _Inflater(response.headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    size = 0
    try:
        for raw in response.iter_raw():
            for piece in inflater.feed(raw):
                if cancel.is_set():
                    return b""
                size += len(piece)
                if size > cap:
                    if not error:
                        raise _TooLarge
                    chunks.append(piece[: len(piece) - (size - cap)])
                    return b"".join(chunks)
                chunks.append(piece)
    except zlib.error as exc:
        raise httpx.DecodingError(
            f"corrupt compressed body: {exc}", request=response.request
        ) from None
    return b"".join(chunks)


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes


@dataclass
class _Exchange:
    """One request run in a worker thread, so the caller can stop waiting at the deadline."""

    phase: str = "connecting"
    answer: Answer | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)
    cancel: threading.Event = field(default_factory=threading.Event)

    def trace(self, name: str, info: dict[str, Any]) -> None:
        if name.startswith(("http11.", "http2.")) and self.phase == "connecting":
            self.phase = "waiting for the answer"


def _exchange(
    client: httpx.Client, request: httpx.Request, ex: _Exchange, *, follow: bool, limit: int
) -> None:
    try:
        for _ in range(client.max_redirects + 1):
            response = client.send(request, stream=True, follow_redirects=False)
            try:
                if follow and response.next_request is not None:
                    # Followed by hand: httpx would read a redirect's whole body first.
                    request = response.next_request
                    continue
                ex.phase = "reading"
                body = _read_body(response, limit, ex.cancel)
                ex.answer = Answer(response.status_code, response.headers, body)
                return
            finally:
                response.close()
        raise httpx.TooManyRedirects("too many redirects", request=request)
    except BaseException as exc:  # handed to the caller's thread
        ex.error = exc
    finally:
        ex.done.set()


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json_body: Any,
    seconds: float,
    limit: int,
) -> Answer:
    """One request bounded by an overall deadline of `seconds` and `limit` decoded bytes.
    Raises GatewayError (deadline, size, encoding) or the transport's own exception."""
    ex = _Exchange()
    request = client.build_request(
        method,
        url,
        json=json_body,
        headers={"Accept-Encoding": "gzip, deflate", **headers},
        timeout=_timeout(seconds),
        extensions={"trace": ex.trace},
    )
    worker = threading.Thread(
        target=_exchange,
        args=(client, request, ex),
        kwargs={"follow": method == "GET", "limit": limit},
        daemon=True,
        name="aigate-request",
    )
    deadline = time.monotonic() + seconds
    worker.start()
    while not ex.done.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
        if time.monotonic() >= deadline:
            ex.cancel.set()
            raise deadline_error(method, url, seconds, ex.phase)
    if isinstance(ex.error, _TooLarge):
        raise too_large_error(method, url, limit)
    if isinstance(ex.error, _Unsupported):
        raise unsupported_encoding_error(method, url, str(ex.error))
    if ex.error is not None:
        raise ex.error
    assert ex.answer is not None
    return ex.answer


# --------------------------------------------------------------------------- JSON


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


def decode_json(
    body: bytes, content_type: str, url: str, *, method: str, status: int, key: str | None
) -> Any:
    """A 2xx body -> parsed JSON, or a GatewayError saying it is HTML, truncated or not JSON."""
    safe = safe_url(url)
    hint_base = (
        "check --base-url points at the gateway's /v1 base (e.g. https://api.aigate.shop/v1)"
    )

    def fail(message: str, hint: str = hint_base, *, retryable: bool = False) -> GatewayError:
        return GatewayError(
            f"{method} {safe} {message}", url=safe, status=status, hint=hint, retryable=retryable
        )

    if looks_html(body, content_type):
        title = html_title(body)
        shown = f' ("{scrub(title, key)}")' if title else ""
        raise fail(
            f"answered with an HTML page{shown}, not JSON",
            "a proxy, captive portal or login page is in the way, or --base-url is wrong; "
            + hint_base,
        )
    if not body.strip():
        raise fail(f"answered {status} with an empty body, not JSON", retryable=True)
    try:
        return json.loads(body)
    except RecursionError:
        raise fail("answered with JSON nested too deeply to be a gateway's answer") from None
    except ValueError:
        pass
    if _unclosed(body):
        raise fail(
            f"sent a truncated JSON body ({len(body)} bytes, cut off)",
            "the connection or a proxy cut the answer short: retry; "
            "if it persists check HTTPS_PROXY",
            retryable=True,
        )
    snippet = one_line(scrub(body[:4096].decode("utf-8", "replace"), key), 80)
    raise fail(f"answered with a body that is not JSON: {snippet!r}")


def retry_after(headers: httpx.Headers) -> float | None:
    """A Retry-After header (seconds or an HTTP date) -> seconds to wait, or None."""
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


def backoff(attempt: int, after: float | None) -> float:
    """Seconds to wait before retry number `attempt` (1-based)."""
    if after is not None:
        return min(after, RETRY_AFTER_CAP) + random.uniform(0, 0.1)
    base = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    return random.uniform(base / 2, base)  # "equal jitter"


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
    limit: int = MAX_BODY,
) -> Any:
    """One request -> parsed JSON; any failure -> GatewayError (one line, URL, hint; no key).
    The whole exchange takes at most `timeout` seconds and reads at most `limit` bytes."""
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
        answer = send(
            http,
            method,
            url,
            headers=send_headers,
            json_body=json_body,
            seconds=seconds,
            limit=limit,
        )
    except GatewayError:
        raise
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # An exception's text may quote a header: `Illegal header value b'Bearer <key>\r'`.
        error = explain_exception(exc, url, method=method, timeout=seconds)
        error.message = scrub(error.message, key)
        error.args = (error.message,)
        raise error from None
    finally:
        if own:
            http.close()
    ctype = answer.headers.get("content-type", "")
    if answer.status >= 300:
        raise explain_status(
            answer.status,
            answer.body,
            url,
            method=method,
            content_type=ctype,
            key=key,
            key_env=key_env,
            retry_after=retry_after(answer.headers),
        )
    return decode_json(answer.body, ctype, url, method=method, status=answer.status, key=key)


def get_json(
    url: str,
    *,
    key: str | None,
    client: httpx.Client | None = None,
    timeout: float | None = None,
    key_env: str = DEFAULT_KEY_ENV,
    limit: int = MAX_BODY,
) -> Any:
    """GET url and parse JSON. The key is sent (as Bearer) only when given."""
    return request_json(
        "GET", url, key=key, client=client, timeout=timeout, key_env=key_env, limit=limit
    )


BALANCE_MAX_BODY = 1024 * 1024


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
    data = get_json(
        url, key=key, client=client, timeout=timeout, key_env=key_env, limit=BALANCE_MAX_BODY
    )
    if not isinstance(data, dict):
        raise GatewayError(
            f"GET {safe_url(url)} answered JSON that is not a balance object",
            url=safe_url(url),
            hint="check --base-url points at the AIGate /v1 base",
        )
    return data
