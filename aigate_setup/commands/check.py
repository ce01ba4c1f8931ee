"""`aigate-setup check`: static validation of checked-in configs. Never writes, prints nothing.

Discover files -> read each one safely, once -> the chosen rules -> a `CheckResult`
(render/check.py shows it as text, json, github or sarif).

A checked repository may be hostile: only regular files inside the checked tree are read (a
symlink out of it, a FIFO or a device is reported, never opened for reading), at most
`MAX_BYTES` each, and git runs there with every config-driven program turned off.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup import paths, rules
from aigate_setup.errors import UsageError
from aigate_setup.findings import Finding
from aigate_setup.options import CheckOptions
from aigate_setup.rules import Rule, RuleContext

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import FileKind

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
        ".mypy_cache", ".ruff_cache", ".pytest_cache",
    }
)  # fmt: skip
MAX_BYTES = 4 * 1024 * 1024  # no agent config comes near this; /dev/zero would never end
# git runs inside the checked tree, whose .git/config may be hostile: nothing it names runs.
GIT_SAFE = (
    "git", "--no-pager",
    "-c", "core.fsmonitor=false",
    "-c", f"core.hooksPath={os.devnull}",
    "-c", "core.untrackedCache=false",
)  # fmt: skip
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]  # sorted by path, line, column, rule
    files: list[str]  # every file checked, as shown
    rules: tuple[Rule, ...]  # the rules that ran, in id order

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True)
class Target:
    path: Path  # absolute, not resolved
    kind: FileKind | None  # None: named explicitly, inferred from its text
    tree: Path  # the resolved directory it is checked in: nothing outside it is read
    real: Path  # the file it names, all links resolved


def run(opts: CheckOptions) -> CheckResult:
    active = rules.select_rules(opts.select, opts.ignore)
    ctx = RuleContext(
        gateway_host=opts.gateway_host, catalog=_load_catalog(opts), key_env=opts.common.key_env
    )
    targets = discover(opts.paths or (Path("."),))
    findings: list[Finding] = []
    for target in targets:
        findings.extend(check_file(target, ctx, active))
    findings.sort(key=lambda f: (f.path, f.line or 0, f.column or 0, f.rule))
    return CheckResult(findings, [paths.relative(t.path) for t in targets], active)


def _load_catalog(opts: CheckOptions) -> Catalog | None:
    from aigate_setup import catalog

    if opts.catalog is not None:
        return catalog.load_catalog_file(opts.catalog)
    if opts.live:
        return catalog.fetch_catalog(opts.common)
    return None


# --- discovery ----------------------------------------------------------------------------


def _real(path: Path) -> Path:
    # os.path.realpath, not Path.resolve: a symlink loop is a file that cannot be read, not a
    # RuntimeError.
    return Path(os.path.realpath(path))


def _explicit_tree(path: Path) -> Path:
    """Where a file named on the command line is checked: the current directory when it is
    inside it (pre-commit passes repository paths), else its own directory."""
    cwd = os.getcwd()
    absolute = os.path.abspath(path)
    try:
        inside = os.path.commonpath([cwd, absolute]) == cwd
    except ValueError:  # another drive
        inside = False
    return Path(os.path.realpath(cwd if inside else os.path.dirname(absolute)))


def discover(given_paths: Iterable[Path]) -> list[Target]:
    """Explicit files as given; in directories, the files agents read (minus ignored ones)."""
    seen: set[Path] = set()
    out: list[Target] = []
    for given in given_paths:
        path = given if given.is_absolute() else Path.cwd() / given
        if path.is_dir():
            tree = Path(os.path.realpath(path))
            # Resolve each file once: realpath costs a syscall per path component.
            found = {p: (kind, _real(p)) for p, kind in _walk(path)}
            found = {p: v for p, v in found.items() if v[1] not in seen}
            for p in _drop_gitignored(path, list(found)):
                kind, key = found[p]
                seen.add(key)
                out.append(Target(p, kind, tree, key))
        elif os.path.lexists(path):  # a file, or a link or special file the reader refuses
            key = _real(path)
            if key not in seen:
                seen.add(key)
                out.append(Target(path, None, _explicit_tree(path), key))
        else:
            raise UsageError(
                f"{given}: no such file or directory",
                "pass a config file or a directory (default: the current directory)",
            )
    return out


def _walk(root: Path) -> list[tuple[Path, FileKind]]:
    found: list[tuple[Path, FileKind]] = []
    # os.walk does not descend into symlinked directories (followlinks=False).
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        )
        for name in sorted(filenames):
            p = Path(dirpath, name)
            kind = rules.kind_for(p)
            if kind is not None:
                found.append((p, kind))
    return found


def _drop_gitignored(root: Path, files: list[Path]) -> list[Path]:
    """One `git check-ignore --stdin` call for the batch; no git or no repo: keep all."""
    if not files:
        return files
    payload = "\0".join(str(p) for p in files) + "\0"
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        proc = subprocess.run(
            [*GIT_SAFE, "-C", str(root), "check-ignore", "-z", "--stdin"],
            input=payload.encode(),
            capture_output=True,
            timeout=30,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return files
    if proc.returncode not in (0, 1):  # 128: not a repository (or git trouble)
        return files
    ignored = {os.path.normpath(p) for p in proc.stdout.decode(errors="replace").split("\0") if p}
    return [p for p in files if os.path.normpath(str(p)) not in ignored]


# --- one file -----------------------------------------------------------------------------


class Unreadable(Exception):
    """A file that is not read: the message says why, the hint what to do (None: the rule's)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _not_regular(mode: int) -> Unreadable:
    what = next((name for test, name in _SPECIAL if test(mode)), "a special file")
    return Unreadable(f"not read: {what}, not a regular file", "configs are regular files")


def _too_large() -> Unreadable:
    return Unreadable(
        f"not read: the file is larger than {MAX_BYTES // (1024 * 1024)} MiB",
        "an agent config is a few kilobytes; check what wrote this file",
    )


def read_config(real: Path, tree: Path) -> bytes:
    """The bytes of the regular file `real` (a resolved path) when it is inside `tree`."""
    try:
        inside = os.path.commonpath([real, str(tree)]) == str(tree)
    except ValueError:  # another drive
        inside = False
    if not inside:
        raise Unreadable(
            "not read: a symbolic link that leads out of the checked tree",
            "check the file where it is (pass its own path), or replace the link with the file",
        )
    try:
        st = os.stat(real)
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or type(exc).__name__}") from None
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(st.st_mode)
    if st.st_size > MAX_BYTES:
        raise _too_large()
    try:
        # O_NONBLOCK: a FIFO swapped in after the stat cannot block the open; fstat sees it.
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or type(exc).__name__}") from None
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(mode)
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large()
    return data


def check_file(target: Target, ctx: RuleContext, active: Sequence[Rule]) -> list[Finding]:
    shown = paths.relative(target.path)
    parse_error = rules.catalogue()["AIG001"]
    reading = parse_error in active
    try:
        data = read_config(target.real, target.tree)
    except Unreadable as exc:
        return [_finding(shown, None, parse_error, exc.message, exc.hint)] if reading else []
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or type(exc).__name__}"
        return [_finding(shown, None, parse_error, reason)] if reading else []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [_finding(shown, line, parse_error, "the file is not UTF-8 text")] if reading else []
    kind = target.kind or rules.infer_kind(target.path, text)
    return rules.validate_text(Path(shown), text, kind, ctx, active)


def _finding(
    path: str, line: int | None, rule: Rule, message: str, hint: str | None = None
) -> Finding:
    return Finding(
        path, line, None, rule.id, rule.severity, message, rule.fix if hint is None else hint
    )
