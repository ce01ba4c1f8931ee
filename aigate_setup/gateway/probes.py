"""The "Say OK." smoke test: one minimal request per client on the route and with the auth
header that client really uses, all at once, retried on 429/500/502/503."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from aigate_setup.clients.base import Auth, Route
from aigate_setup.constants import DEFAULT_KEY_ENV
from aigate_setup.errors import GatewayError
from aigate_setup.gateway import http
from aigate_setup.gateway.errors import RETRY_STATUSES, GatewayStatusError, safe_url
from aigate_setup.options import gateway_root
from aigate_setup.sanitize import one_line
from aigate_setup.secrets import scrub

SMOKE_PROMPT = "Say OK."
SMOKE_MAX_TOKENS = 32  # OpenAI's Responses API rejects max_output_tokens below 16
ANTHROPIC_VERSION = "2023-06-01"
PROBE_MAX_BODY = 1024 * 1024  # decoded bytes of a "Say OK." reply (a real one is < 10 KiB)


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


# --------------------------------------------------------------------------- reply parsing


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


def _responses_text(data: dict[str, Any]) -> str | None:
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
    return None


def _chat_text(data: dict[str, Any]) -> str | None:
    choices = data.get("choices")
    if not isinstance(choices, list):
        return None
    if not choices:
        return ""
    first = choices[0]
    if not isinstance(first, dict):
        return None
    message = first.get("message")
    if isinstance(message, dict):
        return _text_parts(message.get("content"), ("text", "output_text"))
    if isinstance(first.get("text"), str):
        return str(first["text"])
    return ""


def reply_text(route: str, data: Any) -> str | None:
    """The assistant's text from a Responses, Chat Completions or Anthropic Messages reply;
    None when the JSON has none of these shapes."""
    if not isinstance(data, dict):
        return None
    if route == "responses" or "output" in data or "output_text" in data:
        text = _responses_text(data)
        if text is not None:
            return text
    if route == "chat" or "choices" in data:
        text = _chat_text(data)
        if text is not None:
            return text
    if route == "messages" or "content" in data:
        content = data.get("content")
        if isinstance(content, list | str):
            return _text_parts(content, ("text",))
    return None


# --------------------------------------------------------------------------- running probes


def _failed(probe: Probe, path: str, exc: GatewayError, ms: int, key: str, n: int) -> SmokeResult:
    return SmokeResult(
        probe.client,
        probe.model,
        path,
        False,
        exc.status,
        ms,
        scrub(exc.message, key),
        scrub(exc.hint or "", key),
        n,
    )


def _run_probe(
    client: httpx.Client,
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
            data = http.request_json(
                "POST",
                url,
                key=key,
                client=client,
                timeout=timeout,
                json_body=probe_body(probe),
                headers=headers,
                auth=probe.auth,
                key_env=key_env,
                limit=PROBE_MAX_BODY,
            )
        except GatewayError as exc:
            ms = int((time.monotonic() - started) * 1000)
            if exc.status in RETRY_STATUSES and attempt <= retries:
                after = exc.retry_after if isinstance(exc, GatewayStatusError) else None
                time.sleep(http.backoff(attempt, after))
                continue
            return _failed(probe, path, exc, ms, key, attempt)
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
                f"POST {safe_url(url)} answered JSON that is not a {probe.route} reply",
                "check --base-url and that the gateway supports this route for the model",
                attempt,
            )
        shown = one_line(scrub(text, key), 200) or "(empty reply)"
        return SmokeResult(probe.client, probe.model, path, True, 200, ms, shown, "", attempt)


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
    Each attempt ends by `timeout` seconds and reads at most PROBE_MAX_BODY bytes.
    429/500/502/503 are retried up to `retries` times (backoff + jitter, Retry-After honoured,
    capped); 400/401/402/403/404/413 and transport failures are not."""
    if not probes:
        return []
    own = client is None
    shared = client or http.make_client(timeout)
    try:
        # Daemon threads, not an executor: the interpreter joins executor threads at exit,
        # so Ctrl-C during a hung probe would wait out the whole timeout.
        results: list[SmokeResult | BaseException | None] = [None] * len(probes)

        def work(i: int, probe: Probe) -> None:
            try:
                results[i] = _run_probe(
                    shared,
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
            shared.close()
