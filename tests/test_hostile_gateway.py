"""Hostile gateways (issue 18, network and catalog side): slow drips, endless bodies and SSE
replies, compression bombs, hostile ids and names, a catalog that echoes the key, deep JSON,
huge numbers, terminal escapes, proxy credentials. Each runs against a real loopback server
(tests/hostile_server.py) and asserts what the user sees: one clear line, exit 1 or 2, never a
traceback, a hang, a leak or exit 3."""

from __future__ import annotations

import json
import os
import select
import socket
import stat
import struct
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli
from hostile_server import HostileServer

from aigate_setup import catalog as cat
from aigate_setup import gateway, paths
from aigate_setup.errors import GatewayError, UsageError
from aigate_setup.options import Common

GOOD = {
    "id": "openai/gpt-5.5",
    "supported_endpoint_types": ["openai", "openai-response", "anthropic"],
}
UNSAFE_IDS = [
    "acme/gpt-5{file:~/.ssh/id_rsa}",
    "acme/{env:HOME}",
    "acme/gpt\x1b[31m",
    "acme/new\nline",
    "acme/tab\tbed",
    "acme/sp ace",
    "acme/" + "x" * 200,
    "acme/\u202egpt",
    "acme/zero\u200bwidth",
    "\ud800",
]
ESCAPES = ("\x1b", "\x07", "\x00", "\u202e", "\u200b", "\ufeff")


@pytest.fixture
def srv() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def assert_one_error(result: Any, *needles: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def assert_clean(text: str) -> None:
    for ch in ESCAPES:
        assert ch not in text, repr(text)


def home_files() -> dict[str, str]:
    root = paths.home()
    return {
        str(p): p.read_text(encoding="utf-8", errors="replace")
        for p in root.rglob("*")
        if p.is_file()
    }


# --------------------------------------------------------------------------- deadline (#3)


@pytest.mark.timeout(90)
def test_catalog_drip_stops_at_the_deadline(srv: HostileServer) -> None:
    srv.drip("/v1/models", interval=0.2)
    started = time.monotonic()
    result = run_cli("models", "--base-url", srv.base_url, env={"AIGATE_TIMEOUT": "1"})
    elapsed = time.monotonic() - started
    assert_one_error(result, "the gateway did not finish answering within 1s", "AIGATE_TIMEOUT")
    assert elapsed < 5, elapsed


@pytest.mark.timeout(90)
def test_balance_drip_stops_at_the_deadline(srv: HostileServer) -> None:
    srv.drip("/v1/balance", interval=0.2, prefix=b'{"balance": ')
    started = time.monotonic()
    with pytest.raises(GatewayError) as info:
        gateway.get_balance(srv.base_url, TEST_KEY, timeout=1)
    assert time.monotonic() - started < 5
    assert "did not finish answering within 1s" in info.value.message


@pytest.mark.timeout(90)
def test_smoke_probes_stop_at_the_deadline(srv: HostileServer) -> None:
    srv.drip("/v1/responses", interval=0.2, prefix=b'{"output": [')
    srv.sse("/v1/chat/completions", interval=0.1)
    probes = [gateway.probe_for("codex", "m/x"), gateway.probe_for("kilo", "m/x")]
    started = time.monotonic()
    results = gateway.smoke_test(srv.base_url, TEST_KEY, probes, timeout=1, retries=0)
    assert time.monotonic() - started < 5
    for result in results:
        assert not result.ok and result.status is None
        assert "did not finish answering within 1s" in result.message
        assert "AIGATE_TIMEOUT" in result.hint


@pytest.mark.timeout(90)
def test_init_smoke_drip_exits_1(srv: HostileServer) -> None:
    srv.json("/v1/models", {"data": [GOOD]})
    srv.drip("/v1/chat/completions", interval=0.2, prefix=b'{"choices": [')
    started = time.monotonic()
    result = run_cli(
        "init",
        "--yes",
        "--client",
        "opencode",
        "--model",
        "openai/gpt-5.5",
        "--base-url",
        srv.base_url,
        env={"AIGATE_API_KEY": TEST_KEY, "AIGATE_TIMEOUT": "1"},
    )
    assert time.monotonic() - started < 20
    assert result.exit_code == 1, result.output
    assert "did not finish answering within" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- size (#4)


@pytest.mark.timeout(90)
def test_endless_catalog_stops_at_the_cap(srv: HostileServer) -> None:
    srv.endless("/v1/models")
    result = run_cli("models", "--base-url", srv.base_url, env={"AIGATE_TIMEOUT": "30"})
    assert_one_error(result, "the answer is larger than 16 MiB; stopped reading", "--base-url")
    # The client stopped near the cap: what the server managed to write is the cap plus what
    # the kernel's socket buffers hold, far from the whole endless body.
    assert srv.sent["/v1/models"] < 40 * 1024 * 1024


@pytest.mark.timeout(90)
def test_endless_error_body_is_cut_short(srv: HostileServer) -> None:
    srv.endless("/v1/models", status=500, content_type="text/plain", piece=b"boom " * 10000)
    result = run_cli("models", "--base-url", srv.base_url, env={"AIGATE_TIMEOUT": "30"})
    assert_one_error(result, 'failed: 500 Internal Server Error: \'{"data": [boom boom')
    assert srv.sent["/v1/models"] < 16 * 1024 * 1024


@pytest.mark.timeout(90)
def test_endless_sse_probe_reply_stops_at_the_cap(srv: HostileServer) -> None:
    srv.sse("/v1/chat/completions")
    [result] = gateway.smoke_test(
        srv.base_url, TEST_KEY, [gateway.probe_for("opencode", "m/x")], timeout=30, retries=0
    )
    assert not result.ok and "the answer is larger than 1 MiB" in result.message
    assert srv.sent["/v1/chat/completions"] < 16 * 1024 * 1024


@pytest.mark.timeout(90)
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bomb_stops_near_the_cap(srv: HostileServer, encoding: str) -> None:
    srv.bomb("/v1/models", decoded=128 * 1024 * 1024, encoding=encoding)
    tracemalloc.start()
    try:
        with pytest.raises(GatewayError) as info:
            gateway.get_json(srv.base_url + "/models", key=None, timeout=30)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "the answer is larger than 16 MiB" in info.value.message
    # Decoded in small pieces and dropped at the cap: the peak is the cap, not the bomb.
    assert peak < 24 * 1024 * 1024, peak


def test_a_small_compressed_catalog_still_works(srv: HostileServer) -> None:
    import gzip

    body = gzip.compress(json.dumps({"data": [GOOD]}).encode())
    srv.raw("/v1/models", body, encoding="gzip")
    doc = json.loads(run_cli("models", "--format", "json", "--base-url", srv.base_url).stdout)
    assert [m["id"] for m in doc["models"]] == ["openai/gpt-5.5"]


def test_unsupported_and_corrupt_encodings_are_explained(srv: HostileServer) -> None:
    srv.raw("/v1/models", b"\x00\x01\x02", encoding="br")
    result = run_cli("models", "--base-url", srv.base_url)
    assert_one_error(result, "unsupported content encoding 'br'")
    srv.raw("/v1/models", b"this is not gzip at all", encoding="gzip")
    result = run_cli("models", "--base-url", srv.base_url, "--refresh")
    assert_one_error(result, "corrupt compressed body")


def test_cache_file_is_private(srv: HostileServer) -> None:
    srv.json("/v1/models", {"data": [GOOD]})
    cache = paths.cache_dir() / "models.json"
    assert run_cli("models", "--base-url", srv.base_url).exit_code == 0
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    cache.chmod(0o644)  # an older, world-readable cache is tightened on the next write
    assert run_cli("models", "--base-url", srv.base_url).exit_code == 0
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600


def test_redirects_are_followed_without_reading_their_bodies(srv: HostileServer) -> None:
    with HostileServer() as other:
        other.json("/v1/models", {"data": [GOOD]})
        srv.redirect("/v1/models", other.base_url + "/models", endless_body=True)
        result = run_cli("models", "--base-url", srv.base_url, env={"AIGATE_API_KEY": TEST_KEY})
        assert result.exit_code == 0, result.output
        assert "openai/gpt-5.5" in result.stdout
        assert srv.sent.get("/v1/models", 0) < 16 * 1024 * 1024
        # another origin never receives the key
        assert "Authorization" not in other.seen[-1].headers
        assert srv.seen[-1].headers.get("Authorization") == f"Bearer {TEST_KEY}"


# --------------------------------------------------------------------------- hostile ids (#1)


def hostile_catalog() -> bytes:
    entries = [{"id": i, "supported_endpoint_types": ["openai"]} for i in UNSAFE_IDS]
    good = dict(GOOD, name="GPT {file:~/.ssh/id_rsa}\x1b]0;pwned\x07 \u202e5.5\u200b")
    return json.dumps({"data": [*entries, good]}).encode()


def test_unsafe_ids_are_skipped_with_one_warning(srv: HostileServer) -> None:
    srv.json("/v1/models", hostile_catalog())
    result = run_cli("models", "--format", "json", "--base-url", srv.base_url)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [m["id"] for m in doc["models"]] == ["openai/gpt-5.5"]
    assert doc["models"][0]["name"] == "GPT file:~/.ssh/id_rsa 5.5"
    assert doc["skipped"] == len(UNSAFE_IDS)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: skipped {len(UNSAFE_IDS)} catalog entries whose model id is not safe to "
        "write into a config (braces, control characters, whitespace, a key, or more than 200 "
        "characters)"
    ]
    text = run_cli("models", "--base-url", srv.base_url)
    assert text.exit_code == 0
    assert_clean(text.output)
    assert_clean(result.output)


def test_unsafe_ids_and_names_never_reach_a_config(srv: HostileServer) -> None:
    srv.json("/v1/models", hostile_catalog())
    result = run_cli(
        "init",
        "--yes",
        "--client",
        "opencode",
        "--client",
        "kilo",
        "--model",
        "openai/gpt-5.5",
        "--no-smoke-test",
        "--base-url",
        srv.base_url,
        env={"AIGATE_API_KEY": TEST_KEY},
    )
    assert result.exit_code == 0, result.output
    written = home_files()
    configs = [t for p, t in written.items() if p.endswith(("opencode.json", "kilo.jsonc"))]
    assert len(configs) == 2
    for text in configs:
        assert "{file:" not in text and "\u202e" not in text and "\x1b" not in text
        assert '"name": "GPT file:~/.ssh/id_rsa 5.5"' in text


def test_lone_surrogate_id_is_skipped_not_a_crash(srv: HostileServer) -> None:
    srv.json("/v1/models", b'{"data": [{"id": "\\ud800"}, {"id": "a/\\udfff-x"}, {"id": "a/b"}]}')
    for fmt in ("text", "json"):
        result = run_cli("models", "--format", fmt, "--base-url", srv.base_url)
        assert result.exit_code == 0, result.output
        assert "a/b" in result.stdout
        assert "skipped 2 catalog entries" in result.stderr


def test_parse_catalog_rules() -> None:
    data: list[Any] = [{"id": i} for i in UNSAFE_IDS]
    data += [
        {"id": "ok/x" * 50},  # exactly 200 characters: fine
        {"id": "ok/named", "name": "{env:HOME}\x00"},
        {"id": "ok/blank-name", "name": "{}\x1b[0m"},
        "ok/plain",
        {"id": ""},
    ]
    catalog = cat.parse_catalog(data, "x")
    assert [m.id for m in catalog.models] == ["ok/x" * 50, "ok/named", "ok/blank-name", "ok/plain"]
    assert (catalog.skipped, catalog.unsafe) == (len(UNSAFE_IDS) + 1, len(UNSAFE_IDS))
    named = catalog.get("ok/named")
    blank = catalog.get("ok/blank-name")
    assert named is not None and named.name == "env:HOME"
    assert blank is not None and blank.name is None
    assert len(catalog.warnings) == 1
    assert cat.parse_catalog([GOOD], "x").warnings == ()


def test_hostile_endpoint_types_are_not_shown() -> None:
    entry = {"id": "a/b", "supported_endpoint_types": ["{file:/etc/passwd}", "gemini", "\x1b[2J"]}
    model = cat.parse_catalog([entry], "x").models[0]
    assert model.endpoint_types == ("gemini",)
    assert all("{" not in r and "\x1b" not in r for r in model.unusable.values())


# --------------------------------------------------------------------------- the key (#7)


def test_a_catalog_echoing_the_key_never_shows_or_stores_it(srv: HostileServer) -> None:
    srv.echo_key("/v1/models")
    env = {"AIGATE_API_KEY": TEST_KEY}
    outputs = [
        run_cli("models", "--base-url", srv.base_url, env=env),
        run_cli("models", "--format", "json", "--base-url", srv.base_url, env=env),
        run_cli(
            "init",
            "--yes",
            "--client",
            "opencode",
            "--client",
            "kilo",
            "--model",
            "openai/gpt-5.5",
            "--no-smoke-test",
            "--base-url",
            srv.base_url,
            env=env,
        ),
    ]
    secret = TEST_KEY.removeprefix("sk-")[:-4]
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert secret not in result.output
    doc = json.loads(outputs[1].stdout)
    assert [m["id"] for m in doc["models"]] == ["openai/gpt-5.5"]  # `acme/<key>` is skipped
    assert doc["models"][0]["name"] == "Model for sk-...WXYZ"
    written = home_files()
    assert any(p.endswith("models.json") for p in written)  # the cache was written ...
    assert any(p.endswith("opencode.json") for p in written)
    for path, text in written.items():
        assert secret not in text, path  # ... and neither it nor a config holds the key


# --------------------------------------------------------------------------- deep and huge


def test_deeply_nested_json_is_a_clear_error(srv: HostileServer) -> None:
    srv.json("/v1/models", b"[" * 10000 + b"]" * 10000)
    result = run_cli("models", "--base-url", srv.base_url)
    assert_one_error(result, "nested too deeply")
    deep_entry = b'{"data": [{"id": "a/b", "x": ' + b"[" * 10000 + b"]" * 10000 + b"}]}"
    srv.json("/v1/models", deep_entry)
    assert_one_error(run_cli("models", "--base-url", srv.base_url), "nested too deeply")


def test_deeply_nested_catalog_file_is_a_usage_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 10000 + b"]" * 10000)
    with pytest.raises(UsageError, match="nested too deeply"):
        cat.load_catalog_file(deep)


@pytest.mark.timeout(20)
def test_catalog_file_that_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        cat.load_catalog_file(fifo)
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(cat.MAX_CATALOG_BYTES + 1)
    with pytest.raises(UsageError, match="larger than 16 MiB"):
        cat.load_catalog_file(big)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (2**63, None),
        (2**64 + 5, None),
        (1e300, None),
        ("9" * 5000, None),
        ("\u00b2", None),
        ("400000", 400000),
        (400000.0, 400000),
        (-5, None),
    ],
)
def test_context_length_bounds(value: Any, kept: int | None) -> None:
    entry = dict(GOOD, context_length=value)
    assert cat.parse_catalog([entry], "x").models[0].context_length == kept


@pytest.mark.parametrize(("value", "written"), [(2**63, False), (400000, True)])
def test_huge_context_length_never_reaches_codex(
    srv: HostileServer, value: int, written: bool
) -> None:
    srv.json("/v1/models", {"data": [dict(GOOD, context_length=value)]})
    result = run_cli(
        "init",
        "--yes",
        "--client",
        "codex",
        "--model",
        "openai/gpt-5.5",
        "--no-smoke-test",
        "--base-url",
        srv.base_url,
        env={"AIGATE_API_KEY": TEST_KEY},
    )
    assert result.exit_code == 0, result.output
    config = (paths.codex_home() / "config.toml").read_text()
    assert ("model_context_window = 400000" in config) is written
    assert str(2**63) not in config


# --------------------------------------------------------------------------- terminal escapes


def test_error_bodies_are_cleaned_before_printing(srv: HostileServer) -> None:
    message = "boom\x1b]0;pwned\x07 \x1b[2J\u202eevil\u200b\x00"
    srv.json("/v1/models", {"error": {"message": message, "code": "x\x1b[31m"}}, status=500)
    result = run_cli("models", "--base-url", srv.base_url)
    assert_one_error(result, "500 Internal Server Error: boom")
    assert_clean(result.output)
    srv.raw("/v1/models", b"plain \x1b[31mred\x07 text", status=200, content_type="text/plain")
    result = run_cli("models", "--format", "json", "--base-url", srv.base_url)
    assert result.exit_code == 1
    assert_clean(result.output)
    page = b"<html><head><title>Log\x1b[31min\x07</title></head></html>"
    srv.raw("/v1/models", page, status=502, content_type="text/html")
    result = run_cli("models", "--base-url", srv.base_url)
    assert_one_error(result, 'an HTML page ("Login")')
    assert_clean(result.output)


def test_probe_reply_is_cleaned(srv: HostileServer) -> None:
    reply = {"choices": [{"message": {"content": "OK\x1b]8;;http://evil\x07 \u202edone"}}]}
    srv.json("/v1/chat/completions", reply)
    [result] = gateway.smoke_test(
        srv.base_url, TEST_KEY, [gateway.probe_for("opencode", "m/x")], retries=0
    )
    assert result.ok and result.message == "OK done"


# --------------------------------------------------------------------------- proxies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("scheme", ["", "http://"])
def test_proxy_password_is_never_printed(scheme: str) -> None:
    proxy = f"{scheme}user:PASSW0RD@127.0.0.1:{free_port()}"
    for fmt in ("text", "json"):
        result = run_cli(
            "models",
            "--format",
            fmt,
            "--base-url",
            "https://gateway.example.invalid/v1",
            env={"HTTPS_PROXY": proxy, "AIGATE_TIMEOUT": "5"},
        )
        assert result.exit_code == 1, result.output
        assert "(via proxy " in result.output and "127.0.0.1" in result.output
        assert "PASSW0RD" not in result.output


class _Socks5:
    """A minimal SOCKS5 proxy (no auth, CONNECT only) that relays to the target."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = int(self.sock.getsockname()[1])
        self.connects: list[tuple[str, int]] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            _ver, n = conn.recv(2)
            conn.recv(n)
            conn.sendall(b"\x05\x00")
            _ver, _cmd, _rsv, atyp = conn.recv(4)
            if atyp == 1:
                host = socket.inet_ntoa(conn.recv(4))
            else:
                host = conn.recv(conn.recv(1)[0]).decode()
            (port,) = struct.unpack("!H", conn.recv(2))
            self.connects.append((host, port))
            with socket.create_connection((host, port), timeout=10) as up:
                conn.sendall(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
                self._relay(conn, up)

    @staticmethod
    def _relay(a: socket.socket, b: socket.socket) -> None:
        while True:
            ready, _, _ = select.select([a, b], [], [], 10)
            if not ready:
                return
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)

    def close(self) -> None:
        self.sock.close()


def test_socks5_proxy_works(srv: HostileServer) -> None:
    srv.json("/v1/models", {"data": [GOOD]})
    socks = _Socks5()
    try:
        result = run_cli(
            "models",
            "--base-url",
            srv.base_url,
            env={"HTTP_PROXY": f"socks5://127.0.0.1:{socks.port}", "AIGATE_TIMEOUT": "10"},
        )
    finally:
        socks.close()
    assert result.exit_code == 0, result.output
    assert "openai/gpt-5.5" in result.stdout
    assert socks.connects == [("127.0.0.1", srv.server.server_port)]


def test_socks5_proxy_without_socks_support_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "socksio", None)  # `import socksio` -> ImportError
    result = run_cli(
        "models",
        "--base-url",
        "http://gateway.example.invalid/v1",
        env={"HTTP_PROXY": "socks5://user:PASSW0RD@127.0.0.1:1080"},
    )
    assert_one_error(result, "SOCKS", "httpx[socks]", code=2)
    assert "PASSW0RD" not in result.output


def test_unusable_proxy_url_is_a_usage_error() -> None:
    result = run_cli(
        "models",
        "--base-url",
        "http://gateway.example.invalid/v1",
        env={"HTTP_PROXY": "ftp://user:PASSW0RD@127.0.0.1:21"},
    )
    assert_one_error(result, "HTTP_PROXY=", "proxy URL", code=2)
    assert "PASSW0RD" not in result.output


def test_fetch_catalog_passes_the_cap(srv: HostileServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The catalog's own cap is what bounds a fetch (not the generic JSON one).
    monkeypatch.setattr(cat, "MAX_CATALOG_BYTES", 64 * 1024)
    srv.endless("/v1/models")
    with pytest.raises(GatewayError, match="larger than 64 KiB"):
        cat.fetch_catalog(Common(base_url=srv.base_url), refresh=True, timeout=30)
