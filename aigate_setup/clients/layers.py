"""Small helpers every client's resolver shares: the gateway to judge against, how a project
root is found, walking up directories the way the clients do, and reading one layer.

A resolver (`resolve` in each client module) reads every layer a client reads, in the client's
own precedence order, and says what it will really use; these are the pieces they have in
common. Nothing here writes or talks to the network.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from aigate_setup.clients.base import ConfigFile, read_layers
from aigate_setup.constants import DEFAULT_BASE_URL

# The subdirectories of an OpenCode/Kilo config directory that hold Markdown agents: agents
# (recursive) and primary "modes" (md_agents.scan reads them; resolve_jsonc skips a config
# directory that has none without loading md_agents).
AGENT_DIRS = ("agent", "agents")
MODE_DIRS = ("mode", "modes")


def gateway_url(env: Mapping[str, str]) -> str:
    """The AIGate /v1 base to judge against: AIGATE_BASE_URL, else the base URL of the last
    init (the state file), else the default."""
    from aigate_setup import state
    from aigate_setup.errors import UsageError
    from aigate_setup.options import normalize_base_url

    value = env.get("AIGATE_BASE_URL", "")
    if value:
        try:
            return normalize_base_url(value)
        except UsageError:
            pass
    return state.remembered_base_url() or DEFAULT_BASE_URL


def _root(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    return parts.scheme.lower(), parts.netloc.lower(), path


def same_gateway(url: str | None, gateway: str) -> bool:
    """True when `url` is the gateway (its /v1 base or its root, any trailing slash)."""
    if not url:
        return False
    try:
        return _root(url) == _root(gateway)
    except ValueError:
        return False


def gateway_model(model_id: str | None) -> bool:
    """AIGate model ids are `provider/model`; an id without a provider part (`gpt-5-codex`,
    `claude-sonnet-4-5`) is another service's name that the gateway does not route."""
    return bool(model_id) and "/" in (model_id or "").strip("/")


def project_root(start: Path) -> Path | None:
    """The nearest directory from `start` upwards that is a git work tree (`.git/HEAD`, or a
    `.git` file as in a linked worktree), or None outside a repository. The clients ask git
    itself: an empty `.git` directory is not a repository to Codex."""
    for d in [start, *start.parents]:
        dot = d / ".git"
        if os.path.isfile(dot) or os.path.isfile(dot / "HEAD"):
            return d
    return None


def walk_up(start: Path, stop: Path | None) -> list[Path]:
    """`start` and each parent up to `stop` (included); to the filesystem root when `stop` is
    None or not above `start`."""
    found = [start]
    d = start
    while d != stop and d.parent != d:
        d = d.parent
        found.append(d)
    return found


def primary_checkout(root: Path) -> Path | None:
    """The main work tree of the repository whose linked work tree (`git worktree add`) is
    `root`, or None: `root/.git` is then a file `gitdir: <main>/.git/worktrees/<name>`, whose
    `commondir` leads to `<main>/.git`. A bare repository has no main work tree."""
    if not os.path.isfile(root / ".git"):
        return None
    try:
        with open(root / ".git", encoding="utf-8") as fh:
            line = fh.read(4096).partition("\n")[0]
    except (OSError, UnicodeDecodeError):
        return None
    if not line.startswith("gitdir:"):
        return None
    gitdir = root / line[len("gitdir:") :].strip()
    try:
        with open(gitdir / "commondir", encoding="utf-8") as fh:
            common = Path(os.path.normpath(gitdir / fh.read(4096).strip()))
    except (OSError, UnicodeDecodeError):
        return None
    if common.name != ".git" or not os.path.isfile(common / "HEAD"):
        return None
    return common.parent


def up(start: Path, stop: Path | None, targets: Sequence[str]) -> list[Path]:
    """What OpenCode's `FileSystem.up` returns: for each directory from `start` up to `stop`,
    each existing target in `targets` order (nearest directory first)."""
    return [d / t for d in walk_up(start, stop) for t in targets if os.path.lexists(d / t)]


def read_one(path: Path, kind: str = "layer") -> ConfigFile | None:
    """One existing file, decoded (its problem kept), or None when it does not exist."""
    found = read_layers([(path, kind)])
    return found[0] if found else None


def unique_paths(items: Iterable[Path]) -> list[Path]:
    seen: set[str] = set()
    out: list[Path] = []
    for p in items:
        key = os.path.normcase(os.path.abspath(p))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def masked(value: str) -> str:
    """A credential as shown: references as they are, anything else masked."""
    from aigate_setup.secrets import mask_key

    v = value.strip()
    if not v or v.startswith(("{env:", "{file:", "$")):
        return v
    return mask_key(v)


def shown_url(url: str | None) -> str:
    """A URL as shown: any user:password or secret-looking query value masked."""
    from aigate_setup.secrets import mask_url

    return mask_url(url) if url else ""
