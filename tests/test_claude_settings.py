"""Claude Code's settings.json and key helper (with `--default`): the merge keeps every user key
in order with its formatting, strict JSON only, `unrender` gives the user's file back, and the
helper prints the variable, else the kept key file, else fails with one line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from writer_support import make_selection

from aigate_setup import keyfile, paths
from aigate_setup.clients import claude
from aigate_setup.clients.claude import settings as claude_settings
from aigate_setup.plan import ClaudeSlots, Selection
from aigate_setup.testing import FakeGateway

MODELS = [
    ("ANTHROPIC_MODEL", "anthropic/claude-sonnet-4.6"),
    ("ANTHROPIC_DEFAULT_OPUS_MODEL", "anthropic/claude-opus-4.7"),
    ("ANTHROPIC_DEFAULT_SONNET_MODEL", "anthropic/claude-sonnet-4.6"),
    ("ANTHROPIC_DEFAULT_HAIKU_MODEL", "anthropic/claude-haiku-4.5"),
]


def sel(**kw: Any) -> Selection:
    base = {
        "clients": ("claude",),
        "claude": ClaudeSlots("anthropic/claude-opus-4.7", "a/s", "a/h"),
        "base_url": "https://gw.example/v1",
    }
    return make_selection(**{**base, **kw})


def render(old: str | None) -> str:
    return claude_settings.render_settings(sel(), old, MODELS)


# --- the merge ---------------------------------------------------------------------------------

_keys = st.text(alphabet="abcxyz_", min_size=1, max_size=6).filter(
    lambda k: k not in ("env", "apiKeyHelper")
)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(_keys, _values, min_size=1, max_size=5),
    st.sampled_from([2, 4, "\t"]),
    st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_user_keys_stay_in_order_and_unrender_gives_the_file_back(
    data: dict[str, Any], indent: int | str, crlf: bool
) -> None:
    text = json.dumps(data, indent=indent) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    out = render(text)
    assert out.startswith(text[: text.rindex("}")].rstrip())  # user bytes first, untouched
    merged = json.loads(out)
    assert list(merged)[: len(data)] == list(data)
    assert {k: merged[k] for k in data} == data
    assert merged["apiKeyHelper"] == str(claude_settings.helper_path())
    assert merged["env"]["ANTHROPIC_BASE_URL"] == "https://gw.example"
    assert merged["env"]["ANTHROPIC_API_KEY"] == "" == merged["env"]["ANTHROPIC_AUTH_TOKEN"]
    assert render(out) == out  # idempotent
    assert claude_settings.unrender(Path("settings.json"), out) == text


def test_a_users_env_keys_are_kept_and_ours_are_set_in_place() -> None:
    text = '{\n  "env": {\n    "FOO": "1",\n    "ANTHROPIC_BASE_URL": "https://elsewhere"\n  },\n  "model": "x"\n}\n'
    out = render(text)
    data = json.loads(out)
    assert list(data) == ["env", "model", "apiKeyHelper"]
    assert list(data["env"])[:2] == ["FOO", "ANTHROPIC_BASE_URL"]
    assert data["env"]["ANTHROPIC_BASE_URL"] == "https://gw.example"
    back = claude_settings.unrender(Path("settings.json"), out)
    assert back is not None and json.loads(back) == {"env": {"FOO": "1"}, "model": "x"}


def test_a_new_file_and_its_unrender() -> None:
    out = render(None)
    assert list(json.loads(out)) == ["apiKeyHelper", "env"]
    assert claude_settings.unrender(Path("settings.json"), out) is None
    assert claude_settings.unrender(claude_settings.helper_path(), "#!/bin/sh\n") is None


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{\n  // mine\n  "a": 1\n}\n', (2, 3)),
        ('{\n  "a": 1,\n}\n', (3, 1)),
        ('{"a": NaN}', None),
    ],
)
def test_comments_and_trailing_commas_are_refused(text: str, where: tuple[int, int] | None) -> None:
    problem = claude_settings.settings_problem(Path("/s.json"), text)
    assert problem is not None
    if where is not None:
        assert "strict JSON" in problem.message
        assert (problem.line, problem.column) == where
        assert "ignores the whole file" in (problem.hint or "")


def test_env_that_is_not_an_object_is_refused() -> None:
    problem = claude_settings.settings_problem(Path("/s.json"), '{"env": "x"}')
    assert problem is not None and problem.key_path == "env"


# --- through init ------------------------------------------------------------------------------


def _init(gw: FakeGateway, *flags: str, key: str | None = TEST_KEY) -> Any:
    env = {"AIGATE_API_KEY": key} if key else {}
    args = ["init", "--yes", "--no-smoke-test", "--base-url", gw.base_url, "--client", "claude"]
    return run_cli(*args, "--model", "anthropic/claude-sonnet-4.6", *flags, env=env)


def test_init_writes_settings_and_an_executable_helper(fake_gateway: FakeGateway) -> None:
    user = paths.home() / ".claude" / "settings.json"
    user.parent.mkdir()
    user.write_text('{\n    "theme": "dark",\n    "permissions": {"allow": []}\n}\n')
    r = _init(fake_gateway)
    assert r.exit_code == 0, r.output
    data = json.loads(user.read_text())
    assert list(data)[:2] == ["theme", "permissions"]
    assert data["env"]["ANTHROPIC_BASE_URL"] == fake_gateway.root
    assert data["env"]["ANTHROPIC_MODEL"] == "anthropic/claude-sonnet-4.6"
    helper = paths.aigate_config_dir() / claude_settings.HELPER_SH
    assert stat.S_IMODE(helper.stat().st_mode) == 0o700
    assert TEST_KEY not in user.read_text() + helper.read_text()
    assert _init(fake_gateway).exit_code == 0
    assert "unchanged" in _init(fake_gateway).stdout


def test_claude_config_dir_project_scope_and_no_default(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    custom = tmp_path / "claude-config"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(custom))
    assert _init(fake_gateway).exit_code == 0
    assert (custom / "settings.json").is_file()
    assert _init(fake_gateway, "--scope", "project").exit_code == 0
    assert (Path.cwd() / ".claude" / "settings.local.json").is_file()
    monkeypatch.delenv("CLAUDE_CONFIG_DIR")
    assert _init(fake_gateway, "--no-default").exit_code == 0
    assert not (paths.home() / ".claude").exists()


def test_a_settings_file_with_a_comment_stops_the_run(fake_gateway: FakeGateway) -> None:
    user = paths.home() / ".claude" / "settings.json"
    user.parent.mkdir()
    user.write_text('{\n  // mine\n  "theme": "dark"\n}\n')
    r = _init(fake_gateway)
    assert r.exit_code == 1, r.output
    assert "settings.json:2:3" in r.stderr and "strict JSON" in r.stderr
    assert not (paths.aigate_config_dir() / "aigate-claude.sh").exists()


# --- the helper --------------------------------------------------------------------------------


def _helper() -> Path:
    path = claude_settings.helper_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(claude_settings.helper_text(sel()))
    path.chmod(0o700)
    return path


def _run(command: str, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(paths.home()), "PATH": os.environ["PATH"], **extra}
    return subprocess.run(
        ["sh", "-c", command], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_helper_prints_the_variable_else_the_key_file_else_fails() -> None:
    helper = _helper()
    cmd = claude_settings.helper_command(helper)
    assert _run(cmd, {"AIGATE_API_KEY": "sk-from-var"}).stdout == "sk-from-var\n"
    key = keyfile.path()
    key.write_text(TEST_KEY + "\n")
    assert _run(cmd, {}).stdout == TEST_KEY + "\n"
    key.unlink()
    failed = _run(cmd, {})
    assert failed.returncode == 1 and failed.stdout == ""
    assert len(failed.stderr.strip().splitlines()) == 1 and "--save-key" in failed.stderr


def test_helper_path_with_spaces_is_quoted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "my config's dir"))
    helper = _helper()
    cmd = claude_settings.helper_command(helper)
    assert cmd != str(helper)
    assert _run(cmd, {"AIGATE_API_KEY": "sk-x"}).stdout == "sk-x\n"
    assert claude_settings.is_our_helper(cmd)
    assert claude_settings.helper_file(cmd) == helper


def test_windows_helper_is_a_cmd_file() -> None:
    text = claude_settings.helper_text(sel(), "win32")
    assert text.startswith("@echo off") and "if defined AIGATE_API_KEY" in text
    assert claude_settings.helper_path("win32").name == "claude-key-helper.cmd"


# --- doctor ------------------------------------------------------------------------------------


def test_doctor_passes_a_settings_only_setup(fake_gateway: FakeGateway) -> None:
    assert _init(fake_gateway, "--save-key").exit_code == 0
    where = ("--base-url", fake_gateway.base_url)
    for name in (claude.SH_NAME, claude.PS1_NAME):
        (paths.aigate_config_dir() / name).unlink()
    r = run_cli("doctor", "--offline", "--format", "json", "--client", "claude", *where)
    checks = {c["id"]: c for c in json.loads(r.stdout)["checks"]}
    failed = {k: v for k, v in checks.items() if v["status"] == "fail"}
    assert not failed, failed
    assert checks["claude.script"]["status"] == "skip"
    assert checks["claude.settings"]["status"] == "pass"
    assert checks["claude.key"]["status"] == "pass"
    assert checks["claude.sourced"]["status"] == "pass"
    keyfile.path().unlink()
    r = run_cli("doctor", "--offline", "--format", "json", "--client", "claude", *where)
    checks = {c["id"]: c for c in json.loads(r.stdout)["checks"]}
    assert checks["claude.key"]["status"] == "fail", checks["claude.key"]


def test_script_unrender_keeps_the_users_lines() -> None:
    script = paths.aigate_config_dir() / claude.SH_NAME
    fresh = claude.render(sel(), None, script, None)
    assert claude.unrender(script, fresh) is None  # header and block: all ours
    mine = "alias c=claude\n"
    assert claude.unrender(script, claude.render(sel(), None, script, mine)) == mine
    assert keyfile.unrender(keyfile.path(), TEST_KEY + "\n") is None


def test_remove_puts_the_users_replaced_values_back_after_a_later_edit(
    fake_gateway: FakeGateway,
) -> None:
    """Not the backup (the file changed since init): the owned keys come out and the values
    they replaced (a user's model, their own key helper) go back in."""
    path = paths.home() / ".claude" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(
        '{\n  "env": {"FOO": "1", "ANTHROPIC_MODEL": "alpha"},\n  "apiKeyHelper": "~/bin/my-key"\n}\n'
    )
    args = ["init", "--yes", "--no-smoke-test", "--base-url", fake_gateway.base_url]
    r = run_cli(
        *args, "--client", "claude", "--model", "openai/gpt-5.5", env={"AIGATE_API_KEY": TEST_KEY}
    )
    assert r.exit_code == 0, r.output
    data = json.loads(path.read_text())
    assert data["env"]["ANTHROPIC_MODEL"] == "openai/gpt-5.5"
    assert claude_settings.is_our_helper(data["apiKeyHelper"])
    path.write_text(path.read_text().replace("{\n", '{\n  "theme": "dark",\n', 1))  # a later edit
    r = run_cli("remove", "--yes", "--client", "claude")
    assert r.exit_code == 0, r.output
    assert json.loads(path.read_text()) == {
        "theme": "dark",
        "env": {"FOO": "1", "ANTHROPIC_MODEL": "alpha"},
        "apiKeyHelper": "~/bin/my-key",
    }
