"""`--save-key` and `--shell-profile`: the key file, the startup blocks and their env files.

Merges are checked as properties (any user text, CRLF, no final newline, an existing block);
the CLI runs check the files on disk: modes, symlinks, backups, reruns and restore. The env
files are run by the real shells (zsh only when installed).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import TEST_KEY, Result, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from init_support import backup_runs

from aigate_setup import keyfile, paths, shells
from aigate_setup.merge.block import BEGIN, END, extract_block, remove_block
from aigate_setup.testing import FakeGateway

BODY = shells.block_body(shells.known(platform="linux")[0], "AIGATE_API_KEY")

# --- the merge, as properties ------------------------------------------------------------------

_line = st.text(alphabet="ab #=$'\"\t\\", max_size=12)


@st.composite
def user_text(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_line, max_size=8))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    final = draw(st.booleans())
    text = nl.join(lines) + (nl if final and lines else "")
    return text


@given(user_text())
@settings(max_examples=200, deadline=None)
def test_block_is_added_once_and_taken_out_byte_for_byte(text: str) -> None:
    merged = shells.merged(text, BODY)
    assert merged.startswith(text)
    assert extract_block(merged) is not None
    assert shells.merged(merged, BODY) == merged  # idempotent
    stripped = remove_block(merged)
    last_line = text.replace("\r\n", "\n").rstrip("\n").split("\n")[-1] if text else ""
    ends_blank = text.endswith(("\n\n", "\r\n\r\n")) or (text.endswith("\n") and not last_line)
    if not text.strip():
        assert stripped is None or not stripped.strip()
    elif not ends_blank:
        assert stripped == text


@given(user_text(), user_text(), st.sampled_from(["\n", "\r\n"]))
@settings(max_examples=150, deadline=None)
def test_an_existing_block_is_replaced_in_place(before: str, after: str, nl: str) -> None:
    if before and not before.endswith("\n"):
        before += nl
    text = f"{before}{BEGIN}{nl}old body{nl}{END}{nl}{after}"
    merged = shells.merged(text, BODY)
    assert merged.startswith(before + BEGIN + nl)
    assert merged.endswith(END + nl + after)
    assert "old body" not in merged
    assert shells.merged(merged, BODY) == merged


def test_broken_markers_are_a_problem_with_a_line() -> None:
    problem = shells.block_problem(Path("/x/.zshrc"), f"a\n{BEGIN}\nb\n")
    assert problem is not None and problem.line == 2


def test_unrender_of_env_files_and_a_file_of_only_the_block() -> None:
    env_sh = paths.aigate_config_dir() / "env.sh"
    assert shells.unrender(env_sh, "anything") is None
    fish = paths.xdg_config_home() / "fish" / "conf.d" / "aigate.fish"
    assert shells.unrender(fish, shells.merged(None, BODY)) is None
    assert shells.unrender(paths.home() / ".bashrc", "alias x=y\n") == "alias x=y\n"


# --- which shells, which files ------------------------------------------------------------------


def test_shells_the_user_has(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("bash", "fish"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    env = {"PATH": str(bin_dir), "SHELL": "/usr/bin/zsh", "ZDOTDIR": str(tmp_path / "z")}
    found = {s.name: s for s in shells.detected(env, "linux")}
    assert sorted(found) == ["bash", "fish", "zsh"]  # on PATH, or the login shell
    assert found["zsh"].startup == (tmp_path / "z" / ".zshrc",)
    assert found["fish"].startup == (paths.xdg_config_home() / "fish" / "conf.d" / "aigate.fish",)
    # pwsh: a profile that exists counts, and its path is computed without running pwsh
    profile = paths.xdg_config_home() / "powershell" / shells.PROFILE_NAME
    profile.parent.mkdir(parents=True)
    profile.write_text("# mine\n")
    assert "pwsh" in {s.name for s in shells.detected({"PATH": ""}, "linux")}


def test_macos_bash_login_file_is_the_one_bash_reads() -> None:
    home = paths.home()
    bash = shells.known({}, "darwin")[0]
    assert bash.startup == (home / ".bashrc", home / ".bash_profile")
    (home / ".profile").write_text("export A=1\n")
    bash = shells.known({}, "darwin")[0]
    # creating ~/.bash_profile would hide ~/.profile from login shells
    assert bash.startup == (home / ".bashrc", home / ".profile")


def test_paths_under_home_use_home_and_others_are_quoted(tmp_path: Path) -> None:
    assert shells.shell_path(paths.home() / ".config/aigate/env.sh", "sh") == (
        '"$HOME/.config/aigate/env.sh"'
    )
    odd = tmp_path / "it's $x"
    assert shells.shell_path(odd, "sh") == "'" + str(odd).replace("'", "'\"'\"'") + "'"
    assert shells.shell_path(odd, "fish") == "'" + str(odd).replace("'", "\\'") + "'"
    assert shells.shell_path(odd, "ps1") == "'" + str(odd).replace("'", "''") + "'"


# --- the env files, run by real shells ----------------------------------------------------------


def _env_file(flavor: shells.Flavor, key_file: Path) -> Path:
    path = paths.aigate_config_dir() / shells.ENV_NAMES[flavor]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(shells.env_text(flavor, "AIGATE_API_KEY", key_file))
    return path


@pytest.mark.parametrize("shell", ["sh", "bash", "zsh"])
def test_env_file_sets_the_variable_only_when_unset(shell: str) -> None:
    exe = shutil.which(shell)
    if exe is None:
        pytest.skip(f"{shell} is not installed")
    key_file = keyfile.path()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(TEST_KEY + "\n")
    env_sh = _env_file("sh", key_file)
    env = {"HOME": str(paths.home()), "PATH": os.environ["PATH"]}
    script = f'. "{env_sh}"; printf "%s|" "$AIGATE_API_KEY"; env | grep -c AIGATE_API_KEY='

    def run(extra: dict[str, str]) -> str:
        proc = subprocess.run(
            [exe, "-c", script], env={**env, **extra}, capture_output=True, text=True, timeout=30
        )
        return proc.stdout.strip()

    assert run({}) == f"{TEST_KEY}|1"  # exported, without its newline
    assert run({"AIGATE_API_KEY": "sk-mine"}) == "sk-mine|1"  # a set variable wins
    key_file.unlink()
    assert run({}) == "|0"  # no key file: nothing set, no error
    assert TEST_KEY not in env_sh.read_text()


# --- init, on disk ------------------------------------------------------------------------------


def _init(gw: FakeGateway, *flags: str, key: str | None = TEST_KEY) -> Result:
    env = {"AIGATE_API_KEY": key} if key else {}
    args = ["init", "--yes", "--no-smoke-test", "--base-url", gw.base_url, "--client", "codex"]
    return run_cli(*args, "--model", "openai/gpt-5.5", *flags, env=env)


def test_save_key_with_yes_needs_the_variable(fake_gateway: FakeGateway) -> None:
    r = _init(fake_gateway, "--save-key", key=None)
    assert r.exit_code == 2, r.output
    assert "--save-key" in r.stderr and "export AIGATE_API_KEY" in r.stderr
    assert not keyfile.path().exists()


def test_yes_alone_never_touches_startup_files(fake_gateway: FakeGateway, only_bash: Path) -> None:
    bashrc = paths.home() / ".bashrc"
    bashrc.write_text("alias ll='ls -l'\n")
    r = _init(fake_gateway, "--save-key")
    assert r.exit_code == 0, r.output
    assert bashrc.read_text() == "alias ll='ls -l'\n"
    assert not (paths.home() / ".zshrc").exists()
    assert "a new terminal: does NOT set $AIGATE_API_KEY" in r.stdout


def test_shell_profile_merges_keeps_bytes_symlinks_and_restores(
    fake_gateway: FakeGateway, only_bash: Path, tmp_path: Path
) -> None:
    home = paths.home()
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real_bashrc = dotfiles / "bashrc"
    original = b"\xef\xbb\xbfexport A=1\r\nalias x='y'"  # BOM, CRLF, no final newline
    real_bashrc.write_bytes(original)
    (home / ".bashrc").symlink_to(real_bashrc)

    r = _init(fake_gateway, "--save-key", "--shell-profile")
    assert r.exit_code == 0, r.output
    assert (home / ".bashrc").is_symlink()
    new = real_bashrc.read_bytes()
    assert new.startswith(original + b"\r\n\r\n" + BEGIN.encode() + b"\r\n")
    assert b"\r\n" + END.encode() in new and not new.endswith(b"\n")
    zshrc = (home / ".zshrc").read_text()
    assert zshrc.startswith(BEGIN + "\n") and '"$HOME/.config/aigate/env.sh"' in zshrc
    env_sh = paths.aigate_config_dir() / "env.sh"
    assert stat.S_IMODE(env_sh.stat().st_mode) == 0o644
    for p in (real_bashrc, home / ".zshrc", env_sh):
        assert TEST_KEY not in p.read_text(encoding="utf-8-sig")
    key = keyfile.path()
    assert key.read_text() == TEST_KEY + "\n" and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "a new terminal: sets $AIGATE_API_KEY from ~/.config/aigate/key" in r.stdout

    runs = backup_runs()
    again = _init(fake_gateway, "--save-key", "--shell-profile")
    assert again.exit_code == 0 and backup_runs() == runs
    assert real_bashrc.read_bytes() == new

    restored = run_cli("restore")
    assert restored.exit_code == 0, restored.output
    assert (home / ".bashrc").is_symlink() and real_bashrc.read_bytes() == original
    assert not (home / ".zshrc").exists() and not key.exists()
    # and what init wrote can be taken out by unrender, byte for byte
    assert remove_block(new.decode("utf-8-sig")) == original.decode("utf-8-sig")


def test_broken_markers_stop_the_run_before_anything_is_written(
    fake_gateway: FakeGateway, only_bash: Path
) -> None:
    zshrc = paths.home() / ".zshrc"
    zshrc.write_text(f"x=1\n{BEGIN}\n")
    r = _init(fake_gateway, "--save-key", "--shell-profile")
    assert r.exit_code == 1, r.output
    assert ".zshrc:2" in r.stderr
    assert not keyfile.path().exists() and not (paths.codex_home() / "config.toml").exists()


def test_a_loose_key_file_ends_0600_and_its_backup_is_private(
    fake_gateway: FakeGateway, only_bash: Path
) -> None:
    key = keyfile.path()
    key.parent.mkdir(parents=True)
    key.write_text("sk-old-key-0000000000000000OLD1\n")
    key.chmod(0o755)
    r = _init(fake_gateway, "--save-key")
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    (run_id,) = backup_runs()
    run_dir = paths.backups_dir() / run_id
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    for copy in run_dir.iterdir():
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600, copy
    assert TEST_KEY not in (run_dir / "manifest.json").read_text()


def test_an_unchanged_key_file_made_readable_is_tightened(
    fake_gateway: FakeGateway, only_bash: Path
) -> None:
    # The same key again: nothing to write, but a key file others can read is fixed and said.
    assert _init(fake_gateway, "--save-key").exit_code == 0
    key = keyfile.path()
    key.chmod(0o644)
    r = _init(fake_gateway, "--save-key")
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "~/.config/aigate/key: group and others could read it" in r.stderr
    again = _init(fake_gateway, "--save-key")
    assert "group and others could read it" not in again.stderr  # said once, when it happened


def test_doctor_finds_the_kept_key_and_the_block(
    fake_gateway: FakeGateway, only_bash: Path
) -> None:
    import json

    assert _init(fake_gateway, "--save-key", "--shell-profile").exit_code == 0
    r = run_cli("doctor", "--offline", "--format", "json", "--client", "codex")
    checks = {c["id"]: c for c in json.loads(r.stdout)["checks"]}
    assert checks["env.key"]["status"] == "warn", checks["env.key"]
    assert checks["env.key_file"]["status"] == "pass", checks["env.key_file"]
    assert checks["env.shell_profile"]["status"] == "pass", checks["env.shell_profile"]
    assert TEST_KEY not in r.output


# --- OpenCode and Kilo read a kept key through {file:} in user files only ----------------------


def test_kept_key_is_a_file_reference_in_user_files_only(fake_gateway: FakeGateway) -> None:
    import json

    from aigate_setup.merge import jsonc

    base = ["init", "--yes", "--no-smoke-test", "--base-url", fake_gateway.base_url]
    args = [*base, "--client", "opencode", "--client", "kilo", "--model", "openai/gpt-5.5"]
    env = {"AIGATE_API_KEY": TEST_KEY}
    assert run_cli(*args, "--save-key", env=env).exit_code == 0
    config = paths.xdg_config_home()

    def api_key(path: Path) -> object:
        return jsonc.loads(path.read_text())["provider"]["aigate"]["options"]["apiKey"]

    assert api_key(config / "opencode" / "opencode.json") == "{file:~/.config/aigate/key}"
    assert api_key(config / "kilo" / "kilo.jsonc") == "{file:~/.config/aigate/key}"
    project = ["--scope", "project", "--project-dir", str(Path.cwd())]
    assert run_cli(*args, *project, env=env).exit_code == 0  # the key stays kept
    assert api_key(Path.cwd() / "opencode.json") == "{env:AIGATE_API_KEY}"  # shared file
    assert api_key(config / "kilo" / "kilo.jsonc") == "{file:~/.config/aigate/key}"
    assert "apiKey" not in (Path.cwd() / "kilo.jsonc").read_text()
    checked = run_cli("check", "--format", "json", str(config / "opencode" / "opencode.json"))
    assert checked.exit_code == 0 and json.loads(checked.stdout)["findings"] == []
    keyfile.path().unlink()  # no key kept any more: back to the variable
    assert run_cli(*args, env=env).exit_code == 0
    assert api_key(config / "opencode" / "opencode.json") == "{env:AIGATE_API_KEY}"
