from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import run_cli

from aigate_setup import __version__


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
