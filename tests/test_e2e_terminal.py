"""End-to-end: after `init --save-key --shell-profile`, the REAL clients work in a new terminal
and (Claude Code) with nothing but settings.json, with no key variable in their environment.

- Claude Code is started directly, with no AIGATE_API_KEY and no ANTHROPIC_* variable from us:
  settings.json's `env` and `apiKeyHelper` are all it has. An `ANTHROPIC_API_KEY=sk-ant-...`
  exported in the shell must not reach the gateway (settings.json empties it).
- Codex, OpenCode and Kilo are started by a fresh interactive `bash -i` (and `zsh -i` when zsh is
  installed; CI images without zsh skip only that case) whose only source of the key is the
  startup block init added to ~/.bashrc / ~/.zshrc.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from e2e_support import (
    OFFLINE_ENV,
    PROMPT,
    ROUTES,
    Run,
    aigate,
    assert_clean_turn,
    base_env,
    client_argv,
    paths_seen,
    pinned_bin,
    run,
)

from aigate_setup.testing import FakeGateway

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

MODEL = "openai/gpt-5.5"
ANTHROPIC_KEY = "sk-ant-api03-users0own0anthropic0key0LEAK"


@pytest.fixture(scope="module")
def bin_dir() -> Path:
    return pinned_bin()


@pytest.fixture
def gw() -> Iterator[FakeGateway]:
    with FakeGateway(catalog="newapi", keys=[TEST_KEY]) as gateway:
        yield gateway


@pytest.fixture
def project(sandbox_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("ZDOTDIR", "CLAUDE_CONFIG_DIR", "SHELL"):
        monkeypatch.delenv(var, raising=False)
    return Path.cwd()


def init(client: str, gateway: FakeGateway, project: Path, bin_dir: Path, *flags: str) -> Any:
    """`init --yes --save-key ...` with the key in the environment, then an empty log."""
    if client == "kilo":  # see tests/test_e2e.py: keeps Kilo's built-in provider quiet
        seed = Path(os.environ["XDG_CONFIG_HOME"]) / "kilo" / "kilo.jsonc"
        seed.parent.mkdir(parents=True, exist_ok=True)
        seed.write_text('{\n  "enabled_providers": []\n}\n', encoding="utf-8")
    env = {**base_env(bin_dir, project, TEST_KEY), "SHELL": "/bin/bash"}
    result = aigate(
        "init", "--yes", "--format", "json", "--client", client, "--model", MODEL,
        "--base-url", gateway.base_url, "--save-key", *flags, env=env, cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.describe()
    assert TEST_KEY not in result.stdout + result.stderr
    doc = json.loads(result.stdout)
    gateway.clear_log()
    return doc


def no_key_env(bin_dir: Path, project: Path, client: str) -> dict[str, str]:
    env = base_env(bin_dir, project, None)
    env.update(OFFLINE_ENV[client])
    assert not [k for k in env if k.startswith(("ANTHROPIC_", "AIGATE_"))]
    return env


# --- Claude Code: settings.json and the key helper alone -------------------------------------


def test_claude_answers_through_settings_json_and_helper_alone(
    gw: FakeGateway, project: Path, bin_dir: Path
) -> None:
    doc = init("claude", gw, project, bin_dir)
    settings = Path(os.environ["HOME"]) / ".claude" / "settings.json"
    assert str(settings) in {f["path"] for f in doc["files"]}
    data = json.loads(settings.read_text(encoding="utf-8"))
    assert data["env"]["ANTHROPIC_BASE_URL"] == gw.root
    assert data["env"]["ANTHROPIC_API_KEY"] == "" and data["env"]["ANTHROPIC_AUTH_TOKEN"] == ""
    assert TEST_KEY not in settings.read_text(encoding="utf-8")

    # Started directly (no script, no variable), with the user's own Anthropic key exported.
    env = {**no_key_env(bin_dir, project, "claude"), "ANTHROPIC_API_KEY": ANTHROPIC_KEY}
    result = run(["claude", "-p", PROMPT], env, project)
    turns = assert_clean_turn(gw, "claude", MODEL, TEST_KEY[-4:], result)
    for r in gw.requests:
        sent = " ".join(r.headers.values())
        assert ANTHROPIC_KEY[-4:] not in sent, f"the Anthropic key was sent: {r.headers}"
    for r in turns:  # the helper's key as both Bearer and x-api-key
        assert r.headers["x-api-key"].endswith(TEST_KEY[-4:]), r.headers

    # Without the kept key and the variable, the helper says why (one line on stderr).
    (Path(os.environ["XDG_CONFIG_HOME"]) / "aigate" / "key").unlink()
    gw.clear_log()
    failed = run(["claude", "-p", PROMPT], no_key_env(bin_dir, project, "claude"), project)
    assert failed.returncode != 0, failed.describe()
    assert not [r for r in gw.requests if r.status == 200 and r.path == ROUTES["claude"]]


# --- Codex, OpenCode, Kilo: a new interactive shell with only the startup block ----------------

SHELLS = ["bash", "zsh"]


def shell_run(shell: str, client: str, bin_dir: Path, project: Path) -> Run:
    """`<shell> -i -c '[ -n "$AIGATE_API_KEY" ] || exit 97; exec <client> ...'`: the variable
    must come from the startup block (exit 97 says it did not)."""
    env = no_key_env(bin_dir, project, client)
    env["SHELL"] = shutil.which(shell) or shell
    argv = client_argv(client, MODEL)
    command = '[ -n "$AIGATE_API_KEY" ] || exit 97; exec "$@"'
    return run([env["SHELL"], "-i", "-c", command, shell, *argv], env, project)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("client", ["codex", "opencode", "kilo"])
def test_new_interactive_shell_has_the_key(
    client: str, shell: str, gw: FakeGateway, project: Path, bin_dir: Path
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed here (apt-get install {shell})")
    doc = init(client, gw, project, bin_dir, "--shell-profile")
    home = Path(os.environ["HOME"])
    rc = home / (".bashrc" if shell == "bash" else ".zshrc")
    assert str(rc) in {f["path"] for f in doc["files"]}, doc["files"]
    assert TEST_KEY not in rc.read_text(encoding="utf-8")
    result = shell_run(shell, client, bin_dir, project)
    context = f"gateway saw {paths_seen(gw.requests)}\n{result.describe()}"
    assert result.returncode != 97, f"the startup block did not set the key\n{context}"
    assert_clean_turn(gw, client, MODEL, TEST_KEY[-4:], result)


def test_without_the_block_a_new_shell_has_no_key(
    gw: FakeGateway, project: Path, bin_dir: Path
) -> None:
    """The control: `--save-key` alone (no startup block) leaves a new shell without it."""
    init("codex", gw, project, bin_dir)
    result = shell_run("bash", "codex", bin_dir, project)
    assert result.returncode == 97, result.describe()
    assert not gw.requests


# --- OpenCode and Kilo from an IDE or a desktop launcher: no variable at all -------------------


@pytest.mark.parametrize("client", ["opencode", "kilo"])
def test_kept_key_is_read_by_file_reference_without_any_variable(
    client: str, gw: FakeGateway, project: Path, bin_dir: Path
) -> None:
    init(client, gw, project, bin_dir)
    config = (
        Path(os.environ["XDG_CONFIG_HOME"])
        / client
        / ("opencode.json" if client == "opencode" else "kilo.jsonc")
    )
    assert '"{file:~/.config/aigate/key}"' in config.read_text(encoding="utf-8")
    result = run(client_argv(client, MODEL), no_key_env(bin_dir, project, client), project)
    assert_clean_turn(gw, client, MODEL, TEST_KEY[-4:], result)
