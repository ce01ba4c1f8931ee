#!/usr/bin/env python3
"""Benchmarks for aigate-setup: prints a table of medians, each next to a baseline measured
in the same run. Targets (issue 8) are goals to read off the table, not assertions.

Usage: python scripts/bench.py [--repeat N] [--quick]

Everything runs against the project's fake gateway on 127.0.0.1 with HOME, XDG_* and
CODEX_HOME in a temp dir; nothing touches the real home or the network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aigate_setup.testing import FakeGateway  # noqa: E402

KEY = "sk-bench-demo"
MODEL = "openai/gpt-5.5"


def sandbox_env(root: Path) -> dict[str, str]:
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIGATE_", "ANTHROPIC_", "OPENAI_"))
        and "proxy" not in k.lower()
        # As installed by pip: bytecode cached. With PYTHONDONTWRITEBYTECODE=1 (set in some
        # shells and CI images) every run would compile each changed module, which no user's
        # run does.
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        CODEX_HOME=str(home / ".codex"),
        NO_COLOR="1",
        AIGATE_API_KEY=KEY,
    )
    return env


def run(
    argv: Sequence[str], env: dict[str, str], cwd: Path | None = None
) -> tuple[float, float, int]:
    """Run a command; return (seconds, peak RSS MiB, exit code)."""
    elapsed, rss, code, _ = run_cpu(argv, env, cwd)
    return elapsed, rss, code


class QueueWatch:
    """Linux: how long each client's main thread waited for a CPU while it was runnable, from
    /proc/<pid>/schedstat of the busiest process below `root` named after the client, sampled
    every 0.1 s. Unlike wall time it does not move with the machine's speed from one
    run to the next: it is the time the other runs (or anything else) took that thread's CPU."""

    def __init__(self, root: int, names: Sequence[str]) -> None:
        self.root, self.names = root, names
        self.waits: dict[str, tuple[float, float]] = {}  # name: (run s, wait s) of the busiest
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _below_root(self) -> list[str]:
        children: dict[str, list[str]] = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text()
                except OSError:
                    continue
                children.setdefault(stat[stat.rindex(")") + 2 :].split()[1], []).append(pid)
        found, todo = [], [str(self.root)]
        while todo:
            kids = children.get(todo.pop(), [])
            found += kids
            todo += kids
        return found

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            for pid in self._below_root():
                try:
                    comm = Path(f"/proc/{pid}/comm").read_text().strip()
                    name = next((n for n in self.names if n in comm), None)
                    if name is None:
                        continue
                    run_ns, wait_ns, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
                except (OSError, ValueError):
                    continue
                run_s, wait_s = int(run_ns) / 1e9, int(wait_ns) / 1e9
                if run_s >= self.waits.get(name, (0.0, 0.0))[0]:
                    self.waits[name] = (run_s, wait_s)

    def stop(self) -> dict[str, float]:
        """{client: seconds its main thread waited for a CPU}."""
        self._stop.set()
        self._thread.join()
        return {name: wait for name, (_, wait) in self.waits.items()}


def run_cpu(
    argv: Sequence[str],
    env: dict[str, str],
    cwd: Path | None = None,
    watch: Sequence[str] = (),
    waits: dict[str, float] | None = None,
) -> tuple[float, float, int, float]:
    """Run a command; return (seconds, peak RSS MiB, exit code, CPU seconds of it and of the
    processes it waited for). `watch`: the client names whose main thread's waits for a CPU go
    into `waits` (Linux; see QueueWatch)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    queue = QueueWatch(proc.pid, watch) if watch and Path("/proc/self/schedstat").exists() else None
    _, status, usage = os.wait4(proc.pid, 0)
    if queue is not None and waits is not None:
        waits.update(queue.stop())
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(argv)} exited {proc.returncode}:\n{err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024, proc.returncode, cpu


def median(fn: Callable[[], float], repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


# The console script users run (falls back to `python -m` outside a venv install).
_SCRIPT = Path(sys.executable).with_name("aigate-setup")
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "aigate_setup"]


def bench_startup(repeat: int, env: dict[str, str]) -> list[tuple[str, float, float, str]]:
    """Interleaved (baseline, --help, --version) rounds after a warm-up, so machine drift hits
    all three alike; each is cheap, so it gets 4x the runs of the other figures."""
    cmds = {
        "baseline": [sys.executable, "-c", "import click"],
        "--help": [*CLI, "--help"],
        "--version": [*CLI, "--version"],
    }
    for argv in cmds.values():
        run(argv, env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(repeat * 4):
        for name, argv in cmds.items():
            times[name].append(run(argv, env)[0])
    base = statistics.median(times["baseline"])
    rows = [("python -c 'import click' (baseline)", base * 1000, 1.0, "ms")]
    for name in ("--help", "--version"):
        t = statistics.median(times[name])
        rows.append((f"aigate-setup {name}", t * 1000, t / base, "ms"))
    return rows


def bench_memory(
    env: dict[str, str], gw: FakeGateway, root: Path
) -> list[tuple[str, float, float, str]]:
    _, help_mib, _ = run([*CLI, "--help"], env)
    _, click_mib, _ = run([sys.executable, "-c", "import click"], env)
    _, init_mib, code = run(
        [*CLI, "init", "--yes", "--model", MODEL, "--base-url", gw.base_url, "--format", "json"],
        env,
        cwd=root,
    )
    assert code == 0, "init failed"
    return [
        ("peak RSS: python -c 'import click' (baseline)", click_mib, 1.0, "MiB"),
        ("peak RSS: aigate-setup --help", help_mib, help_mib / click_mib, "MiB"),
        ("peak RSS: aigate-setup init --yes (4 clients)", init_mib, init_mib / click_mib, "MiB"),
    ]


def bench_status(
    repeat: int, env: dict[str, str], root: Path
) -> list[tuple[str, float, float, str]]:
    """`status` for the four clients init configured (bench_memory ran it), interleaved with
    `--help`: local and instant, the goal is at most 1.5x `--help`. Plain `status`, as a user
    types it: the gateway is the one init remembered in the state file."""
    cmds = {
        "--help": [*CLI, "--help"],
        "status": [*CLI, "status"],
    }
    for argv in cmds.values():
        run(argv, env, cwd=root)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(repeat * 2):
        for name, argv in cmds.items():
            times[name].append(run(argv, env, cwd=root)[0])
    base = statistics.median(times["--help"])
    t = statistics.median(times["status"])
    return [
        ("aigate-setup --help (baseline of status)", base * 1000, 1.0, "ms"),
        ("aigate-setup status (4 clients configured)", t * 1000, t / base, "ms"),
    ]


def bench_live_phase(
    repeat: int, env: dict[str, str], gw: FakeGateway, root: Path
) -> list[tuple[str, float, float, str]]:
    """Smoke phase = init with 1 s latency on each probe route minus init without the probes."""
    latency = 1.0
    init = [*CLI, "init", "--yes", "--model", MODEL, "--base-url", gw.base_url]
    doctor = [*CLI, "doctor", "--base-url", gw.base_url]

    def timed(argv: list[str], slow: bool) -> float:
        gw.clear_faults()
        if slow:
            for route in ("/v1/responses", "/v1/chat/completions", "/v1/messages"):
                gw.add_fault(route, latency=latency)
        try:
            return run(argv, env, cwd=root)[0]
        finally:
            gw.clear_faults()

    init_fast = median(lambda: timed([*init, "--no-smoke-test"], False), repeat)
    init_slow = median(lambda: timed(init, True), repeat)
    doctor_fast = median(lambda: timed([*doctor, "--offline"], False), repeat)
    doctor_slow = median(lambda: timed(doctor, True), repeat)
    smoke = init_slow - init_fast
    live = doctor_slow - doctor_fast
    return [
        ("one request with 1 s latency (baseline)", latency * 1000, 1.0, "ms"),
        ("init --yes: smoke phase, 4 clients", smoke * 1000, smoke / latency, "ms"),
        ("doctor: live phase, 4 clients", live * 1000, live / latency, "ms"),
    ]


def bench_with_clients(
    repeat: int, env: dict[str, str], gw: FakeGateway, root: Path, bindir: Path
) -> list[tuple[str, float, float, str]]:
    """`doctor --with-clients` with the four real clients (their runs are concurrent) against
    the slowest client's run alone; goal (issue 13): at most that plus 1 s.

    One warm-up run of everything first (a client's first start in a fresh HOME creates its
    database and caches, which no later run does), then interleaved rounds (each client alone,
    then all of them), so machine drift hits every figure alike; medians of fresh processes.

    The floor row is what no schedule can beat: the slowest run alone, or the CPU time of all
    the runs spread over every core, whichever is longer (on a small machine the clients'
    own start-up work does not fit next to the slowest run)."""
    from aigate_setup.constants import DEFAULT_CLIENTS as CLIENTS  # the ones init configures

    # Absolute: doctor runs in the sandbox, where a relative PATH entry finds nothing.
    env = {**env, "PATH": f"{bindir.resolve()}{os.pathsep}{env.get('PATH', '')}"}
    init = [*CLI, "init", "--yes", "--no-smoke-test", "--model", MODEL, "--base-url", gw.base_url]
    assert run(init, env, cwd=root)[2] == 0, "init failed"
    doctor = [*CLI, "doctor", "--base-url", gw.base_url, "--with-clients"]
    cmds = {c: [*doctor, "--client", c] for c in CLIENTS}
    cmds["all"] = doctor
    run(doctor, env, cwd=root)  # warm-up
    times: dict[str, list[float]] = {name: [] for name in cmds}
    cpus: dict[str, list[float]] = {name: [] for name in cmds}
    waits: dict[str, list[dict[str, float]]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, argv in cmds.items():
            waited: dict[str, float] = {}
            elapsed, _, _, cpu = run_cpu(argv, env, cwd=root, watch=CLIENTS, waits=waited)
            times[name].append(elapsed)
            cpus[name].append(cpu)
            waits[name].append(waited)
    alone = {c: statistics.median(times[c]) for c in CLIENTS}
    together = statistics.median(times["all"])
    slowest = max(alone, key=lambda c: alone[c])
    base = alone[slowest]
    # No schedule finishes before the machine has had the CPU time the runs take.
    cores = os.cpu_count() or 1
    cpu_all = statistics.median(cpus["all"])
    floor = max(base, cpu_all / cores)
    rows = [
        (f"doctor --with-clients --client {c}" + (" (slowest: baseline)" if c == slowest else ""),
         alone[c] * 1000, alone[c] / base, "ms")
        for c in CLIENTS
    ]  # fmt: skip
    rows.append(("doctor --with-clients, 4 clients", together * 1000, together / base, "ms"))
    rows.append(("  minus the slowest alone (goal <= 1000 ms)", (together - base) * 1000,
                 float("nan"), "ms"))  # fmt: skip
    rows.append(("  CPU time of the slowest alone", statistics.median(cpus[slowest]) * 1000,
                 float("nan"), "ms"))  # fmt: skip
    rows.append(("  CPU time of the 4 clients' doctor", cpu_all * 1000, float("nan"), "ms"))
    rows.append((f"  floor: the slowest alone, or that CPU time / {cores} cores", floor * 1000,
                 floor / base, "ms"))  # fmt: skip
    # The slowest client's main thread (its start-up is one busy thread): how long it waited
    # for a CPU alone and next to the others. The difference is what the other runs cost it,
    # a figure that does not drift with the machine's speed as wall times do.
    alone_wait = [w[slowest] for w in waits[slowest] if slowest in w]
    together_wait = [w[slowest] for w in waits["all"] if slowest in w]
    if alone_wait and together_wait:
        rows.append((f"  {slowest}'s main thread waiting for a CPU, alone",
                     statistics.median(alone_wait) * 1000, float("nan"), "ms"))  # fmt: skip
        rows.append((f"  {slowest}'s main thread waiting for a CPU, next to the others",
                     statistics.median(together_wait) * 1000, float("nan"), "ms"))  # fmt: skip
    return rows


def make_tree(root: Path, projects: int) -> list[Path]:
    files = []
    for i in range(projects):
        p = root / f"proj{i:03d}"
        (p / ".codex").mkdir(parents=True)
        oc = p / "opencode.json"
        oc.write_text(
            json.dumps(
                {
                    "$schema": "https://opencode.ai/config.json",
                    "model": f"aigate/{MODEL}",
                    "provider": {
                        "aigate": {
                            "npm": "@ai-sdk/openai-compatible",
                            "name": "AIGate",
                            "options": {
                                "baseURL": "https://api.aigate.shop/v1",
                                "apiKey": "{env:AIGATE_API_KEY}",
                            },
                            "models": {MODEL: {"name": "GPT 5.5"}},
                        }
                    },
                },
                indent=2,
            )
        )
        cx = p / ".codex" / "config.toml"
        cx.write_text(f'# project {i}\nmodel = "{MODEL}"\napproval_policy = "on-request"\n')
        files += [oc, cx]
    return files


BARE_PARSE = """
import json, sys, tomllib, pathlib
n = 0
for line in open(sys.argv[1]):
    p = pathlib.Path(line.strip())
    data = p.read_bytes()
    (tomllib.loads(data.decode()) if p.suffix == ".toml" else json.loads(data))
    n += 1
print(n)
"""


def bench_check(
    repeat: int, env: dict[str, str], root: Path
) -> list[tuple[str, float, float, str]]:
    tree = root / "tree"
    files = make_tree(tree, 400)
    listing = root / "files.txt"
    listing.write_text("\n".join(map(str, files)) + "\n")
    bare = [sys.executable, "-c", BARE_PARSE, str(listing)]
    check = [*CLI, "check", str(tree)]
    run(bare, env)  # warm-up: the page cache, the .pyc files
    run(check, env, cwd=root)
    # Interleaved rounds (both fresh processes), so machine drift hits both alike.
    bases: list[float] = []
    times: list[float] = []
    for _ in range(max(repeat, 5)):
        bases.append(run(bare, env)[0])
        times.append(run(check, env, cwd=root)[0])
    base, t = statistics.median(bases), statistics.median(times)
    return [
        (f"bare json/tomllib parse of {len(files)} files (baseline)", base * 1000, 1.0, "ms"),
        (f"aigate-setup check over 400 projects ({len(files)} files)", t * 1000, t / base, "ms"),
    ]


def bench_catalog(repeat: int) -> list[tuple[str, float, float, str]]:
    from aigate_setup import catalog

    data = {
        "object": "list",
        "data": [
            {
                "id": f"prov{i % 40}/model-{i}" + ("-embedding" if i % 10 == 0 else ""),
                "object": "model",
                "supported_endpoint_types": ["openai", "openai-response", "anthropic"]
                if i % 10
                else ["embeddings"],
            }
            for i in range(2000)
        ],
    }

    from aigate_setup.commands import init_answers, init_questions
    from aigate_setup.constants import CLIENTS

    def once() -> float:
        # What the wizard does before its model picker appears: parse, classify, the models
        # every client can use, the default, and each choice's meta line.
        start = time.perf_counter()
        cat = catalog.parse_catalog(data, "bench")
        usable = init_answers.usable_models(cat, CLIENTS)
        init_answers.default_model(cat, CLIENTS)
        _ = {m.id: init_questions.model_meta(m) for m in usable}
        return time.perf_counter() - start

    t = median(once, repeat)
    return [("catalog: parse + classify + picker list, 2,000 models", t * 1000, float("nan"), "ms")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure (median reported)")
    ap.add_argument("--quick", action="store_true", help="3 runs per figure")
    ap.add_argument("--check-only", action="store_true", help="only the `check` figure")
    ap.add_argument(
        "--clients-bin",
        default=os.environ.get("AIGATE_CLIENTS_BIN"),
        metavar="DIR",
        help="directory with the real codex/opencode/kilo/claude (env AIGATE_CLIENTS_BIN): "
        "adds the `doctor --with-clients` figures (one run each unless --repeat is given)",
    )
    ap.add_argument("--only-clients", action="store_true", help="only the --with-clients figures")
    args = ap.parse_args()
    repeat = 3 if args.quick else max(1, args.repeat)
    if args.only_clients:
        if not args.clients_bin:
            ap.error("--only-clients needs --clients-bin DIR (or AIGATE_CLIENTS_BIN)")
        clients_repeat = 1 if "--repeat" not in sys.argv else repeat
        return _report(_clients_rows(Path(args.clients_bin), clients_repeat), clients_repeat)
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="aigate-bench-") as tmp, FakeGateway() as gw:
        root = Path(tmp)
        env = sandbox_env(root)
        if not args.check_only:
            rows += bench_startup(repeat, env)
            rows += bench_memory(env, gw, root)
            rows += bench_status(repeat, env, root)
            rows += bench_live_phase(repeat, env, gw, root)
        rows += bench_check(repeat, env, root)
        if not args.check_only:
            rows += bench_catalog(repeat)
    if args.clients_bin and not args.check_only:
        rows += _clients_rows(Path(args.clients_bin), 1 if "--repeat" not in sys.argv else repeat)
    return _report(rows, repeat)


def _clients_rows(bindir: Path, repeat: int) -> list[tuple[str, float, float, str]]:
    with tempfile.TemporaryDirectory(prefix="aigate-bench-") as tmp, FakeGateway() as gw:
        root = Path(tmp)
        return bench_with_clients(repeat, sandbox_env(root), gw, root, bindir)


def _report(rows: list[tuple[str, float, float, str]], repeat: int) -> int:
    print(
        f"aigate-setup benchmark — {platform.python_implementation()} {platform.python_version()},"
        f" {os.cpu_count()} cores, {platform.machine()}, median of {repeat}"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':>10}  {'ratio':>6}")
    for name, value, ratio, unit in rows:
        r = "" if ratio != ratio else f"{ratio:5.2f}x"
        print(f"{name.ljust(width)}  {value:8.1f} {unit:<3} {r:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
