"""Helpers shared by the doctor tests: init a sandbox setup, run doctor in JSON, find a check."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conftest import TEST_KEY, Result, run_cli

from aigate_setup.testing import FakeGateway

ENV = {"AIGATE_API_KEY": TEST_KEY, "AIGATE_TIMEOUT": "1"}


def init(gw: FakeGateway, *clients: str, extra: tuple[str, ...] = ()) -> None:
    args = [
        "init",
        "--yes",
        "--no-smoke-test",
        "--base-url",
        gw.base_url,
        "--model",
        "openai/gpt-5.5",
        *extra,
    ]
    for c in clients:
        args += ["--client", c]
    r = run_cli(*args, env={"AIGATE_API_KEY": TEST_KEY})
    assert r.exit_code == 0, r.output


def doctor(
    gw: FakeGateway | None, *args: str, env: dict[str, str] | None = None, base: str | None = None
) -> tuple[Result, list[dict[str, Any]]]:
    url = base or (gw.base_url if gw else "http://127.0.0.1:9/v1")
    r = run_cli("doctor", "--format", "json", "--base-url", url, *args, env={**ENV, **(env or {})})
    assert TEST_KEY not in r.output
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["command"] == "doctor"
    assert doc["status"] == ("fail" if r.exit_code == 1 else "ok"), r.output
    return r, doc["checks"]


def get(checks: list[dict[str, Any]], cid: str) -> dict[str, Any]:
    found = [c for c in checks if c["id"] == cid]
    assert len(found) == 1, (cid, [c["id"] for c in checks])
    return found[0]


def home() -> Path:
    return Path(os.environ["HOME"])


def codex_toml() -> Path:
    return home() / ".codex" / "config.toml"


def opencode_json() -> Path:
    return home() / ".config" / "opencode" / "opencode.json"


def claude_sh() -> Path:
    return home() / ".config" / "aigate" / "aigate-claude.sh"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new))
