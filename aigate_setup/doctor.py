"""`aigate-setup doctor`: environment, gateway and per-client checks. Never writes (except --fix).

Every check is a `findings.Check` with a stable id (README lists them). The static part of each
client's config goes through `rules.validate_text`, the same rules `check` uses, so both commands
always agree. Network checks run concurrently, each in a daemon thread bounded by a wall-clock
limit, so a hanging gateway (or a hanging DNS lookup) cannot make doctor hang.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from aigate_setup import paths, report, settings
from aigate_setup.errors import ConfigError, GatewayError
from aigate_setup.findings import Check, CheckStatus, Finding
from aigate_setup.options import CLIENTS, DoctorOptions, is_loopback
from aigate_setup.secrets import mask_key
from aigate_setup.settings import CLIENT_TIMEOUT_ENV, TIMEOUT_ENV

DEFAULT_TIMEOUT = 5.0

TITLES = {
    "codex": "Codex",
    "opencode": "OpenCode",
    "kilo": "Kilo",
    "claude": "Claude Code",
}
BINARIES = {"codex": "codex", "opencode": "opencode", "kilo": "kilo", "claude": "claude"}
INSTALL = {
    "codex": "npm install -g @openai/codex@0.169.0",
    "opencode": "npm install -g opencode-ai@1.18.33",
    "kilo": "npm install -g @kilocode/cli@7.7.7",
    "claude": "npm install -g @anthropic-ai/claude-code@2.1.197",
}
CLAUDE_SLOT_VARS = (
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
)
# Rule findings already reported by a sharper doctor check (so they are not shown twice).
COVERED_RULES = {"AIG001": "<client>.config", "AIG041": "claude.slots"}
_VAR_REF = re.compile(r"\$\{?(?:env:)?([A-Za-z_][A-Za-z0-9_]*)")
_ENV_REF = re.compile(r"^\{env:([^}]+)\}$")
_FILE_REF = re.compile(r"^\{file:([^}]+)\}$")
_KEYLIKE = re.compile(r"sk-[A-Za-z0-9_\-]{6,}")
# The kept key file in the Claude scripts: `[ -r '<path>' ]` / `Test-Path -LiteralPath '<path>'`.
_KEY_FILE = re.compile(r"(?:-r|-LiteralPath)\s+'((?:[^']|'\"'\"'|'')*)'")

T = TypeVar("T")


# --------------------------------------------------------------------------- small helpers


def check_timeout() -> float:
    """Seconds each network check may take: $AIGATE_TIMEOUT, else 5."""
    return settings.timeout(DEFAULT_TIMEOUT)


def client_timeout() -> float:
    return settings.client_timeout()


def _loc(path: Path | str, line: int | None = None, column: int | None = None) -> str:
    loc = paths.display(path)
    if line is not None:
        loc += f":{line}"
        if column is not None:
            loc += f":{column}"
    return loc


def redact_url(url: str) -> str:
    """A URL without user:password (proxy URLs often carry them)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return parts._replace(netloc="***@" + host).geturl()


def _scrub(text: str, key: str | None) -> str:
    if key:
        text = text.replace(key, mask_key(key))
    return _KEYLIKE.sub(lambda m: mask_key(m.group(0)), text)


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class _Bounded(Generic[T]):
    """Run fn in a daemon thread; result() waits at most `limit` seconds from the start.

    A daemon thread (not a pool) because a stuck getaddrinfo() cannot be interrupted, and a
    pool's worker would keep the interpreter from exiting."""

    def __init__(self, fn: Callable[[], T], limit: float) -> None:
        self.limit = limit
        self.started = time.monotonic()
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, args=(fn,), daemon=True).start()

    def _run(self, fn: Callable[[], T]) -> None:
        try:
            self._value = fn()
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
        return self._value  # type: ignore[return-value]


# --------------------------------------------------------------------------- environment


@dataclass(frozen=True)
class ProxyInfo:
    url: str  # redacted
    host: str
    port: int


def env_checks(opts: DoctorOptions) -> tuple[list[Check], ProxyInfo | None]:
    common = opts.common
    var = common.key_env
    raw = os.environ.get(var)
    out: list[Check] = []

    # env.key
    if raw is None:
        out.append(
            Check(
                "env.key",
                "fail",
                "API key variable",
                f"{var} is not set",
                f"export {var}=sk-... (your AIGate key)",
            )
        )
    elif not raw.strip():
        out.append(
            Check(
                "env.key",
                "fail",
                "API key variable",
                f"{var} is set but empty",
                f"export {var}=sk-... (your AIGate key)",
            )
        )
    else:
        out.append(
            Check("env.key", "pass", "API key variable", f"{var} is set ({mask_key(raw.strip())})")
        )

    # env.key_format
    title = "API key format"
    if not raw or not raw.strip():
        out.append(Check("env.key_format", "skip", title, f"no key in {var}"))
    else:
        shown = mask_key(raw.strip().strip("'\""))
        if any(q in raw for q in ("'", '"')):
            out.append(
                Check(
                    "env.key_format",
                    "fail",
                    title,
                    f"{var} ({shown}) contains quote characters",
                    f"set it without quotes inside the value: export {var}=sk-...",
                )
            )
        elif any(ch.isspace() for ch in raw):
            where = "a newline" if ("\n" in raw or "\r" in raw) else "whitespace"
            out.append(
                Check(
                    "env.key_format",
                    "fail",
                    title,
                    f"{var} ({shown}) contains {where} (pasted with extra characters?)",
                    f"set it again without spaces or line breaks: export {var}=sk-...",
                )
            )
        elif not raw.startswith("sk-"):
            out.append(
                Check(
                    "env.key_format",
                    "fail",
                    title,
                    f"{var} ({shown}) does not start with sk- (AIGate keys do)",
                    "copy the key again from the AIGate dashboard (it starts with sk-)",
                )
            )
        else:
            out.append(
                Check("env.key_format", "pass", title, "starts with sk-, no whitespace or quotes")
            )

    # env.conflicts
    api_key = os.environ.get("ANTHROPIC_API_KEY", "")
    token = os.environ.get("ANTHROPIC_AUTH_TOKEN", "")
    title = "Anthropic credentials"
    if api_key and token:
        out.append(
            Check(
                "env.conflicts",
                "fail",
                title,
                "both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set; Claude Code "
                "sends both and asks to approve the API key",
                "unset ANTHROPIC_API_KEY (the aigate-claude script exports ANTHROPIC_AUTH_TOKEN)",
            )
        )
    elif api_key:
        out.append(
            Check(
                "env.conflicts", "pass", title, "only ANTHROPIC_API_KEY is set (sent as x-api-key)"
            )
        )
    elif token:
        out.append(
            Check(
                "env.conflicts", "pass", title, "only ANTHROPIC_AUTH_TOKEN is set (sent as Bearer)"
            )
        )
    else:
        out.append(Check("env.conflicts", "pass", title, "no Anthropic credential is set"))

    # env.anthropic_base_url
    root = common.root_url
    title = "ANTHROPIC_BASE_URL"
    value = os.environ.get("ANTHROPIC_BASE_URL", "")
    path = urlsplit(value).path.rstrip("/").lower() if value else ""
    if not value:
        out.append(
            Check(
                "env.anthropic_base_url",
                "pass",
                title,
                "not set in this shell (the aigate-claude script sets it)",
            )
        )
    elif path.endswith("/messages") or path.endswith("/v1"):
        what = "ends in /v1" if path.endswith("/v1") else "is a full endpoint URL"
        out.append(
            Check(
                "env.anthropic_base_url",
                "fail",
                title,
                f"{redact_url(value)} {what}; Claude Code appends /v1/messages itself",
                f"export ANTHROPIC_BASE_URL={root}",
            )
        )
    else:
        out.append(Check("env.anthropic_base_url", "pass", title, redact_url(value)))

    # env.openai_base_url
    title = "OPENAI_BASE_URL"
    value = os.environ.get("OPENAI_BASE_URL", "")
    if not value:
        out.append(Check("env.openai_base_url", "pass", title, "not set"))
    elif value.rstrip("/") == common.base_url.rstrip("/"):
        out.append(Check("env.openai_base_url", "pass", title, f"{value} (the gateway)"))
    else:
        out.append(
            Check(
                "env.openai_base_url",
                "warn",
                title,
                f"{redact_url(value)} is set; the built-in OpenAI providers of Codex "
                "and OpenCode send requests there",
                "unset OPENAI_BASE_URL unless you use it on purpose "
                "(the aigate provider has its own base URL)",
            )
        )

    proxy_check, proxy = _proxy_check(common.base_url)
    out.append(proxy_check)
    return out, proxy


def _proxy_check(base_url: str) -> tuple[Check, ProxyInfo | None]:
    title = "Proxy"
    proxies = urllib.request.getproxies_environment()
    proxies = {k: v for k, v in proxies.items() if v}
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    scheme = parts.scheme
    proxy = proxies.get(scheme) or proxies.get("all")
    others = sorted(k for k in proxies if k not in ("no",))
    if not proxy:
        if others:
            names = ", ".join(f"{k}_proxy" for k in others)
            return Check(
                "env.proxy", "pass", title, f"{names} set, none used for {scheme}://"
            ), None
        return Check("env.proxy", "pass", title, "no proxy variables set: direct connection"), None
    shown = redact_url(proxy)
    bypass: Callable[[str, dict[str, str]], bool] = vars(urllib.request)[
        "proxy_bypass_environment"  # not in typeshed
    ]
    if bypass(host, proxies):
        return Check(
            "env.proxy",
            "pass",
            title,
            f"{host} is in NO_PROXY: direct connection (proxy {shown} not used)",
        ), None
    if is_loopback(host):
        return Check(
            "env.proxy",
            "warn",
            title,
            f"requests to {host} go through the proxy {shown}",
            f"export NO_PROXY={host},localhost (a proxy cannot reach your loopback)",
        ), None
    try:
        p = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        info = ProxyInfo(shown, p.hostname or "", p.port or (443 if p.scheme == "https" else 80))
    except ValueError:
        return Check(
            "env.proxy",
            "fail",
            title,
            f"the proxy URL {shown} is not valid",
            "set HTTPS_PROXY=http://host:port (or unset it)",
        ), None
    if not info.host:
        return Check(
            "env.proxy",
            "fail",
            title,
            f"the proxy URL {shown} has no host",
            "set HTTPS_PROXY=http://host:port (or unset it)",
        ), None
    return Check("env.proxy", "pass", title, f"via proxy {shown} ({host} is not in NO_PROXY)"), info


# --------------------------------------------------------------------------- reachability


@dataclass
class Reach:
    checks: list[Check]
    ok: bool  # DNS, TCP (and TLS) all passed


def _dns(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def reachability(base_url: str, proxy: ProxyInfo | None, timeout: float) -> Reach:
    """DNS -> TCP -> TLS, each bounded by `timeout`; every failure named."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    via = ""
    target_host, target_port = host, port
    if proxy is not None:
        target_host, target_port = proxy.host, proxy.port
        via = " (the proxy)"
    out: list[Check] = []

    # DNS
    dns_hint = (
        f"check the host in --base-url and your DNS (try `nslookup {target_host}`); "
        "behind a corporate network set HTTPS_PROXY"
    )
    try:
        addrs = _Bounded(lambda: _dns(target_host, target_port), timeout).result()
    except TimeoutError:
        out.append(
            Check(
                "gateway.dns",
                "fail",
                "DNS",
                f"no DNS answer for {target_host}{via} within {timeout:g}s",
                dns_hint,
            )
        )
        return Reach(_rest_skipped(out, "DNS failed", https, proxy), False)
    except UnicodeError:
        out.append(
            Check(
                "gateway.dns",
                "fail",
                "DNS",
                f"{target_host!r}{via} is not a valid host name",
                dns_hint,
            )
        )
        return Reach(_rest_skipped(out, "DNS failed", https, proxy), False)
    except OSError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        out.append(
            Check(
                "gateway.dns",
                "fail",
                "DNS",
                f"cannot resolve {target_host}{via}: {reason}",
                dns_hint,
            )
        )
        return Reach(_rest_skipped(out, "DNS failed", https, proxy), False)
    more = f" (+{len(addrs) - 1} more)" if len(addrs) > 1 else ""
    out.append(Check("gateway.dns", "pass", "DNS", f"{target_host}{via} -> {addrs[0]}{more}"))

    # TCP
    where = f"{target_host}:{target_port}{via}"
    tcp_hint = (
        "is the gateway up and --base-url right? check firewalls and VPN; "
        "behind a corporate network set HTTPS_PROXY"
    )
    candidates = addrs[:3]  # e.g. localhost -> ::1 and 127.0.0.1: the first that answers

    def connect() -> tuple[str, float]:
        error: OSError | None = None
        for addr in candidates:
            started = time.monotonic()
            try:
                sock = socket.create_connection((addr, target_port), timeout=timeout)
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
        ip, seconds = _Bounded(connect, timeout * len(candidates) + 0.5).result()
    except TimeoutError:
        out.append(
            Check(
                "gateway.tcp",
                "fail",
                "TCP connect",
                f"no answer from {where} within {timeout:g}s",
                tcp_hint,
            )
        )
        return Reach(_rest_skipped(out, "TCP failed", https, proxy, tcp=False), False)
    except OSError as exc:
        if isinstance(exc, ConnectionRefusedError):
            detail = f"connection to {where} refused"
        else:
            detail = f"cannot connect to {where}: {exc.strerror or exc}"
        out.append(Check("gateway.tcp", "fail", "TCP connect", detail, tcp_hint))
        return Reach(_rest_skipped(out, "TCP failed", https, proxy, tcp=False), False)
    out.append(
        Check(
            "gateway.tcp",
            "pass",
            "TCP connect",
            f"connected to {ip}:{target_port}{via} in {int(seconds * 1000)} ms",
        )
    )

    # TLS
    if not https:
        out.append(Check("gateway.tls", "skip", "TLS handshake", "plain http:// base URL: no TLS"))
        return Reach(out, True)
    if proxy is not None:
        out.append(
            Check(
                "gateway.tls",
                "skip",
                "TLS handshake",
                f"through the proxy {proxy.url}; gateway.models checks TLS end to end",
            )
        )
        return Reach(out, True)
    tls = _tls_check(host, ip, port, timeout)
    out.append(tls)
    return Reach(out, tls.status == "pass")


def _rest_skipped(
    out: list[Check], why: str, https: bool, proxy: ProxyInfo | None, *, tcp: bool = True
) -> list[Check]:
    if tcp:
        out.append(Check("gateway.tcp", "skip", "TCP connect", why))
    out.append(
        Check(
            "gateway.tls",
            "skip",
            "TLS handshake",
            why if https and proxy is None else "plain http:// base URL: no TLS",
        )
    )
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

    try:
        version = _Bounded(handshake, timeout * 2 + 0.5).result()
    except ssl.SSLCertVerificationError as exc:
        return Check(
            "gateway.tls",
            "fail",
            title,
            f"the certificate of {host} is not trusted: {exc.verify_message or exc.reason}",
            "behind TLS inspection? point SSL_CERT_FILE at its CA bundle; "
            "otherwise check the system clock and --base-url",
        )
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
        return Check(
            "gateway.tls",
            "fail",
            title,
            f"TLS handshake with {host} failed: {reason}",
            "behind TLS inspection? point SSL_CERT_FILE at its CA bundle",
        )
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
    catalog: Any  # catalog.Catalog | None
    unreachable: bool  # a transport failure (timeout, refused...): probes are pointless
    key_rejected: bool


def gateway_api(opts: DoctorOptions, timeout: float) -> ApiResult:
    """GET /v1/models and GET /v1/balance, concurrently, each bounded."""
    from aigate_setup import catalog as catalog_mod
    from aigate_setup import gateway

    common = opts.common
    key = common.key()
    key = key.strip() if key else None
    models_url = common.base_url.rstrip("/") + "/models"
    limit = timeout * 2 + 1.0  # connect + read, plus slack

    def fetch_models() -> tuple[Any, int]:
        started = time.monotonic()
        try:
            data = gateway.get_json(models_url, key=key, timeout=timeout, key_env=common.key_env)
        except GatewayError as exc:
            if exc.status != 401 or not key:
                raise
            # A rejected key must not hide the catalog (the key check names the problem).
            data = gateway.get_json(models_url, key=None, timeout=timeout, key_env=common.key_env)
        cat = catalog_mod.parse_catalog(data, models_url)
        return cat, int((time.monotonic() - started) * 1000)

    def fetch_balance() -> dict[str, Any]:
        assert key is not None
        return gateway.get_balance(common.base_url, key, timeout=timeout, key_env=common.key_env)

    models_task = _Bounded(fetch_models, limit)
    balance_task = _Bounded(fetch_balance, limit) if key else None

    unreachable = False
    cat: Any = None
    try:
        cat, ms = models_task.result()
        n_chat = len(cat.chat())
        if not cat.models:
            models = Check(
                "gateway.models",
                "warn",
                "GET /v1/models",
                "answered, but lists no models",
                "check --base-url points at the AIGate /v1 base",
            )
        else:
            models = Check(
                "gateway.models",
                "pass",
                "GET /v1/models",
                f"{len(cat.models)} models ({n_chat} chat) in {ms} ms",
            )
    except TimeoutError:
        unreachable = True
        models = Check(
            "gateway.models",
            "fail",
            "GET /v1/models",
            f"GET {models_url} did not answer within {limit:g}s",
            f"the gateway or the network hangs: retry later (set {TIMEOUT_ENV}=SECONDS "
            "to wait longer)",
        )
    except GatewayError as exc:
        unreachable = exc.status is None and "JSON" not in exc.message
        models = Check(
            "gateway.models", "fail", "GET /v1/models", _scrub(exc.message, key), exc.hint or ""
        )

    key_rejected = False
    title_key, title_bal = "Key accepted", "Balance and key quota"
    if balance_task is None:
        why = f"no key in {common.key_env} (see env.key)"
        key_check = Check("gateway.key", "skip", title_key, why)
        balance = Check("gateway.balance", "skip", title_bal, why)
    else:
        shown = mask_key(key)
        try:
            data = balance_task.result()
        except TimeoutError:
            key_check = Check(
                "gateway.key",
                "fail",
                title_key,
                f"GET /v1/balance did not answer within {limit:g}s",
                "the gateway or the network hangs: retry later",
            )
            balance = Check("gateway.balance", "skip", title_bal, "no answer from /v1/balance")
        except GatewayError as exc:
            message = _scrub(exc.message, key)
            if exc.status == 401:
                key_rejected = True
                key_check = Check(
                    "gateway.key",
                    "fail",
                    title_key,
                    f"the gateway rejected the key {shown} (401)",
                    f"copy the key again from the AIGate dashboard: export {common.key_env}=sk-...",
                )
                balance = Check("gateway.balance", "skip", title_bal, "the key was rejected")
            elif exc.status == 402:
                key_check = Check(
                    "gateway.key",
                    "pass",
                    title_key,
                    f"{shown} accepted (but the account cannot pay)",
                )
                balance = Check(
                    "gateway.balance",
                    "fail",
                    title_bal,
                    "402 Payment Required: not enough balance or key quota",
                    "top up your AIGate account (or raise this key's quota)",
                )
            elif exc.status == 404:
                key_check = Check(
                    "gateway.key",
                    "skip",
                    title_key,
                    "the gateway has no /v1/balance; the live probes test the key",
                )
                balance = Check("gateway.balance", "skip", title_bal, "no /v1/balance")
            else:
                key_check = Check("gateway.key", "fail", title_key, message, exc.hint or "")
                balance = Check(
                    "gateway.balance",
                    "skip",
                    title_bal,
                    "/v1/balance did not answer (see gateway.key)",
                )
        else:
            key_check = Check("gateway.key", "pass", title_key, f"{shown} accepted")
            balance = _balance_check(data)
    return ApiResult(models, key_check, balance, cat, unreachable, key_rejected)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _balance_check(data: dict[str, Any]) -> Check:
    """Say only what the user needs: enough or not (no amounts; DESIGN "Secrets")."""
    title = "Balance and key quota"
    balance = _number(data.get("balance"))
    token = data.get("token") if isinstance(data.get("token"), dict) else {}
    assert isinstance(token, dict)
    unlimited = bool(token.get("unlimited_quota"))
    remaining = _number(token.get("remaining"))
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


# --------------------------------------------------------------------------- client files


@dataclass
class LoadedFile:
    path: Path
    kind: str
    text: str | None = None
    data: Any = None  # parsed TOML/JSON, or {NAME: value} of a script's block
    error: ConfigError | None = None
    has_block: bool = False  # Claude scripts
    literal: dict[str, bool] = field(default_factory=dict)  # script assignments


@dataclass
class ClientState:
    name: str
    files: list[LoadedFile]  # existing files, in load order (later wins)
    configured: bool = False  # the AIGate provider / script block is there
    referenced: bool = False  # something points at aigate although the provider is missing
    provider_where: str = ""
    problem: str = ""  # why the provider is not usable (codex project file...)
    base_url: str | None = None
    base_where: str = ""
    key_var: str | None = None
    key_literal: bool = False
    key_file: str | None = None
    key_where: str = ""
    default_ok: bool | None = None  # None: not applicable
    default_detail: str = ""
    model: str | None = None  # for the live probe
    models: list[str] = field(default_factory=list)
    script: LoadedFile | None = None
    slots: dict[str, str] = field(default_factory=dict)


def _load(path: Path, kind: str) -> LoadedFile | None:
    from aigate_setup import fsio
    from aigate_setup.merge import text as textmod

    f = LoadedFile(path, kind)
    try:
        raw = fsio.read_bytes(path)
    except ConfigError as exc:
        f.error = exc
        return f
    if raw is None:
        return None
    try:
        f.text = textmod.decode(raw).text
    except ValueError as exc:
        f.error = ConfigError(str(exc), path=path, hint="save the file as UTF-8")
        return f
    hint = "fix the syntax there (or `aigate-setup restore` to undo the last aigate-setup run)"
    try:
        if kind.startswith("codex"):
            from aigate_setup.merge.tomlread import parse_toml

            f.data = parse_toml(f.text)
        elif kind in ("claude-sh", "claude-ps1"):
            from aigate_setup.merge.block import extract_block
            from aigate_setup.rules import script_assignments

            block = extract_block(f.text)
            f.has_block = block is not None
            values: dict[str, str] = {}
            for a in script_assignments(block or "", kind == "claude-ps1"):
                values[a.name] = a.value
                f.literal[a.name] = a.literal
            f.data = values
            f.data["__block__"] = block or ""
        else:
            from aigate_setup.merge import jsonc

            f.data = jsonc.loads(f.text) if f.text.strip() else {}
    except ValueError as exc:
        message = getattr(exc, "message", str(exc))
        f.error = ConfigError(
            message,
            path=path,
            line=getattr(exc, "line", None),
            column=getattr(exc, "column", None),
            hint=hint,
        )
    return f


def _get(data: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(k)
    return data


def _deep_merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _deep_merge(a.get(k), v)
        return out
    return b


def load_client(client: str, project_dir: Path) -> ClientState:
    from aigate_setup.clients import CLIENT_MODULES

    files: list[LoadedFile] = []
    seen: set[str] = set()
    for path, kind in CLIENT_MODULES[client].config_paths(project_dir):
        real = os.path.normcase(os.path.abspath(path))
        if real in seen:
            continue
        seen.add(real)
        loaded = _load(path, kind)
        if loaded is not None:
            files.append(loaded)
    st = ClientState(client, files)
    good = [f for f in files if f.error is None]
    if client == "codex":
        _codex_state(st, good)
    elif client == "claude":
        _claude_state(st, good)
    else:
        _opencode_state(st, good)
    return st


def _codex_state(st: ClientState, good: list[LoadedFile]) -> None:
    user = [f for f in good if f.kind == "codex-user"]
    project = [f for f in good if f.kind == "codex-project"]
    udata = user[-1].data if user else {}
    provider = _get(udata, "model_providers", "aigate")
    selected = [f for f in good if _get(f.data, "model_provider") == "aigate"]
    st.referenced = bool(selected)
    if isinstance(provider, dict):
        st.configured = True
        where = paths.display(user[-1].path)
        st.provider_where = f"[model_providers.aigate] in {where}"
        base = provider.get("base_url")
        st.base_url = base if isinstance(base, str) else None
        st.base_where = where
        env_key = provider.get("env_key")
        st.key_where = where
        if isinstance(provider.get("experimental_bearer_token"), str):
            st.key_literal = True
        if isinstance(env_key, str) and env_key:
            st.key_var = env_key
    elif any(isinstance(_get(f.data, "model_providers", "aigate"), dict) for f in project):
        st.referenced = True
        st.problem = (
            f"[model_providers.aigate] is only in {paths.display(project[-1].path)}, "
            "which Codex ignores for providers"
        )
    root_provider = _get(udata, "model_provider")
    model = None
    for f in [*user, *project]:
        if isinstance(_get(f.data, "model"), str):
            model = f.data["model"]
    if st.configured:
        if root_provider == "aigate" and model:
            st.default_ok = True
            st.default_detail = f'model_provider = "aigate", model = "{model}"'
            st.model = model
            st.models = [model]
        elif root_provider == "aigate":
            st.default_ok = False
            st.default_detail = 'model_provider = "aigate" but no model is set'
        else:
            st.default_ok = None
            shown = root_provider if isinstance(root_provider, str) else "openai (built in)"
            st.default_detail = f"the default provider is {shown}, not aigate"


def _opencode_state(st: ClientState, good: list[LoadedFile]) -> None:
    merged: Any = {}
    provider_file: LoadedFile | None = None
    for f in good:
        if isinstance(f.data, dict):
            merged = _deep_merge(merged, f.data)
            if isinstance(_get(f.data, "provider", "aigate"), dict):
                provider_file = f
    provider = _get(merged, "provider", "aigate")
    root_model = merged.get("model") if isinstance(merged, dict) else None
    st.referenced = isinstance(root_model, str) and root_model.startswith("aigate/")
    if not isinstance(provider, dict) or provider_file is None:
        return
    st.configured = True
    where = paths.display(provider_file.path)
    st.provider_where = f"provider.aigate in {where}"
    base = _get(provider, "options", "baseURL")
    st.base_url = base if isinstance(base, str) else None
    st.base_where = where
    api_key = _get(provider, "options", "apiKey")
    st.key_where = where
    if isinstance(api_key, str):
        m_env, m_file = _ENV_REF.match(api_key.strip()), _FILE_REF.match(api_key.strip())
        if m_env:
            st.key_var = m_env.group(1).strip()
        elif m_file:
            st.key_file = m_file.group(1).strip()
        elif api_key.strip():
            st.key_literal = True
    models = provider.get("models")
    st.models = [m for m in models if isinstance(m, str)] if isinstance(models, dict) else []
    if isinstance(root_model, str) and root_model.startswith("aigate/"):
        st.default_ok = True
        st.default_detail = f'model = "{root_model}"'
        st.model = root_model[len("aigate/") :]
    else:
        st.default_ok = None
        st.default_detail = (
            f'the default model is "{root_model}", not an aigate/ model'
            if isinstance(root_model, str)
            else "no default model is set"
        )
        st.model = st.models[0] if st.models else None


def _claude_state(st: ClientState, good: list[LoadedFile]) -> None:
    ps1_first = sys.platform == "win32"
    scripts = [f for f in good if f.kind in ("claude-sh", "claude-ps1")]
    # The script a user loads: the project's over the user's; sh on POSIX, ps1 on Windows.
    preferred = "claude-ps1" if ps1_first else "claude-sh"
    ordered = sorted(scripts, key=lambda f: (f.kind == preferred, scripts.index(f)))
    with_block = [f for f in ordered if f.has_block]
    if not with_block:
        st.script = ordered[-1] if ordered else None
        return
    script = with_block[-1]
    st.script = script
    st.configured = True
    st.provider_where = paths.display(script.path)
    values: dict[str, str] = script.data
    st.base_url = values.get("ANTHROPIC_BASE_URL")
    if st.base_url is not None and not script.literal.get("ANTHROPIC_BASE_URL", True):
        st.base_url = None  # computed at run time; nothing to compare
    st.base_where = paths.display(script.path)
    st.key_where = paths.display(script.path)
    token = values.get("ANTHROPIC_AUTH_TOKEN") or values.get("ANTHROPIC_API_KEY")
    if token and script.literal.get(
        "ANTHROPIC_AUTH_TOKEN", script.literal.get("ANTHROPIC_API_KEY")
    ):
        st.key_literal = True
    block = values.get("__block__", "")
    refs = [
        m.group(1)
        for m in _VAR_REF.finditer(block)
        if not m.group(1).startswith("ANTHROPIC_")
        and m.group(1) not in ("_aigate_key", "aigateKey", "null", "true", "false")
    ]
    if refs:
        st.key_var = refs[0]
    kept = _KEY_FILE.search(block)
    if kept:
        st.key_file = kept.group(1).replace("'\"'\"'", "'").replace("''", "'")
    st.slots = {v: values[v] for v in CLAUDE_SLOT_VARS if values.get(v)}
    st.model = st.slots.get("ANTHROPIC_MODEL")
    st.models = list(dict.fromkeys(st.slots.values()))


# --------------------------------------------------------------------------- client checks


def client_checks(st: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    c = st.name
    out: list[Check] = []
    existing = list(st.files)
    errors = [f for f in existing if f.error is not None]
    setup_hint = f"aigate-setup init --client {c}"

    # <client>.config
    if not existing:
        from aigate_setup.clients import CLIENT_MODULES

        first = CLIENT_MODULES[c].config_paths(opts.project_dir)[0][0]
        status: CheckStatus = "fail" if requested else "skip"
        out.append(
            Check(
                f"{c}.config",
                status,
                "Config files",
                f"no config file found (e.g. {paths.display(first)})",
                setup_hint,
                c,
            )
        )
    for f in errors:
        assert f.error is not None
        err = f.error
        out.append(
            Check(
                f"{c}.config",
                "fail",
                "Config files",
                f"{_loc(err.path, err.line, err.column)}: {err.message}",
                err.hint or "fix the file there",
                c,
            )
        )
    if existing and not errors:
        shown = ", ".join(paths.display(f.path) for f in existing)
        out.append(Check(f"{c}.config", "pass", "Config files", f"read {shown}", "", c))

    # provider / script
    pid = "claude.script" if c == "claude" else f"{c}.provider"
    ptitle = "aigate-claude script" if c == "claude" else "AIGate provider"
    if not st.configured:
        if not existing and not requested:
            return out
        if st.problem:
            detail = st.problem
        elif c == "claude":
            detail = (
                f"{paths.display(st.script.path)} has no aigate-setup block"
                if st.script is not None
                else "no aigate-claude script found"
            )
        elif c == "codex":
            detail = (
                'model_provider = "aigate" but [model_providers.aigate] is missing'
                if st.referenced
                else "no [model_providers.aigate] in the Codex config"
            )
        else:
            detail = (
                "the default model is aigate/... but provider.aigate is missing"
                if st.referenced
                else "no provider.aigate in the config"
            )
        broken = (
            requested
            or st.referenced
            or bool(st.problem)
            or (c == "claude" and st.script is not None)
        )
        hint = f"{setup_hint} (or `aigate-setup doctor --fix`)" if broken else setup_hint
        out.append(Check(pid, "fail" if broken else "warn", ptitle, detail, hint, c))
        return out
    out.append(Check(pid, "pass", ptitle, st.provider_where, "", c))

    # base URL
    want = opts.common.root_url if c == "claude" else opts.common.base_url.rstrip("/")
    btitle = "Base URL"
    if st.base_url is None:
        if c == "claude" and st.script is not None and "ANTHROPIC_BASE_URL" in st.script.data:
            out.append(
                Check(
                    f"{c}.base_url",
                    "skip",
                    btitle,
                    "ANTHROPIC_BASE_URL is computed when the script runs",
                    "",
                    c,
                )
            )
        else:
            what = {"codex": "base_url", "claude": "ANTHROPIC_BASE_URL"}.get(c, "options.baseURL")
            out.append(
                Check(
                    f"{c}.base_url",
                    "fail",
                    btitle,
                    f"no {what} in {st.base_where}",
                    f"set {what} to {want} (`aigate-setup doctor --fix`)",
                    c,
                )
            )
    elif st.base_url.strip().rstrip("/") == want.rstrip("/"):
        out.append(
            Check(f"{c}.base_url", "pass", btitle, f"{st.base_url} ({st.base_where})", "", c)
        )
    else:
        out.append(
            Check(
                f"{c}.base_url",
                "fail",
                btitle,
                f"{redact_url(st.base_url)} in {st.base_where}, expected {want}",
                f"set it to {want} (`aigate-setup doctor --fix`), or pass --base-url "
                "if doctor checks the wrong gateway",
                c,
            )
        )

    # key reference
    ktitle = "Key reference"
    var = st.key_var
    if st.key_literal:
        how = {
            "codex": f'env_key = "{opts.common.key_env}"',
            "claude": f'export ANTHROPIC_AUTH_TOKEN="${opts.common.key_env}"',
        }.get(c, f'"apiKey": "{{env:{opts.common.key_env}}}"')
        out.append(
            Check(
                f"{c}.key",
                "fail",
                ktitle,
                f"a literal key is written in {st.key_where}",
                f"reference the variable instead: {how}; then rotate the key",
                c,
            )
        )
    elif var:
        value = os.environ.get(var, "")
        if value.strip():
            out.append(
                Check(
                    f"{c}.key",
                    "pass",
                    ktitle,
                    f"reads ${var} (set, {mask_key(value.strip())})",
                    "",
                    c,
                )
            )
        elif st.key_file and Path(st.key_file).is_file():
            out.append(
                Check(
                    f"{c}.key",
                    "pass",
                    ktitle,
                    f"reads ${var} (not set here), else the kept key file {paths.display(st.key_file)}",
                    "",
                    c,
                )
            )
        else:
            out.append(
                Check(
                    f"{c}.key",
                    "fail",
                    ktitle,
                    f"reads ${var}, which is not set in this shell",
                    f"export {var}=sk-... before starting {BINARIES[c]}",
                    c,
                )
            )
    elif st.key_file:
        p = st.key_file
        if c != "claude" and not Path(os.path.expanduser(p)).is_file():
            out.append(
                Check(
                    f"{c}.key",
                    "fail",
                    ktitle,
                    f"reads {{file:{p}}}, which does not exist",
                    f'create it, or use "apiKey": "{{env:{opts.common.key_env}}}"',
                    c,
                )
            )
        else:
            out.append(Check(f"{c}.key", "pass", ktitle, f"reads {p}", "", c))
    elif c in ("opencode", "kilo"):
        out.append(
            Check(
                f"{c}.key",
                "warn",
                ktitle,
                f"no apiKey in {st.key_where}; only a key saved with /connect would work",
                f'set "apiKey": "{{env:{opts.common.key_env}}}" (`aigate-setup doctor --fix`)',
                c,
            )
        )
    else:
        what = "env_key" if c == "codex" else "ANTHROPIC_AUTH_TOKEN"
        out.append(
            Check(
                f"{c}.key",
                "fail",
                ktitle,
                f"no {what} in {st.key_where}",
                f"{setup_hint} (or `aigate-setup doctor --fix`)",
                c,
            )
        )

    # default provider/model
    if c != "claude":
        if st.default_ok is True:
            out.append(Check(f"{c}.default", "pass", "Default model", st.default_detail, "", c))
        elif st.default_ok is False:
            out.append(
                Check(
                    f"{c}.default",
                    "fail",
                    "Default model",
                    st.default_detail,
                    'set model = "<id from `aigate-setup models --client codex`>"',
                    c,
                )
            )
        else:
            hint = (
                f"{setup_hint} (makes AIGate the default), or pick an aigate/ model in the client"
            )
            out.append(Check(f"{c}.default", "warn", "Default model", st.default_detail, hint, c))
    else:
        out += _claude_extra(st, opts)
    return out


def _claude_extra(st: ClientState, opts: DoctorOptions) -> list[Check]:
    out: list[Check] = []
    root = opts.common.root_url
    script = st.provider_where
    env_base = os.environ.get("ANTHROPIC_BASE_URL", "")
    source = f". {script}"
    if not env_base:
        out.append(
            Check(
                "claude.sourced",
                "warn",
                "Script loaded in this shell",
                "ANTHROPIC_BASE_URL is not set: the script is not sourced in this shell",
                f"{source} && claude",
                "claude",
            )
        )
    elif env_base.rstrip("/") == root.rstrip("/"):
        token = os.environ.get("ANTHROPIC_AUTH_TOKEN", "")
        key = (opts.common.key() or "").strip()
        if token and key and token != key:
            out.append(
                Check(
                    "claude.sourced",
                    "warn",
                    "Script loaded in this shell",
                    f"ANTHROPIC_AUTH_TOKEN ({mask_key(token)}) is not the key in "
                    f"${opts.common.key_env}",
                    f"load the script again: {source}",
                    "claude",
                )
            )
        else:
            out.append(
                Check(
                    "claude.sourced",
                    "pass",
                    "Script loaded in this shell",
                    f"ANTHROPIC_BASE_URL is the gateway root {root}",
                    "",
                    "claude",
                )
            )
    else:
        out.append(
            Check(
                "claude.sourced",
                "warn",
                "Script loaded in this shell",
                f"ANTHROPIC_BASE_URL is {redact_url(env_base)} in this shell, "
                f"not the gateway root {root}",
                f"{source} && claude",
                "claude",
            )
        )

    missing = [v for v in CLAUDE_SLOT_VARS if v not in st.slots]
    if missing:
        out.append(
            Check(
                "claude.slots",
                "warn",
                "Model slots",
                "not set: " + ", ".join(missing),
                "aigate-setup init --client claude (sets ANTHROPIC_MODEL and the "
                "opus/sonnet/haiku slots)",
                "claude",
            )
        )
    else:
        s = st.slots
        out.append(
            Check(
                "claude.slots",
                "pass",
                "Model slots",
                f"model {s['ANTHROPIC_MODEL']}, opus {s['ANTHROPIC_DEFAULT_OPUS_MODEL']}, "
                f"sonnet {s['ANTHROPIC_DEFAULT_SONNET_MODEL']}, "
                f"haiku {s['ANTHROPIC_DEFAULT_HAIKU_MODEL']}",
                "",
                "claude",
            )
        )
    out.append(onboarding_check())
    return out


def onboarding_check() -> Check:
    path = paths.claude_json()
    title = "Claude onboarding flag"
    hint = (
        f'set "hasCompletedOnboarding": true in {paths.display(path)} '
        "(or finish one interactive start of `claude`)"
    )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Check(
            "claude.onboarding",
            "warn",
            title,
            f"{paths.display(path)} does not exist: the first interactive start will block "
            "on onboarding",
            hint,
            "claude",
        )
    except (OSError, ValueError) as exc:
        return Check(
            "claude.onboarding",
            "warn",
            title,
            f"{paths.display(path)} cannot be read: {_one_line(str(exc), 100)}",
            hint,
            "claude",
        )
    if isinstance(data, dict) and data.get("hasCompletedOnboarding") is True:
        return Check(
            "claude.onboarding",
            "pass",
            title,
            f"hasCompletedOnboarding is true in {paths.display(path)}",
            "",
            "claude",
        )
    return Check(
        "claude.onboarding",
        "warn",
        title,
        f"hasCompletedOnboarding is not set in {paths.display(path)}: the first interactive "
        "start will block on onboarding",
        hint,
        "claude",
    )


def rule_checks(st: ClientState, opts: DoctorOptions) -> list[Check]:
    """Every finding of the shared rules (as `check` reports them) as a check of its own."""
    from aigate_setup.rules import RULES, RuleContext, validate_text

    host = urlsplit(opts.common.base_url).hostname
    ctx = RuleContext(gateway_host=host, catalog=None, key_env=opts.common.key_env)
    c = st.name
    out: list[Check] = []
    files = [f for f in st.files if f.error is None and f.text is not None]
    for f in files:
        for finding in validate_text(f.path, f.text or "", f.kind, ctx):  # type: ignore[arg-type]
            if finding.rule in COVERED_RULES:
                continue
            out.append(_finding_check(f"{c}.rules.{finding.rule}", finding, RULES, c))
    if files and not out:
        out.append(
            Check(
                f"{c}.rules",
                "pass",
                "Static rules (same as `aigate-setup check`)",
                f"no findings in {len(files)} file{'s' if len(files) != 1 else ''}",
                "",
                c,
            )
        )
    return out


def _finding_check(cid: str, finding: Finding, rules: dict[str, Any], client: str) -> Check:
    rule = rules.get(finding.rule)
    title = f"{finding.rule} {rule.title}" if rule is not None else finding.rule
    status: CheckStatus = "fail" if finding.severity == "error" else "warn"
    detail = f"{_loc(finding.path, finding.line, finding.column)}: {finding.message}"
    return Check(cid, status, title, detail, finding.hint, client)


def models_known_checks(
    states: Sequence[ClientState], opts: DoctorOptions, cat: Any
) -> list[Check]:
    """AIG050/AIG051 of the shared rules, run with the live catalog."""
    from aigate_setup.rules import RULES, RuleContext, validate_text

    title = "Configured models in the catalog"
    configured = [st for st in states if st.configured]
    ids = list(dict.fromkeys(m for st in configured for m in st.models))
    if not configured or not ids:
        return [Check("gateway.models_known", "skip", title, "no AIGate models configured")]
    host = urlsplit(opts.common.base_url).hostname
    ctx = RuleContext(gateway_host=host, catalog=cat, key_env=opts.common.key_env)
    out: list[Check] = []
    for st in configured:
        for f in st.files:
            if f.error is not None or f.text is None:
                continue
            for finding in validate_text(f.path, f.text, f.kind, ctx):  # type: ignore[arg-type]
                if finding.rule in ("AIG050", "AIG051"):
                    out.append(_finding_check("gateway.models_known", finding, RULES, st.name))
    for chk in out:
        object.__setattr__(chk, "title", title)
        object.__setattr__(chk, "client", None)
    if not out:
        shown = ", ".join(ids[:4]) + (f" (+{len(ids) - 4} more)" if len(ids) > 4 else "")
        out.append(
            Check(
                "gateway.models_known",
                "pass",
                title,
                f"{len(ids)} configured, all known and usable: {shown}",
            )
        )
    return out


# --------------------------------------------------------------------------- binaries


def _run(
    argv: list[str], *, timeout: float, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[int | None, str, str]:
    """Run a command with stdin /dev/null; (None, out, err) on timeout (its process group is
    killed: npm-installed clients spawn children)."""
    kwargs: dict[str, Any] = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        **kwargs,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        out, err = proc.communicate()
        return None, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def binary_check(client: str, configured: bool, requested: bool) -> Check:
    name = BINARIES[client]
    title = f"{name} installed"
    found = shutil.which(name)
    if found is None:
        status: CheckStatus = "warn" if (configured or requested) else "skip"
        return Check(
            f"{client}.binary", status, title, f"{name} is not on PATH", INSTALL[client], client
        )
    try:
        code, out, err = _run([found, "--version"], timeout=check_timeout())
    except OSError as exc:
        return Check(
            f"{client}.binary",
            "warn",
            title,
            f"{paths.display(found)} cannot be run: {exc.strerror or exc}",
            INSTALL[client],
            client,
        )
    if code is None:
        return Check(
            f"{client}.binary",
            "warn",
            title,
            f"{paths.display(found)}: `{name} --version` did not answer within {check_timeout():g}s",
            INSTALL[client],
            client,
        )
    text = (out.strip() or err.strip()).splitlines()
    version = _one_line(text[0], 80) if text else "version unknown"
    if code != 0:
        return Check(
            f"{client}.binary",
            "warn",
            title,
            f"{paths.display(found)}: `{name} --version` exited with {code}",
            INSTALL[client],
            client,
        )
    return Check(
        f"{client}.binary", "pass", title, f"{paths.display(found)} ({version})", "", client
    )


def client_run_check(st: ClientState, opts: DoctorOptions, timeout: float) -> Check:
    """--with-clients: the client's own one-shot "Say OK." (DESIGN.md, facts checked)."""
    c = st.name
    title = f"{BINARIES[c]} one-shot run"
    binary = shutil.which(BINARIES[c])
    if binary is None:
        return Check(f"{c}.run", "skip", title, f"{BINARIES[c]} is not installed", INSTALL[c], c)
    # OpenCode and Kilo take their project directory from $PWD, not from the process cwd.
    env = {**os.environ, "PWD": str(opts.project_dir)}
    prompt = "Say OK."
    if c == "codex":
        argv = [
            binary,
            "exec",
            "--skip-git-repo-check",
            "-c",
            "analytics.enabled=false",
            "--disable",
            "plugins",
            prompt,
        ]
    elif c in ("opencode", "kilo"):
        if not st.model:
            return Check(f"{c}.run", "skip", title, "no AIGate model configured", "", c)
        argv = [binary, "run", "-m", f"aigate/{st.model}", prompt]
        if c == "opencode":
            env.update(OPENCODE_DISABLE_MODELS_FETCH="1", OPENCODE_DISABLE_AUTOUPDATE="1")
        else:
            env.update(
                KILO_TELEMETRY_LEVEL="off",
                KILO_DISABLE_MODELS_FETCH="1",
                KILO_DISABLE_AUTOUPDATE="1",
            )
    else:
        env.update(CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", CLAUDE_CODE_MAX_RETRIES="1")
        script = st.script
        sh = shutil.which("sh")
        if script is not None and script.kind == "claude-sh" and sh is not None:
            # Load the script the way a user does, so the run tests it too.
            argv = [sh, "-c", '. "$1" && exec "$2" -p "$3"', "sh", str(script.path), binary, prompt]
        else:
            argv = [binary, "-p", prompt]
    key = (opts.common.key() or "").strip() or None
    started = time.monotonic()
    try:
        code, out, err = _run(argv, timeout=timeout, env=env, cwd=opts.project_dir)
    except OSError as exc:
        return Check(
            f"{c}.run",
            "fail",
            title,
            f"cannot run {BINARIES[c]}: {exc.strerror or exc}",
            INSTALL[c],
            c,
        )
    ms = int((time.monotonic() - started) * 1000)
    shown = " ".join(argv[argv.index(binary) :] if binary in argv else argv)
    shown = shown.replace(binary, BINARIES[c], 1)
    if code is None:
        return Check(
            f"{c}.run",
            "fail",
            title,
            f"`{_one_line(shown, 80)}` did not finish within {timeout:g}s",
            f"run it yourself to see where it hangs (set {CLIENT_TIMEOUT_ENV}=SECONDS "
            "to wait longer)",
            c,
        )
    reply = _one_line(_scrub(out, key), 120)
    if code == 0 and re.search(r"\bok\b", out, re.IGNORECASE):
        return Check(f"{c}.run", "pass", title, f'answered "{reply}" in {ms} ms', "", c)
    last = [ln for ln in (err or out).splitlines() if ln.strip()]
    why = _one_line(_scrub(last[-1], key), 160) if last else "no output"
    return Check(
        f"{c}.run",
        "fail",
        title,
        f"`{_one_line(shown, 60)}` exited {code}: {why}",
        f"run `{_one_line(shown, 80)}` yourself; `aigate-setup doctor` above names config problems",
        c,
    )


# --------------------------------------------------------------------------- live probes


def probe_checks(
    states: Sequence[ClientState], opts: DoctorOptions, skip_reason: str | None, timeout: float
) -> list[Check]:
    from aigate_setup import gateway

    out: list[Check] = []
    tasks: list[tuple[ClientState, Any, _Bounded[list[Any]]]] = []
    key = (opts.common.key() or "").strip()
    for st in states:
        title = 'Live "Say OK." probe'
        if not st.configured:
            continue
        if skip_reason:
            out.append(Check(f"{st.name}.probe", "skip", title, skip_reason, "", st.name))
            continue
        if not st.model:
            out.append(
                Check(
                    f"{st.name}.probe",
                    "skip",
                    title,
                    "no AIGate model configured",
                    f"aigate-setup init --client {st.name}",
                    st.name,
                )
            )
            continue
        probe = gateway.probe_for(st.name, st.model)

        def run(p: Any = probe) -> list[Any]:
            return gateway.smoke_test(
                opts.common.base_url,
                key,
                [p],
                timeout=timeout,
                retries=1,
                key_env=opts.common.key_env,
            )

        # One retry with backoff (capped at 10 s by gateway.py) on top of two attempts.
        tasks.append((st, probe, _Bounded(run, timeout * 2 + 12.0)))
    for st, probe, task in tasks:
        title = 'Live "Say OK." probe'
        route = gateway.probe_url(opts.common.base_url, probe.route)
        path = urlsplit(route).path
        try:
            (res,) = task.result()
        except TimeoutError:
            out.append(
                Check(
                    f"{st.name}.probe",
                    "fail",
                    title,
                    f"{probe.model} on {path}: no answer within {task.limit:g}s",
                    "the gateway hangs on this route: retry later",
                    st.name,
                )
            )
            continue
        except GatewayError as exc:
            out.append(
                Check(
                    f"{st.name}.probe",
                    "fail",
                    title,
                    _scrub(exc.message, key),
                    exc.hint or "",
                    st.name,
                )
            )
            continue
        if res.ok:
            out.append(
                Check(
                    f"{st.name}.probe",
                    "pass",
                    title,
                    f'{res.model} on {res.route}: "{_one_line(res.message, 60)}" in {res.ms} ms',
                    "",
                    st.name,
                )
            )
        else:
            out.append(
                Check(
                    f"{st.name}.probe",
                    "fail",
                    title,
                    f"{res.model} on {res.route}: {res.message}",
                    res.hint,
                    st.name,
                )
            )
    return out


# --------------------------------------------------------------------------- output


def _section(chk: Check) -> str:
    if chk.client:
        return chk.client
    return chk.id.split(".", 1)[0]


def render_text(checks: Sequence[Check], opts: DoctorOptions) -> str:
    stream = sys.stdout
    order: list[str] = []
    groups: dict[str, list[Check]] = {}
    for chk in checks:
        sec = _section(chk)
        if sec not in groups:
            groups[sec] = []
            order.append(sec)
        groups[sec].append(chk)
    names = {"env": "Environment", "gateway": f"Gateway ({opts.common.base_url})", **TITLES}
    lines: list[str] = []
    for sec in order:
        lines.append(report.paint(names.get(sec, sec), "bold", stream))
        for chk in groups[sec]:
            symbol = report.status_symbol(chk.status, stream)
            detail = f": {chk.detail}" if chk.detail else ""
            lines.append(
                f"  {symbol} {chk.title}{detail}  " + report.paint(f"[{chk.id}]", "dim", stream)
            )
            if chk.hint and chk.status in ("warn", "fail"):
                lines.append("      " + report.paint("hint:", "cyan", stream) + f" {chk.hint}")
        lines.append("")
    lines.append(summary_line(checks))
    return "\n".join(lines) + "\n"


def summary_line(checks: Sequence[Check]) -> str:
    count = {s: sum(1 for c in checks if c.status == s) for s in ("pass", "warn", "fail", "skip")}
    parts = [
        f"{count['pass']} passed",
        f"{count['warn']} warning{'s' * (count['warn'] != 1)}",
        f"{count['fail']} failed",
        f"{count['skip']} skipped",
    ]
    verdict = "problems found" if count["fail"] else "ok"
    return f"doctor: {verdict}: " + ", ".join(parts)


# --------------------------------------------------------------------------- the command


def collect(opts: DoctorOptions) -> tuple[list[Check], list[ClientState], Any]:
    """Run every check; returns (checks in report order, client states, catalog or None)."""
    timeout = check_timeout()
    selected = opts.clients or CLIENTS
    requested = bool(opts.clients)
    key = opts.common.key()

    checks, proxy = env_checks(opts)
    states = [load_client(c, opts.project_dir) for c in selected]

    # Binaries (local, but may be slow): start now, collect later.
    bin_tasks = {
        st.name: _Bounded(
            lambda st=st: binary_check(st.name, st.configured, requested),  # type: ignore[misc]
            check_timeout() + 2.0,
        )
        for st in states
    }

    api: ApiResult | None = None
    reach: Reach | None = None
    if opts.offline:
        for cid, title in (
            ("gateway.dns", "DNS"),
            ("gateway.tcp", "TCP connect"),
            ("gateway.tls", "TLS handshake"),
            ("gateway.models", "GET /v1/models"),
            ("gateway.key", "Key accepted"),
            ("gateway.balance", "Balance and key quota"),
            ("gateway.models_known", "Configured models in the catalog"),
        ):
            checks.append(Check(cid, "skip", title, "--offline: no network requests"))
    else:
        reach_task = _Bounded(
            lambda: reachability(opts.common.base_url, proxy, timeout), timeout * 4 + 2.0
        )
        api_task = _Bounded(lambda: gateway_api(opts, timeout), timeout * 2 + 3.0)
        try:
            reach = reach_task.result()
        except Exception as exc:  # bounded: report, never hang
            reach = Reach(
                [
                    Check(
                        "gateway.dns",
                        "fail",
                        "DNS",
                        f"reachability check failed: {exc}",
                        "retry; check your network",
                    )
                ],
                False,
            )
        checks += reach.checks
        try:
            api = api_task.result()
        except Exception as exc:
            api = ApiResult(
                Check(
                    "gateway.models", "fail", "GET /v1/models", f"no answer: {exc}", "retry later"
                ),
                Check("gateway.key", "skip", "Key accepted", "no answer from the gateway"),
                Check(
                    "gateway.balance", "skip", "Balance and key quota", "no answer from the gateway"
                ),
                None,
                True,
                False,
            )
        checks += [api.models, api.key, api.balance]
        if api.catalog is not None:
            checks += models_known_checks(states, opts, api.catalog)
        else:
            checks.append(
                Check(
                    "gateway.models_known",
                    "skip",
                    "Configured models in the catalog",
                    "no catalog (see gateway.models)",
                )
            )

    # Live probes and --with-clients runs, concurrently.
    if opts.offline:
        skip: str | None = "--offline: no network requests"
    elif not key:
        skip = f"no key in {opts.common.key_env} (see env.key)"
    elif (reach is not None and not reach.ok) or (api is not None and api.unreachable):
        skip = "the gateway is not reachable (see the gateway checks)"
    elif api is not None and api.key_rejected:
        skip = "the key was rejected (see gateway.key)"
    else:
        skip = None
    run_tasks: dict[str, _Bounded[Check]] = {}
    if opts.with_clients:
        ctimeout = client_timeout()
        for st in states:
            if st.configured and not opts.offline:
                run_tasks[st.name] = _Bounded(
                    lambda st=st: client_run_check(st, opts, ctimeout),  # type: ignore[misc]
                    ctimeout + 5.0,
                )
    probes = probe_checks(states, opts, skip, max(timeout * 4, timeout))

    for st in states:
        try:
            checks.append(bin_tasks[st.name].result())
        except Exception as exc:
            checks.append(
                Check(
                    f"{st.name}.binary",
                    "warn",
                    f"{BINARIES[st.name]} installed",
                    f"cannot check: {exc}",
                    INSTALL[st.name],
                    st.name,
                )
            )
        per = client_checks(st, opts, requested)
        checks += per
        if st.files and (st.configured or requested or any(c.status != "skip" for c in per)):
            checks += rule_checks(st, opts)
        checks += [p for p in probes if p.client == st.name]
        if opts.with_clients and st.configured:
            title = f"{BINARIES[st.name]} one-shot run"
            if opts.offline:
                checks.append(
                    Check(
                        f"{st.name}.run",
                        "skip",
                        title,
                        "--offline: no network requests",
                        "",
                        st.name,
                    )
                )
            else:
                try:
                    checks.append(run_tasks[st.name].result())
                except Exception as exc:
                    checks.append(
                        Check(
                            f"{st.name}.run",
                            "fail",
                            title,
                            f"did not finish: {exc}",
                            "run the client yourself",
                            st.name,
                        )
                    )
    return checks, states, api.catalog if api is not None else None


def run_doctor(opts: DoctorOptions) -> int:
    if opts.with_clients and not opts.offline:
        report.info(
            'note: --with-clients runs each installed client once ("Say OK."): '
            "this costs a few tokens"
        )
    checks, states, cat = collect(opts)
    failed = any(c.status == "fail" for c in checks)
    if opts.common.fmt == "json":
        report.print_json(
            report.envelope(
                "doctor", "fail" if failed else "ok", checks=[c.to_json() for c in checks]
            )
        )
    else:
        sys.stdout.write(render_text(checks, opts))
        sys.stdout.flush()
    if opts.fix:
        return run_fix(opts, checks, states, cat, failed)
    return 1 if failed else 0


# --------------------------------------------------------------------------- --fix

# Checks about what aigate-setup owns (its provider blocks and scripts): --fix rewrites them.
_FIXABLE = ("provider", "base_url", "key", "script", "slots")


def _fixable(st: ClientState, checks: Sequence[Check]) -> bool:
    for chk in checks:
        if chk.client != st.name and not chk.id.startswith(st.name + "."):
            continue
        part = chk.id.split(".", 1)[1]
        if part in _FIXABLE and chk.status in ("warn", "fail"):
            return True
        if part == "default" and chk.status == "fail":
            return True
        if part.startswith("rules.") and chk.status == "fail":
            return True
    return False


def _selection_for(
    st: ClientState, states: Sequence[ClientState], opts: DoctorOptions, cat: Any
) -> Any:
    """The Selection that `init` would need to write this client's owned parts again, built
    from what the files already say (models, default, scope)."""
    from aigate_setup import catalog as catalog_mod
    from aigate_setup import plan

    model = st.model or next((s.model for s in states if s.model), None)
    if not model:
        return None
    slots = dict(st.slots)
    best = catalog_mod.best_claude_slots(cat) if cat is not None else {}
    claude = plan.ClaudeSlots(
        opus=slots.get("ANTHROPIC_DEFAULT_OPUS_MODEL") or best.get("opus") or model,
        sonnet=slots.get("ANTHROPIC_DEFAULT_SONNET_MODEL") or best.get("sonnet") or model,
        haiku=slots.get("ANTHROPIC_DEFAULT_HAIKU_MODEL") or best.get("haiku") or model,
    )
    scope = "user"
    if st.script is not None and str(st.script.path).startswith(str(opts.project_dir) + os.sep):
        scope = "project"
    make_default = st.default_ok is not None or st.referenced or not st.configured
    if st.name == "claude":
        make_default = True
    extra = tuple(m for m in st.models if m != model) if st.name in ("opencode", "kilo") else ()
    return plan.Selection(
        clients=(st.name,),
        model=model,
        claude=claude,
        extra_models=extra,
        scope=scope,  # type: ignore[arg-type]
        project_dir=opts.project_dir,
        base_url=opts.common.base_url,
        key_env=opts.common.key_env,
        make_default=make_default,
        key_file=Path(st.key_file) if st.name == "claude" and st.key_file else None,
    )


def run_fix(
    opts: DoctorOptions,
    checks: Sequence[Check],
    states: Sequence[ClientState],
    cat: Any,
    failed: bool,
) -> int:
    """Repair aigate-setup's own parts through the same plan/merge/backup path as `init`."""
    from aigate_setup import fsio, plan
    from aigate_setup.errors import AigateError

    stream = sys.stderr if opts.common.fmt == "json" else sys.stdout

    def say(text: str) -> None:
        print(text, file=stream)

    todo = [st for st in states if _fixable(st, checks)]
    if not todo:
        say("--fix: nothing aigate-setup owns needs a repair.")
        return 1 if failed else 0
    changes: list[Any] = []
    for st in todo:
        sel = _selection_for(st, states, opts, cat)
        if sel is None:
            say(
                f"--fix: {st.name}: no model is configured; run `aigate-setup init --client "
                f"{st.name}`"
            )
            continue
        try:
            changes += plan.build_changes(sel, cat)
        except AigateError as exc:
            say(f"--fix: {st.name}: {exc}" + (f" (hint: {exc.hint})" if exc.hint else ""))
    changes = [ch for ch in changes if ch.status != "unchanged"]
    if not changes:
        say("--fix: no file would change.")
        return 1 if failed else 0
    for ch in changes:
        if ch.sensitive:
            say(f"--- {ch.path}\n+++ {ch.path}\n(contents hidden: this file holds your key)")
        else:
            say(fsio.color_diff(fsio.unified_diff(ch), stream).rstrip("\n"))
    if not opts.yes:
        try:
            interactive = sys.stdin.isatty() and stream.isatty()
        except (AttributeError, ValueError):
            interactive = False
        if not interactive:
            say("--fix: nothing written; rerun with --fix --yes to apply these changes.")
            return 1 if failed else 0
        from aigate_setup import prompts

        prompts.draw_on_stderr(opts.common.fmt == "json")
        if not prompts.confirm("Apply these changes (a backup is kept)?", default=True):
            say("--fix: nothing written.")
            return 1 if failed else 0
    result = fsio.apply(changes, command="doctor")
    for ch, status in result.statuses:
        say(f"--fix: {status} {paths.display(ch.path)} ({ch.client})")
    if result.run_id:
        say(f"--fix: undo with: aigate-setup restore {result.run_id}")
    # Check again (files only: no second round of network requests).
    again, _, _ = collect(replace(opts, offline=True, fix=False, with_clients=False))
    remaining = [c for c in again if c.status == "fail" and not c.id.startswith("gateway.")]
    network = [c for c in checks if c.status == "fail" and c.id.startswith("gateway.")]
    if remaining or network:
        ids = ", ".join(dict.fromkeys(c.id for c in [*remaining, *network]))
        say(f"--fix: still failing: {ids}")
        return 1
    say("--fix: every file check passes now.")
    return 0
