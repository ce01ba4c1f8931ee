"""Shared fixtures. The autouse fixture keeps every test away from the real home directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from aigate_setup import cli, shells

# Variables that would leak the developer's own setup into a test.
_SCRUB = (
    "AIGATE_API_KEY",
    "AIGATE_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_MODEL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "AIGATE_DEBUG",
    # What Aider, Qwen Code and Continue read besides their files (status names them).
    "AIDER_MODEL",
    "AIDER_OPENAI_API_BASE",
    "AIDER_OPENAI_API_KEY",
    "AIDER_ENV_FILE",
    "OPENAI_API_BASE",
    "OPENAI_MODEL",
    "QWEN_MODEL",
    "QWEN_HOME",
    "QWEN_OAUTH",
    "CONTINUE_GLOBAL_DIR",
)


def _client_binaries() -> set[str]:
    from aigate_setup.clients import get
    from aigate_setup.constants import CLIENTS

    names = {get(c).BINARY for c in CLIENTS}
    return names | {n + ext for n in names for ext in (".cmd", ".exe", ".ps1")}


@pytest.fixture(scope="session")
def client_free_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PATH without the coding agents a developer may have installed (a test that wants one
    puts its own first; the e2e tests use the pinned ones): each PATH directory holding one
    is replaced by a directory of links to everything else in it."""
    clients = _client_binaries()
    shadows = tmp_path_factory.mktemp("path")
    out: list[str] = []
    for i, entry in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        try:
            names = os.listdir(entry) if entry else []
        except OSError:
            out.append(entry)
            continue
        if clients.isdisjoint(names):
            out.append(entry)
            continue
        shadow = shadows / str(i)
        shadow.mkdir()
        for name in names:
            if name not in clients:
                (shadow / name).symlink_to(Path(entry, name))
        out.append(str(shadow))
    return os.pathsep.join(out)


@pytest.fixture(autouse=True)
def sandbox_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client_free_path: str
) -> Iterator[Path]:
    """Point HOME, XDG_* and CODEX_HOME at a temp dir; scrub keys, proxies and colours; no
    coding agent on PATH."""
    monkeypatch.setenv("PATH", client_free_path)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("CODEX_HOME", str(home / ".codex"))
    monkeypatch.setenv("NO_COLOR", "1")
    for var in _SCRUB:
        monkeypatch.delenv(var, raising=False)
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    yield home


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """Run the CLI in-process exactly as the console script does (same exit-code mapping)."""
    runner = CliRunner()
    with runner.isolation(input=input, env=env) as streams:
        import sys

        code = cli.execute(cli.main, list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        out, err = streams[0], streams[1]
        return Result(code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def cli_run() -> object:
    return run_cli


# --- fake gateway (owned by the fake-gateway author) ---------------------------------------

# A syntactically valid key for tests; only its last four characters may ever be shown.
TEST_KEY = "sk-test-0123456789abcdefWXYZ"


from aigate_setup.testing import FakeGateway  # noqa: E402


@pytest.fixture
def fake_gateway() -> Iterator[FakeGateway]:
    """A started FakeGateway (newapi catalog, any sk- key) on a free 127.0.0.1 port."""
    with FakeGateway(catalog="newapi") as gw:
        yield gw


_real_known = shells.known


def _linux_known(env: object = None, platform: str | None = None) -> list[shells.Shell]:
    return [s for s in _real_known(None, "linux") if s.name in ("bash", "zsh")]


@pytest.fixture
def only_bash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH with a bash and a zsh; $SHELL bash; no ZDOTDIR; only those two shells known."""
    bin_dir = tmp_path / "shells"
    bin_dir.mkdir()
    for name in ("bash", "zsh"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SHELL", str(bin_dir / "bash"))
    monkeypatch.delenv("ZDOTDIR", raising=False)
    monkeypatch.setattr(shells, "known", _linux_known)
    return bin_dir
