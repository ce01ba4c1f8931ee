"""Hostile gateway material for the hostile-input tests (issue 18).

Catalog data (served with `FakeGateway.set_catalog`):
- `hostile_catalog()`: ids that are config syntax (`{file:...}`, `{env:...}`), hold control
  characters, newlines or spaces, run over 200 characters or are a lone surrogate (`"\\ud800"`
  on the wire); display names holding `{file:...}` or ANSI/OSC escapes; a 2**63 context length.
- `nested_json(depth)`: a catalog document nested `depth` deep, as raw bytes.

Wire behaviour (a `Fault`, see `FakeGateway.add_fault`): `apply()` turns an answer into a drip,
a gzip bomb (`gzip_bomb(size)`), an endless JSON or SSE body, or one that echoes the key.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Iterator
from itertools import count
from typing import Any

from aigate_setup.testing.catalog import ALL_CHAT, MODELS, ModelSpec, openrouter_entry
from aigate_setup.testing.faults import Fault
from aigate_setup.testing.replies import SSE_HEADERS, Answer, sse

FILE_REF = "{file:~/.ssh/id_rsa}"
ENV_REF = "{env:HOME}"
LONE_SURROGATE = "\ud800"
LONG_ID = "acme/" + "x" * 220
# Clears the screen, colours, sets the terminal title (OSC 0) and hides a link (OSC 8).
ANSI_NAME = (
    "\x1b[2J\x1b[31mEvil\x1b[0m\x1b]0;pwned\x07"
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
)

# Model ids no config may receive as they are. The first is the OpenCode/Kilo file-read repro:
# it is the first chat id of the hostile catalog.
HOSTILE_IDS: tuple[str, ...] = (
    "acme/gpt-5" + FILE_REF,
    ENV_REF,
    "acme/{env:AIGATE_API_KEY}",
    "acme/new\nline",
    "acme/carriage\rreturn",
    "acme/nul\x00bell\x07",
    "acme/esc\x1b[31mred",
    "acme/with space",
    "acme/tab\there",
    " acme/leading-space",
    LONG_ID,
    LONE_SURROGATE,
)
# Ordinary ids whose display name is hostile.
HOSTILE_NAMES: dict[str, str] = {
    "acme/file-name": FILE_REF,
    "acme/env-name": "{env:AIGATE_API_KEY}",
    "acme/ansi-name": ANSI_NAME,
    "acme/bidi-name": "safe\u202eevil\u200b",
}
HUGE_CONTEXT_ID = "acme/huge-context"
HUGE_CONTEXT = 2**63

_BOMB_HEAD = b'{"object":"list","data":['
_PIECE = 64 * 1024


def _chat_entry(model_id: str, name: str, context: int | None = 200_000) -> dict[str, Any]:
    spec = ModelSpec(model_id, name, "chat", ALL_CHAT, context, 8_192)
    # Both shapes at once: OpenRouter's name/architecture and new-api's endpoint types.
    return {**openrouter_entry(spec), "supported_endpoint_types": list(ALL_CHAT)}


def hostile_catalog(*, with_defaults: bool = True) -> dict[str, Any]:
    """A catalog whose first entries are hostile (HOSTILE_IDS, HOSTILE_NAMES, a 2**63 context).

    Every entry is a chat model on all routes, so the fake also answers turns for it. With
    `with_defaults` the ten ordinary models follow, so a wizard still has good choices.
    """
    data = [_chat_entry(i, f"Hostile {n}") for n, i in enumerate(HOSTILE_IDS)]
    data += [_chat_entry(i, name) for i, name in HOSTILE_NAMES.items()]
    data.append(_chat_entry(HUGE_CONTEXT_ID, "Huge context", HUGE_CONTEXT))
    if with_defaults:
        data += [
            {**openrouter_entry(s), "supported_endpoint_types": list(s.endpoints)} for s in MODELS
        ]
    return {"object": "list", "data": data}


def nested_json(depth: int = 10_000) -> bytes:
    """`{"object":"list","data":[[[...]]]}` with `depth` nested lists: valid JSON that a
    recursive parser cannot read (Python's json raises RecursionError)."""
    if depth < 1:
        raise ValueError("depth must be >= 1")
    return _BOMB_HEAD[:-1] + b"[" * depth + b"]" * depth + b"}"


@functools.lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """A gzip member that decodes to exactly `size` bytes: a JSON list opening, then spaces.

    About 1,000:1: 400 MB decoded is about 400 KB on the wire. Cached per size.
    """
    if size < len(_BOMB_HEAD):
        raise ValueError(f"gzip_bomb size must be >= {len(_BOMB_HEAD)} bytes")
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    out = [comp.compress(_BOMB_HEAD)]
    block = memoryview(b" " * (1 << 20))
    left = size - len(_BOMB_HEAD)
    while left > 0:
        n = min(left, len(block))
        out.append(comp.compress(block[:n]))
        left -= n
    out.append(comp.flush())
    return b"".join(out)


def endless_json() -> Iterator[bytes]:
    """A catalog that never closes: the list opening, then model entries forever (64 KiB pieces)."""
    yield _BOMB_HEAD
    ids = count()
    while True:
        parts: list[bytes] = []
        size = 0
        while size < _PIECE:
            part = b'{"id":"acme/endless-%d","object":"model","owned_by":"acme"},' % next(ids)
            parts.append(part)
            size += len(part)
        yield b"".join(parts)


def endless_sse(frame: bytes) -> Iterator[bytes]:
    """`frame` (one SSE event) repeated forever, in pieces of about 64 KiB."""
    piece = frame * max(1, _PIECE // max(1, len(frame)))
    while True:
        yield piece


# A chat-completions delta, repeated when the route has no stream of its own.
_GENERIC_DELTA = sse(
    None,
    {
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": "OK"}, "finish_reason": None}],
    },
)


def echo_key(doc: Any, key: str) -> Any:
    """`doc` with `key` in every model's name and description and in an error's message."""
    if not isinstance(doc, dict):
        return doc
    error = doc.get("error")
    if isinstance(error, dict):
        error["message"] = f"{error.get('message') or 'Error'} (key: {key})"
    data = doc.get("data")
    entries = data if isinstance(data, list) else [doc]
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            entry["name"] = f"{entry.get('name') or entry['id']} for {key}"
            entry["description"] = f"Your key is {key}"
    return doc


def _echo_body(body: bytes, key: str) -> bytes:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return body  # not JSON (an HTML page, a deep document): left as it is
    return json.dumps(echo_key(doc, key)).encode()


def _make_endless(answer: Answer, kind: str) -> None:
    if kind == "json":
        answer.headers = {"Content-Type": "application/json"}
        answer.body, answer.events, answer.endless = None, None, endless_json()
        return
    if answer.events is not None and answer.delta is not None:
        # The route's own stream up to its first text delta, then that delta forever.
        frame = answer.events[answer.delta]
        answer.events = answer.events[: answer.delta + 1]
    else:
        frame = _GENERIC_DELTA
        answer.headers, answer.body, answer.events = dict(SSE_HEADERS), None, []
    answer.endless = endless_sse(frame)


def apply(answer: Answer, fault: Fault, key: str | None) -> None:
    """Make `answer` hostile the way `fault` says (in place). A gzip bomb wins over endless."""
    if fault.echo_key and key and answer.body:
        answer.body = _echo_body(answer.body, key)
    if fault.gzip_bomb > 0:
        answer.headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        answer.body, answer.events, answer.endless = gzip_bomb(fault.gzip_bomb), None, None
    elif fault.endless is not None:
        _make_endless(answer, fault.endless)
    if fault.paced:
        answer.drip = fault.drip
        answer.max_seconds = fault.max_seconds
        answer.max_bytes = fault.max_bytes
