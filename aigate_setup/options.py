"""Typed options for each command: the click layer fills these, core code reads them.

`Common`, `StatusOptions` and `CheckOptions` live here (NamedTuples: cheap to create, and
`status` and `check` run often); the other commands' options are in command_options.py and load
on first use."""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from aigate_setup import lazy
from aigate_setup.constants import CLIENTS, DEFAULT_BASE_URL, DEFAULT_KEY_ENV, KINDS
from aigate_setup.errors import UsageError

if TYPE_CHECKING:
    from aigate_setup.command_options import (
        DoctorOptions,
        InitOptions,
        ModelsOptions,
        RemoveOptions,
        RestoreOptions,
    )

__all__ = [
    "CLIENTS",
    "DEFAULT_BASE_URL",
    "DEFAULT_KEY_ENV",
    "KINDS",
    "CheckOptions",
    "DoctorOptions",
    "InitOptions",
    "ModelsOptions",
    "RemoveOptions",
    "RestoreOptions",
]

_LAZY = dict.fromkeys(
    (
        "DoctorOptions",
        "InitOptions",
        "ModelsOptions",
        "RemoveOptions",
        "RestoreOptions",
    ),
    "aigate_setup.command_options",
)


def __getattr__(name: str) -> Any:
    return lazy.load(__name__, _LAZY, name)


# Variables that hold something else: as --key-env, the configs would send their value (the
# PATH, the home directory...) to the gateway as the bearer token.
RESERVED_ENV_NAMES = frozenset(
    {
        "BASH_ENV", "CDPATH", "CLAUDE_CONFIG_DIR", "CODEX_HOME", "COLUMNS", "DISPLAY",
        "EDITOR", "ENV", "GLOBIGNORE", "HISTFILE", "HOME", "HOSTNAME", "IFS", "LANG",
        "LANGUAGE", "LINES", "LOGNAME", "MAIL", "NODE_OPTIONS", "NODE_PATH", "OLDPWD",
        "PAGER", "PATH", "PATHEXT", "PROMPT_COMMAND", "PS1", "PS2", "PS4", "PWD",
        "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "SHELL", "SHELLOPTS", "SHLVL",
        "SSH_AUTH_SOCK", "SYSTEMROOT", "TEMP", "TERM", "TMP", "TMPDIR", "TZ", "USER",
        "USERNAME", "USERPROFILE", "VISUAL", "ZDOTDIR",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
        "AIGATE_BASE_URL", "AIGATE_TIMEOUT", "AIGATE_LOCK_TIMEOUT", "AIGATE_CLIENT_TIMEOUT",
        "AIGATE_DEBUG",
    }
)  # fmt: skip
RESERVED_ENV_PREFIXES = ("LD_", "DYLD_", "LC_", "XDG_")


def is_env_name(name: str) -> bool:
    """A plain variable name: [A-Za-z_][A-Za-z0-9_]* (an ASCII identifier)."""
    return name.isascii() and name.isidentifier()


def check_key_env(name: str) -> str:
    """The key variable: a plain identifier (it is spliced into shell code and `{env:...}`)
    that is not a well-known variable holding something else."""
    if not is_env_name(name):
        raise UsageError(
            f"--key-env {name!r} is not a valid environment variable name",
            "use letters, digits and _, e.g. --key-env AIGATE_API_KEY",
        )
    upper = name.upper()
    if upper in RESERVED_ENV_NAMES or upper.startswith(RESERVED_ENV_PREFIXES):
        raise UsageError(
            f"--key-env {name} names a variable that holds something else, not your key; "
            f"the configs would send ${name} to the gateway as the key",
            f"use a variable of its own, e.g. --key-env {DEFAULT_KEY_ENV}",
        )
    return name


def has_control(text: str) -> bool:
    """True when `text` holds a C0/C1 control character or DEL (a newline, an escape...)."""
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text)


def check_path(flag: str, path: Path | str) -> None:
    """A path that reaches a generated file or script must be one plain line."""
    if has_control(str(path)):
        raise UsageError(
            f"{flag} {str(path)!r} contains a control character (a line break?)",
            "rename the directory, or pass a path without line breaks or control characters",
        )


def key_problem(key: str) -> str | None:
    """Why a key (already stripped of surrounding whitespace) cannot be sent, or None."""
    if not key:
        return "it is empty"
    if any(ch.isspace() or not ch.isprintable() for ch in key):
        return "it contains a space, a line break or a control character"
    return None


def normalize_base_url(url: str) -> str:
    """The OpenAI-style base, ending in /v1 and without a trailing slash."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--base-url {url!r} is not an http(s) URL",
            f"use the gateway's /v1 base, e.g. {DEFAULT_BASE_URL}",
        )
    if has_control(url) or " " in url:
        raise UsageError(
            f"--base-url {url!r} contains a space or a control character",
            f"use the gateway's /v1 base, e.g. {DEFAULT_BASE_URL}",
        )
    return url.rstrip("/")


def insecure_host(base_url: str) -> str | None:
    """The host when `base_url` is plain http to another machine (the key would cross the
    network unencrypted); None for https and for loopback."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme != "http" or is_loopback(host):
        return None
    return host


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


class Common(NamedTuple):
    base_url: str = DEFAULT_BASE_URL
    key_env: str = DEFAULT_KEY_ENV
    fmt: str = "text"
    # Where base_url came from: "flag", "env" (AIGATE_BASE_URL), "state" (the last init),
    # "default"; doctor may also set "configs" (what every configured client points at).
    base_url_origin: str = "default"
    kept_key: str | None = None  # doctor: the kept key file's key, used when the variable is unset

    @property
    def root_url(self) -> str:
        return gateway_root(self.base_url)

    def key(self) -> str | None:
        """The key from the environment without surrounding whitespace (a pasted key often
        ends in a line break), or None when unset or empty."""
        value = os.environ.get(self.key_env, "").strip()
        return value or self.kept_key or None

    def checked_key(self) -> str | None:
        """`key()`, refusing a key that cannot be sent (UsageError; the message never
        contains the key)."""
        key = self.key()
        problem = key_problem(key) if key is not None else None
        if problem is not None:
            raise UsageError(
                f"${self.key_env} cannot be used as a key: {problem}",
                f"set it again without spaces or line breaks: export {self.key_env}=sk-...",
            )
        return key


class StatusOptions(NamedTuple):
    common: Common
    clients: tuple[str, ...] = ()
    project_dir: Path = Path()  # the CLI passes the current directory, made absolute


class CheckOptions(NamedTuple):
    common: Common
    paths: tuple[Path, ...] = ()
    catalog: Path | None = None
    live: bool = False
    gateway_host: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
