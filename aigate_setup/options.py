"""Typed options for each command: the click layer fills these, core code reads them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from aigate_setup.constants import CLIENTS, DEFAULT_BASE_URL, DEFAULT_KEY_ENV, KINDS
from aigate_setup.errors import UsageError

__all__ = ["CLIENTS", "DEFAULT_BASE_URL", "DEFAULT_KEY_ENV", "KINDS"]


def normalize_base_url(url: str) -> str:
    """The OpenAI-style base, ending in /v1 and without a trailing slash."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--base-url {url!r} is not an http(s) URL",
            f"use the gateway's /v1 base, e.g. {DEFAULT_BASE_URL}",
        )
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    """True for localhost names and loopback addresses (plain http is fine there)."""
    import ipaddress

    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def gateway_root(base_url: str) -> str:
    """The gateway root without /v1 (what Claude Code wants: it appends /v1/messages)."""
    base = base_url.rstrip("/")
    return base[: -len("/v1")] if base.endswith("/v1") else base


@dataclass(frozen=True)
class Common:
    base_url: str = DEFAULT_BASE_URL
    key_env: str = DEFAULT_KEY_ENV
    fmt: str = "text"

    @property
    def root_url(self) -> str:
        return gateway_root(self.base_url)

    def key(self) -> str | None:
        """The key from the environment, or None when unset or empty."""
        value = os.environ.get(self.key_env, "")
        return value or None


@dataclass(frozen=True)
class InitOptions:
    common: Common
    clients: tuple[str, ...] = ()
    model: str | None = None
    claude_opus: str | None = None
    claude_sonnet: str | None = None
    claude_haiku: str | None = None
    extra_models: tuple[str, ...] = ()
    scope: str = "user"
    project_dir: Path = field(default_factory=Path.cwd)
    yes: bool = False
    dry_run: bool = False
    smoke_test: bool = True
    make_default: bool = True
    kilo_legacy_export: Path | None = None


@dataclass(frozen=True)
class DoctorOptions:
    common: Common
    clients: tuple[str, ...] = ()
    project_dir: Path = field(default_factory=Path.cwd)
    offline: bool = False
    with_clients: bool = False
    fix: bool = False
    yes: bool = False


@dataclass(frozen=True)
class CheckOptions:
    common: Common
    paths: tuple[Path, ...] = ()
    catalog: Path | None = None
    live: bool = False
    gateway_host: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelsOptions:
    common: Common
    kind: str | None = None
    client: str | None = None
    refresh: bool = False


@dataclass(frozen=True)
class RestoreOptions:
    common: Common
    run_id: str | None = None
    list_runs: bool = False
    dry_run: bool = False
