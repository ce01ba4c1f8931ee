"""Shared helpers for the `init` CLI tests: run it against the loopback gateway, snapshot files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import TEST_KEY, run_cli

from aigate_setup import paths
from aigate_setup.testing import FakeGateway

SMOKE_ROUTES = ("/v1/responses", "/v1/chat/completions", "/v1/messages")
ALL = ("codex", "opencode", "kilo", "claude")
# A key only these tests use: no part of it may ever be shown or written.
SECRET = "sk-SECRETaigate0test0key0ABCDEFGH7q3z"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the sandbox (HOME and project), except the catalog cache."""
    cache = paths.cache_dir()
    found: dict[str, bytes] = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_relative_to(cache):
            found[str(p.relative_to(root))] = p.read_bytes()
    return found


def sandbox_root() -> Path:
    return paths.home().parent


def init(gw: FakeGateway, *args: str, key: str | None = TEST_KEY, **env: str) -> Any:
    full_env = {"AIGATE_API_KEY": key} if key else {}
    full_env.update(env)
    return run_cli("init", "--yes", "--base-url", gw.base_url, *args, env=full_env)


def init_json(gw: FakeGateway, *args: str, **kw: Any) -> tuple[Any, dict[str, Any]]:
    r = init(gw, "--format", "json", *args, **kw)
    return r, json.loads(r.stdout)


def posts(gw: FakeGateway) -> list[str]:
    return [q.path for q in gw.requests if q.method == "POST"]


def backup_runs() -> list[str]:
    d = paths.backups_dir()
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []
