"""HTTP: error mapping, key scrubbing, smoke probes (routes, retries, concurrency), proxies, TLS.

Every failure mode is tested twice: as a unit (httpx.MockTransport) and through the CLI against
a real loopback server (the fake gateway, or a tiny stdlib server), asserting the one-line
message, exit code 1 and no traceback.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import TEST_KEY, run_cli

from aigate_setup import gateway, secrets
from aigate_setup.errors import GatewayError
from aigate_setup.gateway import http as gateway_http
from aigate_setup.testing import FakeGateway

# --------------------------------------------------------------------------- helpers


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), timeout=5.0)


def answer(
    status: int, body: Any = None, **headers: str
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


def get_error(
    handler: Callable[[httpx.Request], httpx.Response], key: str | None = TEST_KEY
) -> GatewayError:
    with mock_client(handler) as client, pytest.raises(GatewayError) as info:
        gateway.get_json("http://gw.test/v1/models", key=key, client=client)
    return info.value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def assert_cli_failure(result: Any, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert TEST_KEY not in result.output
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert "hint:" in result.stderr


# --------------------------------------------------------------------------- the error table

TABLE = {
    400: "check the model suits this route",
    401: "export AIGATE_API_KEY=sk-...",
    402: "top up",
    403: "exact model id",
    404: "aigate-setup models",
    413: "smaller input",
    429: "wait a moment and retry",
    500: "retry later",
    502: "choose another model",
    503: "retry later",
}


@pytest.mark.parametrize("status", sorted(TABLE))
def test_explain_status_uses_error_body_and_table(status: int) -> None:
    body = {"error": {"message": f"boom {status}", "type": "x", "code": f"code_{status}"}}
    err = get_error(answer(status, body))
    assert err.status == status
    assert err.message.startswith(f"GET http://gw.test/v1/models failed: {status} ")
    assert f"boom {status} (code_{status})" in err.message
    assert TABLE[status] in (err.hint or "")
    assert err.retryable is (status in (429, 500, 502, 503))
    assert "\n" not in err.message


def test_401_hint_names_the_key_variable() -> None:
    client = mock_client(answer(401, {"error": {"message": "no"}}))
    with client, pytest.raises(GatewayError) as info:
        gateway.get_json("http://gw.test/v1/models", key=None, client=client, key_env="MY_KEY")
    assert "export MY_KEY=sk-..." in (info.value.hint or "")


def test_echoed_key_is_scrubbed_from_messages() -> None:
    body = {"error": {"message": f"invalid key {TEST_KEY} (also sk-otherSecretValue99)"}}
    err = get_error(answer(401, body))
    text = f"{err.message} {err.hint}"
    assert TEST_KEY not in text
    assert "sk-otherSecretValue99" not in text
    assert "sk-...WXYZ" in text


def test_html_error_page_shows_title() -> None:
    page = b"<!DOCTYPE html><html><head><title>Wi-Fi Login</title></head><body>x</body></html>"
    err = get_error(answer(200, page, **{"content-type": "text/html"}))
    assert "HTML page" in err.message and '"Wi-Fi Login"' in err.message
    assert "captive portal" in (err.hint or "")
    err = get_error(answer(502, page, **{"content-type": "text/html"}))
    assert err.status == 502 and "an HTML page" in err.message


def test_truncated_and_non_json_bodies() -> None:
    err = get_error(answer(200, b'{"object":"list","data":[{"id":"a"},{"id":"b'))
    assert "truncated JSON body" in err.message
    err = get_error(answer(200, b"hello, not json"))
    assert "not JSON: 'hello, not json'" in err.message
    err = get_error(answer(200, b""))
    assert "empty body" in err.message


def test_plain_text_error_body_is_shown_short() -> None:
    err = get_error(answer(503, b"upstream connect error " + b"x" * 500))
    assert "503 Service Unavailable: 'upstream connect error" in err.message
    assert len(err.message) < 300


def test_transport_errors_are_explained() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    def dns(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def tls(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", request=request
        )

    def proxy(request: httpx.Request) -> httpx.Response:
        raise httpx.ProxyError("407 Proxy Authentication Required", request=request)

    assert "connection refused" in get_error(refuse).message
    assert "cannot resolve host name 'gw.test'" in get_error(dns).message
    assert "timed out" in get_error(slow).message
    err = get_error(tls)
    assert "TLS error" in err.message and "SSL_CERT_FILE" in (err.hint or "")
    assert "HTTPS_PROXY" in (get_error(proxy).hint or "")


def test_url_secrets_are_not_shown() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    with mock_client(refuse) as client, pytest.raises(GatewayError) as info:
        gateway.get_json("http://user:pw@gw.test/v1/models?key=abc", key=None, client=client)
    assert "pw@" not in info.value.message and "key=abc" not in info.value.message


def test_key_sent_only_when_set() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json={"data": []})

    with mock_client(handler) as client:
        gateway.get_json("http://gw.test/v1/models", key=None, client=client)
        gateway.get_json("http://gw.test/v1/models", key=TEST_KEY, client=client)
    assert seen == [None, f"Bearer {TEST_KEY}"]


def test_retry_after_parsing() -> None:
    assert gateway_http.retry_after(httpx.Headers({"retry-after": "3"})) == 3.0
    assert gateway_http.retry_after(httpx.Headers({"retry-after": "soon"})) is None
    assert gateway_http.retry_after(httpx.Headers({})) is None
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    waited = gateway_http.retry_after(httpx.Headers({"retry-after": future}))
    assert waited is not None and 20 < waited <= 31


def test_scrub() -> None:
    assert secrets.scrub(f"x {TEST_KEY} y", TEST_KEY) == "x sk-...WXYZ y"
    assert "abcdefghijkl" not in secrets.scrub("Authorization: Bearer abcdefghijkl")


def test_balance(fake_gateway: FakeGateway) -> None:
    data = gateway.get_balance(fake_gateway.base_url, TEST_KEY)
    assert "balance" in data
    assert fake_gateway.requests[-1].path == "/v1/balance"
    with pytest.raises(GatewayError) as info:
        gateway.get_balance(fake_gateway.base_url, "not-a-key")
    assert info.value.status == 401


# --------------------------------------------------------------------------- reply shapes


def test_reply_text_shapes() -> None:
    responses = {
        "output": [
            {"type": "reasoning", "summary": []},
            {"type": "message", "content": [{"type": "output_text", "text": "OK"}]},
        ]
    }
    chat = {"choices": [{"message": {"role": "assistant", "content": "OK."}}]}
    messages = {"content": [{"type": "text", "text": "OK"}], "type": "message"}
    assert gateway.reply_text("responses", responses) == "OK"
    assert gateway.reply_text("responses", {"output_text": "OK!"}) == "OK!"
    assert gateway.reply_text("chat", chat) == "OK."
    assert gateway.reply_text("messages", messages) == "OK"
    assert gateway.reply_text("chat", {"choices": []}) == ""
    assert gateway.reply_text("chat", {"something": "else"}) is None
    assert gateway.reply_text("chat", [1, 2]) is None


def test_probe_for_routes() -> None:
    assert gateway.probe_for("codex", "m") == gateway.Probe("codex", "m", "responses", "bearer")
    assert gateway.probe_for("opencode", "m").route == "chat"
    assert gateway.probe_for("kilo", "m").route == "chat"
    assert gateway.probe_for("claude", "m") == gateway.Probe("claude", "m", "messages", "bearer")
    assert gateway.probe_url("http://h/v1", "messages") == "http://h/v1/messages"
    assert gateway.probe_url("http://h/v1/", "responses") == "http://h/v1/responses"
    assert gateway.probe_url("http://h/v1", "chat") == "http://h/v1/chat/completions"


# --------------------------------------------------------------------------- smoke test

ALL = ("codex", "opencode", "kilo", "claude")


def probes(model: str = "openai/gpt-5.5", clients: tuple[str, ...] = ALL) -> list[gateway.Probe]:
    return [gateway.probe_for(c, model) for c in clients]


def test_smoke_routes_headers_and_bodies(fake_gateway: FakeGateway) -> None:
    results = gateway.smoke_test(fake_gateway.base_url, TEST_KEY, probes(), timeout=10)
    assert [(r.client, r.route, r.ok, r.status, r.message) for r in results] == [
        ("codex", "/v1/responses", True, 200, "OK"),
        ("opencode", "/v1/chat/completions", True, 200, "OK"),
        ("kilo", "/v1/chat/completions", True, 200, "OK"),
        ("claude", "/v1/messages", True, 200, "OK"),
    ]
    by_path = {r.path: r for r in fake_gateway.requests}
    responses = by_path["/v1/responses"]
    assert responses.auth == "bearer" and responses.key_suffix == "WXYZ"
    assert responses.json["input"] == "Say OK." and responses.json["max_output_tokens"] >= 16
    assert responses.json["stream"] is False
    chat = by_path["/v1/chat/completions"]
    assert chat.json["messages"] == [{"role": "user", "content": "Say OK."}]
    messages = by_path["/v1/messages"]
    assert messages.auth == "bearer"
    assert messages.headers["anthropic-version"] == "2023-06-01"
    assert messages.json["max_tokens"] > 0
    assert all(TEST_KEY not in json.dumps(r.to_json()) for r in results)
    assert set(results[0].to_json()) >= {
        "client",
        "model",
        "route",
        "ok",
        "status",
        "ms",
        "message",
    }


def test_smoke_probes_run_concurrently(fake_gateway: FakeGateway) -> None:
    fake_gateway.latency = 0.6
    started = time.monotonic()
    results = gateway.smoke_test(fake_gateway.base_url, TEST_KEY, probes(), timeout=10)
    elapsed = time.monotonic() - started
    assert all(r.ok for r in results)
    assert elapsed < 0.6 * 2.5, f"4 probes took {elapsed:.2f}s: not concurrent"


def test_smoke_429_then_success_honours_retry_after(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/responses", status=429, retry_after=1, times=1)
    started = time.monotonic()
    [result] = gateway.smoke_test(fake_gateway.base_url, TEST_KEY, probes(clients=("codex",)))
    elapsed = time.monotonic() - started
    assert result.ok and result.message == "OK" and result.attempts == 2
    assert elapsed >= 0.95
    assert [r.status for r in fake_gateway.requests] == [429, 200]


def test_smoke_retry_after_is_capped(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gateway_http, "RETRY_AFTER_CAP", 0.2)
    fake_gateway.add_fault("/v1/chat/completions", status=503, retry_after=3600, times=1)
    started = time.monotonic()
    [result] = gateway.smoke_test(fake_gateway.base_url, TEST_KEY, probes(clients=("kilo",)))
    assert result.ok and result.attempts == 2
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413])
def test_smoke_never_retries_client_errors(fake_gateway: FakeGateway, status: int) -> None:
    fake_gateway.add_fault("/v1/messages", status=status)
    [result] = gateway.smoke_test(fake_gateway.base_url, TEST_KEY, probes(clients=("claude",)))
    assert not result.ok and result.status == status and result.attempts == 1
    assert len(fake_gateway.requests) == 1
    assert TABLE[status] in result.hint
    assert result.message.startswith(f"POST {fake_gateway.root}/v1/messages failed: {status} ")


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_smoke_retries_are_bounded(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setattr(gateway_http, "BACKOFF_BASE", 0.01)
    fake_gateway.add_fault("/v1/responses", status=status)
    [result] = gateway.smoke_test(
        fake_gateway.base_url, TEST_KEY, probes(clients=("codex",)), retries=2
    )
    assert not result.ok and result.status == status and result.attempts == 3
    assert len(fake_gateway.requests) == 3
    assert TABLE[status] in result.hint


def test_smoke_hang_times_out(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/chat/completions", hang=True)
    started = time.monotonic()
    results = gateway.smoke_test(
        fake_gateway.base_url, TEST_KEY, probes(clients=("opencode", "codex")), timeout=0.5
    )
    assert time.monotonic() - started < 5
    assert not results[0].ok and "timed out" in results[0].message and results[0].status is None
    assert results[1].ok


def test_smoke_unknown_model_and_unsupported_route(fake_gateway: FakeGateway) -> None:
    results = gateway.smoke_test(
        fake_gateway.base_url,
        TEST_KEY,
        [
            gateway.probe_for("codex", "nope/none"),
            gateway.probe_for("claude", "deepseek/deepseek-v3.2"),
        ],
    )
    assert results[0].status == 404 and "aigate-setup models" in results[0].hint
    assert results[1].status == 400 and "does not support" in results[1].message


def test_smoke_with_mock_transport_and_odd_reply() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": True})

    with mock_client(handler) as client:
        [result] = gateway.smoke_test(
            "http://gw.test/v1", TEST_KEY, probes(clients=("codex",)), client=client
        )
    assert not result.ok and "not a responses reply" in result.message


def test_smoke_nothing_to_do() -> None:
    assert gateway.smoke_test("http://gw.test/v1", TEST_KEY, []) == []


def test_smoke_connection_refused() -> None:
    base = f"http://127.0.0.1:{free_port()}/v1"
    [result] = gateway.smoke_test(base, TEST_KEY, probes(clients=("codex",)), timeout=5)
    assert not result.ok and "connection refused" in result.message
    assert result.attempts == 1


# --------------------------------------------------------------------------- through the CLI


def test_cli_connection_refused() -> None:
    base = f"http://127.0.0.1:{free_port()}/v1"
    result = run_cli("models", "--base-url", base)
    assert_cli_failure(result, f"GET {base}/models failed: connection refused", "is the gateway up")


@pytest.mark.timeout(30)
def test_cli_dns_failure() -> None:
    result = run_cli(
        "models", "--base-url", "http://aigate-nohost.invalid/v1", env={"AIGATE_TIMEOUT": "3"}
    )
    assert_cli_failure(result, "cannot resolve host name 'aigate-nohost.invalid'", "host name")


def test_cli_timeout(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", hang=True)
    started = time.monotonic()
    result = run_cli("models", "--base-url", fake_gateway.base_url, env={"AIGATE_TIMEOUT": "0.5"})
    assert time.monotonic() - started < 10
    assert_cli_failure(result, "timed out after 0.5s (waiting for the answer)", "AIGATE_TIMEOUT")


def test_cli_tls_error_against_plain_http_port(fake_gateway: FakeGateway) -> None:
    base = fake_gateway.base_url.replace("http://", "https://")
    result = run_cli("models", "--base-url", base, env={"AIGATE_TIMEOUT": "5"})
    assert_cli_failure(result, f"GET {base}/models failed: TLS error", "http://")


@pytest.mark.parametrize("status", sorted(TABLE))
def test_cli_http_errors_with_body(fake_gateway: FakeGateway, status: int) -> None:
    fake_gateway.add_fault("/v1/models", status=status)
    result = run_cli(
        "models", "--base-url", fake_gateway.base_url, env={"AIGATE_API_KEY": TEST_KEY}
    )
    assert_cli_failure(result, f"failed: {status} ", TABLE[status])
    # the gateway's own message and code are shown
    assert "(" in result.stderr.splitlines()[0]


def test_cli_echoed_key_never_shown(fake_gateway: FakeGateway) -> None:
    body = {"error": {"message": f"key {TEST_KEY} is revoked", "code": "invalid_api_key"}}
    fake_gateway.add_fault("/v1/models", status=401, body=body)
    result = run_cli(
        "models", "--base-url", fake_gateway.base_url, env={"AIGATE_API_KEY": TEST_KEY}
    )
    assert_cli_failure(result, "key sk-...WXYZ is revoked (invalid_api_key)")


def test_cli_html_page(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", status=502, html=True)
    result = run_cli("models", "--base-url", fake_gateway.base_url)
    assert_cli_failure(result, 'an HTML page ("502 Bad Gateway")', "proxy, captive portal")
    page = "<html><head><title>Hotel Wi-Fi</title></head><body>log in</body></html>"
    fake_gateway.clear_faults()
    fake_gateway.add_fault("/v1/models", status=200, body=page, html=True)
    result = run_cli("models", "--base-url", fake_gateway.base_url)
    assert_cli_failure(result, 'answered with an HTML page ("Hotel Wi-Fi"), not JSON')


def test_cli_truncated_body(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", truncate=True)
    result = run_cli("models", "--base-url", fake_gateway.base_url)
    assert_cli_failure(result, "the answer was truncated", "retry")
    # A body cut off without a Content-Length mismatch: JSON that just stops.
    fake_gateway.clear_faults()
    fake_gateway.add_fault("/v1/models", status=200, body='{"object":"list","data":[{"id":"op')
    result = run_cli("models", "--base-url", fake_gateway.base_url)
    assert_cli_failure(result, "sent a truncated JSON body")


def test_cli_non_json_body(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", status=200, body="Welcome to nginx")
    result = run_cli("models", "--base-url", fake_gateway.base_url)
    assert_cli_failure(result, "body that is not JSON: 'Welcome to nginx'", "/v1 base")


def test_cli_json_format_failure_is_one_document(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", status=402)
    result = run_cli("models", "--format", "json", "--base-url", fake_gateway.base_url)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["status"] == "fail" and "402" in doc["error"]["message"]
    assert "top up" in doc["error"]["hint"]


# --------------------------------------------------------------------------- proxies and CA bundles


def test_https_proxy_env_is_honoured(fake_gateway: FakeGateway) -> None:
    # The fake gateway acts as the proxy: it receives the absolute-form request and answers it.
    result = run_cli(
        "models",
        "--base-url",
        "http://gateway.example.invalid/v1",
        env={"HTTP_PROXY": fake_gateway.root, "AIGATE_TIMEOUT": "5"},
    )
    assert result.exit_code == 0, result.output
    assert "openai/gpt-5.5" in result.stdout
    assert fake_gateway.requests[-1].path == "/v1/models"


def test_no_proxy_env_is_honoured(fake_gateway: FakeGateway) -> None:
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    result = run_cli(
        "models",
        "--base-url",
        fake_gateway.base_url,
        env={"HTTP_PROXY": dead_proxy, "NO_PROXY": "127.0.0.1", "AIGATE_TIMEOUT": "5"},
    )
    assert result.exit_code == 0, result.output
    result = run_cli(
        "models",
        "--base-url",
        fake_gateway.base_url,
        "--refresh",
        env={"HTTP_PROXY": dead_proxy, "AIGATE_TIMEOUT": "5"},
    )
    assert_cli_failure(result, f"(via proxy {dead_proxy})", "connection refused by the proxy")


class _TLSGateway:
    """The fake gateway's catalog behind a TLS listener with a self-signed certificate."""

    def __init__(self, cert: Path, key: Path) -> None:
        catalog = json.dumps({"object": "list", "data": [{"id": "openai/gpt-5.5"}]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(catalog)))
                self.end_headers()
                self.wfile.write(catalog)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _TLSGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    yield cert, key


def test_ssl_cert_file_is_honoured(self_signed: tuple[Path, Path]) -> None:
    cert, key = self_signed
    with _TLSGateway(cert, key) as tls:
        base = f"https://127.0.0.1:{tls.server.server_port}/v1"
        untrusted = run_cli("models", "--base-url", base, env={"AIGATE_TIMEOUT": "5"})
        assert_cli_failure(untrusted, "TLS error", "SSL_CERT_FILE")
        trusted = run_cli(
            "models", "--base-url", base, env={"SSL_CERT_FILE": str(cert), "AIGATE_TIMEOUT": "5"}
        )
        assert trusted.exit_code == 0, trusted.output
        assert "openai/gpt-5.5" in trusted.stdout


def test_transport_error_text_never_shows_the_key() -> None:
    key = "tok-987654321"  # not key-shaped: only the key itself can find it

    def bad(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(f"Illegal header value b'{key}\\r'")

    err = get_error(bad, key=key)
    assert key not in err.message and "Illegal header value" in err.message
