"""Doctor's network diagnosis: DNS -> TCP -> TLS to the gateway (or its proxy), then the
gateway's own answers (GET /v1/models, GET /v1/balance).

Every step runs in a daemon thread bounded by a wall-clock limit (`Bounded`), so a hanging
gateway, proxy or DNS lookup cannot make doctor hang. Each failure is one check that names it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import urlsplit

from aigate_setup.errors import GatewayError
from aigate_setup.findings import Check
from aigate_setup.gateway.keycheck import amount
from aigate_setup.secrets import mask_key, scrub
from aigate_setup.settings import TIMEOUT_ENV

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog

T = TypeVar("T")
OFFLINE = "--offline: no network requests"
# The gateway checks in report order, with their titles (all skipped with --offline).
GATEWAY_CHECKS = (
    ("gateway.dns", "DNS"),
    ("gateway.tcp", "TCP connect"),
    ("gateway.tls", "TLS handshake"),
    ("gateway.models", "GET /v1/models"),
    ("gateway.key", "Key accepted"),
    ("gateway.balance", "Balance and key quota"),
    ("gateway.models_known", "Configured models in the catalog"),
)


class Bounded(Generic[T]):
    """Run fn in a daemon thread; result() waits at most `limit` seconds from the start.

    A daemon thread (not a pool) because a stuck getaddrinfo() cannot be interrupted, and a
    pool's worker would keep the interpreter from exiting."""

    def __init__(self, fn: Callable[[], T], limit: float) -> None:
        self.limit = limit
        self.started = time.monotonic()
        self._done = threading.Event()
        self._value: list[T] = []
        self._error: BaseException | None = None
        threading.Thread(target=self._run, args=(fn,), daemon=True).start()

    def _run(self, fn: Callable[[], T]) -> None:
        try:
            self._value.append(fn())
        except BaseException as exc:  # handed to result()
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> T:
        remaining = self.limit - (time.monotonic() - self.started)
        if not self._done.wait(max(0.0, remaining)):
            raise TimeoutError(f"no answer within {self.limit:g}s")
        if self._error is not None:
            raise self._error
        return self._value[0]


@dataclass(frozen=True)
class ProxyInfo:
    url: str  # masked
    host: str
    port: int


# --------------------------------------------------------------------------- reachability


@dataclass
class Reach:
    checks: list[Check]
    ok: bool  # DNS, TCP (and TLS) all passed


@dataclass(frozen=True)
class _Target:
    host: str  # the gateway's host (TLS is checked against it)
    port: int
    https: bool
    proxy: ProxyInfo | None

    @property
    def connect_host(self) -> str:
        return self.proxy.host if self.proxy is not None else self.host

    @property
    def connect_port(self) -> int:
        return self.proxy.port if self.proxy is not None else self.port

    @property
    def via(self) -> str:
        return " (the proxy)" if self.proxy is not None else ""


def _dns(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def reachability(base_url: str, proxy: ProxyInfo | None, timeout: float) -> Reach:
    """DNS -> TCP -> TLS, each bounded by `timeout`; every failure named."""
    parts = urlsplit(base_url)
    https = parts.scheme == "https"
    t = _Target(parts.hostname or "", parts.port or (443 if https else 80), https, proxy)
    out: list[Check] = []
    dns = _dns_check(t, timeout)
    out.append(dns if isinstance(dns, Check) else _dns_pass(t, dns))
    if isinstance(dns, Check):
        return Reach(_rest_skipped(out, "DNS failed", t), False)
    tcp = _tcp_check(t, dns[:3], timeout)  # e.g. localhost -> ::1 and 127.0.0.1
    if isinstance(tcp, Check):
        out.append(tcp)
        return Reach(_rest_skipped(out, "TCP failed", t, tcp=False), False)
    ip, seconds = tcp
    detail = f"connected to {ip}:{t.connect_port}{t.via} in {int(seconds * 1000)} ms"
    out.append(Check("gateway.tcp", "pass", "TCP connect", detail))
    if not https:
        out.append(Check("gateway.tls", "skip", "TLS handshake", "plain http:// base URL: no TLS"))
        return Reach(out, True)
    if proxy is not None:
        detail = f"through the proxy {proxy.url}; gateway.models checks TLS end to end"
        out.append(Check("gateway.tls", "skip", "TLS handshake", detail))
        return Reach(out, True)
    tls = _tls_check(t.host, ip, t.port, timeout)
    out.append(tls)
    return Reach(out, tls.status == "pass")


def _dns_pass(t: _Target, addrs: list[str]) -> Check:
    more = f" (+{len(addrs) - 1} more)" if len(addrs) > 1 else ""
    return Check("gateway.dns", "pass", "DNS", f"{t.connect_host}{t.via} -> {addrs[0]}{more}")


def _dns_check(t: _Target, timeout: float) -> list[str] | Check:
    """The addresses of the host to connect to, or the failed check."""
    host, via = t.connect_host, t.via
    hint = (
        f"check the host in --base-url and your DNS (try `nslookup {host}`); "
        "behind a corporate network set HTTPS_PROXY"
    )
    try:
        return Bounded(lambda: _dns(host, t.connect_port), timeout).result()
    except TimeoutError:
        detail = f"no DNS answer for {host}{via} within {timeout:g}s"
    except UnicodeError:
        detail = f"{host!r}{via} is not a valid host name"
    except OSError as exc:
        detail = f"cannot resolve {host}{via}: {getattr(exc, 'strerror', None) or exc}"
    return Check("gateway.dns", "fail", "DNS", detail, hint)


def _tcp_check(t: _Target, candidates: list[str], timeout: float) -> tuple[str, float] | Check:
    """(address, seconds) of the first candidate that accepts a connection, or the failure."""
    where = f"{t.connect_host}:{t.connect_port}{t.via}"
    hint = (
        "is the gateway up and --base-url right? check firewalls and VPN; "
        "behind a corporate network set HTTPS_PROXY"
    )

    def connect() -> tuple[str, float]:
        error: OSError | None = None
        for addr in candidates:
            started = time.monotonic()
            try:
                sock = socket.create_connection((addr, t.connect_port), timeout=timeout)
            except TimeoutError:
                raise
            except OSError as exc:
                error = error or exc
                continue
            sock.close()
            return addr, time.monotonic() - started
        assert error is not None
        raise error

    try:
        return Bounded(connect, timeout * len(candidates) + 0.5).result()
    except TimeoutError:
        detail = f"no answer from {where} within {timeout:g}s"
    except ConnectionRefusedError:
        detail = f"connection to {where} refused"
    except OSError as exc:
        detail = f"cannot connect to {where}: {exc.strerror or exc}"
    return Check("gateway.tcp", "fail", "TCP connect", detail, hint)


def _rest_skipped(out: list[Check], why: str, t: _Target, *, tcp: bool = True) -> list[Check]:
    if tcp:
        out.append(Check("gateway.tcp", "skip", "TCP connect", why))
    tls_why = why if t.https and t.proxy is None else "plain http:// base URL: no TLS"
    out.append(Check("gateway.tls", "skip", "TLS handshake", tls_why))
    return out


def _ssl_context() -> ssl.SSLContext:
    """The CA bundle httpx uses: SSL_CERT_FILE / SSL_CERT_DIR, else certifi's."""
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if cafile is None and capath is None:
        with contextlib.suppress(ImportError):
            import certifi

            cafile = certifi.where()
    return ssl.create_default_context(cafile=cafile, capath=capath)


def _tls_check(host: str, ip: str, port: int, timeout: float) -> Check:
    title = "TLS handshake"

    def handshake() -> str:
        ctx = _ssl_context()
        with (
            socket.create_connection((ip, port), timeout=timeout) as raw,
            ctx.wrap_socket(raw, server_hostname=host) as tls,
        ):
            return tls.version() or "TLS"

    inspection = "behind TLS inspection? point SSL_CERT_FILE at its CA bundle"
    try:
        version = Bounded(handshake, timeout * 2 + 0.5).result()
    except ssl.SSLCertVerificationError as exc:
        detail = f"the certificate of {host} is not trusted: {exc.verify_message or exc.reason}"
        hint = f"{inspection}; otherwise check the system clock and --base-url"
        return Check("gateway.tls", "fail", title, detail, hint)
    except ssl.SSLError as exc:
        reason = exc.reason or str(exc)
        if "WRONG_VERSION_NUMBER" in str(reason).upper() or "wrong version" in str(exc):
            return Check(
                "gateway.tls",
                "fail",
                title,
                f"{host}:{port} did not answer with TLS ({reason})",
                "use http:// if the server speaks plain HTTP, or check the port in --base-url",
            )
        detail = f"TLS handshake with {host} failed: {reason}"
        return Check("gateway.tls", "fail", title, detail, inspection)
    except TimeoutError:
        return Check(
            "gateway.tls",
            "fail",
            title,
            f"TLS handshake with {host}:{port} timed out after {timeout:g}s",
            "something on the way accepts connections but does not speak TLS: "
            "check --base-url, firewalls and HTTPS_PROXY",
        )
    except OSError as exc:
        return Check(
            "gateway.tls",
            "fail",
            title,
            f"TLS handshake with {host}:{port} failed: {exc.strerror or exc}",
            "check --base-url, firewalls and HTTPS_PROXY",
        )
    return Check("gateway.tls", "pass", title, f"{version}, certificate valid for {host}")


# --------------------------------------------------------------------------- gateway API


@dataclass
class ApiResult:
    models: Check
    key: Check
    balance: Check
    catalog: Catalog | None
    unreachable: bool  # a transport failure (timeout, refused...): probes are pointless
    key_rejected: bool


def gateway_api(base_url: str, key: str | None, key_env: str, timeout: float) -> ApiResult:
    """GET /v1/models and GET /v1/balance, concurrently, each bounded."""
    from aigate_setup import catalog as catalog_mod
    from aigate_setup import gateway

    models_url = base_url.rstrip("/") + "/models"
    limit = timeout * 2 + 1.0  # connect + read, plus slack

    def fetch_models() -> tuple[Catalog, int]:
        started = time.monotonic()
        try:
            data = gateway.get_json(models_url, key=key, timeout=timeout, key_env=key_env)
        except GatewayError as exc:
            if exc.status != 401 or not key:
                raise
            # A rejected key must not hide the catalog (the key check names the problem).
            data = gateway.get_json(models_url, key=None, timeout=timeout, key_env=key_env)
        cat = catalog_mod.parse_catalog(data, models_url)
        return cat, int((time.monotonic() - started) * 1000)

    models_task = Bounded(fetch_models, limit)
    balance_task = None
    if key:
        secret = key
        balance_task = Bounded(
            lambda: gateway.get_balance(base_url, secret, timeout=timeout, key_env=key_env),
            limit,
        )
    models, cat, unreachable = _models_check(models_task, models_url, key)
    if balance_task is None or not key:
        why = f"no key in {key_env} (see env.key)"
        key_check = Check("gateway.key", "skip", "Key accepted", why)
        balance = Check("gateway.balance", "skip", "Balance and key quota", why)
        return ApiResult(models, key_check, balance, cat, unreachable, False)
    key_check, balance, rejected = _key_checks(balance_task, key, key_env)
    return ApiResult(models, key_check, balance, cat, unreachable, rejected)


def _models_check(
    task: Bounded[tuple[Catalog, int]], url: str, key: str | None
) -> tuple[Check, Catalog | None, bool]:
    """gateway.models, the catalog (None when it failed), and whether the gateway is unreachable."""
    title = "GET /v1/models"
    try:
        cat, ms = task.result()
    except TimeoutError:
        return (
            Check(
                "gateway.models",
                "fail",
                title,
                f"GET {url} did not answer within {task.limit:g}s",
                f"the gateway or the network hangs: retry later (set {TIMEOUT_ENV}=SECONDS "
                "to wait longer)",
            ),
            None,
            True,
        )
    except GatewayError as exc:
        unreachable = exc.status is None and "JSON" not in exc.message
        check = Check("gateway.models", "fail", title, scrub(exc.message, key), exc.hint or "")
        return check, None, unreachable
    if not cat.models:
        check = Check(
            "gateway.models",
            "warn",
            title,
            "answered, but lists no models",
            "check --base-url points at the AIGate /v1 base",
        )
        return check, cat, False
    detail = f"{len(cat.models)} models ({len(cat.chat())} chat) in {ms} ms"
    return Check("gateway.models", "pass", title, detail), cat, False


def _key_checks(
    task: Bounded[dict[str, object]], key: str, key_env: str
) -> tuple[Check, Check, bool]:
    """gateway.key, gateway.balance and whether the gateway rejected the key."""
    title_key, title_bal = "Key accepted", "Balance and key quota"
    shown = mask_key(key)
    try:
        data = task.result()
    except TimeoutError:
        return (
            Check(
                "gateway.key",
                "fail",
                title_key,
                f"GET /v1/balance did not answer within {task.limit:g}s",
                "the gateway or the network hangs: retry later",
            ),
            Check("gateway.balance", "skip", title_bal, "no answer from /v1/balance"),
            False,
        )
    except GatewayError as exc:
        return _balance_error(exc, key, key_env)
    return Check("gateway.key", "pass", title_key, f"{shown} accepted"), balance_check(data), False


def _balance_error(exc: GatewayError, key: str, key_env: str) -> tuple[Check, Check, bool]:
    title_key, title_bal = "Key accepted", "Balance and key quota"
    shown = mask_key(key)
    if exc.status == 401:
        return (
            Check(
                "gateway.key",
                "fail",
                title_key,
                f"the gateway rejected the key {shown} (401)",
                f"copy the key again from the AIGate dashboard: export {key_env}=sk-...",
            ),
            Check("gateway.balance", "skip", title_bal, "the key was rejected"),
            True,
        )
    if exc.status == 402:
        return (
            Check(
                "gateway.key", "pass", title_key, f"{shown} accepted (but the account cannot pay)"
            ),
            Check(
                "gateway.balance",
                "fail",
                title_bal,
                "402 Payment Required: not enough balance or key quota",
                "top up your AIGate account (or raise this key's quota)",
            ),
            False,
        )
    if exc.status == 404:
        return (
            Check(
                "gateway.key",
                "skip",
                title_key,
                "the gateway has no /v1/balance; the live probes test the key",
            ),
            Check("gateway.balance", "skip", title_bal, "no /v1/balance"),
            False,
        )
    return (
        Check("gateway.key", "fail", title_key, scrub(exc.message, key), exc.hint or ""),
        Check("gateway.balance", "skip", title_bal, "/v1/balance did not answer (see gateway.key)"),
        False,
    )


def balance_check(data: dict[str, object]) -> Check:
    """Say only what the user needs: enough or not (doctor shows no amounts)."""
    title = "Balance and key quota"
    balance = amount(data.get("balance"))
    token = data.get("token")
    if not isinstance(token, dict):
        token = {}
    unlimited = bool(token.get("unlimited_quota"))
    remaining = amount(token.get("remaining"))
    if balance is not None and balance <= 0:
        return Check(
            "gateway.balance",
            "fail",
            title,
            "the account balance is used up",
            "top up your AIGate account",
        )
    if not unlimited and remaining is not None and remaining <= 0:
        return Check(
            "gateway.balance",
            "fail",
            title,
            "this key's quota is used up",
            "raise the key's quota in the AIGate dashboard, or use another key",
        )
    if balance is None and remaining is None:
        return Check("gateway.balance", "pass", title, "the gateway reports no balance fields")
    quota = "unlimited key quota" if unlimited else "key quota left"
    if remaining is None and not unlimited:
        quota = "no per-key quota reported"
    return Check("gateway.balance", "pass", title, f"balance available, {quota}")


# --------------------------------------------------------------------------- both at once


@dataclass
class Diagnosis:
    """The gateway checks in report order (gateway.models_known is the caller's), and what
    they mean for the live probes."""

    checks: list[Check]
    reachable: bool  # DNS/TCP/TLS passed and the gateway answered
    key_rejected: bool
    catalog: Catalog | None


def offline() -> list[Check]:
    """Every gateway check, skipped (`--offline`)."""
    return [Check(cid, "skip", title, OFFLINE) for cid, title in GATEWAY_CHECKS]


def diagnose(
    base_url: str, key: str | None, key_env: str, proxy: ProxyInfo | None, timeout: float
) -> Diagnosis:
    """Reachability and the gateway API, concurrently; never longer than their bounds."""
    reach_task = Bounded(lambda: reachability(base_url, proxy, timeout), timeout * 4 + 2.0)
    api_task = Bounded(lambda: gateway_api(base_url, key, key_env, timeout), timeout * 2 + 3.0)
    try:
        reach = reach_task.result()
    except Exception as exc:  # bounded: report, never hang
        failed = Check(
            "gateway.dns",
            "fail",
            "DNS",
            f"reachability check failed: {exc}",
            "retry; check your network",
        )
        reach = Reach([failed], False)
    try:
        api = api_task.result()
    except Exception as exc:
        api = ApiResult(
            Check("gateway.models", "fail", "GET /v1/models", f"no answer: {exc}", "retry later"),
            Check("gateway.key", "skip", "Key accepted", "no answer from the gateway"),
            Check("gateway.balance", "skip", "Balance and key quota", "no answer from the gateway"),
            None,
            True,
            False,
        )
    checks = [*reach.checks, api.models, api.key, api.balance]
    reachable = reach.ok and not api.unreachable
    return Diagnosis(checks, reachable, api.key_rejected, api.catalog)
