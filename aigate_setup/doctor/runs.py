"""`doctor --with-clients`: each configured client's own one-shot "Say OK." (the command is the
client module's ONE_SHOT), and the bounded subprocess runner the binary checks use too."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup import settings
from aigate_setup.findings import Check
from aigate_setup.gateway.diagnose import OFFLINE, Bounded
from aigate_setup.sanitize import one_line
from aigate_setup.secrets import scrub
from aigate_setup.settings import CLIENT_TIMEOUT_ENV

if TYPE_CHECKING:
    from aigate_setup.clients.base import ClientState
    from aigate_setup.options import DoctorOptions

PROMPT = "Say OK."
# Load a client's shell script first, the way a user does, so the run tests the script too.
_LOAD_SCRIPT = '. "$1" && shift && exec "$@"'


def run_command(
    argv: list[str], *, timeout: float, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[int | None, str, str]:
    """Run a command with stdin /dev/null; (None, out, err) on timeout (its process group is
    killed: npm-installed clients spawn children)."""
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=os.name == "posix",
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        out, err = proc.communicate()
        return None, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def _argv(st: ClientState, binary: str, one_shot: tuple[str, ...]) -> list[str]:
    args = [a.replace("{model}", st.model or "").replace("{prompt}", PROMPT) for a in one_shot]
    sh = shutil.which("sh")
    script = st.script
    if script is not None and script.kind.endswith("-sh") and sh is not None:
        return [sh, "-c", _LOAD_SCRIPT, "sh", str(script.path), binary, *args]
    return [binary, *args]


def client_run_check(st: ClientState, opts: DoctorOptions, timeout: float) -> Check:
    """<client>.run: the client's own one-shot "Say OK." (docs/clients/*.md)."""
    from aigate_setup.clients import get

    module = get(st.name)
    c, name = st.name, module.BINARY
    title = f"{name} one-shot run"
    binary = shutil.which(name)
    if binary is None:
        return Check(f"{c}.run", "skip", title, f"{name} is not installed", module.INSTALL_HINT, c)
    if any("{model}" in a for a in module.ONE_SHOT) and not st.model:
        return Check(f"{c}.run", "skip", title, "no AIGate model configured", "", c)
    # OpenCode and Kilo take their project directory from $PWD, not from the process cwd.
    env = {**os.environ, "PWD": str(opts.project_dir), **module.ONE_SHOT_ENV}
    argv = _argv(st, binary, module.ONE_SHOT)
    key = (opts.common.key() or "").strip() or None
    started = time.monotonic()
    try:
        code, out, err = run_command(argv, timeout=timeout, env=env, cwd=opts.project_dir)
    except OSError as exc:
        detail = f"cannot run {name}: {exc.strerror or exc}"
        return Check(f"{c}.run", "fail", title, detail, module.INSTALL_HINT, c)
    ms = int((time.monotonic() - started) * 1000)
    shown = " ".join(argv[argv.index(binary) :]).replace(binary, name, 1)
    if code is None:
        return Check(
            f"{c}.run",
            "fail",
            title,
            f"`{one_line(shown, 80)}` did not finish within {timeout:g}s",
            f"run it yourself to see where it hangs (set {CLIENT_TIMEOUT_ENV}=SECONDS "
            "to wait longer)",
            c,
        )
    if code == 0 and re.search(r"\bok\b", out, re.IGNORECASE):
        reply = one_line(scrub(out, key), 120)
        return Check(f"{c}.run", "pass", title, f'answered "{reply}" in {ms} ms', "", c)
    last = [ln for ln in (err or out).splitlines() if ln.strip()]
    why = one_line(scrub(last[-1], key), 160) if last else "no output"
    return Check(
        f"{c}.run",
        "fail",
        title,
        f"`{one_line(shown, 60)}` exited {code}: {why}",
        f"run `{one_line(shown, 80)}` yourself; `aigate-setup doctor` above names config problems",
        c,
    )


def start_runs(states: Sequence[ClientState], opts: DoctorOptions) -> dict[str, Bounded[Check]]:
    """Start every configured client's run at once (they take seconds each)."""
    if not opts.with_clients or opts.offline:
        return {}
    timeout = settings.client_timeout()
    return {
        st.name: Bounded(partial(client_run_check, st, opts, timeout), timeout + 5.0)
        for st in states
        if st.configured
    }


def run_result(st: ClientState, opts: DoctorOptions, task: Bounded[Check] | None) -> list[Check]:
    """<client>.run of a configured client (nothing without --with-clients)."""
    from aigate_setup.clients import get

    if not opts.with_clients or not st.configured:
        return []
    title = f"{get(st.name).BINARY} one-shot run"
    if opts.offline or task is None:
        return [Check(f"{st.name}.run", "skip", title, OFFLINE, "", st.name)]
    try:
        return [task.result()]
    except Exception as exc:
        detail, hint = f"did not finish: {exc}", "run the client yourself"
        return [Check(f"{st.name}.run", "fail", title, detail, hint, st.name)]
