"""`doctor --with-clients`: each configured client's own one-shot "Say OK." (the command is the
client module's ONE_SHOT), paced so the slowest is not slowed down, and the bounded subprocess
runner the binary checks use too."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from aigate_setup import settings
from aigate_setup.constants import RUN_SECONDS
from aigate_setup.findings import Check
from aigate_setup.gateway.diagnose import OFFLINE, Bounded
from aigate_setup.sanitize import clean, one_line
from aigate_setup.secrets import scrub
from aigate_setup.settings import CLIENT_TIMEOUT_ENV

if TYPE_CHECKING:
    from aigate_setup.clients.base import ClientState
    from aigate_setup.options import DoctorOptions

T = TypeVar("T")
PROMPT = "Say OK."
BACKGROUND_NICE = 10  # the runs next to the slowest, on an idle machine (see start_runs)
# Windows: the priority class of a run started with a nice (0 elsewhere: no such flag).
_BELOW_NORMAL: int = getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)
VERSION_SECONDS = 1.5  # a `--version` start (the slowest: 1.5 s)
UNKNOWN_SECONDS = 2.0  # a client run without a figure in RUN_SECONDS
IDLE_BELOW = 0.5  # CPU cores busy with other programs below which the machine counts as idle
_UNSET = re.compile(r"^\s*unset\s+([A-Za-z_][A-Za-z0-9_ ]*)", re.MULTILINE)
_PS_UNSET = re.compile(r"Remove-Item\s+(?:-Path\s+)?Env:([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def run_command(
    argv: list[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    nice: int = 0,
) -> tuple[int | None, str, str]:
    """Run a command with stdin /dev/null; (None, out, err) on timeout (its process group is
    killed: npm-installed clients spawn children). `nice` > 0: it runs at that lower priority
    (see yield_cpu)."""
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=os.name == "posix",
        creationflags=_BELOW_NORMAL if nice > 0 else 0,
    )
    if nice > 0:
        yield_cpu(proc.pid, nice)
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


def yield_cpu(pid: int, nice: int) -> None:
    """Lower a process that just started to `nice` (never raise it: only root may): its main
    thread, which every later thread and child inherits; and on Linux its session's autogroup.
    The scheduler shares the CPU between sessions first, with each session's autogroup
    weight, and the process's own nice counts only within its session: the run is a session
    of its own (to be killed as a whole), so without the autogroup's nice it still gets the
    same share as the slowest run. Best effort: a process that already ended is left alone."""
    if os.name != "posix":
        return  # Windows: the BELOW_NORMAL priority class it was created with
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, pid) < nice:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
    group = Path(f"/proc/{pid}/autogroup")  # "/autogroup-123 nice 0"
    with contextlib.suppress(OSError, ValueError, IndexError):
        if int(group.read_text(encoding="ascii").split()[-1]) < nice:
            group.write_text(str(nice), encoding="ascii")


def _argv(st: ClientState, binary: str, one_shot: tuple[str, ...]) -> list[str]:
    args = [a.replace("{model}", st.model or "").replace("{prompt}", PROMPT) for a in one_shot]
    return [binary, *args]


def _word(arg: str) -> str:
    return '"Say OK."' if arg == PROMPT else shlex.quote(arg)


def _script_word(path: Path) -> str:
    """The script's path as a shell word: `~/...` when that needs no quoting."""
    from aigate_setup import paths

    shown = paths.display(path)
    plain = shown[2:] if shown.startswith("~/") else shown
    return shown if shlex.quote(plain) == plain else shlex.quote(str(path))


def command_line(st: ClientState, name: str, one_shot: tuple[str, ...]) -> str:
    """The exact command a user types to do what the run did (loading the script first)."""
    args = [a.replace("{model}", st.model or "").replace("{prompt}", PROMPT) for a in one_shot]
    line = " ".join([name, *(_word(a) for a in args)])
    if st.script is not None and st.configured:
        line = f"source {_script_word(st.script.path)} && {line}"
    return line


def _key(st: ClientState, opts: DoctorOptions) -> str | None:
    """The key the script would take: the key variable, else the kept key file."""
    key = opts.common.key()
    if key is None and st.key.var:
        key = os.environ.get(st.key.var, "").strip() or None
    if key is None and st.key.file:
        try:
            key = Path(os.path.expanduser(st.key.file)).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
    return key or None


def script_env(st: ClientState, opts: DoctorOptions) -> dict[str, str]:
    """What loading the client's script would change in the environment, read from the
    managed block's values (parsed, never executed: the file may hold anything else, and a
    project's copy is not ours to run). Empty values mean "unset"."""
    from aigate_setup.merge.block import extract_block
    from aigate_setup.rules.scripts import script_assignments

    script = st.script
    if script is None or not st.configured or script.text is None:
        return {}
    block = extract_block(script.text)
    if block is None:
        return {}
    ps1 = script.kind.endswith("ps1")
    key = _key(st, opts) or ""
    key_names = {n for n in (st.key.var, opts.common.key_env, "_aigate_key", "aigateKey") if n}
    env: dict[str, str] = {}
    for a in script_assignments(block, ps1):
        refers = any(n in a.value for n in key_names)
        if a.name.startswith("_"):  # a variable of the script itself, not exported
            if refers:
                key_names.add(a.name)
            continue
        if a.literal:
            env[a.name] = a.value
        elif refers:
            env[a.name] = key
    for m in (_PS_UNSET if ps1 else _UNSET).finditer(block):
        for name in m.group(1).split():
            env.setdefault(name, "")
    return env


def _environment(st: ClientState, opts: DoctorOptions, extra: Mapping[str, str]) -> dict[str, str]:
    # OpenCode and Kilo take their project directory from $PWD, not from the process cwd.
    env = {**os.environ, "PWD": str(opts.project_dir), **extra}
    for name, value in script_env(st, opts).items():
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def client_run_check(st: ClientState, opts: DoctorOptions, timeout: float, nice: int = 0) -> Check:
    """<client>.run: the client's own one-shot "Say OK." (docs/clients/*.md), with the
    environment its script would set (read from the managed block, never sourced); `nice` as
    in run_command."""
    from aigate_setup.clients import get

    module = get(st.name)
    c, name = st.name, module.BINARY
    title = f"{name} one-shot run"
    binary = shutil.which(name)
    if binary is None:
        return Check(f"{c}.run", "skip", title, f"{name} is not installed", module.INSTALL_HINT, c)
    if any("{model}" in a for a in module.ONE_SHOT) and not st.model:
        return Check(f"{c}.run", "skip", title, "no AIGate model configured", "", c)
    env = _environment(st, opts, module.ONE_SHOT_ENV)
    argv = _argv(st, binary, module.ONE_SHOT)
    typed = command_line(st, name, module.ONE_SHOT)
    key = _key(st, opts)
    started = time.monotonic()
    try:
        code, out, err = run_command(
            argv, timeout=timeout, env=env, cwd=opts.project_dir, nice=nice
        )
    except OSError as exc:
        detail = f"cannot run {name}: {exc.strerror or exc}"
        return Check(f"{c}.run", "fail", title, detail, module.INSTALL_HINT, c)
    ms = int((time.monotonic() - started) * 1000)
    if code is None:
        return Check(
            f"{c}.run",
            "fail",
            title,
            f"did not finish within {timeout:g}s",
            f"run it yourself to see where it hangs: {typed} (or set {CLIENT_TIMEOUT_ENV}="
            "SECONDS to wait longer)",
            c,
        )
    if code == 0 and re.search(r"\bok\b", clean(out), re.IGNORECASE):
        reply = one_line(scrub(out, key), 120)
        return Check(f"{c}.run", "pass", title, f'answered "{reply}" in {ms} ms', "", c)
    last = [ln for ln in clean(err or out).splitlines() if ln.strip()]
    why = one_line(scrub(last[-1], key), 160) if last else "no output"
    return Check(f"{c}.run", "fail", title, f"exited {code}: {why}", f"run it yourself: {typed}", c)


class Pacer:
    """Starts CPU-heavy jobs (the client runs, the other clients' `--version`) at most `slots`
    at a time, in the order they were queued. A client's start-up is CPU-bound: all at once on
    a small machine, each gets a slice and the slowest finishes last of all; paced, the slowest
    runs at full speed while the others take turns next to it.

    Never a reason to hang: a job gives its slot up when it ends or after `patience` seconds,
    whichever comes first (a hanging client holds the next one back that long), and no job
    waits longer than the patience of all the jobs queued before it."""

    def __init__(self, slots: int) -> None:
        self.slots = max(1, slots)
        self._cond = threading.Condition()
        self._queued = 0  # tickets handed out, in queue order
        self._next = 0  # every ticket below this one has started
        self._holding: list[tuple[float, threading.Event]] = []  # (slot given up at, ended)
        self._waits = 0.0  # the patience of every job queued so far

    def _busy(self, now: float) -> int:
        return sum(1 for until, ended in self._holding if now < until and not ended.is_set())

    def pace(self, fn: Callable[[], T], patience: float) -> tuple[Callable[[], T], float]:
        """fn, started in its turn; and the longest it may wait for that (add it to its limit)."""
        with self._cond:
            ticket = self._queued
            self._queued += 1
            max_wait = self._waits
            self._waits += patience

        def paced() -> T:
            ended = threading.Event()
            deadline = time.monotonic() + max_wait
            with self._cond:
                while True:
                    now = time.monotonic()
                    if now >= deadline or (ticket <= self._next and self._busy(now) < self.slots):
                        break
                    ends = [u for u, e in self._holding if u > now and not e.is_set()]
                    self._cond.wait(max(0.01, min([*ends, deadline]) - now))
                self._next = max(self._next, ticket + 1)
                self._holding.append((time.monotonic() + patience, ended))
                self._cond.notify_all()
            try:
                return fn()
            finally:
                ended.set()
                with self._cond:
                    self._cond.notify_all()

        return paced, max_wait

    def start(self, fn: Callable[[], T], limit: float, seconds: float) -> Bounded[T]:
        """fn in its own thread, in its turn; `limit` counts from its queueing plus the wait
        (at most), `seconds` is how long it usually takes (its patience is twice that)."""
        paced, max_wait = self.pace(fn, 2 * seconds)
        return Bounded(paced, max_wait + limit)


class CpuWatch:
    """How busy the machine is with anything but this process, from now on (Linux: the
    /proc/stat counters; None elsewhere). Pacing pays only on an otherwise idle machine: next
    to other busy programs, fewer runs at a time only get a smaller share of the CPU."""

    def __init__(self) -> None:
        self._start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        """(seconds, machine busy CPU seconds, this process's CPU seconds), or None."""
        try:
            with open("/proc/stat", encoding="ascii") as fh:
                fields = [int(x) for x in fh.readline().split()[1:8]]
            hz = os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, AttributeError):
            return None
        if len(fields) < 5 or hz <= 0:
            return None
        busy = (sum(fields) - fields[3] - fields[4]) / hz  # not idle, not waiting for I/O
        own = os.times()
        return time.monotonic(), busy, own.user + own.system

    def others_busy(self) -> float | None:
        """The CPU cores others kept busy since this watch started (None: cannot tell)."""
        now = self._sample()
        if self._start is None or now is None or now[0] - self._start[0] < 0.05:
            return None
        seconds = now[0] - self._start[0]
        return max(0.0, (now[1] - self._start[1]) - (now[2] - self._start[2])) / seconds


def pacer_for(watch: CpuWatch) -> Pacer | None:
    """A pacer with one slot per core when the machine is otherwise idle, else None (all at
    once, as many turns on a busy machine as the other programs)."""
    busy = watch.others_busy()
    if busy is None or busy >= IDLE_BELOW:
        return None
    return Pacer(os.cpu_count() or 1)


def start_runs(
    states: Sequence[ClientState],
    opts: DoctorOptions,
    skip: str | None,
    pacer: Pacer | None = None,
) -> dict[str, Bounded[Check]]:
    """Start every configured client's run, each in its own thread with its own timeout (they
    take seconds each), the slowest first; none when the key or the gateway already failed.
    With a pacer (an otherwise idle machine) they take turns on the CPU (see Pacer), and the
    runs next to the slowest run at a lower priority: the slowest one is what doctor waits
    for, and the others fit in what it leaves of the CPU (its start-up is mostly one busy
    thread). Without a pacer they start at once at the same priority: next to other busy
    programs a lower priority would only starve them."""
    if not opts.with_clients or opts.offline or skip:
        return {}
    timeout = settings.client_timeout()
    seconds = {st.name: RUN_SECONDS.get(st.name, UNKNOWN_SECONDS) for st in states}
    configured = sorted((st for st in states if st.configured), key=lambda st: -seconds[st.name])
    out: dict[str, Bounded[Check]] = {}
    for i, st in enumerate(configured):
        nice = BACKGROUND_NICE if pacer is not None and i > 0 else 0
        check = partial(client_run_check, st, opts, timeout, nice)
        if pacer is None:
            out[st.name] = Bounded(check, timeout + 5.0)
        else:
            out[st.name] = pacer.start(check, timeout + 5.0, seconds[st.name])
    return out


def run_result(
    st: ClientState, opts: DoctorOptions, task: Bounded[Check] | None, skip: str | None
) -> list[Check]:
    """<client>.run of a configured client (nothing without --with-clients)."""
    from aigate_setup.clients import get

    if not opts.with_clients or not st.configured:
        return []
    module = get(st.name)
    title = f"{module.BINARY} one-shot run"
    if opts.offline or task is None:
        why = OFFLINE if opts.offline or not skip else f"not run: {skip}"
        hint = "" if opts.offline else command_line(st, module.BINARY, module.ONE_SHOT)
        return [Check(f"{st.name}.run", "skip", title, why, hint, st.name)]
    try:
        return [task.result()]
    except Exception as exc:
        detail = f"did not finish: {exc}"
        hint = f"run it yourself: {command_line(st, module.BINARY, module.ONE_SHOT)}"
        return [Check(f"{st.name}.run", "fail", title, detail, hint, st.name)]
