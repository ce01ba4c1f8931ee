"""Hand edits, replaced defaults and `remove` in a real pseudo-terminal (pexpect)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from init_support import init
from test_remove import CODEX_BEFORE, MODEL, codex_file, seed
from test_wizard_tty import KEY, Child, T, _env, _text

from aigate_setup.testing import FakeGateway

pexpect = pytest.importorskip("pexpect")


def _finish(child: Child, screen: io.BytesIO, *prompts_then_answers: str) -> str:
    try:
        for i in range(0, len(prompts_then_answers), 2):
            child.expect(prompts_then_answers[i], timeout=T)
            child.send(prompts_then_answers[i + 1])
        child.expect(pexpect.EOF, timeout=T)
    finally:
        child.close(force=True)
    return _text(screen)


def _wizard(gw: FakeGateway, home: Path, tmp_path: Path, *args: str) -> tuple[Child, io.BytesIO]:
    screen = io.BytesIO()
    args = args or ("--base-url", gw.base_url, "--client", "codex", "--model", MODEL)
    child: Child = pexpect.spawn(
        sys.executable,
        ["-m", "aigate_setup", *args],
        env={**_env(home, tmp_path), "AIGATE_API_KEY": KEY},
        cwd=str(Path.cwd()),
        dimensions=(40, 140),
        timeout=T,
    )
    child.logfile_read = screen
    return child, screen


def test_wizard_shows_a_hand_edit_and_asks_before_overwriting(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    assert init(fake_gateway, "--model", MODEL, "--client", "codex").exit_code == 0
    edited = codex_file().read_text().replace(f'model = "{MODEL}"', 'model = "my/edit"')
    codex_file().write_text(edited)
    child, screen = _wizard(fake_gateway, sandbox_home, tmp_path)
    text = _finish(child, screen, "Where should", "\r", "Overwrite your changes", "n")
    assert child.exitstatus == 0, text
    assert 'model was changed by hand to "my/edit"' in text
    assert f'(aigate-setup wrote "{MODEL}")' in text
    assert "Nothing written." in text
    assert codex_file().read_text() == edited

    child, screen = _wizard(fake_gateway, sandbox_home, tmp_path)
    answers = ("Where should", "\r", "Overwrite your changes", "y", "Show the diffs", "\r")
    text = _finish(child, screen, *answers, "Test the connection", "\r")
    assert child.exitstatus == 0, text
    assert f'model = "{MODEL}"' in codex_file().read_text()


def test_wizard_asks_before_replacing_another_default(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    seed()
    child, screen = _wizard(fake_gateway, sandbox_home, tmp_path)
    question = "Codex now defaults to openrouter / o3. Make AIGate the default?"
    answers = ("Where should", "\r", question, "n", "Show the diffs", "\r")
    text = _finish(child, screen, *answers, "Test the connection", "\r")
    assert child.exitstatus == 0, text
    config = codex_file().read_text()
    assert config.startswith(CODEX_BEFORE)  # the user's default stays
    assert "[model_providers.aigate]" in config
    assert f"codex -c model_provider=aigate -m {MODEL}" in text


def test_remove_asks_in_a_terminal(
    fake_gateway: FakeGateway, sandbox_home: Path, tmp_path: Path
) -> None:
    seed()
    assert init(fake_gateway, "--model", MODEL, "--client", "codex").exit_code == 0
    child, screen = _wizard(fake_gateway, sandbox_home, tmp_path, "remove")
    text = _finish(child, screen, "Show the diffs", "\r", "Remove AIGate from these files", "y")
    assert child.exitstatus == 0, text
    assert "Codex defaults to openrouter / o3 again" in text
    assert codex_file().read_text() == CODEX_BEFORE
