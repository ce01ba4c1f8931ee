"""`aigate-setup doctor`: the environment checks and the gateway checks (DNS, TCP, TLS, the
API), against the loopback fake gateway with faults."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli
from doctor_support import (
    codex_toml,
    doctor,
    edit,
    get,
    init,
    opencode_json,
)

from aigate_setup.testing import FakeGateway

# --------------------------------------------------------------------------- environment


def test_env_key_unset(fake_gateway: FakeGateway) -> None:
    os.environ.pop("AIGATE_API_KEY", None)
    r = run_cli("doctor", "--format", "json", "--offline", "--base-url", fake_gateway.base_url)
    checks = json.loads(r.stdout)["checks"]
    assert r.exit_code == 1
    assert get(checks, "env.key") == {
        "id": "env.key",
        "status": "fail",
        "title": "API key variable",
        "detail": "AIGATE_API_KEY is not set",
        "hint": "export AIGATE_API_KEY=sk-... (your AIGate key)",
    }
    assert get(checks, "env.key_format")["status"] == "skip"


def test_env_key_empty_and_custom_key_env(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(fake_gateway, "--offline", "--key-env", "MY_KEY", env={"MY_KEY": "  "})
    assert r.exit_code == 1
    c = get(checks, "env.key")
    assert c["detail"] == "MY_KEY is set but empty" and c["hint"].startswith("export MY_KEY=")


def test_env_key_pass_is_masked(fake_gateway: FakeGateway) -> None:
    _, checks = doctor(fake_gateway, "--offline")
    assert get(checks, "env.key")["detail"] == "AIGATE_API_KEY is set (sk-...WXYZ)"
    assert get(checks, "env.key_format")["status"] == "pass"


@pytest.mark.parametrize(
    ("value", "detail_part"),
    [
        (f'"{TEST_KEY}"', "contains quote characters"),
        (TEST_KEY + "\n", "contains a newline"),
        ("sk-test 0123456789abcdef", "contains whitespace"),
        ("test-0123456789abcdefWXYZ", "does not start with sk-"),
    ],
)
def test_env_key_format(fake_gateway: FakeGateway, value: str, detail_part: str) -> None:
    r, checks = doctor(fake_gateway, "--offline", env={"AIGATE_API_KEY": value})
    assert r.exit_code == 1
    c = get(checks, "env.key_format")
    assert c["status"] == "fail" and detail_part in c["detail"], c
    assert "sk-" in c["hint"]
    assert value.strip().strip('"') not in r.output


def test_env_conflicts_both_anthropic_credentials(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(
        fake_gateway,
        "--offline",
        env={"ANTHROPIC_API_KEY": TEST_KEY, "ANTHROPIC_AUTH_TOKEN": TEST_KEY},
    )
    assert r.exit_code == 1
    c = get(checks, "env.conflicts")
    assert c["status"] == "fail"
    assert "both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set" in c["detail"]
    assert c["hint"].startswith("unset ANTHROPIC_API_KEY")


def test_env_anthropic_base_url_with_v1(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(fake_gateway, "--offline", env={"ANTHROPIC_BASE_URL": fake_gateway.base_url})
    assert r.exit_code == 1
    c = get(checks, "env.anthropic_base_url")
    assert c["status"] == "fail" and "ends in /v1" in c["detail"]
    assert c["hint"] == f"export ANTHROPIC_BASE_URL={fake_gateway.root}"


def test_env_openai_base_url_stale(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(
        fake_gateway, "--offline", env={"OPENAI_BASE_URL": "https://old-proxy.example/v1"}
    )
    c = get(checks, "env.openai_base_url")
    assert c["status"] == "warn" and c["detail"].startswith("https://old-proxy.example/v1 is set")
    assert c["hint"].startswith("unset OPENAI_BASE_URL")
    assert r.exit_code == 0


def test_env_proxy_loopback_not_in_no_proxy(fake_gateway: FakeGateway) -> None:
    _, checks = doctor(
        fake_gateway, "--offline", env={"HTTP_PROXY": "http://user:s3cret@127.0.0.1:9"}
    )
    c = get(checks, "env.proxy")
    assert c["status"] == "warn"
    assert c["detail"] == "requests to 127.0.0.1 go through the proxy http://***@127.0.0.1:9"
    assert c["hint"].startswith("export NO_PROXY=127.0.0.1")


def test_env_proxy_bypassed_by_no_proxy(fake_gateway: FakeGateway) -> None:
    _, checks = doctor(
        fake_gateway,
        "--offline",
        env={"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"},
    )
    c = get(checks, "env.proxy")
    assert c["status"] == "pass" and "127.0.0.1 is in NO_PROXY" in c["detail"]


def test_env_proxy_in_effect_for_remote_gateway() -> None:
    _, checks = doctor(
        None,
        "--offline",
        base="https://api.aigate.shop/v1",
        env={"HTTPS_PROXY": "http://proxy.corp.example:3128"},
    )
    c = get(checks, "env.proxy")
    assert c["status"] == "pass"
    assert (
        c["detail"]
        == "via proxy http://proxy.corp.example:3128 (api.aigate.shop is not in NO_PROXY)"
    )


# --------------------------------------------------------------------------- reachability


def test_gateway_dns_failure_is_named() -> None:
    host = "a" * 64 + ".example"  # an invalid label: fails locally, no query leaves the machine
    r, checks = doctor(None, base=f"http://{host}/v1")
    assert r.exit_code == 1
    c = get(checks, "gateway.dns")
    assert c["status"] == "fail" and "is not a valid host name" in c["detail"]
    assert "nslookup" in c["hint"]
    assert get(checks, "gateway.tcp") == {
        "id": "gateway.tcp",
        "status": "skip",
        "title": "TCP connect",
        "detail": "DNS failed",
        "hint": "",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gateway_tcp_refused() -> None:
    port = _free_port()
    r, checks = doctor(None, base=f"http://127.0.0.1:{port}/v1")
    assert r.exit_code == 1
    c = get(checks, "gateway.tcp")
    assert c["status"] == "fail" and c["detail"] == f"connection to 127.0.0.1:{port} refused"
    assert "--base-url" in c["hint"]
    models = get(checks, "gateway.models")
    assert models["status"] == "fail" and "refused" in models["detail"]


def test_gateway_tls_not_tls(fake_gateway: FakeGateway) -> None:
    r, checks = doctor(None, base=f"https://127.0.0.1:{fake_gateway.port}/v1")
    assert r.exit_code == 1
    c = get(checks, "gateway.tls")
    assert c["status"] == "fail", c
    assert c["detail"].startswith(f"127.0.0.1:{fake_gateway.port} did not answer with TLS")
    assert "http://" in c["hint"]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections (kernel backlog) but never says a word."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    try:
        yield int(srv.getsockname()[1])
    finally:
        srv.close()


def test_gateway_tls_handshake_hangs(silent_server: int) -> None:
    started = time.monotonic()
    r, checks = doctor(
        None, base=f"https://127.0.0.1:{silent_server}/v1", env={"AIGATE_TIMEOUT": "0.5"}
    )
    assert time.monotonic() - started < 8
    assert r.exit_code == 1
    c = get(checks, "gateway.tls")
    assert c["status"] == "fail" and "timed out after 0.5s" in c["detail"], c
    assert get(checks, "gateway.tcp")["status"] == "pass"


# --------------------------------------------------------------------------- gateway API


def test_gateway_models_html(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", status=200, html=True)
    r, checks = doctor(fake_gateway, "--client", "codex")
    c = get(checks, "gateway.models")
    assert c["status"] == "fail" and "HTML" in c["detail"], c
    assert "proxy" in c["hint"] or "--base-url" in c["hint"]
    assert r.exit_code == 1


def test_gateway_models_500(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/models", status=500)
    _, checks = doctor(fake_gateway, "--client", "codex")
    c = get(checks, "gateway.models")
    assert c["status"] == "fail" and "500" in c["detail"] and "retry later" in c["hint"]


def test_gateway_key_rejected() -> None:
    with FakeGateway() as gw:
        init(gw, "codex")
        gw.keys = ("sk-other-0123456789abcdef0000",)  # the key was revoked
        r, checks = doctor(gw)
    assert r.exit_code == 1
    c = get(checks, "gateway.key")
    assert c == {
        "id": "gateway.key",
        "status": "fail",
        "title": "Key accepted",
        "detail": "the gateway rejected the key sk-...WXYZ (401)",
        "hint": "copy the key again from the AIGate dashboard: export AIGATE_API_KEY=sk-...",
    }
    assert get(checks, "gateway.models")["status"] == "pass"  # the catalog without the key
    assert get(checks, "gateway.balance")["status"] == "skip"
    assert get(checks, "codex.probe")["detail"] == "the key was rejected (see gateway.key)"


def test_gateway_balance_402(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/balance", status=402)
    r, checks = doctor(fake_gateway, "--client", "codex")
    assert r.exit_code == 1
    assert get(checks, "gateway.key")["status"] == "pass"
    c = get(checks, "gateway.balance")
    assert c["status"] == "fail" and "402" in c["detail"] and "top up" in c["hint"]


@pytest.mark.parametrize(
    ("balance", "status", "detail"),
    [
        (
            {"balance": 0, "token": {"remaining": 5, "unlimited_quota": False}},
            "fail",
            "the account balance is used up",
        ),
        (
            {"balance": 7.5, "token": {"remaining": 0, "unlimited_quota": False}},
            "fail",
            "this key's quota is used up",
        ),
        (
            {"balance": 7.5, "token": {"remaining": 0, "unlimited_quota": True}},
            "pass",
            "balance available, unlimited key quota",
        ),
        (
            {"balance": 7.5, "token": {"remaining": 3.25, "unlimited_quota": False}},
            "pass",
            "balance available, key quota left",
        ),
    ],
)
def test_gateway_balance(
    fake_gateway: FakeGateway, balance: dict[str, Any], status: str, detail: str
) -> None:
    fake_gateway.balance = balance
    _, checks = doctor(fake_gateway, "--client", "codex")
    c = get(checks, "gateway.balance")
    assert (c["status"], c["detail"]) == (status, detail)
    assert "7.5" not in json.dumps(c) and "3.25" not in json.dumps(c)  # no amounts shown


def test_gateway_models_known_unknown_id(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    edit(codex_toml(), 'model = "openai/gpt-5.5"', 'model = "openai/gpt-5.6"')
    r, checks = doctor(fake_gateway, "--client", "codex")
    assert r.exit_code == 1
    c = get(checks, "gateway.models_known")
    assert c["status"] == "fail"
    assert c["detail"].startswith("~/.codex/config.toml:") and "'openai/gpt-5.6'" in c["detail"]
    assert "openai/gpt-5.5" in c["hint"]  # did you mean ...
    probe = get(checks, "codex.probe")
    assert probe["status"] == "fail" and "gpt-5.6" in probe["detail"]


def test_gateway_models_known_not_usable_by_client(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "opencode", extra=("--extra-model", "deepseek/deepseek-v3.2"))
    edit(
        codex_toml() if False else opencode_json(),
        '"model": "aigate/openai/gpt-5.5"',
        '"model": "aigate/deepseek/deepseek-v3.2"',
    )
    _, checks = doctor(fake_gateway, "--client", "opencode")
    c = get(checks, "gateway.models_known")
    assert c["status"] == "pass", c  # chat-completions models are fine for OpenCode
    init(fake_gateway, "codex")
    edit(codex_toml(), 'model = "openai/gpt-5.5"', 'model = "deepseek/deepseek-v3.2"')
    _, checks = doctor(fake_gateway, "--client", "codex")
    c = get(checks, "gateway.models_known")
    assert c["status"] == "warn" and "cannot be used by codex" in c["detail"], c


# --------------------------------------------------------------------------- TLS with a real handshake


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A loopback TLS server with a self-signed certificate for 127.0.0.1 (handshake only)."""
    import shutil
    import ssl
    import subprocess
    import threading

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            conn.settimeout(2)
            try:
                with ctx.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(srv.getsockname()[1]), cert
    finally:
        stop.set()
        thread.join(5)
        srv.close()


def test_gateway_tls_untrusted_and_trusted(tls_server: tuple[int, Path]) -> None:
    port, cert = tls_server
    base = f"https://127.0.0.1:{port}/v1"
    _, checks = doctor(None, base=base)
    c = get(checks, "gateway.tls")
    assert c["status"] == "fail", c
    assert c["detail"].startswith("the certificate of 127.0.0.1 is not trusted")
    assert "SSL_CERT_FILE" in c["hint"]
    _, checks = doctor(None, base=base, env={"SSL_CERT_FILE": str(cert)})
    c = get(checks, "gateway.tls")
    assert c["status"] == "pass", c
    assert c["detail"].endswith(", certificate valid for 127.0.0.1")
