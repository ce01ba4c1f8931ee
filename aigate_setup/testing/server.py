"""FakeGateway: the loopback fake AIGate server, its configuration, faults and request log."""

from __future__ import annotations

import contextlib
import copy
import socket
import threading
from collections.abc import Callable, Sequence
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from aigate_setup.testing import hostile
from aigate_setup.testing.catalog import CatalogShape, default_catalog
from aigate_setup.testing.faults import (
    MAX_BYTES,
    MAX_SECONDS,
    EndlessKind,
    Fault,
    RecordedRequest,
)
from aigate_setup.testing.handler import Handler
from aigate_setup.testing.replies import REPLY, Answer, json_answer


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    gateway: FakeGateway


class FakeGateway:
    """A loopback fake of the AIGate gateway. Thread-safe; start()/stop() or use `with`."""

    def __init__(
        self,
        catalog: CatalogShape | dict[str, Any] | bytes = "newapi",
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
        self._catalog_raw: bytes | None = None
        self._stop = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self.set_catalog(catalog)

    # lifecycle

    def start(self) -> FakeGateway:
        if self._server is not None:
            raise RuntimeError("FakeGateway already started")
        self._stop.clear()
        server = Server((self.host, self.port), Handler)
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

    def set_catalog(self, shape_or_data: CatalogShape | dict[str, Any] | bytes) -> None:
        """Serve the default catalog in a shape, a given document verbatim, or raw bytes.

        Raw bytes (for example `hostile.nested_json()`) go out as they are, as
        application/json; the model routes then know no model and `catalog` is `{}`.
        """
        raw: bytes | None = None
        if isinstance(shape_or_data, bytes):
            data: dict[str, Any] = {}
            raw = shape_or_data
        elif isinstance(shape_or_data, str):
            data = default_catalog(shape_or_data)
        else:
            data = copy.deepcopy(shape_or_data)
        with self._lock:
            self._catalog = data
            self._catalog_raw = raw

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
        *,
        drip: float = 0.0,
        gzip_bomb: int = 0,
        endless: EndlessKind | None = None,
        echo_key: bool = False,
        max_seconds: float = MAX_SECONDS,
        max_bytes: int = MAX_BYTES,
    ) -> Fault:
        """Misbehave on `route` ("/v1/models", "*", or a "/v1/*" prefix) for the next `times`
        requests (None: until clear_faults). Faults are checked before authentication.

        `status`/`body`/`html`/`retry_after` answer instead of the route; `truncate` cuts the
        answer in half; `hang` never answers; `latency` waits first. The hostile modes change
        how the (route's or fault's) answer is sent:

        - `drip=S`: the body goes out one byte every S seconds (chunked answers: one byte per
          chunk), cut after `max_seconds` (the connection is closed, the body left short);
        - `gzip_bomb=N`: the body is a `Content-Encoding: gzip` member that decodes to exactly N
          bytes of JSON-ish text (about N/1000 on the wire);
        - `endless="json"`: a chunked catalog-like body that never closes its list;
          `endless="sse"`: the route's SSE stream up to its text delta, then that delta repeated
          (a generic chat delta on non-streaming routes). Both run until the client disconnects,
          `stop()`, `max_seconds` or `max_bytes`, whichever comes first;
        - `echo_key=True`: the key the request carried is written into every model's `name` and
          `description` and into error messages of JSON answers.
        """
        fault = Fault(
            route,
            status,
            body,
            retry_after,
            latency,
            html,
            truncate,
            hang,
            times,
            drip=drip,
            gzip_bomb=gzip_bomb,
            endless=endless,
            echo_key=echo_key,
            max_seconds=max_seconds,
            max_bytes=max_bytes,
        )
        fault.check()
        if gzip_bomb:
            hostile.gzip_bomb(gzip_bomb)  # build (and cache) it now, not while a client waits
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

    @property
    def open_connections(self) -> int:
        """Connections a handler is still serving (a test can see a hostile body end)."""
        with self._lock:
            return len(self._conns)

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

    def _catalog_answer(self) -> Answer:
        with self._lock:
            raw = self._catalog_raw
        if raw is not None:
            return Answer(status=200, headers={"Content-Type": "application/json"}, body=raw)
        return json_answer(200, self.catalog)

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
