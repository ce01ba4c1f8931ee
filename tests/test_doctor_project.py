"""Where doctor looks for project files: `$HOME` is never a project, and a subdirectory of a
project resolves to the project root the way the clients find it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_cli
from doctor_support import ENV, claude_sh, doctor, get, home, init

from aigate_setup.testing import FakeGateway


def test_fix_from_home_repairs_the_user_script(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(fake_gateway, "claude")
    text = claude_sh().read_text()
    claude_sh().write_text("\n".join(ln for ln in text.splitlines() if "HAIKU" not in ln) + "\n")
    monkeypatch.chdir(home())
    r = run_cli("doctor", "--base-url", fake_gateway.base_url, "--fix", "--yes", env=ENV)
    assert "--fix: updated ~/.config/aigate/aigate-claude.sh (claude)" in r.stdout, r.output
    assert not (home() / ".aigate").exists()
    assert "ANTHROPIC_DEFAULT_HAIKU_MODEL" in claude_sh().read_text()


@pytest.mark.parametrize("git", [True, False], ids=["git", "no-git"])
def test_a_project_subdirectory_sees_the_project_files(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch, git: bool
) -> None:
    project = Path.cwd()
    if git:
        (project / ".git").mkdir()
    init(fake_gateway, extra=("--scope", "project"))
    _, at_root = doctor(fake_gateway, "--offline")
    sub = project / "src" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    r, checks = doctor(fake_gateway, "--offline")
    assert r.exit_code == 0, r.output
    # <client>.effective judges the shell the user starts Claude from (a project script is
    # named only where it sits), and so does claude.sourced: Claude Code reads the project's
    # .claude/settings.json only when it starts in the project root, so from a subdirectory the
    # script must be loaded. Every other file-based check must be the same as at the root.
    shell_bound = (".effective", "claude.sourced")

    def bad(found: list[dict[str, str]]) -> list[dict[str, str]]:
        return [
            c
            for c in found
            if c["status"] in ("warn", "fail") and not any(s in c["id"] for s in shell_bound)
        ]

    assert bad(checks) == bad(at_root)
    assert get(at_root, "claude.sourced")["status"] == "pass"  # settings.json: not needed
    assert get(checks, "claude.sourced")["status"] == "warn"
    assert get(checks, "claude.script")["status"] == "pass"
    assert get(checks, "kilo.default")["status"] == "pass"


def test_the_search_stops_at_the_git_root(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(fake_gateway, "opencode", extra=("--scope", "project"))
    inner = Path.cwd() / "vendored"
    (inner / ".git").mkdir(parents=True)
    monkeypatch.chdir(inner)
    os.environ.pop("AIGATE_BASE_URL", None)
    _, checks = doctor(fake_gateway, "--offline", "--client", "opencode")
    # The outer project's opencode.json is not this repository's: OpenCode stops at .git too.
    assert get(checks, "opencode.provider")["status"] in ("warn", "fail")
