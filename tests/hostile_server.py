"""A loopback HTTP server that attacks its client: slow drips, endless bodies and SSE streams,
compression bombs, hostile catalogs, a catalog that echoes the key it was sent.

Self-contained (stdlib only) so the hostile-input tests do not depend on the fake gateway. Every
endless answer is bounded (`MAX_ENDLESS` bytes, `MAX_SECONDS`) and stops when the client hangs
up or the server is closed, so a client without limits fails its test instead of hanging it.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_ENDLESS = 64 * 1024 * 1024  # an "endless" body ends here all the same
MAX_SECONDS = 60.0  # and a drip after this long

Answer = Callable[["_Handler"], None]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class HostileServer:
    """`with HostileServer() as srv: srv.drip("/v1/models", ...)`; `srv.base_url` is the /v1 base."""

    routes: dict[str, Answer] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)  # body bytes written per path
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        owner = self

        class Handler(_Handler):
            server_owner = owner

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def base_url(self) -> str:
        return self.root + "/v1"

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    # ----------------------------------------------------------------------- answers

    def json(self, path: str, doc: Any, *, status: int = 200) -> None:
        body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        self.raw(path, body, status=status)

    def raw(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/json",
        encoding: str = "",
    ) -> None:
        def answer(h: _Handler) -> None:
            h.head(status, content_type, length=len(body), encoding=encoding)
            h.body(path, [body])

        self.routes[path] = answer

    def drip(self, path: str, *, interval: float, prefix: bytes = b'{"data": [') -> None:
        """Headers at once, then `prefix`, then one space every `interval` seconds, forever."""

        def pieces() -> Iterator[bytes]:
            yield prefix
            started = time.monotonic()
            while time.monotonic() - started < MAX_SECONDS:
                time.sleep(interval)
                yield b" "

        def answer(h: _Handler) -> None:
            h.head(200, "application/json")
            h.body(path, pieces())

        self.routes[path] = answer

    def endless(
        self,
        path: str,
        *,
        status: int = 200,
        content_type: str = "application/json",
        piece: bytes = b'{"id": "x"}, ' * 5000,
        interval: float = 0.0,
    ) -> None:
        """A body (chunked) that goes on until the client hangs up (or MAX_ENDLESS)."""

        def pieces() -> Iterator[bytes]:
            yield b'{"data": ['
            total = 0
            while total < MAX_ENDLESS:
                if interval:
                    time.sleep(interval)
                total += len(piece)
                yield piece

        def answer(h: _Handler) -> None:
            h.head(status, content_type)
            h.body(path, pieces())

        self.routes[path] = answer

    def redirect(self, path: str, location: str, *, endless_body: bool = False) -> None:
        """A 302 to `location`, optionally with a body that never ends."""

        def pieces() -> Iterator[bytes]:
            total = 0
            while total < MAX_ENDLESS:
                total += 65536
                yield b"x" * 65536

        def answer(h: _Handler) -> None:
            h.head(302, "text/plain", length=None if endless_body else 0, location=location)
            h.body(path, pieces() if endless_body else [])

        self.routes[path] = answer

    def sse(self, path: str, *, interval: float = 0.0) -> None:
        """An endless text/event-stream reply (to a request that asked for no stream)."""
        event = b'data: {"choices": [{"delta": {"content": "OK"}}]}\n\n'
        self.endless(path, content_type="text/event-stream", piece=event * 50, interval=interval)

    def bomb(self, path: str, *, decoded: int, encoding: str = "gzip") -> None:
        """A small compressed body that inflates to `decoded` bytes of JSON-ish text."""
        body = compressed_zeros(decoded, encoding)

        def answer(h: _Handler) -> None:
            h.head(200, "application/json", length=len(body), encoding=encoding)
            h.body(path, [body])

        self.routes[path] = answer

    def echo_key(self, path: str, ids: tuple[str, ...] = ("openai/gpt-5.5",)) -> None:
        """A catalog whose names and descriptions repeat the bearer key it was sent."""

        def answer(h: _Handler) -> None:
            auth = h.headers.get("Authorization", "")
            key = auth.split(" ", 1)[-1]
            doc = {
                "object": "list",
                "data": [
                    {
                        "id": model_id,
                        "name": f"Model for {key}",
                        "description": f"your key is {key}",
                        "supported_endpoint_types": ["openai", "openai-response", "anthropic"],
                    }
                    for model_id in ids
                ]
                + [{"id": f"acme/{key}"}],
            }
            body = json.dumps(doc).encode()
            h.head(200, "application/json", length=len(body))
            h.body(path, [body])

        self.routes[path] = answer


def compressed_zeros(decoded: int, encoding: str = "gzip") -> bytes:
    """`decoded` bytes of spaces, gzip- or deflate-compressed (about 1000:1), built in 1 MiB steps."""
    wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * (1024 * 1024)
    out = [comp.compress(b"[")]
    for _ in range(decoded // len(block)):
        out.append(comp.compress(block))
    out.append(comp.flush())
    return b"".join(out)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_owner: HostileServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        owner = self.server_owner
        path = self.path.split("?", 1)[0]
        owner.seen.append(Seen(self.command, path, dict(self.headers.items())))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        answer = owner.routes.get(path)
        if answer is None:
            self.head(404, "application/json", length=2)
            self.body(path, [b"{}"])
            return
        answer(self)

    do_GET = _answer
    do_POST = _answer

    def head(
        self,
        status: int,
        content_type: str,
        *,
        length: int | None = None,
        encoding: str = "",
        location: str = "",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if location:
            self.send_header("Location", location)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
            self.chunked = True
        else:
            self.send_header("Content-Length", str(length))
            self.chunked = False
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

    def body(self, path: str, pieces: Iterable[bytes]) -> None:
        owner = self.server_owner
        try:
            for piece in pieces:
                if owner.stopping.is_set():
                    return
                if self.chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                else:
                    self.wfile.write(piece)
                self.wfile.flush()
                owner.sent[path] = owner.sent.get(path, 0) + len(piece)
            if self.chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return
        finally:
            self.close_connection = True
