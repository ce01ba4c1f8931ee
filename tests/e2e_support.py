"""Helpers for the end-to-end tests (tests/test_e2e.py) that run the real coding clients.

The clients come from `scripts/install_clients.sh` (pinned versions, installed under `.clients/`).
`scripts/test.sh` runs it and exports its bin directory as AIGATE_CLIENTS_BIN; without that
variable the default install location is used. Missing clients are a test FAILURE, never a skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigate_setup.testing import FakeGateway, RecordedRequest

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BIN = REPO / ".clients" / "node_modules" / ".bin"
INSTALL_HINT = (
    "run scripts/install_clients.sh (scripts/test.sh does it and sets AIGATE_CLIENTS_BIN)"
)

# Client -> (npm package, pinned version). Same pins as
# scripts/install_clients.sh and CONTRIBUTING.md.
PINS: dict[str, tuple[str, str]] = {
    "codex": ("@openai/codex", "0.169.0"),
    "opencode": ("opencode-ai", "1.18.33"),
    "claude": ("@anthropic-ai/claude-code", "2.1.197"),
    "kilo": ("@kilocode/cli", "7.7.7"),
}

# The route each client uses for a turn (docs/gateway.md, "Smoke test").
ROUTES = {
    "codex": "/v1/responses",
    "opencode": "/v1/chat/completions",
    "kilo": "/v1/chat/completions",
    "claude": "/v1/messages",
}

# Environment that keeps each client offline and quiet (docs/clients/*.md).
OFFLINE_ENV: dict[str, dict[str, str]] = {
    "codex": {},
    "opencode": {"OPENCODE_DISABLE_MODELS_FETCH": "1", "OPENCODE_DISABLE_AUTOUPDATE": "1"},
    "claude": {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "CLAUDE_CODE_MAX_RETRIES": "1"},
    "kilo": {
        "KILO_TELEMETRY_LEVEL": "off",
        "KILO_DISABLE_MODELS_FETCH": "1",
        "KILO_DISABLE_AUTOUPDATE": "1",
    },
}

PROMPT = "Say OK."
CLIENT_TIMEOUT = 180.0  # seconds for one client run (a normal run takes 1-15 s)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


class ClientsMissing(Exception):
    """The pinned client binaries are not installed (message says what to run)."""


def clients_bin() -> Path:
    """The directory holding codex, opencode, claude and kilo; raise ClientsMissing if not."""
    env_dir = os.environ.get("AIGATE_CLIENTS_BIN", "")
    bin_dir = Path(env_dir) if env_dir else DEFAULT_BIN
    where = f"AIGATE_CLIENTS_BIN={env_dir}" if env_dir else str(bin_dir)
    if os.environ.get("AIGATE_CLIENTS_INSTALL_FAILED"):
        raise ClientsMissing(
            "scripts/install_clients.sh failed (see its message above the test output); "
            f"the end-to-end tests need the real clients; hint: {INSTALL_HINT}"
        )
    missing = [name for name in PINS if not os.access(bin_dir / name, os.X_OK)]
    if missing:
        raise ClientsMissing(
            f"real client binaries missing from {where}: {', '.join(missing)}; hint: {INSTALL_HINT}"
        )
    return bin_dir


def installed_version(bin_dir: Path, client: str) -> str:
    """The version npm installed (read from package.json next to the bin dir)."""
    package = PINS[client][0]
    pj = bin_dir.parent / package / "package.json"
    try:
        return str(json.loads(pj.read_text(encoding="utf-8")).get("version", ""))
    except (OSError, ValueError):
        return ""


def pinned_bin(check: Callable[[Path], object] | None = None) -> Path:
    """The clients' bin dir, checked by `check` (default: the four clients' pins); the test
    FAILS with the reason when they are missing, it never skips."""
    import pytest

    try:
        found = clients_bin()
        (check or check_pins)(found)
        return found
    except ClientsMissing as exc:
        problem = str(exc)
    pytest.fail(problem, pytrace=False)


def check_pins(bin_dir: Path) -> dict[str, str]:
    """{client: version}; raise ClientsMissing when a version differs from its pin."""
    found = {c: installed_version(bin_dir, c) for c in PINS}
    wrong = [f"{c} {v or '?'} (want {PINS[c][1]})" for c, v in found.items() if v != PINS[c][1]]
    if wrong:
        raise ClientsMissing(
            f"client versions in {bin_dir} differ from the pins: {', '.join(wrong)}; "
            f"hint: {INSTALL_HINT}"
        )
    return found


# --- environment and runs -------------------------------------------------------------------

_SANDBOX_VARS = (
    "HOME",
    "USERPROFILE",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "CODEX_HOME",
)


def base_env(bin_dir: Path, project: Path, key: str | None) -> dict[str, str]:
    """A clean environment: the sandbox HOME/XDG_*/CODEX_HOME (set by the autouse fixture),
    PATH with the clients first, the key (None: unset), cwd in PWD. Nothing else leaks in."""
    env = {name: os.environ[name] for name in _SANDBOX_VARS}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(
        [str(bin_dir), venv_bin, os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")]
    )
    env.update({"NO_COLOR": "1", "TERM": "dumb", "LANG": "C.UTF-8", "PWD": str(project)})
    if key is not None:
        env["AIGATE_API_KEY"] = key
    return env


@dataclass
class Run:
    """One finished subprocess."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    def describe(self, tail: int = 25) -> str:
        err = "\n".join(_ANSI.sub("", self.stderr).splitlines()[-tail:])
        out = "\n".join(_ANSI.sub("", self.stdout).splitlines()[-tail:])
        what = "timed out" if self.timed_out else f"exit {self.returncode}"
        return (
            f"{' '.join(self.argv)!r}: {what} after {self.seconds:.1f}s\n"
            f"--- stdout (tail) ---\n{out}\n--- stderr (tail) ---\n{err}"
        )

    def stderr_tail(self, lines: int = 3) -> str:
        text = [ln for ln in _ANSI.sub("", self.stderr).splitlines() if ln.strip()]
        return "\n".join(text[-lines:])

    @property
    def answer(self) -> str:
        return _ANSI.sub("", self.stdout).strip()


def run(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = CLIENT_TIMEOUT
) -> Run:
    """Run with stdin from /dev/null and a hard timeout (the whole process group is killed)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        cwd=cwd,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        out, err = proc.communicate(timeout=10)
    return Run(
        list(argv), proc.returncode, out, err, time.monotonic() - started, timed_out=timed_out
    )


def _kill_group(proc: subprocess.Popen[str]) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def aigate(*args: str, env: Mapping[str, str], cwd: Path, timeout: float = 60.0) -> Run:
    """`aigate-setup ARGS` as a subprocess (the installed console script's code path)."""
    return run([sys.executable, "-m", "aigate_setup", *args], env, cwd, timeout)


def client_argv(
    client: str, model: str | None, script: Path | None = None, logs: bool = False
) -> list[str]:
    """The non-interactive one-shot command of CONTRIBUTING.md. `model=None`: no `-m`, so the
    config's own default model is used. Claude runs through the generated script. `logs`:
    OpenCode/Kilo print their log on stderr (`--print-logs`), where the real cause of an
    error is (OpenCode's own message for a missing model is only "Unexpected server error")."""
    if client == "codex":
        argv = ["codex", "exec", "--skip-git-repo-check", "-c", "analytics.enabled=false"]
        return [*argv, "--disable", "plugins", PROMPT]
    if client in ("opencode", "kilo"):
        flags = ["--print-logs"] if logs else []
        return [client, *flags, "run", *(["-m", f"aigate/{model}"] if model else []), PROMPT]
    if client == "claude":
        if script is None:
            raise ValueError("claude runs through the generated aigate-claude.sh")
        bash = shutil.which("bash") or "/bin/bash"
        return [bash, "-c", f'. "$1" && exec claude -p "{PROMPT}"', "bash", str(script)]
    raise ValueError(client)


def run_client(
    client: str,
    bin_dir: Path,
    project: Path,
    *,
    key: str | None,
    model: str | None,
    script: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
    logs: bool = False,
) -> Run:
    env = base_env(bin_dir, project, key)
    env.update(OFFLINE_ENV[client])
    if extra_env:
        env.update(extra_env)
    return run(client_argv(client, model, script, logs), env, project)


# --- the gateway's request log --------------------------------------------------------------

TURN_ROUTES = frozenset(ROUTES.values())


def paths_seen(requests: Iterable[RecordedRequest]) -> list[str]:
    return [f"{r.method} {r.path}{'?' + r.query if r.query else ''} {r.status}" for r in requests]


def turn_requests(gw: FakeGateway) -> list[RecordedRequest]:
    return [r for r in gw.requests if r.path in TURN_ROUTES or r.path.startswith("/v1/v1")]


def assert_clean_turn(
    gw: FakeGateway, client: str, model: str, key_suffix: str, result: Run
) -> list[RecordedRequest]:
    """Exit 0, `OK`, and a request log showing the client's route, model, Bearer auth with
    the right key, no /v1/v1 and no 401/404."""
    log = gw.requests
    seen = paths_seen(log)
    context = f"{client}: gateway saw {seen}\n{result.describe()}"
    assert not result.timed_out, context
    assert result.returncode == 0, context
    assert result.answer.splitlines()[-1:] == ["OK"], context
    turns = [r for r in log if r.path == ROUTES[client] and r.method == "POST"]
    assert turns, context
    for r in turns:
        assert isinstance(r.json, dict) and r.json.get("model") == model, (
            f"{client} sent model {r.json.get('model') if isinstance(r.json, dict) else None!r}"
            f", want {model!r}; {context}"
        )
        assert r.auth == "bearer", context
        assert r.key_suffix == key_suffix, context
        assert r.status == 200, context
    assert not [r for r in log if r.path.startswith("/v1/v1")], context
    assert not [r for r in log if r.status in (401, 404)], context
    # Nothing but the client's own route (and Claude Code's `HEAD /` reachability check).
    others = [
        r for r in log if r.path != ROUTES[client] and not (r.method == "HEAD" and r.path == "/")
    ]
    assert not others, context
    return turns


@dataclass
class Record:
    """What one e2e run measured (collected for /work/notes/e2e.md)."""

    test: str
    client: str
    version: str
    seconds: float
    returncode: int
    requests: list[str] = field(default_factory=list)
    message: str = ""  # the last stderr lines (the client's own error message)

    def to_json(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "client": self.client,
            "version": self.version,
            "seconds": round(self.seconds, 2),
            "returncode": self.returncode,
            "requests": self.requests,
            "message": self.message,
        }


# --- the clients added later (tests/test_e2e_more_clients.py) -------------------------------

# Client -> (binary, package, pinned version); npm packages except Aider (PyPI, own venv whose
# `aider` is linked into the same bin dir by scripts/install_clients.sh).
MORE_PINS: dict[str, tuple[str, str, str]] = {
    "qwen": ("qwen", "@qwen-code/qwen-code", "0.24.4"),
    "continue": ("cn", "@continuedev/cli", "1.5.47"),
    "aider": ("aider", "aider-chat", "0.86.2"),
}

# Offline and side-effect free (the lab notes): no usage statistics, telemetry, update checks,
# release notes or `git init`.
MORE_OFFLINE_ENV: dict[str, dict[str, str]] = {
    "qwen": {"QWEN_USAGE_STATISTICS_ENABLED": "false"},
    "continue": {"CONTINUE_CLI_ENABLE_TELEMETRY": "0", "CONTINUE_METRICS_ENABLED": "0"},
    "aider": {
        "AIDER_CHECK_UPDATE": "false",
        "AIDER_GIT": "false",
        "AIDER_SHOW_MODEL_WARNINGS": "false",
        "AIDER_SHOW_RELEASE_NOTES": "false",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    },
}


def more_version(bin_dir: Path, client: str) -> str:
    """The installed version of a client of MORE_PINS ("" when unknown)."""
    binary, package, _ = MORE_PINS[client]
    if client == "aider":
        python = Path(os.path.realpath(bin_dir / binary)).parent / "python"
        try:
            out = subprocess.run(
                [str(python), "-c", "import importlib.metadata as m; print(m.version('aider-chat'))"],
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip()
    try:
        pj = bin_dir.parent / package / "package.json"
        return str(json.loads(pj.read_text(encoding="utf-8")).get("version", ""))
    except (OSError, ValueError):
        return ""


def more_clients(bin_dir: Path) -> dict[str, str]:
    """{client: version} of MORE_PINS; raise ClientsMissing when one is missing or differs."""
    missing = [b for b, _, _ in MORE_PINS.values() if not os.access(bin_dir / b, os.X_OK)]
    if missing:
        raise ClientsMissing(
            f"real client binaries missing from {bin_dir}: {', '.join(missing)}; "
            f"hint: {INSTALL_HINT}"
        )
    found = {c: more_version(bin_dir, c) for c in MORE_PINS}
    wrong = [f"{c} {v or '?'} (want {MORE_PINS[c][2]})" for c, v in found.items()
             if v != MORE_PINS[c][2]]  # fmt: skip
    if wrong:
        raise ClientsMissing(f"client versions differ from the pins: {', '.join(wrong)}")
    return found


def more_argv(client: str) -> list[str]:
    """The one-shot command of a client of MORE_PINS (its config's own model)."""
    if client == "aider":
        return ["aider", "--message", PROMPT]
    return [MORE_PINS[client][0], "-p", PROMPT]
