"""The fake gateway's HTTP handler: reads a request, routes it, applies faults, sends the answer."""

from __future__ import annotations

import copy
import gzip
import json
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aigate_setup.testing import hostile
from aigate_setup.testing.catalog import ROUTE_ENDPOINT
from aigate_setup.testing.faults import AuthStyle, Fault, RecordedRequest, mask_text
from aigate_setup.testing.replies import (
    Answer,
    chat,
    error_answer,
    error_body,
    html_page,
    json_answer,
    messages,
    responses,
    tokens,
)

if TYPE_CHECKING:
    from aigate_setup.testing.server import FakeGateway, Server

# Route -> its one method.
_ROUTES = {
    "/v1/models": "GET",
    "/v1/balance": "GET",
    "/v1/chat/completions": "POST",
    "/v1/responses": "POST",
    "/v1/messages": "POST",
    "/v1/messages/count_tokens": "POST",
}


def _split(piece: bytes, drip: float) -> Iterator[bytes]:
    if drip <= 0:
        yield piece
        return
    for i in range(len(piece)):
        yield piece[i : i + 1]


def _credentials(headers: Any) -> tuple[AuthStyle | None, str | None]:
    authz = headers.get("Authorization")
    if authz is not None:
        key = authz[7:].strip() if authz.lower().startswith("bearer ") else authz.strip()
        return "bearer", key
    if headers.get("x-api-key") is not None:
        return "x-api-key", (headers.get("x-api-key") or "").strip()
    return None, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-aigate/1"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are dropped after this
    server: Server
    body_size = 0  # bytes of the current request's body (the request log records it)

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

    def _json_body(self) -> Any:
        try:
            raw = self._read_body()
        except (ValueError, OSError, EOFError, zlib.error):
            raw = b""
        self.body_size = len(raw)
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def _handle(self) -> None:
        gw = self.server.gateway
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        body = self._json_body()
        auth, key = _credentials(self.headers)
        secrets = [s for s in (key, self.headers.get("x-api-key")) if s]

        if gw.latency > 0 and gw._wait(gw.latency):
            return self._drop()
        fault = gw._take_fault(path)
        if fault is not None and fault.latency > 0 and gw._wait(fault.latency):
            return self._drop()
        answer = self._answer(gw, fault, path, body, key)

        headers = {
            k.lower(): mask_text(v, secrets) for k, v in self.headers.items() if k is not None
        }
        rec = RecordedRequest(
            method=self.command,
            path=path,
            headers=headers,
            auth=auth,
            key_suffix=key[-4:] if key and len(key) >= 4 else None,
            json=body,
            status=answer.status,
            query=mask_text(url.query, secrets),
            stream=answer.chunked,
            time=time.time(),
            size=self.body_size,
        )
        gw._record(rec)
        if answer.hang:
            gw._stop.wait()  # never answer; stop() releases us
            return self._drop()
        self._send(answer)

    def _answer(
        self, gw: FakeGateway, fault: Fault | None, path: str, body: Any, key: str | None
    ) -> Answer:
        if fault is None:
            return self._route(gw, path, body, key)
        if fault.hang:
            return Answer(status=0, hang=True)
        if fault.replaces_answer:
            answer = self._fault_answer(fault, path)
        else:
            answer = self._route(gw, path, body, key)
            answer.truncate = answer.truncate or fault.truncate
        hostile.apply(answer, fault, key)
        return answer

    def _drop(self) -> None:
        self.close_connection = True

    def _fault_answer(self, fault: Fault, path: str) -> Answer:
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
            data, ctype = html_page(status), "text/html"
        else:
            doc = error_body(status)
            if path.startswith("/v1/messages"):
                doc["type"] = "error"  # lets the Anthropic SDK read it too
            data, ctype = json.dumps(doc).encode(), "application/json"
        headers["Content-Type"] = ctype
        return Answer(status=status, headers=headers, body=data, truncate=fault.truncate)

    # routing

    def _route(self, gw: FakeGateway, path: str, body: Any, key: str | None) -> Answer:
        method = self.command
        anthropic = path.startswith("/v1/messages")

        def err(status: int, message: str | None = None, code: str | None = None) -> Answer:
            return error_answer(status, message, code, anthropic=anthropic)

        if path == "/" and method in ("GET", "HEAD"):
            # Claude Code sends `HEAD /` as a reachability check before its first request.
            return json_answer(200, {"name": "fake AIGate gateway", "api": "/v1"})
        if path.startswith("/v1/models/") and method == "GET":
            model_id = path[len("/v1/models/") :]
            entry = gw._models().get(model_id)
            if entry is None:
                return err(404, f"model {model_id!r} not found", "model_not_found")
            return json_answer(200, entry)
        if path not in _ROUTES:
            return err(404, f"Invalid URL ({method} {path})", "not_found")
        if method == "HEAD" and _ROUTES[path] == "GET":
            method = "GET"
        if _ROUTES[path] != method:
            return err(405, f"Method {method} not allowed on {path}", "method_not_allowed")

        if path == "/v1/models":
            if key is not None and not gw._key_ok(key):
                return err(401)
            return gw._catalog_answer()
        if not gw._key_ok(key):
            return err(
                401,
                "Invalid or missing API key: send Authorization: Bearer sk-... or x-api-key",
            )
        if path == "/v1/balance":
            return json_answer(200, copy.deepcopy(gw.balance))
        return self._turn(gw, path, body, anthropic)

    def _turn(self, gw: FakeGateway, path: str, body: Any, anthropic: bool) -> Answer:
        """A chat turn on one of the four model routes."""

        def err(status: int, message: str, code: str) -> Answer:
            return error_answer(status, message, code, anthropic=anthropic)

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
        need = ROUTE_ENDPOINT[path]
        if isinstance(types, list) and need not in types:
            return err(
                400,
                f"Model `{model}` does not support the {path} endpoint"
                f" (supported: {', '.join(str(t) for t in types)})",
                "unsupported_endpoint",
            )
        n_tokens = tokens(body)
        stream = bool(body.get("stream"))
        if path == "/v1/messages/count_tokens":
            return json_answer(200, {"input_tokens": n_tokens})
        if path == "/v1/chat/completions":
            return chat(model, gw.reply, n_tokens, stream, body)
        if path == "/v1/responses":
            return responses(model, gw.reply, n_tokens, stream, body)
        return messages(model, gw.reply, n_tokens, stream)

    # the answer

    def _send(self, answer: Answer) -> None:
        try:
            self.send_response(answer.status)
            for k, v in answer.headers.items():
                self.send_header(k, v)
            if answer.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(len(answer.body or b"")))
                if answer.truncate:
                    self.send_header("Connection", "close")
            self.end_headers()
            head_only = self.command == "HEAD" and not answer.chunked
            complete = head_only or self._write_body(answer)
            self.connection.settimeout(self.timeout)  # _write may have shortened it
            if complete and answer.chunked:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            if not complete:
                # No terminating chunk / short body: the client sees a cut answer.
                self.close_connection = True
        except OSError:  # the client went away, or stopped reading past a cap
            self.close_connection = True

    def _write_body(self, answer: Answer) -> bool:
        """Write the body, paced and capped as the answer says; False when it was cut short."""
        gw = self.server.gateway
        deadline = None if answer.max_seconds is None else time.monotonic() + answer.max_seconds
        budget = answer.max_bytes
        first = True
        for piece in answer.pieces():
            for part in _split(piece, answer.drip):
                if answer.drip > 0 and not first and gw._wait(self._pause(answer.drip, deadline)):
                    return False
                if budget is not None:
                    if budget <= 0:
                        return False
                    part = part[:budget]
                    budget -= len(part)
                if gw._stop.is_set() or _past(deadline):
                    return False
                if part:
                    self._write(part, answer.chunked, deadline)
                first = False
        return not answer.truncate

    @staticmethod
    def _pause(drip: float, deadline: float | None) -> float:
        return drip if deadline is None else max(0.0, min(drip, deadline - time.monotonic()))

    def _write(self, part: bytes, chunked: bool, deadline: float | None) -> None:
        if deadline is not None:
            # A client that stops reading must not block the server past the cap.
            self.connection.settimeout(max(0.05, deadline - time.monotonic()))
        self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n" if chunked else part)
        self.wfile.flush()


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline
