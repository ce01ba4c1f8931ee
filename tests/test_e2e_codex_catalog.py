"""End-to-end with the REAL Codex: the /model picker catalog that `init` writes.

`codex debug models` (the effective list) shows exactly the AIGate ids Codex can use, a turn with
an extra model answers through the fake gateway, and cloning the installed binary's bundled entry
keeps Codex's full system prompt and its tools: the request is compared with the same turn
without the catalog (the gateway's request log records each body's size and tools).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from e2e_support import (
    OFFLINE_ENV,
    PROMPT,
    Run,
    aigate,
    base_env,
    pinned_bin,
    run,
)

from aigate_setup import paths
from aigate_setup.testing import FakeGateway, RecordedRequest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

MODEL = "openai/gpt-5.5"
EXTRA = "anthropic/claude-sonnet-4.6"
NO_RESPONSES = "deepseek/deepseek-v3.2"  # Chat Completions only: not in Codex's picker


@pytest.fixture(scope="module")
def bin_dir() -> Path:
    return pinned_bin()


def codex(bin_dir: Path, project: Path, *args: str) -> Run:
    env = base_env(bin_dir, project, TEST_KEY)
    env.update(OFFLINE_ENV["codex"])
    return run(["codex", *args], env, project, timeout=180)


def turn(bin_dir: Path, project: Path, gw: FakeGateway, model: str) -> RecordedRequest:
    """One `codex exec -m MODEL "Say OK."`; the turn request it sent."""
    gw.clear_log()
    argv = ["exec", "--skip-git-repo-check", "-c", "analytics.enabled=false"]
    result = codex(bin_dir, project, *argv, "--disable", "plugins", "-m", model, PROMPT)
    context = f"gateway saw {[(r.method, r.path, r.status) for r in gw.requests]}\n"
    assert result.returncode == 0, context + result.describe()
    assert result.answer.splitlines()[-1:] == ["OK"], context + result.describe()
    turns = [r for r in gw.requests if r.path == "/v1/responses" and r.method == "POST"]
    assert turns and all(r.status == 200 for r in turns), context
    body = turns[0].json
    assert isinstance(body, dict) and body.get("model") == model, context
    return turns[0]


def shape(req: RecordedRequest) -> tuple[int, int, list[str]]:
    """(body bytes, characters of Codex's developer messages, tool names) of a Responses
    request. Codex 0.169 sends its system prompt as developer messages, not `instructions`."""
    body: Any = req.json
    prompt = sum(
        len(json.dumps(item.get("content")))
        for item in body.get("input") or []
        if isinstance(item, dict) and item.get("role") in ("developer", "system")
    ) + len(body.get("instructions") or "")
    tools = [str(t.get("name") or t.get("type")) for t in body.get("tools") or []]
    return req.size, prompt, tools


def test_picker_lists_the_aigate_models_and_keeps_the_full_agent(
    bin_dir: Path, tmp_path: Path
) -> None:
    project = Path.cwd()
    with FakeGateway(catalog="newapi", keys=[TEST_KEY]) as gw:
        env = base_env(bin_dir, project, TEST_KEY)
        r = aigate(
            "init", "--yes", "--base-url", gw.base_url,
            "--client", "codex", "--client", "opencode", "--model", MODEL,
            "--extra-model", EXTRA, "--extra-model", NO_RESPONSES,
            env=env, cwd=project,
        )  # fmt: skip
        assert r.returncode == 0, r.describe()
        catalog = paths.codex_home() / "aigate-models.json"
        assert catalog.is_file(), r.describe()

        listed = codex(bin_dir, project, "debug", "models")
        assert listed.returncode == 0, listed.describe()
        slugs = [m["slug"] for m in json.loads(listed.stdout)["models"]]
        assert slugs == [MODEL, EXTRA]

        with_catalog = shape(turn(bin_dir, project, gw, EXTRA))

        config = paths.codex_home() / "config.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace('model_catalog_json = "aigate-models.json"\n', ""))
        without = shape(turn(bin_dir, project, gw, EXTRA))

    size, prompt, tools = with_catalog
    base_size, base_prompt, base_tools = without
    measured = f"with the catalog {with_catalog[:2]} {tools}; without {without[:2]} {base_tools}"
    # The cloned entry keeps the whole agent: Codex's prompt, apply_patch and at least as many
    # tools as Codex's own fallback for an unknown model (a minimal entry loses them).
    assert "apply_patch" in tools and len(tools) >= len(base_tools), measured
    assert prompt >= base_prompt > 10_000, measured
    assert abs(size - base_size) <= 0.1 * base_size, measured
