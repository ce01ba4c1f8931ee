"""The real interactive wizard in a pseudo-terminal (pexpect), against the loopback gateway.

Types the key at the hidden prompt, picks clients and a model, confirms, then checks the files,
the summary, and that the key never reached the screen. Every expect is bounded.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import IO, Protocol

import pytest

from aigate_setup.testing import FakeGateway

pexpect = pytest.importorskip("pexpect")

KEY = "sk-tty0secret0key0typed0at0prompt0MNOP"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]|\r")
DOWN = "\x1b[B"
T = 20  # seconds per expect


class Child(Protocol):
    """The part of pexpect.spawn these tests use (pexpect ships no type information)."""

    exitstatus: int | None
    logfile_read: IO[bytes] | None

    def expect(self, pattern: object, timeout: float = ...) -> int: ...

    def send(self, s: str) -> int: ...

    def close(self, force: bool = ...) -> None: ...


def _env(home: Path, tmp_path: Path) -> dict[str, str]:
    empty_bin = tmp_path / "bin"  # no client on PATH: all four preselected
    empty_bin.mkdir(exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIGATE_", "ANTHROPIC_", "OPENAI_")) and "proxy" not in k.lower()
    }
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        CODEX_HOME=str(home / ".codex"),
        PATH=str(empty_bin),
        SHELL="/bin/bash",
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
        NO_COLOR="1",
        PYTHONIOENCODING="utf-8",
        AIGATE_TIMEOUT="10",
    )
    return env


def _spawn(
    gw: FakeGateway,
    home: Path,
    tmp_path: Path,
    *args: str,
    base_url: str | None = None,
    env: dict[str, str] | None = None,
) -> tuple[Child, io.BytesIO]:
    screen = io.BytesIO()
    child: Child = pexpect.spawn(
        sys.executable,
        ["-m", "aigate_setup", "--base-url", base_url or gw.base_url, *args],
        env={**_env(home, tmp_path), **(env or {})},
        cwd=str(Path.cwd()),
        dimensions=(40, 140),
        timeout=T,
    )
    child.logfile_read = screen
    return child, screen


def _text(screen: io.BytesIO) -> str:
    return ANSI.sub("", screen.getvalue().decode("utf-8", "replace"))


def test_wizard_in_a_terminal(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    child, screen = _spawn(fake_gateway, sandbox_home, tmp_path)
    try:
        child.expect("Your AIGate key", timeout=T)
        child.send(KEY + "\r")
        child.expect("Keep it in", timeout=T)
        child.send("n")  # not kept: the summary explains how to export it
        child.expect("Which clients", timeout=T)
        child.send(DOWN + DOWN + " ")  # untick kilo (third of four)
        child.send("\r")
        child.expect("Main model", timeout=T)
        child.send("\x15")  # clear the default (Ctrl-U)
        child.send("openai/gpt-5.5-mini")
        child.expect("gpt-5.5-mini", timeout=T)
        child.send("\r")
        child.expect("Claude Code models", timeout=T)
        child.send("\r")  # keep the catalog's best slots
        child.expect("Offer more models", timeout=T)
        child.send("\r")  # default: no
        child.expect("Where should the configs go", timeout=T)
        child.send("\r")  # user
        child.expect("Show the diffs", timeout=T)
        child.send("\r")  # default: no
        child.expect("Test the connection and write", timeout=T)
        child.send("\r")
        child.expect("Next steps:", timeout=T)
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    text = _text(screen)
    assert child.exitstatus == 0, text

    # the key: typed, but never shown (only masked), never written
    assert KEY[3:-4] not in screen.getvalue().decode("utf-8", "replace")
    assert "Key: sk-...MNOP" in text
    assert "key ok · balance $25.00" in text

    # the plan speaks of the future: no "created" and no check mark before anything is written
    plan = text.split("Plan:")[1].split("Show the diffs")[0]
    assert "will create  ~/.codex/config.toml  (codex)" in plan
    assert "created" not in plan and "\u2713" not in plan
    for p in sandbox_home.rglob("*"):
        if p.is_file():
            assert KEY[3:-4].encode() not in p.read_bytes(), p
    assert not (sandbox_home / ".config" / "aigate" / "key").exists()

    # files and summary
    codex = (sandbox_home / ".codex" / "config.toml").read_text()
    assert 'model = "openai/gpt-5.5-mini"' in codex
    assert (sandbox_home / ".config" / "opencode" / "opencode.json").is_file()
    assert (sandbox_home / ".config" / "aigate" / "aigate-claude.sh").is_file()
    assert not (sandbox_home / ".config" / "kilo").exists()
    assert "Smoke test:" in text
    assert "aigate-setup restore " in text
    assert "claude:    claude" in text  # settings.json: nothing to load first
    assert 'export AIGATE_API_KEY="sk-..."' in text
    posts = [q for q in fake_gateway.requests if q.method == "POST"]
    assert sorted(q.path for q in posts) == [
        "/v1/chat/completions",
        "/v1/messages",
        "/v1/responses",
    ]
    assert {q.key_suffix for q in posts} == {"MNOP"}


def test_wizard_keeps_typed_key_in_0600_file(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    child, screen = _spawn(fake_gateway, sandbox_home, tmp_path, "--client", "codex")
    try:
        child.expect("Your AIGate key", timeout=T)
        child.send(KEY + "\r")
        child.expect("Keep it in", timeout=T)
        child.send("\r")  # default: keep
        for prompt in (
            "Main model",
            "Where should",
            "in every new terminal",  # default: yes, the startup block (sandbox home)
            "Show the diffs",
            "Test the connection",
        ):
            child.expect(prompt, timeout=T)
            child.send("\r")
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    text = _text(screen)
    assert child.exitstatus == 0, text
    key_file = sandbox_home / ".config" / "aigate" / "key"
    assert key_file.read_text().strip() == KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert KEY[3:-4] not in screen.getvalue().decode("utf-8", "replace")
    assert "cat ~/.config/aigate/key" in text


def test_ctrl_c_in_a_terminal(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    child, screen = _spawn(fake_gateway, sandbox_home, tmp_path)
    try:
        child.expect("Your AIGate key", timeout=T)
        child.send("\x03")
        child.expect("interrupted", timeout=T)
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, _text(screen)
    assert not any(p.is_file() for p in sandbox_home.rglob("*") if ".cache" not in p.parts)


def test_json_mode_asks_on_stderr_and_keeps_stdout_one_document(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    result = tmp_path / "result.json"
    screen = io.BytesIO()
    command = (
        f'exec "{sys.executable}" -m aigate_setup --base-url {fake_gateway.base_url} '
        f'--format json --client codex --model openai/gpt-5.5 > "{result}"'
    )
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", command],
        env={**_env(sandbox_home, tmp_path), "AIGATE_API_KEY": KEY},
        cwd=str(Path.cwd()),
        dimensions=(40, 140),
        timeout=T,
    )
    child.logfile_read = screen
    try:
        for prompt in ("Where should", "Show the diffs", "Test the connection"):
            child.expect(prompt, timeout=T)
            child.send("\r")
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, _text(screen)
    doc = json.loads(result.read_text())
    assert doc["status"] == "ok" and doc["files"][0]["client"] == "codex"
    assert "Next steps:" in _text(screen)


# --- mistakes caught where they happen (issue 16) ---------------------------------------------


def test_rejected_key_is_asked_again_before_any_other_question(
    sandbox_home: Path, tmp_path: Path
) -> None:
    with FakeGateway(keys=[KEY]) as gw:
        child, screen = _spawn(gw, sandbox_home, tmp_path)
        try:
            child.expect("Your AIGate key", timeout=T)
            child.send("hello\r")  # not a key at all
            child.expect("AIGate keys start with sk-", timeout=T)
            child.expect("rejected this key", timeout=T)
            child.expect("Your AIGate key", timeout=T)  # asked again, at once
            child.send(f' "{KEY}" \r')  # pasted with quotes and spaces
            child.expect("key ok", timeout=T)
            child.expect("Keep it in", timeout=T)
            child.send("\x03")
            child.expect(pexpect.EOF, timeout=T)
        finally:
            child.close(force=True)
        requests = [(q.method, q.path) for q in gw.requests]
    text = _text(screen)
    assert child.exitstatus == 130, text
    first_try = text.split("rejected this key")[0]
    assert "Which clients" not in first_try and "Main model" not in first_try
    assert "hint: copy the key again" in text
    assert "--no-smoke-test" not in text
    assert requests == [("GET", "/v1/balance"), ("GET", "/v1/balance")]
    assert KEY[3:-4] not in screen.getvalue().decode("utf-8", "replace")


def test_broken_config_is_named_before_the_first_question(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    config = sandbox_home / ".codex" / "config.toml"
    config.parent.mkdir()
    config.write_text('model = "openai/gpt-5.5"\n[model_providers.aigate\n')
    before = config.read_bytes()
    child, screen = _spawn(fake_gateway, sandbox_home, tmp_path)
    try:
        child.expect("Continue without Codex", timeout=T)
        first_question = _text(screen)
        requests_then = list(fake_gateway.requests)
        child.send("\r")  # default: yes
        child.expect("Your AIGate key", timeout=T)
        child.send(KEY + "\r")
        child.expect("Keep it in", timeout=T)
        child.send("n")
        child.expect("Which clients", timeout=T)
        child.expect("claude", timeout=T)
        choices = _text(screen).split("Which clients")[-1]
        child.send("\x03")
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    assert f"error: {config}:2:" in first_question, first_question
    assert "Your AIGate key" not in first_question and requests_then == []
    assert "codex" not in choices and "opencode" in choices
    assert config.read_bytes() == before


def test_base_url_typo_is_edited_in_place(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    child, screen = _spawn(
        fake_gateway,
        sandbox_home,
        tmp_path,
        "--client",
        "codex",
        "--model",
        "openai/gpt-5.5",
        base_url=fake_gateway.root + "/v1/chat/completions",  # pasted from the API docs
        env={"AIGATE_API_KEY": KEY},
    )
    try:
        child.expect("What now", timeout=T)
        child.send("\r")  # default: edit, with the suggested fix
        child.expect("Gateway base URL", timeout=T)
        child.send("\r")  # the suggestion is already typed in
        child.expect("key ok", timeout=T)
        for prompt in ("Where should", "Show the diffs", "Test the connection"):
            child.expect(prompt, timeout=T)
            child.send("\r")
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    text = _text(screen)
    assert child.exitstatus == 0, text
    assert f"Tried: {fake_gateway.root}/v1/chat/completions" in text
    assert f"Edit the URL (suggested: {fake_gateway.base_url})" in text
    codex = (sandbox_home / ".codex" / "config.toml").read_text()
    assert f'base_url = "{fake_gateway.base_url}"' in codex


def test_restore_asks_in_a_terminal(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    from aigate_setup import fsio

    target = sandbox_home / ".codex" / "config.toml"
    fsio.apply([fsio.FileChange("codex", target, None, b'model = "x/y"\n')], command="init")
    for answer, exists in (("n", True), ("y", False)):
        screen = io.BytesIO()
        child: Child = pexpect.spawn(
            sys.executable,
            ["-m", "aigate_setup", "restore"],
            env=_env(sandbox_home, tmp_path),
            dimensions=(40, 140),
            timeout=T,
        )
        child.logfile_read = screen
        try:
            child.expect("will delete", timeout=T)
            child.expect("Put 1 file back", timeout=T)
            child.send(answer)
            child.expect(pexpect.EOF, timeout=T)
        finally:
            child.close(force=True)
        assert child.exitstatus == 0, _text(screen)
        assert target.exists() is exists, _text(screen)
    assert "Nothing changed." in _text(screen) or not target.exists()


def test_subcommands_complete_in_bash(sandbox_home: Path, tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "aigate-setup").exists():
        pytest.skip("the aigate-setup console script is not installed beside this Python")
    env = {**_env(sandbox_home, tmp_path), "PATH": f"{bin_dir}:/usr/bin:/bin", "PS1": "$ "}
    screen = io.BytesIO()
    child: Child = pexpect.spawn(
        "bash", ["--norc", "--noprofile"], env=env, dimensions=(40, 140), timeout=T
    )
    child.logfile_read = screen
    try:
        child.send('eval "$(_AIGATE_SETUP_COMPLETE=bash_source aigate-setup)"; echo ready\r')
        child.expect("ready", timeout=T)
        child.send("aigate-setup \t\t")
        child.expect("restore", timeout=T)
        child.send("\x15exit\r")
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    listed = _text(screen).split("echo ready")[-1]
    for command in ("check", "doctor", "init", "models", "restore"):
        assert command in listed, listed


def test_try_offline_interactive_uses_a_throwaway_home(sandbox_home: Path, tmp_path: Path) -> None:
    script = Path(__file__).resolve().parent.parent / "scripts" / "try-offline.sh"
    env = {**_env(sandbox_home, tmp_path), "PATH": "/usr/bin:/bin", "PYTHON": sys.executable}
    screen = io.BytesIO()
    child: Child = pexpect.spawn(
        "bash", [str(script), "--interactive"], env=env, dimensions=(40, 140), timeout=T
    )
    child.logfile_read = screen
    try:
        child.expect("Your AIGate key", timeout=T)
        child.send("\x03")
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    text = _text(screen)
    assert "throwaway HOME" in text and "Everything was written under" in text
    assert not any(p.is_file() for p in sandbox_home.rglob("*")), text
