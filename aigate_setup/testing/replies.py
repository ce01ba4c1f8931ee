"""What the fake gateway answers: error documents, chat/Responses/Messages bodies and SSE frames.

Every builder returns an `Answer`; the handler (server.py) decides how it goes on the wire.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

REPLY = "OK"

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


@dataclass
class Answer:
    """What the handler sends for one request, and how (pacing and caps come from a Fault)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    events: list[bytes] | None = None  # SSE frames for a streamed answer (sent chunked)
    delta: int | None = (
        None  # index of the text-delta frame in `events` (an endless SSE repeats it)
    )
    truncate: bool = False
    hang: bool = False
    endless: Iterator[bytes] | None = None  # pieces sent chunked after `events` until a cap
    drip: float = 0.0  # > 0: one byte of the body every `drip` seconds
    max_seconds: float | None = None  # cut the body after this long (dripping, endless)
    max_bytes: int | None = None  # cut the body after this many bytes (endless)

    @property
    def chunked(self) -> bool:
        return self.events is not None or self.endless is not None

    def pieces(self) -> Iterator[bytes]:
        """The body as it goes out: whole, halved when truncated, then any endless tail."""
        if self.events is None and self.endless is None:
            data = self.body or b""
            yield data[: max(1, len(data) // 2)] if self.truncate else data
            return
        events = self.events if self.events is not None else [self.body or b""]
        if self.truncate:
            events = events[: max(1, len(events) // 2)]
        yield from (e for e in events if e)
        if self.endless is not None:
            yield from self.endless


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


def html_page(status: int) -> bytes:
    return (
        "<!DOCTYPE html>\n<html><head><title>"
        f"{status} Bad Gateway</title></head>\n<body><center><h1>{status} Error</h1></center>\n"
        "<hr><center>nginx</center>\n</body></html>\n"
    ).encode()


def json_answer(status: int, doc: Any) -> Answer:
    return Answer(
        status=status,
        headers={"Content-Type": "application/json"},
        body=json.dumps(doc).encode(),
    )


def error_answer(
    status: int, message: str | None = None, code: str | None = None, *, anthropic: bool = False
) -> Answer:
    """An error document; the Anthropic route's also carry `"type": "error"` for its SDK."""
    doc = error_body(status, message, code)
    if anthropic:
        doc["type"] = "error"
    return json_answer(status, doc)


SSE_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}


def sse(event: str | None, data: Any) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


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


def tokens(body: Any) -> int:
    return max(1, len(json.dumps(body)) // 4) if body is not None else 1


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


def _stream(events: list[bytes], delta: int) -> Answer:
    return Answer(status=200, headers=dict(SSE_HEADERS), events=events, delta=delta)


# --- Chat Completions -----------------------------------------------------------------------


def chat(model: str, text: str, n_tokens: int, stream: bool, body: dict[str, Any]) -> Answer:
    cid = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    usage = {
        "prompt_tokens": n_tokens,
        "completion_tokens": 1,
        "total_tokens": n_tokens + 1,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }
    if not stream:
        return json_answer(
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
        sse(None, chunk({"role": "assistant", "content": ""}, None)),
        sse(None, chunk({"content": text}, None)),
        sse(None, chunk({}, "stop")),
    ]
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage"):
        final = chunk({}, None)
        final["choices"] = []
        final["usage"] = usage
        events.append(sse(None, final))
    events.append(sse(None, "[DONE]"))
    return _stream(events, 1)


# --- Responses ------------------------------------------------------------------------------


def responses(model: str, text: str, n_tokens: int, stream: bool, body: dict[str, Any]) -> Answer:
    rid = new_id("resp_")
    mid = new_id("msg_")
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
        "input_tokens": n_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": n_tokens + 1,
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
        return json_answer(200, response("completed", [item_done], usage))

    seq = iter(range(1_000_000))

    def ev(kind: str, **fields: Any) -> bytes:
        return sse(kind, {"type": kind, "sequence_number": next(seq), **fields})

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
    return _stream(events, 4)


# --- Anthropic Messages ---------------------------------------------------------------------


def messages(model: str, text: str, n_tokens: int, stream: bool) -> Answer:
    mid = new_id("msg_")
    usage = {
        "input_tokens": n_tokens,
        "output_tokens": 1,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }
    if not stream:
        return json_answer(
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
        return sse(kind, {"type": kind, **fields})

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
    return _stream(events, 3)
