"""A run is all-or-nothing under real SIGINT and SIGTERM, at every point of its write phase.

The CLI runs in a child process whose file operations (os.replace, os.fsync, os.chmod,
os.unlink, os.mkdir) each pause before and after themselves while a run writes. For point k
the child stops at its k-th pause and says so; the test sends a real signal, lets the child
go on, and then checks the files: exactly as before (rolled back), exit 130, `interrupted`
on stderr, no temporary file and no backup directory left behind.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Protocol

import pytest
from conftest import TEST_KEY

from aigate_setup import fsio, paths

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# The child: pause points around every file operation of the write phase (and only there).
CHILD = """
import os, signal, sys
from aigate_setup import cli

# The default dispositions, whatever the test runner had: a background job of a shell without
# job control starts with SIGINT ignored, and the run rightly keeps an ignored signal ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
from aigate_setup.fsio import transaction

target = int(sys.argv[1])
count = 0
active = False

def pause(what):
    global count
    if not active:
        return
    count += 1
    if count == target:
        sys.stdout.write("paused %d %s\\n" % (count, what))
        sys.stdout.flush()
        sys.stdin.readline()  # the parent signals us, then sends a line

def wrap(name):
    real = getattr(os, name)
    def wrapper(*args, **kwargs):
        pause(name)
        result = real(*args, **kwargs)
        pause(name + " done")
        return result
    setattr(os, name, wrapper)

for name in ("replace", "fsync", "chmod", "unlink", "mkdir"):
    wrap(name)

real_enter = transaction.Interrupts.__enter__
def enter(self):
    global active
    active = True
    return real_enter(self)
transaction.Interrupts.__enter__ = enter

real_exit = transaction.Interrupts.__exit__
def leave(self, *exc):
    global active
    active = False
    return real_exit(self, *exc)
transaction.Interrupts.__exit__ = leave

code = cli.execute(cli.main, sys.argv[2:])
sys.stdout.write("count %d\\n" % count)
sys.stdout.flush()
sys.exit(code)
"""

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Gateway(Protocol):
    @property
    def base_url(self) -> str: ...


def read_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """One line of the child's stdout, or "" when it ends first."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            assert left > 0, f"the child said nothing for {timeout} s"
            if not sel.select(left):
                continue
            chunk = os.read(fd, 1)
            if not chunk:
                break
            data += chunk
    return data.decode()


def run_child(
    script: Path, target: int, args: list[str], sig: int | None = None
) -> tuple[int, str, str]:
    """Run the CLI in the child; at pause `target`, send `sig`. Returns (code, stdout, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, str(script), str(target), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    try:
        said = ""
        if sig is not None:
            said = read_line(proc, 30)
            assert said.startswith(f"paused {target} "), said
            proc.send_signal(sig)
            assert proc.stdin is not None
            proc.stdin.write(b"\n")
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, said + out.decode(), err.decode()


def snapshot(*roots: Path) -> dict[str, tuple[bytes, int]]:
    """Every file (bytes and mode) under `roots`, the backups and the catalog cache aside."""
    skip = (paths.state_dir(), paths.cache_dir())
    found: dict[str, tuple[bytes, int]] = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file() and not any(p.is_relative_to(s) for s in skip):
                found[str(p)] = (p.read_bytes(), os.stat(p).st_mode & 0o7777)
    return found


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".aigate-tmp")]


def backup_dirs() -> list[str]:
    base = paths.backups_dir()
    return sorted(p.name for p in base.iterdir()) if base.exists() else []


def points(total: int, wanted: int) -> list[int]:
    """`wanted` pause points spread over 1..total (all of them when there are fewer)."""
    if total <= wanted:
        return list(range(1, total + 1))
    return sorted({1 + round(i * (total - 1) / (wanted - 1)) for i in range(wanted)})


def assert_rolled_back(
    code: int, out: str, err: str, before: dict[str, tuple[bytes, int]], roots: list[Path]
) -> None:
    where = out.splitlines()[0] if out else "?"
    assert code == 130, (where, code, err)
    assert "interrupted" in err, (where, err)
    assert "Traceback" not in err, (where, err)
    assert snapshot(*roots) == before, where
    for root in roots:
        assert temp_files(root) == [], where


def test_restore_is_all_or_nothing_under_sigint_and_sigterm(
    sandbox_home: Path, tmp_path: Path
) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    # A run to undo: two modified files (one 0640, one through a symlink), two created ones
    # (one in a new directory), one sensitive.
    kilo = sandbox_home / ".config" / "kilo" / "kilo.jsonc"
    kilo.parent.mkdir(parents=True)
    kilo.write_bytes(b"{\r\n  // mine\r\n}\r\n")
    kilo.chmod(0o640)
    real_toml = sandbox_home / "dotfiles" / "config.toml"
    real_toml.parent.mkdir()
    real_toml.write_bytes(b"model = 'mine'\n")
    toml = sandbox_home / ".codex" / "config.toml"
    toml.parent.mkdir()
    toml.symlink_to(real_toml)
    created = sandbox_home / ".config" / "aigate" / "aigate-claude.sh"
    key = sandbox_home / ".config" / "aigate" / "key"
    originals = [(kilo, b"{}\n"), (toml, b"model = 'aigate'\n"), (created, b"export X=1\n")]
    changes = [fsio.FileChange("x", p, fsio.read_bytes(p), new) for p, new in originals]
    changes.append(fsio.FileChange("aigate", key, None, b"sk-...\n", sensitive=True))
    fsio.apply(changes)
    roots = [sandbox_home]
    before = snapshot(*roots)
    runs = backup_dirs()

    # How many pause points a whole restore has (it completes: then undo it again).
    code, out, err = run_child(script, 0, ["restore", "--yes"])
    assert code == 0, err
    total = int(out.split("count ")[-1])
    fsio.restore()
    assert snapshot(*roots) == before
    runs = backup_dirs()
    assert total >= 40, out

    tried = points(total, 36)
    assert len(tried) >= 30
    for i, k in enumerate(tried):
        code, out, err = run_child(script, k, ["restore", "--yes"], SIGNALS[i % 2])
        assert_rolled_back(code, out, err, before, roots)
        assert backup_dirs() == runs, out


def test_init_is_all_or_nothing_under_sigint(
    sandbox_home: Path, tmp_path: Path, fake_gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    codex = sandbox_home / ".codex" / "config.toml"
    codex.parent.mkdir()
    codex.write_bytes(b'# mine\napproval_policy = "never"\n')
    opencode = sandbox_home / ".config" / "opencode" / "opencode.json"
    opencode.parent.mkdir(parents=True)
    opencode.write_bytes(b'{\n  "theme": "dark"\n}\n')
    monkeypatch.setenv("AIGATE_API_KEY", TEST_KEY)
    args = ["init", "--yes", "--base-url", fake_gateway.base_url, "--model", "openai/gpt-5.5"]
    args += ["--no-smoke-test", "--client", "codex", "--client", "opencode", "--client", "claude"]
    roots = [sandbox_home, Path.cwd()]
    before = snapshot(*roots)

    # The number of pause points of a real init (the second: the first also creates the
    # backups directory): run it, then undo it.
    for _ in range(2):
        code, out, err = run_child(script, 0, args)
        assert code == 0, err
        assert snapshot(*roots) != before
        fsio.restore()
        assert snapshot(*roots) == before
    total = int(out.split("count ")[-1])
    assert total >= 40, out
    for i, k in enumerate(points(total, 6)):
        code, out, err = run_child(script, k, args, SIGNALS[i % 2])
        assert_rolled_back(code, out, err, before, roots)


def test_a_signal_the_process_ignores_stays_ignored_during_a_run() -> None:
    """nohup or a background job: an ignored SIGINT stays ignored while the run writes, and
    the handlers in place before come back after it."""
    from aigate_setup.fsio.transaction import Interrupts

    term = signal.getsignal(signal.SIGTERM)
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with Interrupts():
            assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_IGN, signal.SIG_DFL)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == (signal.SIG_DFL if term is None else term)
    finally:
        signal.signal(signal.SIGINT, before)
