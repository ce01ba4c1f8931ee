"""The fake AIGate gateway: routes, real SSE shapes, auth, faults, request log."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import TEST_KEY

from aigate_setup.testing import (
    FakeGateway,
    default_catalog,
    gzip_bomb,
    hostile_catalog,
    nested_json,
    parse_sse,
)
from aigate_setup.testing.hostile import (
    ANSI_NAME,
    FILE_REF,
    HOSTILE_IDS,
    HOSTILE_NAMES,
    HUGE_CONTEXT,
    HUGE_CONTEXT_ID,
    LONE_SURROGATE,
)

BEARER = {"Authorization": f"Bearer {TEST_KEY}"}
XKEY = {"x-api-key": TEST_KEY}


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0, trust_env=False) as client:
        yield client


def _events(resp: httpx.Response) -> list[tuple[str | None, Any]]:
    lines = [line.encode() + b"\n" for line in resp.text.split("\n")]
    out: list[tuple[str | None, Any]] = []
    for event, data in parse_sse(lines):
        out.append((event, data if data == "[DONE]" else json.loads(data)))
    return out


# --- catalog and balance --------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["openai", "newapi", "openrouter"])
def test_models_each_shape_without_key(http: httpx.Client, shape: str) -> None:
    with FakeGateway(catalog=shape) as gw:  # type: ignore[arg-type]
        r = http.get(f"{gw.base_url}/models")
    assert r.status_code == 200
    doc = r.json()
    ids = [m["id"] for m in doc["data"]]
    for want in (
        "openai/gpt-5.5",
        "openai/gpt-5.5-mini",
        "anthropic/claude-opus-4.7",
        "anthropic/claude-sonnet-4.6",
        "anthropic/claude-haiku-4.5",
        "google/gemini-3-pro",
        "deepseek/deepseek-v3.2",
        "openai/text-embedding-3-small",
        "openai/gpt-image-2",
        "klingai/kling-v3.0-t2v",
    ):
        assert want in ids
    by_id = {m["id"]: m for m in doc["data"]}
    if shape == "newapi":
        assert by_id["openai/gpt-5.5"]["supported_endpoint_types"] == [
            "openai",
            "openai-response",
            "anthropic",
        ]
        assert by_id["deepseek/deepseek-v3.2"]["supported_endpoint_types"] == ["openai"]
        assert by_id["openai/text-embedding-3-small"]["supported_endpoint_types"] == ["embeddings"]
        assert by_id["openai/gpt-image-2"]["supported_endpoint_types"] == ["image-generation"]
        assert by_id["klingai/kling-v3.0-t2v"]["supported_endpoint_types"] == ["openai-video"]
    elif shape == "openrouter":
        m = by_id["anthropic/claude-sonnet-4.6"]
        assert m["architecture"]["output_modalities"] == ["text"]
        assert m["context_length"] == 1_000_000
        assert m["top_provider"]["max_completion_tokens"] == 64_000
        assert by_id["openai/gpt-image-2"]["architecture"]["output_modalities"] == ["image"]
        assert by_id["klingai/kling-v3.0-t2v"]["architecture"]["output_modalities"] == ["video"]
    else:
        assert set(by_id["openai/gpt-5.5"]) == {"id", "object", "created", "owned_by"}


def test_models_with_wrong_key_is_401_and_single_model_route(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    r = http.get(f"{fake_gateway.base_url}/models", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_api_key"
    r = http.get(f"{fake_gateway.base_url}/models/openai/gpt-5.5")
    assert r.json()["id"] == "openai/gpt-5.5"
    assert http.get(f"{fake_gateway.base_url}/models/nope/x").status_code == 404


def test_set_catalog_dict_is_served_verbatim(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    doc = {"object": "list", "data": [{"id": "acme/one", "type": "chat"}], "extra": [1]}
    fake_gateway.set_catalog(doc)
    assert http.get(f"{fake_gateway.base_url}/models").json() == doc
    r = http.post(
        f"{fake_gateway.base_url}/chat/completions",
        headers=BEARER,
        json={"model": "acme/one", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert r.json()["choices"][0]["message"]["content"] == "OK"


def test_balance_needs_key(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    assert http.get(f"{fake_gateway.base_url}/balance").status_code == 401
    r = http.get(f"{fake_gateway.base_url}/balance", headers=BEARER)
    assert r.status_code == 200
    doc = r.json()
    assert isinstance(doc["balance"], float)
    assert isinstance(doc["used"], float)
    assert set(doc["token"]) >= {"remaining", "used", "unlimited_quota"}


# --- chat routes ----------------------------------------------------------------------------


def test_chat_completions_non_stream(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    r = http.post(
        f"{fake_gateway.base_url}/chat/completions",
        headers=BEARER,
        json={"model": "deepseek/deepseek-v3.2", "messages": [{"role": "user", "content": "x"}]},
    )
    assert r.status_code == 200
    doc = r.json()
    assert doc["object"] == "chat.completion"
    assert doc["model"] == "deepseek/deepseek-v3.2"
    assert doc["choices"][0]["message"] == {"role": "assistant", "content": "OK", "refusal": None}
    assert doc["choices"][0]["finish_reason"] == "stop"
    assert doc["usage"]["total_tokens"] == doc["usage"]["prompt_tokens"] + 1


def test_chat_completions_stream_with_usage(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    r = http.post(
        f"{fake_gateway.base_url}/chat/completions",
        headers=BEARER,
        json={
            "model": "openai/gpt-5.5",
            "messages": [{"role": "user", "content": "Say OK."}],
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/event-stream"
    events = _events(r)
    assert events[-1] == (None, "[DONE]")
    chunks = [d for _, d in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "OK"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == 1


def test_chat_completions_stream_without_usage(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    r = http.post(
        f"{fake_gateway.base_url}/chat/completions",
        headers=XKEY,
        json={"model": "openai/gpt-5.5", "messages": [], "stream": True},
    )
    chunks = [d for _, d in _events(r)[:-1]]
    assert all(c["choices"] for c in chunks)
    assert "usage" not in chunks[-1]


def test_responses_non_stream(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    r = http.post(
        f"{fake_gateway.base_url}/responses",
        headers=BEARER,
        json={"model": "openai/gpt-5.5", "input": "Say OK."},
    )
    doc = r.json()
    assert doc["object"] == "response"
    assert doc["status"] == "completed"
    assert doc["output"][0]["content"][0] == {
        "type": "output_text",
        "text": "OK",
        "annotations": [],
        "logprobs": [],
    }
    assert doc["usage"]["output_tokens"] == 1


def test_responses_stream_event_sequence(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    r = http.post(
        f"{fake_gateway.base_url}/responses",
        headers=BEARER,
        json={"model": "openai/gpt-5.5", "input": "Say OK.", "stream": True},
    )
    events = _events(r)
    assert [e for e, _ in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert all(d["type"] == e for e, d in events)
    assert [d["sequence_number"] for _, d in events] == list(range(len(events)))
    datas = dict(events)
    assert datas["response.output_text.delta"]["delta"] == "OK"
    done = datas["response.completed"]["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0]["text"] == "OK"
    assert done["usage"]["total_tokens"] == done["usage"]["input_tokens"] + 1
    assert datas["response.created"]["response"]["id"] == done["id"]


def test_messages_non_stream_with_x_api_key(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    r = http.post(
        f"{fake_gateway.root}/v1/messages",
        headers={**XKEY, "anthropic-version": "2023-06-01"},
        json={
            "model": "anthropic/claude-haiku-4.5",
            "max_tokens": 16,
            "messages": [{"role": "user", "content": "Say OK."}],
        },
    )
    doc = r.json()
    assert doc["type"] == "message"
    assert doc["content"] == [{"type": "text", "text": "OK"}]
    assert doc["stop_reason"] == "end_turn"
    assert fake_gateway.requests[-1].auth == "x-api-key"


def test_messages_stream_event_sequence(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    r = http.post(
        f"{fake_gateway.root}/v1/messages?beta=true",
        headers=BEARER,
        json={
            "model": "anthropic/claude-sonnet-4.6",
            "max_tokens": 16,
            "messages": [],
            "stream": True,
        },
    )
    events = _events(r)
    assert [e for e, _ in events] == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert all(d["type"] == e for e, d in events)
    datas = dict(events)
    assert datas["content_block_delta"]["delta"] == {"type": "text_delta", "text": "OK"}
    assert datas["message_delta"]["delta"]["stop_reason"] == "end_turn"
    assert datas["message_start"]["message"]["model"] == "anthropic/claude-sonnet-4.6"
    rec = fake_gateway.requests[-1]
    assert (rec.path, rec.query, rec.stream, rec.auth) == (
        "/v1/messages",
        "beta=true",
        True,
        "bearer",
    )


def test_count_tokens(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    r = http.post(
        f"{fake_gateway.root}/v1/messages/count_tokens",
        headers=XKEY,
        json={"model": "anthropic/claude-opus-4.7", "messages": []},
    )
    assert r.status_code == 200
    assert r.json()["input_tokens"] >= 1


def test_head_root_is_ok(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    # Claude Code checks reachability with `HEAD /` before its first request.
    assert http.head(fake_gateway.root + "/").status_code == 200


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer bad"}, {"x-api-key": "bad"}])
def test_chat_without_valid_key_is_openai_shaped_401(
    fake_gateway: FakeGateway, http: httpx.Client, headers: dict[str, str]
) -> None:
    r = http.post(f"{fake_gateway.base_url}/responses", headers=headers, json={"model": "x"})
    assert r.status_code == 401
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code", "status"}
    assert err["status"] == 401


def test_keys_restrict_valid_keys(http: httpx.Client) -> None:
    with FakeGateway(keys=[TEST_KEY]) as gw:
        assert http.get(f"{gw.base_url}/balance", headers=BEARER).status_code == 200
        other = {"Authorization": "Bearer sk-other-0123456789abcdef"}
        assert http.get(f"{gw.base_url}/balance", headers=other).status_code == 401


def test_unknown_model_is_404_model_not_found(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    r = http.post(
        f"{fake_gateway.base_url}/chat/completions",
        headers=BEARER,
        json={"model": "gpt-5.5", "messages": []},
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "model_not_found"
    # The Anthropic route's errors also carry "type": "error" for the Anthropic SDK.
    r = http.post(f"{fake_gateway.root}/v1/messages", headers=BEARER, json={"model": "nope"})
    assert r.status_code == 404
    assert r.json()["type"] == "error"
    assert r.json()["error"]["code"] == "model_not_found"


def test_route_not_supported_by_model_is_400(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    r = http.post(
        f"{fake_gateway.base_url}/responses",
        headers=BEARER,
        json={"model": "deepseek/deepseek-v3.2", "input": "x"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "unsupported_endpoint"


@pytest.mark.parametrize("path", ["/v1/v1/messages", "/v1/nope", "/chat/completions", "/v2/models"])
def test_unknown_routes_are_404_json(
    fake_gateway: FakeGateway, http: httpx.Client, path: str
) -> None:
    r = http.post(fake_gateway.root + path, headers=BEARER, json={"model": "openai/gpt-5.5"})
    assert r.status_code == 404
    assert r.json()["error"]["status"] == 404


def test_wrong_method_and_bad_body(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    assert http.get(f"{fake_gateway.base_url}/responses", headers=BEARER).status_code == 405
    r = http.post(f"{fake_gateway.base_url}/responses", headers=BEARER, content=b"{not json")
    assert r.status_code == 400


# --- faults ---------------------------------------------------------------------------------


def test_fault_status_with_retry_after_then_normal(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    fake_gateway.add_fault("/v1/chat/completions", status=429, retry_after=2, times=2)
    body = {"model": "openai/gpt-5.5", "messages": []}
    url = f"{fake_gateway.base_url}/chat/completions"
    for _ in range(2):
        r = http.post(url, headers=BEARER, json=body)
        assert r.status_code == 429
        assert r.headers["retry-after"] == "2"
        assert r.json()["error"]["code"] == "rate_limit_exceeded"
    assert http.post(url, headers=BEARER, json=body).status_code == 200
    assert [q.status for q in fake_gateway.requests] == [429, 429, 200]


def test_fault_only_on_its_route_and_cleared(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    fake_gateway.add_fault("/v1/models", status=503)
    assert http.get(f"{fake_gateway.base_url}/models").status_code == 503
    assert http.get(f"{fake_gateway.base_url}/balance", headers=BEARER).status_code == 200
    fake_gateway.clear_faults()
    assert http.get(f"{fake_gateway.base_url}/models").status_code == 200


def test_fault_star_and_custom_body(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    fake_gateway.add_fault("*", status=402, body={"error": {"message": "pay"}}, times=1)
    r = http.get(f"{fake_gateway.base_url}/balance", headers=BEARER)
    assert (r.status_code, r.json()) == (402, {"error": {"message": "pay"}})
    fake_gateway.add_fault("*", status=500, body="plain text", times=1)
    r = http.get(f"{fake_gateway.base_url}/models")
    assert (r.status_code, r.text) == (500, "plain text")


def test_fault_html_page(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    fake_gateway.add_fault("/v1/models", status=502, html=True)
    r = http.get(f"{fake_gateway.base_url}/models")
    assert r.status_code == 502
    assert r.headers["content-type"] == "text/html"
    assert r.text.startswith("<!DOCTYPE html>")


def test_fault_truncated_body(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    fake_gateway.add_fault("/v1/models", truncate=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(f"{fake_gateway.base_url}/models")
    assert fake_gateway.requests[-1].status == 200
    assert http.get(f"{fake_gateway.base_url}/models").status_code == 200


def test_fault_truncated_stream(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    fake_gateway.add_fault("/v1/responses", truncate=True)
    seen: list[bytes] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        http.stream(
            "POST",
            f"{fake_gateway.base_url}/responses",
            headers=BEARER,
            json={"model": "openai/gpt-5.5", "input": "x", "stream": True},
        ) as r,
    ):
        for chunk in r.iter_bytes():
            seen.append(chunk)
    text = b"".join(seen).decode()
    assert "response.created" in text
    assert "response.completed" not in text


def test_fault_latency_and_global_latency(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    fake_gateway.add_fault("/v1/models", latency=0.3, times=1)
    t0 = time.monotonic()
    assert http.get(f"{fake_gateway.base_url}/models").status_code == 200
    assert time.monotonic() - t0 >= 0.3
    fake_gateway.latency = 0.2
    t0 = time.monotonic()
    http.get(f"{fake_gateway.base_url}/balance", headers=BEARER)
    assert time.monotonic() - t0 >= 0.2


def test_hang_is_released_by_stop(http: httpx.Client) -> None:
    gw = FakeGateway().start()
    gw.add_fault("/v1/responses", hang=True)
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            r = http.post(
                f"{gw.base_url}/responses", headers=BEARER, json={"model": "openai/gpt-5.5"}
            )
            outcome.append(r.status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    t = threading.Thread(target=call)
    t.start()
    deadline = time.monotonic() + 5
    while not gw.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gw.requests[0].status == 0  # logged, never answered
    time.sleep(0.2)
    assert not outcome  # still hanging
    t0 = time.monotonic()
    gw.stop()
    assert time.monotonic() - t0 < 2
    t.join(timeout=5)
    assert not t.is_alive()
    assert isinstance(outcome[0], httpx.HTTPError)
    gw.stop()  # idempotent


def test_stop_with_open_keepalive_connection_is_fast(http: httpx.Client) -> None:
    gw = FakeGateway().start()
    assert http.get(f"{gw.base_url}/models").status_code == 200  # connection stays open
    t0 = time.monotonic()
    gw.stop()
    assert time.monotonic() - t0 < 2


# --- request log ----------------------------------------------------------------------------


def test_request_log_masks_the_key(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    http.post(
        f"{fake_gateway.base_url}/chat/completions?key={TEST_KEY}",
        headers={**BEARER, "x-api-key": TEST_KEY},
        json={"model": "openai/gpt-5.5", "messages": []},
    )
    http.get(f"{fake_gateway.base_url}/models")
    reqs = fake_gateway.requests
    assert TEST_KEY not in repr(reqs)
    first = reqs[0]
    assert first.method == "POST"
    assert first.path == "/v1/chat/completions"
    assert first.headers["authorization"] == "Bearer sk-...WXYZ"
    assert first.headers["x-api-key"] == "sk-...WXYZ"
    assert first.auth == "bearer"
    assert first.key_suffix == "WXYZ"
    assert first.json == {"model": "openai/gpt-5.5", "messages": []}
    assert first.status == 200
    assert (reqs[1].auth, reqs[1].key_suffix, reqs[1].json) == (None, None, None)
    fake_gateway.clear_log()
    assert fake_gateway.requests == []


# --- running it as a program ----------------------------------------------------------------


def test_module_runs_prints_url_and_stops_on_ctrl_c(http: httpx.Client) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aigate_setup.testing", "--port", "0", "--catalog", "openai"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        rest = proc.stdout.readline() + proc.stdout.readline()
        assert f"aigate-setup models --base-url {url}" in rest
        assert http.get(f"{url}/models").json()["data"][0]["id"] == "openai/gpt-5.5"
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0
        assert "200 GET /v1/models" in err
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_default_catalog_rejects_unknown_shape() -> None:
    with pytest.raises(ValueError, match="unknown catalog shape"):
        default_catalog("bogus")  # type: ignore[arg-type]


# --- hostile modes (issue 18) ---------------------------------------------------------------


def _raw_get(gw: FakeGateway, path: str, headers: dict[str, str] | None = None) -> socket.socket:
    """Send a GET on a plain socket (no client library to buffer, decode or retry)."""
    sock = socket.create_connection((gw.host, gw.port), timeout=5)
    lines = [f"GET {path} HTTP/1.1", f"Host: {gw.host}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def _read_head(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """(status, lower-case headers, body bytes already received)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed inside the headers: {buf!r}"
        buf += chunk
        assert len(buf) < 65536
    head, rest = buf.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines)}
    return int(status_line.split()[1]), headers, rest


def _read_rest(sock: socket.socket, rest: bytes, limit: int, seconds: float) -> bytes:
    """Body bytes until the server closes, `limit` bytes or `seconds`, whichever comes first."""
    body = bytearray(rest)
    deadline = time.monotonic() + seconds
    while len(body) < limit and time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        body += chunk
    return bytes(body)


def test_drip_sends_one_byte_at_a_time_and_stops_by_itself(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", drip=0.2, max_seconds=1.0)
    full = json.dumps(fake_gateway.catalog).encode()
    t0 = time.monotonic()
    with _raw_get(fake_gateway, "/v1/models") as sock:
        status, headers, rest = _read_head(sock)
        assert time.monotonic() - t0 < 1.0  # the headers come at once, the body drips
        assert (status, int(headers["content-length"])) == (200, len(full))
        body = _read_rest(sock, rest, len(full), seconds=10)
    elapsed = time.monotonic() - t0
    # About one byte per 0.2 s for 1 s, then the server closes the connection by itself.
    assert 3 <= len(body) <= 8, body
    assert body == full[: len(body)]
    assert 0.8 <= elapsed < 5


def test_drip_on_a_stream_sends_one_byte_chunks(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    fake_gateway.add_fault("/v1/responses", drip=0.02, max_seconds=0.5)
    t0 = time.monotonic()
    seen = b""
    with (
        pytest.raises(httpx.RemoteProtocolError),  # cut: no terminating chunk
        http.stream(
            "POST",
            f"{fake_gateway.base_url}/responses",
            headers=BEARER,
            json={"model": "openai/gpt-5.5", "input": "x", "stream": True},
        ) as r,
    ):
        for chunk in r.iter_raw():
            seen += chunk
    assert 0.4 <= time.monotonic() - t0 < 5
    # The stream's first bytes, as many as the drip let through (a busy machine sends fewer).
    head = b"event: response.created"
    assert seen[: len(head)] == head[: len(seen)], seen
    assert 5 <= len(seen) <= 40  # about 25 bytes in 0.5 s, far from the whole stream


def test_gzip_bomb_is_small_on_the_wire_and_huge_decoded(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    size = 64 * 2**20
    fake_gateway.add_fault("/v1/models", gzip_bomb=size)
    with http.stream("GET", f"{fake_gateway.base_url}/models") as r:
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers["content-type"] == "application/json"
        wire = b"".join(r.iter_raw())
    assert len(wire) < size // 500  # over 500:1
    assert wire == gzip_bomb(size)
    # Decode in bounded steps: the whole thing never sits in memory.
    dec = zlib.decompressobj(31)
    total, head, data = 0, b"", wire
    while data:
        out = dec.decompress(data, 2**20)
        head = head or out[:64]
        total += len(out)
        data = dec.unconsumed_tail
    assert dec.eof
    assert total == size
    assert head.startswith(b'{"object":"list","data":[')
    with pytest.raises(ValueError):
        gzip_bomb(3)


def test_endless_json_never_ends_until_the_client_leaves(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    fake_gateway.add_fault("/v1/models", endless="json")
    limit = 4 * 2**20
    got = bytearray()
    t0 = time.monotonic()
    with http.stream("GET", f"{fake_gateway.base_url}/models") as r:
        assert r.headers["transfer-encoding"] == "chunked"
        for chunk in r.iter_raw():
            got += chunk
            if len(got) >= limit:
                break
    assert len(got) >= limit and time.monotonic() - t0 < 30
    assert got.startswith(b'{"object":"list","data":[{"id":"acme/endless-0",')
    assert not got.rstrip().endswith(b"}")
    assert fake_gateway.requests[-1].stream
    # The handler notices the disconnect and ends; the gateway still answers and stops at once.
    deadline = time.monotonic() + 5
    while fake_gateway.open_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake_gateway.open_connections == 0
    assert http.get(f"{fake_gateway.base_url}/balance", headers=BEARER).status_code == 200
    t0 = time.monotonic()
    fake_gateway.stop()
    assert time.monotonic() - t0 < 2


def test_endless_body_is_capped_by_bytes_and_by_time(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    fake_gateway.add_fault("/v1/models", endless="json", max_bytes=300_000, times=1)
    got = b""
    with (
        pytest.raises(httpx.RemoteProtocolError),
        http.stream("GET", f"{fake_gateway.base_url}/models") as r,
    ):
        for chunk in r.iter_raw():
            got += chunk
    assert len(got) == 300_000
    fake_gateway.add_fault("/v1/models", endless="sse", drip=0.01, max_seconds=0.5, times=1)
    got, t0 = b"", time.monotonic()
    with (
        pytest.raises(httpx.RemoteProtocolError),
        http.stream("GET", f"{fake_gateway.base_url}/models") as r,
    ):
        assert r.headers["content-type"] == "text/event-stream"
        for chunk in r.iter_raw():
            got += chunk
    assert 0.4 <= time.monotonic() - t0 < 5
    assert got.startswith(b"data: {")
    assert 5 <= len(got) <= 60


@pytest.mark.parametrize(
    ("path", "headers", "body", "delta"),
    [
        ("/v1/responses", BEARER, {"input": "x"}, "response.output_text.delta"),
        ("/v1/messages", XKEY, {"max_tokens": 8, "messages": []}, "content_block_delta"),
        ("/v1/chat/completions", BEARER, {"messages": []}, None),
    ],
)
def test_endless_sse_repeats_the_text_delta_and_never_completes(
    fake_gateway: FakeGateway,
    http: httpx.Client,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any],
    delta: str | None,
) -> None:
    fake_gateway.add_fault(path, endless="sse")
    request = {"model": "openai/gpt-5.5", "stream": True, **body}
    lines: list[bytes] = []
    with http.stream("POST", fake_gateway.root + path, headers=headers, json=request) as r:
        assert r.headers["content-type"] == "text/event-stream"
        for line in r.iter_lines():
            lines.append(line.encode() + b"\n")
            if len(lines) > 3000:
                break
    events = list(parse_sse(lines))
    assert len(events) > 500
    tail = events[-100:]
    assert all(e == delta for e, _ in tail)
    assert all('"OK"' in d for _, d in tail)
    names = {e for e, _ in events}
    assert not names & {"response.completed", "message_stop"}
    assert all(d != "[DONE]" for _, d in events)


def test_echo_key_in_catalog_names_and_error_bodies(
    fake_gateway: FakeGateway, http: httpx.Client
) -> None:
    fake_gateway.add_fault("*", echo_key=True)
    doc = http.get(f"{fake_gateway.base_url}/models", headers=BEARER).json()
    assert doc["data"]
    for entry in doc["data"]:
        assert TEST_KEY in entry["name"] and TEST_KEY in entry["description"]
    one = http.get(f"{fake_gateway.base_url}/models/openai/gpt-5.5", headers=BEARER).json()
    assert TEST_KEY in one["name"]
    wrong = "Bearer not-a-valid-key-123456"
    r = http.get(f"{fake_gateway.base_url}/models", headers={"Authorization": wrong})
    assert r.status_code == 401 and "not-a-valid-key-123456" in r.json()["error"]["message"]
    r = http.post(
        f"{fake_gateway.base_url}/chat/completions",
        headers=BEARER,
        json={"model": "nope/x", "messages": []},
    )
    assert r.status_code == 404 and TEST_KEY in r.json()["error"]["message"]
    # Without a key there is nothing to echo; the gateway's own log stays masked.
    assert TEST_KEY not in http.get(f"{fake_gateway.base_url}/models").text
    assert TEST_KEY not in repr(fake_gateway.requests)


def test_hostile_catalog_on_the_wire(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    fake_gateway.set_catalog(hostile_catalog())
    raw = http.get(f"{fake_gateway.base_url}/models").content
    # The lone surrogate and the control characters travel as JSON escapes.
    assert b'"id": "\\ud800"' in raw
    assert b"acme/new\\nline" in raw and b"acme/nul\\u0000bell\\u0007" in raw
    assert b"acme/gpt-5{file:~/.ssh/id_rsa}" in raw
    data = json.loads(raw)["data"]
    ids = [m["id"] for m in data]
    assert ids[0] == "acme/gpt-5" + FILE_REF  # the first chat id is the file-read repro
    assert ids[: len(HOSTILE_IDS)] == list(HOSTILE_IDS)
    assert {"{env:HOME}", LONE_SURROGATE, "acme/with space"} <= set(ids)
    assert any(len(i) > 200 for i in ids)
    assert any(any(c in i for c in "\n\r\t\x00\x1b") for i in ids)
    names = {m["id"]: m["name"] for m in data}
    for model_id, name in HOSTILE_NAMES.items():
        assert names[model_id] == name
    assert FILE_REF in names.values() and ANSI_NAME in names.values()
    assert "\x1b]" in ANSI_NAME and "\x1b[" in ANSI_NAME
    huge = next(m for m in data if m["id"] == HUGE_CONTEXT_ID)
    assert huge["context_length"] == HUGE_CONTEXT == 2**63
    assert "openai/gpt-5.5" in ids  # ordinary choices follow
    # A turn on a hostile id is served, so a client that sends one is seen doing it.
    r = http.post(
        f"{fake_gateway.base_url}/chat/completions",
        headers=BEARER,
        json={"model": ids[0], "messages": []},
    )
    assert (r.status_code, r.json()["model"]) == (200, ids[0])
    assert fake_gateway.requests[-1].json["model"] == "acme/gpt-5{file:~/.ssh/id_rsa}"


def test_nested_catalog_is_served_raw(fake_gateway: FakeGateway, http: httpx.Client) -> None:
    doc = nested_json()
    fake_gateway.set_catalog(doc)
    assert fake_gateway.catalog == {}
    r = http.get(f"{fake_gateway.base_url}/models")
    assert r.headers["content-type"] == "application/json"
    assert r.content == doc
    assert r.content.count(b"[") == r.content.count(b"]") == 10_000
    assert r.content.startswith(b'{"object":"list","data":[[[')
    with pytest.raises(RecursionError):
        json.loads(r.content)
    assert nested_json(3) == b'{"object":"list","data":[[[]]]}'


def test_bad_hostile_settings_are_refused(fake_gateway: FakeGateway) -> None:
    for kwargs in ({"endless": "xml"}, {"drip": -1.0}, {"max_seconds": 0.0}, {"max_bytes": 0}):
        with pytest.raises(ValueError):
            fake_gateway.add_fault("*", **kwargs)
    assert fake_gateway.requests == []


def test_module_hostile_flags(http: httpx.Client) -> None:
    argv = [sys.executable, "-m", "aigate_setup.testing", "--port", "0", "--quiet"]
    hostile = ["--catalog", "hostile", "--echo-key", "--route", "/v1/models"]
    proc = subprocess.Popen(
        argv + hostile,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        doc = http.get(f"{url}/models", headers=BEARER).json()
        assert doc["data"][0]["id"] == "acme/gpt-5" + FILE_REF
        assert TEST_KEY in doc["data"][0]["description"]
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    bad = subprocess.run(
        [*argv, "--endless", "xml"], capture_output=True, text=True, timeout=30, check=False
    )
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    bad = subprocess.run(
        [*argv, "--drip", "-1"], capture_output=True, text=True, timeout=30, check=False
    )
    assert bad.returncode == 2 and "drip" in bad.stderr
