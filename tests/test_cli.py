from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from aigate_setup import __version__, paths
from aigate_setup.testing import FakeGateway


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"aigate-setup {__version__}"


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("init", "doctor", "check", "models", "restore"):
        assert f"  {command} " in result.stdout


def test_unknown_command_is_usage_error() -> None:
    result = run_cli("bogus")
    assert result.exit_code == 2
    assert "No such command 'bogus'" in result.stderr


def test_bad_base_url_is_usage_error_with_hint() -> None:
    result = run_cli("models", "--base-url", "ftp://x")
    assert result.exit_code == 2
    assert "not an http(s) URL" in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.output


def test_json_errors_keep_stdout_one_document() -> None:
    result = run_cli("models", "--format", "json", "--base-url", "nope")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["version"] == 1
    assert doc["command"] == "models"
    assert doc["status"] == "fail"


def test_python_dash_m_works() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aigate_setup", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert __version__ in proc.stdout


def test_help_imports_no_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from aigate_setup import cli\n"
        "try:\n    cli.main.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('httpx', 'jinja2', 'tomlkit', 'questionary', 'aigate_setup.catalog')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY=\n" in proc.stdout, proc.stdout + proc.stderr


def test_check_imports_no_editor_or_network_modules(tmp_path: Path) -> None:
    # check only reads: tomllib and the JSONC parser, never tomlkit/jinja2/httpx/questionary.
    (tmp_path / ".codex").mkdir()
    (tmp_path / ".codex" / "config.toml").write_text('model = "openai/gpt-5.5"\n')
    (tmp_path / "opencode.json").write_text('{"model": "aigate/openai/gpt-5.5"}\n')
    code = (
        "import sys\n"
        "from aigate_setup import cli\n"
        "try:\n    cli.main.main(['check', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('httpx', 'jinja2', 'tomlkit', 'questionary') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "HEAVY=\n" in proc.stdout, proc.stdout + proc.stderr


# --- a key pasted with a line break (issue 18) ------------------------------------------------

SECRET = "sk-SECRETcli0test0key0ABCDEFGH9k2m"


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize(
    "args",
    [
        ["init", "--yes", "--client", "codex", "--model", "openai/gpt-5.5"],
        ["models"],
    ],
    ids=["init", "models"],
)
def test_key_ending_in_cr_is_stripped_and_never_shown(
    fake_gateway: FakeGateway, args: list[str], fmt: str
) -> None:
    r = run_cli(*args, "--base-url", fake_gateway.base_url, "--format", fmt,
                env={"AIGATE_API_KEY": SECRET + "\r"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert SECRET[3:-4] not in r.output
    if fmt == "json":
        assert json.loads(r.stdout)["status"] == "ok"
    assert {q.key_suffix for q in fake_gateway.requests} == {SECRET[-4:]}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("command", ["init", "models"])
def test_key_with_inner_line_break_is_a_usage_error_that_never_shows_it(
    fake_gateway: FakeGateway, command: str, fmt: str
) -> None:
    key = SECRET[:12] + "\r\n" + SECRET[12:]
    r = run_cli(command, "--base-url", fake_gateway.base_url, "--format", fmt,
                env={"AIGATE_API_KEY": key})  # fmt: skip
    assert r.exit_code == 2, r.output
    assert "cannot be used as a key" in r.stderr
    assert SECRET[3:12] not in r.output and SECRET[12:-4] not in r.output
    if fmt == "json":
        assert json.loads(r.stdout)["error"]["exit_code"] == 2
    assert fake_gateway.requests == []


@pytest.mark.parametrize(
    "args",
    [["models", "--base-url", "http://127.0.0.1:9/v1"], ["doctor", "--offline"], ["check"]],
    ids=["models", "doctor", "check"],
)
def test_key_env_naming_another_variable_is_refused_everywhere(args: list[str]) -> None:
    r = run_cli(*args, "--key-env", "PATH")
    assert r.exit_code == 2
    assert "--key-env PATH names a variable that holds something else" in r.stderr
    assert "hint:" in r.stderr


# --- help, version, completion, restore asking (issue 16) -------------------------------------

COMMAND_NAMES = ("init", "doctor", "check", "models", "restore")


def test_short_version_flag_and_a_typo_gets_the_groups_error() -> None:
    assert run_cli("-V").stdout.strip() == f"aigate-setup {__version__}"
    r = run_cli("--verison")
    assert r.exit_code == 2
    assert "No such option '--verison'" in r.stderr and "--version" in r.stderr
    assert "aigate-setup init" not in r.stderr  # not init's usage


def test_init_options_still_mean_init() -> None:
    r = run_cli("--yes", "--base-url", "ftp://x")
    assert r.exit_code == 2 and "not an http(s) URL" in r.stderr


def test_command_list_is_not_cut_off_and_every_command_has_examples() -> None:
    listing = run_cli("--help").stdout
    commands = listing.split("Commands:")[1].split("Examples:")[0]
    assert "..." not in commands
    assert "Diagnose the key, network, gateway and clients" in commands
    assert "Examples:" in listing and "_AIGATE_SETUP_COMPLETE=bash_source" in listing
    for command in COMMAND_NAMES:
        page = run_cli(command, "--help").stdout
        assert "Examples:" in page, command
        assert f"aigate-setup {command}" in page.split("Examples:")[1], command


def test_restore_help_lists_only_its_own_options() -> None:
    page = run_cli("restore", "--help").stdout
    assert "--base-url" not in page and "--key-env" not in page
    assert "--yes" in page and "--dry-run" in page and "--list" in page


def _complete(shell: str, line: str, cword: int | None = None) -> list[str]:
    env = {**os.environ, "_AIGATE_SETUP_COMPLETE": f"{shell}_complete"}
    if shell == "powershell":
        env["COMP_LINE"] = line
    else:
        env.update(COMP_WORDS=line, COMP_CWORD=str(cword))
    proc = subprocess.run(
        [sys.executable, "-c", "from aigate_setup.cli import entry; entry()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_subcommands_complete_after_the_bare_command() -> None:
    words = [line.split(",", 1)[1] for line in _complete("bash", "aigate-setup ", 1)]
    assert set(COMMAND_NAMES) <= set(words)
    options = [line.split(",", 1)[1] for line in _complete("bash", "aigate-setup --cl", 1)]
    assert "--client" in options  # init's options still complete at the top level
    values = [line.split(",", 1)[1] for line in _complete("bash", "aigate-setup --client ", 2)]
    assert "codex" in values


def test_powershell_completion() -> None:
    lines = _complete("powershell", "aigate-setup res")
    assert lines == ["restore\tUndo a run from its backups"]
    assert "--list" in [
        x.split("\t")[0] for x in _complete("powershell", "aigate-setup restore --")
    ]
    source = subprocess.run(
        [sys.executable, "-c", "from aigate_setup.cli import entry; entry()"],
        env={**os.environ, "_AIGATE_SETUP_COMPLETE": "powershell_source"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    assert "Register-ArgumentCompleter -Native -CommandName 'aigate-setup'" in source


def test_restore_without_a_terminal_restores_as_scripts_expect(fake_gateway: FakeGateway) -> None:
    # Nobody to ask: a script's `restore` (no --yes) keeps working; a terminal is asked (pty test).
    r = run_cli("init", "--yes", "--client", "codex", "--model", "openai/gpt-5.5",
                "--base-url", fake_gateway.base_url, env={"AIGATE_API_KEY": SECRET})  # fmt: skip
    assert r.exit_code == 0, r.output
    config = paths.codex_home() / "config.toml"
    r = run_cli("restore")
    assert r.exit_code == 0, r.output
    assert not config.exists()
