"""End-to-end: a layer that overrides what aigate-setup wrote really sends the real client
elsewhere (the AIGate fake gateway sees no request, a second one does), and `status` said so
beforehand, naming the file and line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from e2e_support import (
    aigate,
    base_env,
    paths_seen,
    pinned_bin,
    run,
    run_client,
)

from aigate_setup.testing import FakeGateway

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

MODEL = "openai/gpt-5.5"


@pytest.fixture(scope="module")
def bin_dir() -> Path:
    return pinned_bin()


@pytest.fixture
def gateways() -> Iterator[tuple[FakeGateway, FakeGateway]]:
    """AIGate (only TEST_KEY) and another gateway the override points at."""
    with FakeGateway(catalog="newapi", keys=[TEST_KEY]) as ours, FakeGateway() as other:
        yield ours, other


def _init(client: str, gw: FakeGateway, project: Path, bin_dir: Path) -> None:
    env = base_env(bin_dir, project, TEST_KEY)
    args = ["init", "--yes", "--format", "json", "--client", client, "--model", MODEL]
    r = aigate(*args, "--base-url", gw.base_url, env=env, cwd=project)
    assert r.returncode == 0, r.describe()
    gw.clear_log()


def _status(client: str, gw: FakeGateway, project: Path, bin_dir: Path, script: Path | None) -> Any:
    env = base_env(bin_dir, project, TEST_KEY)
    args = ["status", "--format", "json", "--client", client, "--base-url", gw.base_url]
    if script is None:
        r = aigate(*args, env=env, cwd=project)
    else:  # the shell Claude Code starts from: the script loaded first
        import sys

        bash = shutil.which("bash") or "/bin/bash"
        code = '. "$1" && shift && exec "$@"'
        argv = [bash, "-c", code, "bash", str(script), sys.executable, "-m", "aigate_setup"]
        r = run([*argv, *args], env, project, 60.0)
    assert r.returncode == 1, r.describe()
    (res,) = json.loads(r.stdout)["clients"]
    return res


def test_claude_settings_json_env_sends_claude_elsewhere(
    gateways: tuple[FakeGateway, FakeGateway], bin_dir: Path
) -> None:
    ours, other = gateways
    project = Path.cwd()
    _init("claude", ours, project, bin_dir)
    home = Path(base_env(bin_dir, project, None)["HOME"])
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    root = other.base_url[: -len("/v1")]
    settings.write_text(f'{{\n  "env": {{\n    "ANTHROPIC_BASE_URL": "{root}"\n  }}\n}}\n')
    script = home / ".config" / "aigate" / "aigate-claude.sh"

    res = _status("claude", ours, project, bin_dir, script)
    assert not res["reaches_aigate"]
    assert res["effective"]["base_url"] == root
    assert res["origins"]["base_url"] == f"{settings}:3"
    assert {"what": "env.ANTHROPIC_BASE_URL", "origin": f"{settings}:3", "value": root} in res[
        "overrides"
    ]

    result = run_client("claude", bin_dir, project, key=TEST_KEY, model=MODEL, script=script)
    context = f"aigate saw {paths_seen(ours.requests)}, other saw {paths_seen(other.requests)}"
    context += "\n" + result.describe()
    assert not [r for r in ours.requests if r.path == "/v1/messages"], context
    assert [r for r in other.requests if r.path == "/v1/messages"], context


def test_opencode_project_model_sends_opencode_elsewhere(
    gateways: tuple[FakeGateway, FakeGateway], bin_dir: Path
) -> None:
    ours, other = gateways
    project = Path.cwd()
    _init("opencode", ours, project, bin_dir)
    local = project / "opencode.json"
    local.write_text(
        json.dumps(
            {
                "provider": {
                    "other": {
                        "npm": "@ai-sdk/openai-compatible",
                        "options": {"baseURL": other.base_url, "apiKey": "sk-other-0000000000"},
                        "models": {MODEL: {}},
                    }
                },
                "model": f"other/{MODEL}",
            },
            indent=2,
        )
        + "\n"
    )
    res = _status("opencode", ours, project, bin_dir, None)
    assert not res["reaches_aigate"]
    assert res["effective"]["model"] == f"other/{MODEL}"
    assert res["effective"]["base_url"] == other.base_url
    line = local.read_text().splitlines().index(f'  "model": "other/{MODEL}"') + 1
    assert {"what": "model", "origin": f"{local}:{line}", "value": f"other/{MODEL}"} in res[
        "overrides"
    ]

    result = run_client("opencode", bin_dir, project, key=TEST_KEY, model=None)
    context = f"aigate saw {paths_seen(ours.requests)}, other saw {paths_seen(other.requests)}"
    context += "\n" + result.describe()
    assert not [r for r in ours.requests if r.path == "/v1/chat/completions"], context
    assert [r for r in other.requests if r.path == "/v1/chat/completions"], context
