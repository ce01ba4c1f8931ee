"""A fake AIGate gateway on loopback, for tests and for trying aigate-setup offline.

Standard library only. It serves the documented surface of the real gateway (catalog, balance,
chat completions, Responses, Anthropic Messages; streamed and not), answers every prompt with
"OK", checks `Authorization: Bearer sk-...` / `x-api-key: sk-...`, logs every request with the
key masked, and injects faults per route. The real Codex, OpenCode, Claude Code and Kilo CLIs
complete a turn against it (see /work/notes/clients.md).

    with FakeGateway(catalog="newapi") as gw:
        ...  # gw.base_url == "http://127.0.0.1:PORT/v1"
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gzip
import json
import signal
import socket
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

from aigate_setup.secrets import mask_key

REPLY = "OK"

CatalogShape = Literal["openai", "newapi", "openrouter"]
AuthStyle = Literal["bearer", "x-api-key"]

# Route -> the new-api endpoint type a model must list to be served on it.
_ROUTE_ENDPOINT = {
    "/v1/chat/completions": "openai",
    "/v1/responses": "openai-response",
    "/v1/messages": "anthropic",
    "/v1/messages/count_tokens": "anthropic",
}
_ALL_CHAT = ("openai", "openai-response", "anthropic")


@dataclass(frozen=True)
class _Spec:
    """One model of the default catalog, rendered into each shape."""

    id: str
    name: str
    kind: Literal["chat", "embedding", "image", "video"]
    endpoints: tuple[str, ...]
    context: int | None = None
    max_output: int | None = None
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("text",)


_MODELS: tuple[_Spec, ...] = (
    _Spec("openai/gpt-5.5", "GPT-5.5", "chat", _ALL_CHAT, 400_000, 128_000, ("text", "image")),
    _Spec("openai/gpt-5.5-mini", "GPT-5.5 mini", "chat", _ALL_CHAT, 400_000, 128_000),
    _Spec("anthropic/claude-opus-4.7", "Claude Opus 4.7", "chat", _ALL_CHAT, 200_000, 32_000),
    _Spec("anthropic/claude-sonnet-4.6", "Claude Sonnet 4.6", "chat", _ALL_CHAT, 1_000_000, 64_000),
    _Spec("anthropic/claude-haiku-4.5", "Claude Haiku 4.5", "chat", _ALL_CHAT, 200_000, 64_000),
    _Spec(
        "google/gemini-3-pro",
        "Gemini 3 Pro",
        "chat",
        (*_ALL_CHAT, "gemini"),
        1_048_576,
        65_536,
        ("text", "image", "audio", "video"),
    ),
    # Chat Completions only: not usable by Codex (Responses) or Claude Code (Messages).
    _Spec("deepseek/deepseek-v3.2", "DeepSeek V3.2", "chat", ("openai",), 128_000, 8_192),
    _Spec(
        "openai/text-embedding-3-small",
        "Text Embedding 3 Small",
        "embedding",
        ("embeddings",),
        8_192,
        None,
        ("text",),
        ("embeddings",),
    ),
    _Spec(
        "openai/gpt-image-2",
        "GPT Image 2",
        "image",
        ("image-generation",),
        None,
        None,
        ("text", "image"),
        ("image",),
    ),
    _Spec(
        "klingai/kling-v3.0-t2v",
        "Kling v3.0 text-to-video",
        "video",
        ("openai-video",),
        None,
        None,
        ("text",),
        ("video",),
    ),
)

_CREATED = 1_780_000_000


def default_catalog(shape: CatalogShape) -> dict[str, Any]:
    """The default catalog in one of the three shapes gateways return from GET /v1/models."""
    data: list[dict[str, Any]] = []
    for spec in _MODELS:
        owner = spec.id.split("/", 1)[0]
        if shape == "openai":
            data.append({"id": spec.id, "object": "model", "created": _CREATED, "owned_by": owner})
        elif shape == "newapi":
            data.append(
                {
                    "id": spec.id,
                    "object": "model",
                    "created": _CREATED,
                    "owned_by": owner,
                    "supported_endpoint_types": list(spec.endpoints),
                }
            )
        elif shape == "openrouter":
            data.append(
                {
                    "id": spec.id,
                    "canonical_slug": spec.id,
                    "name": spec.name,
                    "created": _CREATED,
                    "description": f"{spec.name} (fake AIGate catalog)",
                    "context_length": spec.context,
                    "architecture": {
                        "modality": "+".join(spec.input_modalities)
                        + "->"
                        + "+".join(spec.output_modalities),
                        "input_modalities": list(spec.input_modalities),
                        "output_modalities": list(spec.output_modalities),
                        "tokenizer": "Other",
                        "instruct_type": None,
                    },
                    "pricing": {"prompt": "0.000001", "completion": "0.000002"},
                    "top_provider": {
                        "context_length": spec.context,
                        "max_completion_tokens": spec.max_output,
                        "is_moderated": False,
                    },
                    "supported_parameters": ["max_tokens", "temperature", "tools", "stream"]
                    if spec.kind == "chat"
                    else [],
                }
            )
        else:
            raise ValueError(f"unknown catalog shape {shape!r} (openai, newapi, openrouter)")
    doc: dict[str, Any] = {"object": "list", "data": data}
    if shape == "newapi":
        doc["success"] = True
    return doc


# --- errors ---------------------------------------------------------------------------------

_ERRORS: dict[int, tuple[str, str, str]] = {
    # status: (type, code, message)
    400: ("invalid_request_error", "bad_request", "Bad request: check the body and the endpoint"),
    401: ("authentication_error", "invalid_api_key", "Invalid or missing API key"),
    402: ("insufficient_quota", "insufficient_quota", "Not enough balance: top up your account"),
    403: ("permission_error", "model_access_denied", "No access to this model"),
    404: ("invalid_request_error", "not_found", "Not found"),
    408: ("timeout_error", "timeout", "Request timed out"),
    410: ("invalid_request_error", "gone", "The generated content link expired"),
    413: ("invalid_request_error", "context_length_exceeded", "Input or context is too large"),
    429: ("rate_limit_error", "rate_limit_exceeded", "Rate limit reached, retry later"),
    500: ("api_error", "internal_error", "Internal error, retry later"),
    502: ("upstream_error", "bad_gateway", "Provider temporarily unavailable"),
    503: ("api_error", "model_not_available", "Model temporarily unavailable, no working route"),
    504: ("upstream_error", "gateway_timeout", "Provider timed out"),
}


def error_body(
    status: int, message: str | None = None, code: str | None = None, type_: str | None = None
) -> dict[str, Any]:
    """The gateway's OpenAI-shaped error document for `status`."""
    d_type, d_code, d_message = _ERRORS.get(status, ("api_error", f"http_{status}", "Error"))
    return {
        "error": {
            "message": message or d_message,
            "type": type_ or d_type,
            "param": None,
            "code": code or d_code,
            "status": status,
        }
    }


def _html_page(status: int) -> bytes:
    return (
        "<!DOCTYPE html>\n<html><head><title>"
        f"{status} Bad Gateway</title></head>\n<body><center><h1>{status} Error</h1></center>\n"
        "<hr><center>nginx</center>\n</body></html>\n"
    ).encode()


# --- request log and faults -----------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the gateway saw it. The key is never stored, only its masked form."""

    method: str
    path: str  # without the query string
    headers: dict[str, str]  # lower-case names; values holding the key are masked
    auth: AuthStyle | None
    key_suffix: str | None  # last 4 characters of the key
    json: Any  # parsed body, or None
    status: int  # answered status; 0 when no answer was sent (hang, dropped)
    query: str = ""
    stream: bool = False
    time: float = 0.0


@dataclass
class Fault:
    route: str
    status: int | None = None
    body: Any = None
    retry_after: float | str | None = None
    latency: float = 0.0
    html: bool = False
    truncate: bool = False
    hang: bool = False
    times: int | None = None  # None: every request; N: the next N requests

    def matches(self, path: str) -> bool:
        return self.route in ("*", path) or (
            self.route.endswith("*") and path.startswith(self.route[:-1])
        )


@dataclass
class _Answer:
    """What the handler decided to do for one request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    events: list[bytes] | None = None  # SSE frames for a streamed answer
    truncate: bool = False
    hang: bool = False


def _mask_text(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        if s and s in text:
            text = text.replace(s, mask_key(s))
    return text


# --- the gateway ----------------------------------------------------------------------------


class FakeGateway:
    """A loopback fake of the AIGate gateway. Thread-safe; start()/stop() or use `with`."""

    def __init__(
        self,
        catalog: CatalogShape | dict[str, Any] = "newapi",
        keys: Sequence[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host = host
        self.port = port
        self.keys: tuple[str, ...] | None = tuple(keys) if keys is not None else None
        self.latency = 0.0
        self.reply = REPLY
        self.balance: dict[str, Any] = {
            "object": "balance",
            "balance": 25.0,
            "used": 4.75,
            "currency": "USD",
            "token": {"remaining": 10.0, "used": 0.25, "unlimited_quota": False},
        }
        # Called with every RecordedRequest (the script prints them); must not raise.
        self.on_request: Callable[[RecordedRequest], None] | None = None
        self._lock = threading.Lock()
        self._log: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._catalog: dict[str, Any] = {}
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self.set_catalog(catalog)

    # lifecycle

    def start(self) -> FakeGateway:
        if self._server is not None:
            raise RuntimeError("FakeGateway already started")
        self._stop.clear()
        server = _Server((self.host, self.port), _Handler)
        server.gateway = self
        self._server = server
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-aigate:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; releases hung requests and closes open connections. Never blocks long."""
        server = self._server
        if server is None:
            return
        self._stop.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
            self._conns.clear()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeGateway:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """The gateway root without /v1 (what Claude Code's ANTHROPIC_BASE_URL takes)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, ending in /v1."""
        return f"{self.root}/v1"

    # configuration

    def set_catalog(self, shape_or_data: CatalogShape | dict[str, Any]) -> None:
        """Serve the default catalog in a shape, or a given document verbatim."""
        if isinstance(shape_or_data, str):
            data = default_catalog(shape_or_data)
        else:
            data = copy.deepcopy(shape_or_data)
        with self._lock:
            self._catalog = data

    @property
    def catalog(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._catalog)

    def add_fault(
        self,
        route: str,
        status: int | None = None,
        body: Any = None,
        retry_after: float | str | None = None,
        latency: float = 0.0,
        html: bool = False,
        truncate: bool = False,
        hang: bool = False,
        times: int | None = None,
    ) -> Fault:
        """Misbehave on `route` ("/v1/models", "*", or a "/v1/*" prefix) for the next `times`
        requests (None: until clear_faults). Faults are checked before authentication."""
        fault = Fault(route, status, body, retry_after, latency, html, truncate, hang, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # request log

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # internals used by the handler

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _record(self, rec: RecordedRequest) -> None:
        with self._lock:
            self._log.append(rec)
        hook = self.on_request
        if hook is not None:
            # A printing hook must never break the gateway.
            with contextlib.suppress(Exception):
                hook(rec)

    def _key_ok(self, key: str | None) -> bool:
        if not key:
            return False
        if self.keys is None:
            return key.startswith("sk-") and len(key) > 3
        return key in self.keys

    def _models(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            data = self._catalog.get("data", [])
        out: dict[str, dict[str, Any]] = {}
        if isinstance(data, list):
            for entry in data:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    out[entry["id"]] = entry
        return out

    def _wait(self, seconds: float) -> bool:
        """Sleep unless stop() is called; True if stopped."""
        return self._stop.wait(seconds) if seconds > 0 else self._stop.is_set()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    gateway: FakeGateway


def _sse(event: str | None, data: Any) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def _tokens(body: Any) -> int:
    return max(1, len(json.dumps(body)) // 4) if body is not None else 1


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-aigate/1"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are dropped after this
    server: _Server

    # connection tracking so stop() can drop keep-alive connections

    def setup(self) -> None:
        super().setup()
        self.server.gateway._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.gateway._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # quiet; the log is gw.requests
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    # the request

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            raw = b"".join(chunks)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
        enc = self.headers.get("Content-Encoding", "").lower()
        if enc == "gzip":
            raw = gzip.decompress(raw)
        elif enc == "deflate":
            raw = zlib.decompress(raw)
        return raw

    def _handle(self) -> None:
        gw = self.server.gateway
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        try:
            raw = self._read_body()
        except (ValueError, OSError, EOFError, zlib.error):
            raw = b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None

        auth: AuthStyle | None = None
        key: str | None = None
        authz = self.headers.get("Authorization")
        if authz is not None:
            auth = "bearer"
            key = authz[7:].strip() if authz.lower().startswith("bearer ") else authz.strip()
        elif self.headers.get("x-api-key") is not None:
            auth = "x-api-key"
            key = (self.headers.get("x-api-key") or "").strip()
        secrets = [s for s in (key, self.headers.get("x-api-key")) if s]

        if gw.latency > 0 and gw._wait(gw.latency):
            return self._drop()
        fault = gw._take_fault(path)
        if fault is not None and fault.latency > 0 and gw._wait(fault.latency):
            return self._drop()

        if fault is not None and fault.hang:
            answer = _Answer(status=0, hang=True)
        elif fault is not None and (
            fault.status is not None or fault.html or fault.body is not None or fault.retry_after
        ):
            answer = self._fault_answer(fault, path)
        else:
            answer = self._route(gw, path, body, key)
            if fault is not None and fault.truncate:
                answer.truncate = True

        headers = {
            k.lower(): _mask_text(v, secrets) for k, v in self.headers.items() if k is not None
        }
        rec = RecordedRequest(
            method=self.command,
            path=path,
            headers=headers,
            auth=auth,
            key_suffix=key[-4:] if key and len(key) >= 4 else None,
            json=body,
            status=answer.status,
            query=_mask_text(url.query, secrets),
            stream=answer.events is not None,
            time=time.time(),
        )
        gw._record(rec)
        if answer.hang:
            gw._stop.wait()  # never answer; stop() releases us
            return self._drop()
        self._send(answer)

    def _drop(self) -> None:
        self.close_connection = True

    def _fault_answer(self, fault: Fault, path: str) -> _Answer:
        status = fault.status or (429 if fault.retry_after else 502)
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if fault.body is not None:
            if isinstance(fault.body, bytes):
                data = fault.body
            elif isinstance(fault.body, str):
                data = fault.body.encode()
            else:
                data = json.dumps(fault.body).encode()
            ctype = "application/json" if not isinstance(fault.body, bytes | str) else "text/plain"
            if fault.html:
                ctype = "text/html"
        elif fault.html:
            data, ctype = _html_page(status), "text/html"
        else:
            doc = error_body(status)
            if path.startswith("/v1/messages"):
                doc["type"] = "error"  # lets the Anthropic SDK read it too
            data, ctype = json.dumps(doc).encode(), "application/json"
        headers["Content-Type"] = ctype
        return _Answer(status=status, headers=headers, body=data, truncate=fault.truncate)

    # routing

    def _route(self, gw: FakeGateway, path: str, body: Any, key: str | None) -> _Answer:
        method = self.command
        anthropic = path.startswith("/v1/messages")

        def err(status: int, message: str | None = None, code: str | None = None) -> _Answer:
            doc = error_body(status, message, code)
            if anthropic:
                doc["type"] = "error"
            return _Answer(
                status=status,
                headers={"Content-Type": "application/json"},
                body=json.dumps(doc).encode(),
            )

        routes = {
            "/v1/models": "GET",
            "/v1/balance": "GET",
            "/v1/chat/completions": "POST",
            "/v1/responses": "POST",
            "/v1/messages": "POST",
            "/v1/messages/count_tokens": "POST",
        }
        if path == "/" and method in ("GET", "HEAD"):
            # Claude Code sends `HEAD /` as a reachability check before its first request.
            return _json(200, {"name": "fake AIGate gateway", "api": "/v1"})
        if path.startswith("/v1/models/") and method == "GET":
            model_id = path[len("/v1/models/") :]
            entry = gw._models().get(model_id)
            if entry is None:
                return err(404, f"model {model_id!r} not found", "model_not_found")
            return _json(200, entry)
        if path not in routes:
            return err(404, f"Invalid URL ({method} {path})", "not_found")
        if method == "HEAD" and routes[path] == "GET":
            method = "GET"
        if routes[path] != method:
            return err(405, f"Method {method} not allowed on {path}", "method_not_allowed")

        if path == "/v1/models":
            if key is not None and not gw._key_ok(key):
                return err(401)
            return _json(200, gw.catalog)
        if not gw._key_ok(key):
            return err(
                401,
                "Invalid or missing API key: send Authorization: Bearer sk-... or x-api-key",
            )
        if path == "/v1/balance":
            return _json(200, copy.deepcopy(gw.balance))

        if not isinstance(body, dict):
            return err(400, "Request body must be a JSON object", "invalid_json")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return err(400, "Missing required parameter: model", "missing_model")
        entry = gw._models().get(model)
        if entry is None:
            return err(
                404,
                f"The model `{model}` does not exist or you do not have access to it",
                "model_not_found",
            )
        types = entry.get("supported_endpoint_types")
        need = _ROUTE_ENDPOINT[path]
        if isinstance(types, list) and need not in types:
            return err(
                400,
                f"Model `{model}` does not support the {path} endpoint"
                f" (supported: {', '.join(str(t) for t in types)})",
                "unsupported_endpoint",
            )
        tokens = _tokens(body)
        stream = bool(body.get("stream"))
        if path == "/v1/messages/count_tokens":
            return _json(200, {"input_tokens": tokens})
        if path == "/v1/chat/completions":
            return _chat(model, gw.reply, tokens, stream, body)
        if path == "/v1/responses":
            return _responses(model, gw.reply, tokens, stream, body)
        return _messages(model, gw.reply, tokens, stream)

    # the answer

    def _send(self, answer: _Answer) -> None:
        try:
            self.send_response(answer.status)
            for k, v in answer.headers.items():
                self.send_header(k, v)
            if answer.events is not None:
                self._send_stream(answer)
                return
            data = answer.body or b""
            self.send_header("Content-Length", str(len(data)))
            if answer.truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data[: max(1, len(data) // 2)] if answer.truncate else data)
            self.wfile.flush()
            if answer.truncate:
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _send_stream(self, answer: _Answer) -> None:
        gw = self.server.gateway
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        events = answer.events or []
        if answer.truncate:
            events = events[: max(1, len(events) // 2)]
        for frame in events:
            self.wfile.write(f"{len(frame):x}\r\n".encode() + frame + b"\r\n")
            self.wfile.flush()
            if gw._stop.is_set():
                break
        if answer.truncate or gw._stop.is_set():
            self.close_connection = True  # no terminating chunk: the client sees a cut stream
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


# --- response bodies ------------------------------------------------------------------------


def _json(status: int, doc: Any) -> _Answer:
    return _Answer(
        status=status,
        headers={"Content-Type": "application/json"},
        body=json.dumps(doc).encode(),
    )


_SSE_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}


def _chat(model: str, text: str, tokens: int, stream: bool, body: dict[str, Any]) -> _Answer:
    cid = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    usage = {
        "prompt_tokens": tokens,
        "completion_tokens": 1,
        "total_tokens": tokens + 1,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }
    if not stream:
        return _json(
            200,
            {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
                "system_fingerprint": None,
            },
        )

    def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }

    events = [
        _sse(None, chunk({"role": "assistant", "content": ""}, None)),
        _sse(None, chunk({"content": text}, None)),
        _sse(None, chunk({}, "stop")),
    ]
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage"):
        final = chunk({}, None)
        final["choices"] = []
        final["usage"] = usage
        events.append(_sse(None, final))
    events.append(_sse(None, "[DONE]"))
    return _Answer(status=200, headers=dict(_SSE_HEADERS), events=events)


def _responses(model: str, text: str, tokens: int, stream: bool, body: dict[str, Any]) -> _Answer:
    rid = _new_id("resp_")
    mid = _new_id("msg_")
    created = int(time.time())
    part_done = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    item_done = {
        "id": mid,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [part_done],
    }
    usage = {
        "input_tokens": tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": tokens + 1,
    }

    def response(status: str, output: list[Any], use: Any) -> dict[str, Any]:
        return {
            "id": rid,
            "object": "response",
            "created_at": created,
            "status": status,
            "background": False,
            "error": None,
            "incomplete_details": None,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "model": model,
            "output": output,
            "parallel_tool_calls": bool(body.get("parallel_tool_calls", True)),
            "previous_response_id": body.get("previous_response_id"),
            "reasoning": {"effort": None, "summary": None},
            "store": bool(body.get("store", False)),
            "temperature": 1.0,
            "text": {"format": {"type": "text"}},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": [],
            "top_p": 1.0,
            "truncation": "disabled",
            "usage": use,
            "user": None,
            "metadata": {},
        }

    if not stream:
        return _json(200, response("completed", [item_done], usage))

    seq = iter(range(1_000_000))

    def ev(kind: str, **fields: Any) -> bytes:
        return _sse(kind, {"type": kind, "sequence_number": next(seq), **fields})

    loc = {"item_id": mid, "output_index": 0, "content_index": 0}
    events = [
        ev("response.created", response=response("in_progress", [], None)),
        ev("response.in_progress", response=response("in_progress", [], None)),
        ev(
            "response.output_item.added",
            output_index=0,
            item={
                "id": mid,
                "type": "message",
                "status": "in_progress",
                "role": "assistant",
                "content": [],
            },
        ),
        ev(
            "response.content_part.added",
            **loc,
            part={"type": "output_text", "text": "", "annotations": [], "logprobs": []},
        ),
        ev("response.output_text.delta", **loc, delta=text, logprobs=[]),
        ev("response.output_text.done", **loc, text=text, logprobs=[]),
        ev("response.content_part.done", **loc, part=part_done),
        ev("response.output_item.done", output_index=0, item=item_done),
        ev("response.completed", response=response("completed", [item_done], usage)),
    ]
    return _Answer(status=200, headers=dict(_SSE_HEADERS), events=events)


def _messages(model: str, text: str, tokens: int, stream: bool) -> _Answer:
    mid = _new_id("msg_")
    usage = {
        "input_tokens": tokens,
        "output_tokens": 1,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }
    if not stream:
        return _json(
            200,
            {
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": usage,
            },
        )

    def ev(kind: str, **fields: Any) -> bytes:
        return _sse(kind, {"type": kind, **fields})

    events = [
        ev(
            "message_start",
            message={
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {**usage, "output_tokens": 1},
            },
        ),
        ev("content_block_start", index=0, content_block={"type": "text", "text": ""}),
        ev("ping"),
        ev("content_block_delta", index=0, delta={"type": "text_delta", "text": text}),
        ev("content_block_stop", index=0),
        ev(
            "message_delta",
            delta={"stop_reason": "end_turn", "stop_sequence": None},
            usage={"output_tokens": 1},
        ),
        ev("message_stop"),
    ]
    return _Answer(status=200, headers=dict(_SSE_HEADERS), events=events)


# --- command line ---------------------------------------------------------------------------


def _load_catalog_arg(value: str) -> CatalogShape | dict[str, Any]:
    if value in ("openai", "newapi", "openrouter"):
        return value  # type: ignore[return-value]
    try:
        with open(value, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(
            f"--catalog: not a shape (openai, newapi, openrouter) nor a readable JSON file: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError("--catalog: the JSON file must hold an object")
    return data


def _describe(rec: RecordedRequest) -> str:
    model = rec.json.get("model") if isinstance(rec.json, dict) else None
    bits = [f"{rec.status or '---'} {rec.method} {rec.path}"]
    if model:
        bits.append(f"model={model}")
    if rec.stream:
        bits.append("stream")
    if rec.auth:
        bits.append(f"auth={rec.auth}:...{rec.key_suffix or ''}")
    return "  ".join(bits)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m aigate_setup.fake_gateway` / `python scripts/fake_gateway.py`."""
    parser = argparse.ArgumentParser(
        prog="fake_gateway",
        description="Run a fake AIGate gateway on loopback (answers every prompt with OK).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port (default 8787; 0 = any free)")
    parser.add_argument(
        "--catalog",
        type=_load_catalog_arg,
        default="newapi",
        help="catalog shape: openai, newapi (default), openrouter, or a JSON file to serve",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument(
        "--key",
        action="append",
        dest="keys",
        metavar="KEY",
        help="accept only this key (repeatable; default: any key starting with sk-)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print each request")
    args = parser.parse_args(argv)

    gw = FakeGateway(catalog=args.catalog, keys=args.keys, host=args.host, port=args.port)
    gw.latency = args.latency
    if not args.quiet:
        gw.on_request = lambda rec: print(_describe(rec), file=sys.stderr, flush=True)
    try:
        gw.start()
    except OSError as exc:
        print(f"fake_gateway: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        print("hint: pick another --port, or --port 0 for any free port", file=sys.stderr)
        return 1

    def _term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    # Also when started in the background by a shell, which leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _term)
    shape = args.catalog if isinstance(args.catalog, str) else "custom"
    keys = "any sk-... key" if args.keys is None else f"{len(args.keys)} key(s)"
    print(gw.base_url, flush=True)
    print(
        f"fake AIGate gateway: catalog {shape}, accepts {keys}. Try:\n"
        f"  aigate-setup models --base-url {gw.base_url}\n"
        f"  AIGATE_API_KEY=sk-offline-demo aigate-setup doctor "
        f"--base-url {gw.base_url}\n"
        "Ctrl-C to stop.",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        gw.stop()
    print("fake AIGate gateway stopped", file=sys.stderr, flush=True)
    return 0


def parse_sse(stream: Iterable[bytes]) -> Iterator[tuple[str | None, str]]:
    """Parse SSE frames from byte lines: yields (event, data). Used by tests and debugging."""
    event: str | None = None
    data: list[str] = []
    for raw in stream:
        line = raw.decode().rstrip("\r\n")
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = None, []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield event, "\n".join(data)


if __name__ == "__main__":
    sys.exit(main())
