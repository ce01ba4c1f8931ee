"""Checks the wizard runs before asking, so a mistake is caught where it happens:
every existing target is parsed before the first question, and a base URL that fails gets
a suggested fix (a missing /v1, `htps`, a trailing endpoint path).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from aigate_setup import fsio, plan
from aigate_setup.clients import CLIENT_MODULES
from aigate_setup.clients.base import ClientModule
from aigate_setup.errors import ConfigError
from aigate_setup.merge import text as textmod
from aigate_setup.options import InitOptions

# Paths people paste from API docs; the base URL is what comes before them.
ENDPOINT_TAILS = (
    "/chat/completions",
    "/completions",
    "/responses",
    "/messages",
    "/models",
    "/balance",
    "/embeddings",
)
_SCHEME_TYPO = re.compile(r"^(h[a-z]{1,5})(?::/{0,2}|/{1,2})", re.IGNORECASE)


def broken_targets(clients: tuple[str, ...], opts: InitOptions) -> dict[str, ConfigError]:
    """client -> the first problem of an existing target file that cannot be parsed, for the
    scope given on the command line (user by default). Reads only; never raises for a file."""
    common = opts.common
    placeholder = "aigate/placeholder"
    found: dict[str, ConfigError] = {}
    for client in clients:
        sel = plan.Selection(
            clients=(client,),
            model=placeholder,
            claude=plan.ClaudeSlots(placeholder, placeholder, placeholder),
            extra_models=(),
            scope="project" if opts.scope == "project" else "user",
            project_dir=opts.project_dir,
            base_url=common.base_url,
            key_env=common.key_env,
            make_default=opts.make_default,
        )
        module = CLIENT_MODULES[client]
        for path in module.targets(sel):
            problem = _problem(module, sel, path)
            if problem is not None:
                found[client] = problem
                break
    return found


def _problem(module: ClientModule, sel: plan.Selection, path: Path) -> ConfigError | None:
    try:
        old = fsio.read_bytes(path)
    except ConfigError as exc:
        return exc
    if old is None:
        return None
    try:
        doc = textmod.decode(old)
    except ValueError as exc:
        return ConfigError(str(exc), path=path, hint="save the file as UTF-8")
    return module.parse_problem(sel, path, doc.text)


def suggest_base_url(url: str) -> str | None:
    """The likely intended /v1 base for a URL that failed, or None when nothing looks off."""
    text = url.strip()
    fixed = _fix_scheme(text)
    parts = urlsplit(fixed)
    if not parts.netloc:
        return None
    path = parts.path.rstrip("/")
    lowered = path.lower()
    changed = True
    while changed:  # `/v1/chat/completions` -> `/v1`
        changed = False
        for tail in ENDPOINT_TAILS:
            if lowered.endswith(tail):
                path, lowered = path[: -len(tail)], lowered[: -len(tail)]
                changed = True
    while lowered.endswith("/v1/v1"):
        path, lowered = path[:-3], lowered[:-3]
    if not lowered.endswith("/v1"):
        path += "/v1"
    candidate = urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))
    return None if candidate == text.rstrip("/") else candidate


def _fix_scheme(text: str) -> str:
    """`htps://x`, `https//x`, `http:/x`, `x` -> `https://x` (`http://` when it said http)."""
    if "://" in text:
        scheme, rest = text.split("://", 1)
    else:
        match = _SCHEME_TYPO.match(text)
        scheme, rest = (match.group(1), text[match.end() :]) if match else ("", text)
    scheme = scheme.lower()
    if scheme in ("http", "https"):
        return f"{scheme}://{rest}"
    return f"{'http' if scheme in ('htp', 'htt', 'ttp', 'hhttp') else 'https'}://{rest}"
