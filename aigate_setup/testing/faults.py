"""The fake gateway's request log entry and its per-route faults (including the hostile modes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from aigate_setup.secrets import mask_key

AuthStyle = Literal["bearer", "x-api-key"]
EndlessKind = Literal["json", "sse"]

# Server-side bounds of the hostile modes: a dripping or endless body is cut after this long or
# this many bytes, so a test (or a client that never gives up) cannot keep the gateway busy forever.
MAX_SECONDS = 30.0
MAX_BYTES = 256 * 2**20


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
    stream: bool = False  # the answer was sent chunked (SSE, or an endless body)
    time: float = 0.0
    size: int = 0  # bytes of the request body (after Content-Encoding)


@dataclass
class Fault:
    """How the gateway misbehaves on `route`; made by FakeGateway.add_fault (see there)."""

    route: str
    status: int | None = None
    body: Any = None
    retry_after: float | str | None = None
    latency: float = 0.0
    html: bool = False
    truncate: bool = False
    hang: bool = False
    times: int | None = None  # None: every request; N: the next N requests
    # Hostile modes (issue 18); they change how the answer above goes on the wire.
    drip: float = 0.0  # > 0: the body goes out one byte every `drip` seconds
    gzip_bomb: int = 0  # > 0: the body is a gzip member that decodes to this many bytes
    endless: EndlessKind | None = None  # a chunked body that never ends by itself
    echo_key: bool = False  # the request's key appears in model names/descriptions and errors
    max_seconds: float = MAX_SECONDS  # drip/endless: the server cuts the body after this long
    max_bytes: int = MAX_BYTES  # drip/endless: ... or after this many bytes

    def matches(self, path: str) -> bool:
        return self.route in ("*", path) or (
            self.route.endswith("*") and path.startswith(self.route[:-1])
        )

    @property
    def replaces_answer(self) -> bool:
        """True when the fault answers by itself instead of the route (status, body, page)."""
        return (
            self.status is not None or self.html or self.body is not None or bool(self.retry_after)
        )

    @property
    def paced(self) -> bool:
        return self.drip > 0 or self.endless is not None

    def check(self) -> None:
        """Refuse settings that would make the fake unbounded or meaningless."""
        if self.drip < 0 or self.latency < 0:
            raise ValueError("drip and latency must be >= 0 seconds")
        if self.gzip_bomb < 0:
            raise ValueError("gzip_bomb is a decoded size in bytes (>= 0)")
        if self.endless not in (None, "json", "sse"):
            raise ValueError(f"endless must be 'json' or 'sse', not {self.endless!r}")
        if not self.max_seconds > 0 or self.max_bytes <= 0:
            raise ValueError("max_seconds and max_bytes must be > 0 (the server must stop)")


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """`text` with each of `secrets` replaced by its masked form (for the request log)."""
    for s in secrets:
        if s and s in text:
            text = text.replace(s, mask_key(s))
    return text
