"""End-to-end: Qwen Code, Continue CLI and Aider answer "Say OK." through the configs that
`aigate-setup init --yes` writes, with the pinned real binaries (scripts/install_clients.sh)
run one-shot against the loopback fake gateway, stdin /dev/null, offline switches set.
Missing binaries make these tests fail, never skip.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from e2e_support import (
    MORE_OFFLINE_ENV,
    MORE_PINS,
    Run,
    aigate,
    base_env,
    more_argv,
    more_clients,
    paths_seen,
    pinned_bin,
    run,
)

from aigate_setup.testing import FakeGateway

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

MODEL = "openai/gpt-5.5"
PROJECT_MODEL = "anthropic/claude-sonnet-4.6"
CHAT = "/v1/chat/completions"


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    """The bin dir holding qwen, cn and aider at their pins; FAIL (not skip) when missing."""
    return pinned_bin(more_clients)


@pytest.fixture
def gw() -> Iterator[FakeGateway]:
    with FakeGateway(catalog="newapi", keys=[TEST_KEY]) as gateway:
        yield gateway


@pytest.fixture
def project(sandbox_home: Path) -> Path:
    return Path.cwd()


def init(gw: FakeGateway, bin_dir: Path, project: Path, *args: str) -> dict[str, Any]:
    result = aigate(
        "init", "--yes", "--format", "json", "--base-url", gw.base_url,
        "--project-dir", str(project), *args,
        env=base_env(bin_dir, project, TEST_KEY), cwd=project, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.describe()
    assert TEST_KEY not in result.stdout + result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    assert doc["status"] == "ok", doc
    gw.clear_log()
    return doc


def say_ok(client: str, bin_dir: Path, project: Path) -> Run:
    env = base_env(bin_dir, project, TEST_KEY)
    env.update(MORE_OFFLINE_ENV[client])
    return run(more_argv(client), env, project)


def assert_answered(gw: FakeGateway, client: str, model: str, result: Run) -> None:
    """Exit 0, an `OK` line, and only chat completions with the key as Bearer."""
    context = f"{client}: gateway saw {paths_seen(gw.requests)}\n{result.describe()}"
    assert not result.timed_out, context
    assert result.returncode == 0, context
    assert "OK" in [line.strip() for line in result.answer.splitlines()], context
    turns = [r for r in gw.requests if r.path == CHAT and r.method == "POST"]
    assert turns, context
    for r in turns:
        assert isinstance(r.json, dict) and r.json.get("model") == model, context
        assert r.auth == "bearer", context
        assert r.key_suffix == TEST_KEY[-4:], context
        assert r.status == 200, context
    assert [r for r in gw.requests if r.path != CHAT] == [], context


def assert_no_key_written(*roots: Path) -> None:
    """No file under `roots` holds the key (the clients' own files included)."""
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert TEST_KEY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("client", list(MORE_PINS))
def test_pinned_versions(client: str, bin_dir: Path) -> None:
    assert more_clients(bin_dir)[client] == MORE_PINS[client][2]


@pytest.mark.parametrize("client", list(MORE_PINS))
def test_user_scope_answers(
    client: str, gw: FakeGateway, bin_dir: Path, project: Path, sandbox_home: Path
) -> None:
    init(gw, bin_dir, project, "--client", client, "--model", MODEL)
    written = {p: p.read_bytes() for p in _configs(sandbox_home)}
    result = say_ok(client, bin_dir, project)
    assert_answered(gw, client, MODEL, result)
    assert_no_key_written(sandbox_home, project)
    # The client left our files as they were (Qwen Code rewrites a file it migrates).
    assert {p: p.read_bytes() for p in _configs(sandbox_home)} == written
    assert not list(sandbox_home.rglob("*.corrupted"))


def _configs(home: Path) -> list[Path]:
    found = [home / ".qwen" / "settings.json", home / ".continue" / "config.yaml"]
    found += [home / ".aider.conf.yml", home / ".config" / "aigate" / "aider.env"]
    return [p for p in found if p.exists()]


@pytest.mark.parametrize("client", ["qwen", "aider"])
def test_project_scope_answers(
    client: str, gw: FakeGateway, bin_dir: Path, project: Path, sandbox_home: Path
) -> None:
    init(gw, bin_dir, project, "--client", client, "--model", PROJECT_MODEL, "--scope", "project")
    assert not (sandbox_home / ".qwen" / "settings.json").exists()
    assert not (sandbox_home / ".aider.conf.yml").exists()
    result = say_ok(client, bin_dir, project)
    assert_answered(gw, client, PROJECT_MODEL, result)
    assert_no_key_written(sandbox_home, project)


def test_all_three_in_one_run(
    gw: FakeGateway, bin_dir: Path, project: Path, sandbox_home: Path
) -> None:
    doc = init(
        gw, bin_dir, project,
        "--client", "qwen", "--client", "continue", "--client", "aider", "--model", MODEL,
    )  # fmt: skip
    assert {f["client"] for f in doc["files"]} == {"qwen", "continue", "aider"}
    assert {s["client"] for s in doc["smoke"] if s["ok"]} == {"qwen", "continue", "aider"}
    for client in MORE_PINS:
        gw.clear_log()
        assert_answered(gw, client, MODEL, say_ok(client, bin_dir, project))
    assert_no_key_written(sandbox_home, project)


def test_existing_files_keep_user_content(
    gw: FakeGateway, bin_dir: Path, project: Path, sandbox_home: Path
) -> None:
    """Comments, other models and other keys survive, and AIGate is what each client uses."""
    qwen = sandbox_home / ".qwen" / "settings.json"
    qwen.parent.mkdir(parents=True)
    qwen.write_text('{\n  // my settings\n  "$version": 4,\n  "ui": {"theme": "Default"}\n}\n')
    cont = sandbox_home / ".continue" / "config.yaml"
    cont.parent.mkdir(parents=True)
    cont.write_text(
        "# my assistant\nname: Mine\nversion: 0.0.1\nmodels:\n  # local one\n"
        "  - name: local\n    provider: ollama\n    model: llama3\n"
        "    apiKey: ${{ secrets.OLLAMA_KEY }}\n"
    )
    aider = sandbox_home / ".aider.conf.yml"
    aider.write_text("# my aider\ndark-mode: true  # eyes\nmodel: gpt-4o\n")
    init(
        gw, bin_dir, project,
        "--client", "qwen", "--client", "continue", "--client", "aider", "--model", MODEL,
    )  # fmt: skip
    assert "// my settings" in qwen.read_text() and '"theme": "Default"' in qwen.read_text()
    text = cont.read_text()
    assert "# local one" in text and "${{ secrets.OLLAMA_KEY }}" in text
    assert text.index("aigate/openai/gpt-5.5") < text.index("name: local")
    assert aider.read_text().startswith("# my aider\ndark-mode: true  # eyes\nmodel: openai/")
    for client in MORE_PINS:
        gw.clear_log()
        assert_answered(gw, client, MODEL, say_ok(client, bin_dir, project))
    # The same run again: every file unchanged.
    again = init(
        gw, bin_dir, project,
        "--client", "qwen", "--client", "continue", "--client", "aider", "--model", MODEL,
        "--no-smoke-test",
    )  # fmt: skip
    assert {f["status"] for f in again["files"]} == {"unchanged"}


def test_aider_first_run_does_not_opt_in_to_analytics(
    gw: FakeGateway, bin_dir: Path, project: Path, sandbox_home: Path
) -> None:
    init(gw, bin_dir, project, "--client", "aider", "--model", MODEL)
    env = base_env(bin_dir, project, TEST_KEY)
    env.update({k: v for k, v in MORE_OFFLINE_ENV["aider"].items() if "ANALYTICS" not in k})
    result = run(more_argv("aider"), env, project)
    assert_answered(gw, "aider", MODEL, result)
    analytics = sandbox_home / ".aider" / "analytics.json"
    if analytics.exists():
        data = json.loads(analytics.read_text())
        assert data.get("permanently_disable") is True or not data.get("uuid"), data
    assert "analytics" not in result.stdout.lower() or "disable" in result.stdout.lower()
    assert os.environ.get("AIGATE_API_KEY") is None  # the sandbox never exports it here
