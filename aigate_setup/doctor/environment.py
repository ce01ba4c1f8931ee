"""Doctor's environment checks: the key variable, the ANTHROPIC_* / OPENAI_BASE_URL variables
the clients read, the proxy in effect for the gateway, and Claude Code's onboarding flag."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from aigate_setup.findings import Check
from aigate_setup.gateway.diagnose import ProxyInfo
from aigate_setup.options import Common, DoctorOptions, is_loopback
from aigate_setup.secrets import mask_key, mask_url


def env_checks(opts: DoctorOptions) -> tuple[list[Check], ProxyInfo | None]:
    """env.key, env.key_format, env.conflicts, env.anthropic_base_url, env.openai_base_url,
    env.proxy; and the proxy the gateway checks must go through (None: direct)."""
    common = opts.common
    raw = os.environ.get(common.key_env)
    proxy_check, proxy = _proxy_check(common.base_url)
    checks = [
        _key_check(common.key_env, raw),
        _key_format_check(common.key_env, raw),
        _conflicts_check(),
        _anthropic_base_url_check(common),
        _openai_base_url_check(common),
        proxy_check,
    ]
    return checks, proxy


def _key_check(var: str, raw: str | None) -> Check:
    title, hint = "API key variable", f"export {var}=sk-... (your AIGate key)"
    if raw is None:
        return Check("env.key", "fail", title, f"{var} is not set", hint)
    if not raw.strip():
        return Check("env.key", "fail", title, f"{var} is set but empty", hint)
    return Check("env.key", "pass", title, f"{var} is set ({mask_key(raw.strip())})")


def _key_format_check(var: str, raw: str | None) -> Check:
    title = "API key format"
    if not raw or not raw.strip():
        return Check("env.key_format", "skip", title, f"no key in {var}")
    shown = mask_key(raw.strip().strip("'\""))
    if any(q in raw for q in ("'", '"')):
        return Check(
            "env.key_format",
            "fail",
            title,
            f"{var} ({shown}) contains quote characters",
            f"set it without quotes inside the value: export {var}=sk-...",
        )
    if any(ch.isspace() for ch in raw):
        where = "a newline" if ("\n" in raw or "\r" in raw) else "whitespace"
        return Check(
            "env.key_format",
            "fail",
            title,
            f"{var} ({shown}) contains {where} (pasted with extra characters?)",
            f"set it again without spaces or line breaks: export {var}=sk-...",
        )
    if not raw.startswith("sk-"):
        return Check(
            "env.key_format",
            "fail",
            title,
            f"{var} ({shown}) does not start with sk- (AIGate keys do)",
            "copy the key again from the AIGate dashboard (it starts with sk-)",
        )
    return Check("env.key_format", "pass", title, "starts with sk-, no whitespace or quotes")


def _conflicts_check() -> Check:
    api_key = os.environ.get("ANTHROPIC_API_KEY", "")
    token = os.environ.get("ANTHROPIC_AUTH_TOKEN", "")
    title = "Anthropic credentials"
    if api_key and token:
        return Check(
            "env.conflicts",
            "fail",
            title,
            "both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set; Claude Code "
            "sends both and asks to approve the API key",
            "unset ANTHROPIC_API_KEY (the aigate-claude script exports ANTHROPIC_AUTH_TOKEN)",
        )
    if api_key:
        detail = "only ANTHROPIC_API_KEY is set (sent as x-api-key)"
    elif token:
        detail = "only ANTHROPIC_AUTH_TOKEN is set (sent as Bearer)"
    else:
        detail = "no Anthropic credential is set"
    return Check("env.conflicts", "pass", title, detail)


def _anthropic_base_url_check(common: Common) -> Check:
    title = "ANTHROPIC_BASE_URL"
    value = os.environ.get("ANTHROPIC_BASE_URL", "")
    if not value:
        detail = "not set in this shell (the aigate-claude script sets it)"
        return Check("env.anthropic_base_url", "pass", title, detail)
    path = urlsplit(value).path.rstrip("/").lower()
    if path.endswith("/messages") or path.endswith("/v1"):
        what = "ends in /v1" if path.endswith("/v1") else "is a full endpoint URL"
        return Check(
            "env.anthropic_base_url",
            "fail",
            title,
            f"{mask_url(value)} {what}; Claude Code appends /v1/messages itself",
            f"export ANTHROPIC_BASE_URL={common.root_url}",
        )
    return Check("env.anthropic_base_url", "pass", title, mask_url(value))


def _openai_base_url_check(common: Common) -> Check:
    title = "OPENAI_BASE_URL"
    value = os.environ.get("OPENAI_BASE_URL", "")
    if not value:
        return Check("env.openai_base_url", "pass", title, "not set")
    if value.rstrip("/") == common.base_url.rstrip("/"):
        return Check("env.openai_base_url", "pass", title, f"{mask_url(value)} (the gateway)")
    return Check(
        "env.openai_base_url",
        "warn",
        title,
        f"{mask_url(value)} is set; Aider sends its requests there instead of the "
        "openai-api-base aigate-setup wrote, and other OpenAI-based tools may too",
        "unset OPENAI_BASE_URL unless you use it on purpose "
        "(the aigate provider has its own base URL)",
    )


def _proxy_check(base_url: str) -> tuple[Check, ProxyInfo | None]:
    """env.proxy: which proxy (if any) requests to the gateway go through."""
    title = "Proxy"
    proxies = {k: v for k, v in urllib.request.getproxies_environment().items() if v}
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    scheme = parts.scheme
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        others = sorted(k for k in proxies if k != "no")
        if others:
            names = ", ".join(f"{k}_proxy" for k in others)
            detail = f"{names} set, none used for {scheme}://"
            return Check("env.proxy", "pass", title, detail), None
        detail = "no proxy variables set: direct connection"
        return Check("env.proxy", "pass", title, detail), None
    shown = mask_url(proxy)
    bypass: Callable[[str, dict[str, str]], bool] = vars(urllib.request)[
        "proxy_bypass_environment"  # not in typeshed
    ]
    if bypass(host, proxies):
        detail = f"{host} is in NO_PROXY: direct connection (proxy {shown} not used)"
        return Check("env.proxy", "pass", title, detail), None
    if is_loopback(host):
        return Check(
            "env.proxy",
            "warn",
            title,
            f"requests to {host} go through the proxy {shown}",
            f"export NO_PROXY={host},localhost (a proxy cannot reach your loopback)",
        ), None
    return _proxy_target(proxy, shown, host)


def _proxy_target(proxy: str, shown: str, host: str) -> tuple[Check, ProxyInfo | None]:
    title, hint = "Proxy", "set HTTPS_PROXY=http://host:port (or unset it)"
    try:
        p = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        info = ProxyInfo(shown, p.hostname or "", p.port or (443 if p.scheme == "https" else 80))
    except ValueError:
        return Check("env.proxy", "fail", title, f"the proxy URL {shown} is not valid", hint), None
    if not info.host:
        return Check("env.proxy", "fail", title, f"the proxy URL {shown} has no host", hint), None
    detail = f"via proxy {shown} ({host} is not in NO_PROXY)"
    return Check("env.proxy", "pass", title, detail), info
