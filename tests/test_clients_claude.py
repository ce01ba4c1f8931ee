"""Claude Code scripts: executed with bash and sh; the PowerShell script checked by its text."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

import pytest
from writer_support import make_selection

from aigate_setup import paths
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import claude
from aigate_setup.merge.block import BEGIN, END
from aigate_setup.plan import ClaudeSlots, PlanError, Selection, build_changes
from aigate_setup.rules import RuleContext, validate_file

BASE = "https://api.aigate.shop/v1"
KEY = "sk-test-0123456789abcdefWXYZ"
SLOTS = ClaudeSlots(
    "anthropic/claude-opus-4.7", "anthropic/claude-sonnet-4.6", "anthropic/claude-haiku-4.5"
)
CATALOG = Catalog(
    models=(
        Model("openai/gpt-5.5", "chat", ("codex", "opencode", "kilo")),
        Model("anthropic/claude-opus-4.7", "chat", ("opencode", "kilo", "claude")),
        Model("anthropic/claude-sonnet-4.6", "chat", ("opencode", "kilo", "claude")),
        Model("anthropic/claude-haiku-4.5", "chat", ("opencode", "kilo", "claude")),
    ),
    source="test",
)
SHELLS = [s for s in ("bash", "sh", "dash", "zsh") if shutil.which(s)]


def sel(**kw: Any) -> Selection:
    return make_selection(
        **{**{"clients": ("claude",), "model": "anthropic/claude-opus-4.7", "claude": SLOTS}, **kw}
    )


def written(s: Selection, catalog: Catalog | None = CATALOG) -> tuple[Path, Path]:
    """Build and write both scripts; return (sh, ps1)."""
    changes = build_changes(s, catalog)
    for change in changes:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        change.path.write_bytes(change.new)
    sh, ps1 = [c.path for c in changes][:2]  # then settings.json and its helper
    return sh, ps1


def source(shell: str, script: Path, env: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """`. script` in `shell`, then print the environment: (rc of the source, env, stderr)."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    proc = subprocess.run(
        [shell, "-c", '. "$1"; rc=$?; env; exit $rc', shell, str(script)],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    found = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return proc.returncode, found, proc.stderr


def test_locations(tmp_path: Path) -> None:
    config = paths.xdg_config_home() / "aigate"
    assert claude.target_paths("user", tmp_path) == [config / "aigate-claude.sh",
                                                     config / "aigate-claude.ps1"]  # fmt: skip
    assert claude.target_paths("project", tmp_path) == [
        tmp_path / ".aigate" / "aigate-claude.sh",
        tmp_path / ".aigate" / "aigate-claude.ps1",
    ]
    kinds = dict(claude.config_paths(tmp_path))
    assert kinds[paths.home() / ".claude" / "settings.json"] == "claude-settings"
    assert kinds[tmp_path / ".claude" / "settings.json"] == "claude-settings"
    assert kinds[tmp_path / ".aigate" / "aigate-claude.ps1"] == "claude-ps1"


def test_windows_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setattr(paths, "home", lambda: PureWindowsPath("C:/Users/me"))
    # paths.home() is patched to a PureWindowsPath: widen the declared type to compare.
    found: PurePath = claude.target_paths("user", Path.cwd())[1]
    assert found == PureWindowsPath(r"C:\Users\me\.config\aigate\aigate-claude.ps1")


@pytest.mark.parametrize("shell", SHELLS)
def test_sourcing_with_a_key_exports_everything(shell: str) -> None:
    sh, _ = written(sel())
    rc, env, err = source(shell, sh, {"AIGATE_API_KEY": KEY, "ANTHROPIC_API_KEY": "sk-old-1234"})
    assert (rc, err) == (0, "")
    assert env["ANTHROPIC_BASE_URL"] == "https://api.aigate.shop"
    assert env["ANTHROPIC_AUTH_TOKEN"] == KEY
    assert "ANTHROPIC_API_KEY" not in env
    assert "_aigate_key" not in env
    assert env["ANTHROPIC_MODEL"] == "anthropic/claude-opus-4.7"
    assert env["ANTHROPIC_DEFAULT_OPUS_MODEL"] == SLOTS.opus
    assert env["ANTHROPIC_DEFAULT_SONNET_MODEL"] == SLOTS.sonnet
    assert env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == SLOTS.haiku


@pytest.mark.parametrize("shell", SHELLS)
def test_sourcing_without_a_key_fails_and_exports_nothing(shell: str) -> None:
    sh, _ = written(sel())
    for env in ({}, {"AIGATE_API_KEY": ""}):
        rc, found, err = source(shell, sh, env)
        assert rc == 1
        assert "AIGATE_API_KEY is empty" in err
        assert not any(k.startswith("ANTHROPIC_") for k in found)


@pytest.mark.parametrize("shell", SHELLS)
def test_executing_without_a_key_exits_1(shell: str) -> None:
    sh, _ = written(sel())
    proc = subprocess.run([shell, str(sh)], env={"PATH": os.environ["PATH"]},
                          capture_output=True, text=True, timeout=20, check=False)  # fmt: skip
    assert proc.returncode == 1
    assert "AIGATE_API_KEY is empty" in proc.stderr


def test_key_file_is_read_at_source_time(tmp_path: Path) -> None:
    key_file = tmp_path / "key dir" / "aigate key"
    key_file.parent.mkdir()
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    sh, ps1 = written(sel(key_file=key_file))
    assert KEY not in sh.read_text() and KEY not in ps1.read_text()
    rc, env, _ = source("sh", sh, {})
    assert rc == 0
    assert env["ANTHROPIC_AUTH_TOKEN"] == KEY
    rc, env, _ = source("sh", sh, {"AIGATE_API_KEY": "sk-from-env-0000"})
    assert env["ANTHROPIC_AUTH_TOKEN"] == "sk-from-env-0000"  # the variable wins
    key_file.unlink()
    rc, _, err = source("sh", sh, {})
    assert rc == 1 and "is empty" in err
    assert f"Test-Path -LiteralPath '{key_file}'" in ps1.read_text()


def test_other_key_variable_name() -> None:
    sh, ps1 = written(sel(key_env="MY_GATE_KEY"))
    rc, env, _ = source("bash", sh, {"MY_GATE_KEY": KEY})
    assert rc == 0 and env["ANTHROPIC_AUTH_TOKEN"] == KEY
    assert "${env:MY_GATE_KEY}" in ps1.read_text()


# Every shell-special character a model id may hold (ids never hold whitespace or braces).
ODD = 'we\'ird;$HOME|`id`&"model"<\u2019x>'


def test_values_are_quoted_safely() -> None:
    s = sel(claude=ClaudeSlots(ODD, SLOTS.sonnet, SLOTS.haiku), base_url="https://gw.example/v1")
    sh, ps1 = written(s)
    rc, env, _ = source("bash", sh, {"AIGATE_API_KEY": KEY})
    assert rc == 0
    assert env["ANTHROPIC_DEFAULT_OPUS_MODEL"] == ODD
    assert env["ANTHROPIC_BASE_URL"] == "https://gw.example"
    text = ps1.read_text()
    assert (
        "$env:ANTHROPIC_DEFAULT_OPUS_MODEL = 'we''ird;$HOME|`id`&\"model\"<\u2019\u2019x>'\n"
        in text
    )


def test_powershell_text() -> None:
    _, ps1 = written(sel(model="openai/gpt-5.5"))
    text = ps1.read_text()
    body = text[text.index(BEGIN) : text.index(END)]
    assert "$aigateKey = ${env:AIGATE_API_KEY}\n" in body
    guard = body.index("if (-not $aigateKey) {")
    assert body.index("Write-Error 'aigate-claude: AIGATE_API_KEY is empty", guard) > guard
    assert body.index("    return\n}", guard) < body.index("$env:ANTHROPIC_BASE_URL")
    assert "$env:ANTHROPIC_BASE_URL = 'https://api.aigate.shop'\n" in body
    assert "$env:ANTHROPIC_AUTH_TOKEN = $aigateKey\n" in body
    assert "Remove-Item Env:ANTHROPIC_API_KEY -ErrorAction SilentlyContinue\n" in body
    # the main model is not usable by Claude Code here: ANTHROPIC_MODEL falls back to sonnet
    assert f"$env:ANTHROPIC_MODEL = '{SLOTS.sonnet}'\n" in body
    for name, value in (("OPUS", SLOTS.opus), ("SONNET", SLOTS.sonnet), ("HAIKU", SLOTS.haiku)):
        assert f"$env:ANTHROPIC_DEFAULT_{name}_MODEL = '{value}'\n" in body
    assert "/v1'" not in body
    assert validate_file(ps1, text, RuleContext(catalog=CATALOG)) == []


def test_main_model_choice() -> None:
    assert claude.main_model(sel(model="openai/gpt-5.5"), CATALOG) == SLOTS.sonnet
    assert claude.main_model(sel(model="anthropic/claude-haiku-4.5"), CATALOG) == SLOTS.haiku
    assert claude.main_model(sel(model="anthropic/claude-x"), None) == "anthropic/claude-x"
    assert claude.main_model(sel(model="deepseek/deepseek-v3.2"), None) == SLOTS.sonnet


def test_generated_scripts_pass_the_rules() -> None:
    sh, ps1 = written(sel())
    ctx = RuleContext(catalog=CATALOG)
    assert validate_file(sh, sh.read_text(), ctx) == []
    assert validate_file(ps1, ps1.read_text(), ctx) == []


def test_user_lines_outside_the_block_survive_and_rerun_is_unchanged() -> None:
    sh, _ = written(sel())
    original = sh.read_text()
    sh.write_text("# my own line\nexport FOO=1\n" + original + "alias c=claude\n")
    changes = build_changes(sel(model="anthropic/claude-sonnet-4.6"), CATALOG)
    new = changes[0].new.decode()
    assert new.startswith("# my own line\nexport FOO=1\n")
    assert new.endswith(END + "\nalias c=claude\n")
    assert "export ANTHROPIC_MODEL='anthropic/claude-sonnet-4.6'\n" in new
    assert new.count(BEGIN) == 1
    sh.write_text(new)
    assert build_changes(sel(model="anthropic/claude-sonnet-4.6"), CATALOG)[0].status == (
        "unchanged"
    )


def test_broken_markers_are_reported() -> None:
    sh, ps1 = written(sel())
    sh.write_text(f"{BEGIN}\nexport X=1\n")
    ps1.write_text(f"{END}\n")
    with pytest.raises(PlanError) as info:
        build_changes(sel(), CATALOG)
    err = info.value
    assert err.path == sh and err.line == 1
    assert len(err.problems) == 2
    assert f"{ps1}:1:1:" in str(err)


def test_a_crlf_powershell_profile_gets_a_crlf_block() -> None:
    ps1 = claude.target_paths("user", Path.cwd())[1]
    ps1.parent.mkdir(parents=True)
    ps1.write_bytes(b"Set-Alias c claude\r\n")
    new = build_changes(sel(), CATALOG)[1].new
    assert new.startswith(b"Set-Alias c claude\r\n\r\n" + BEGIN.encode() + b"\r\n")
    assert b"\n" not in new.replace(b"\r\n", b"")
