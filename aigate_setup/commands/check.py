"""`aigate-setup check`: static validation of checked-in configs. Never writes, prints nothing.

Discover files -> read each one safely, once -> the chosen rules -> a `CheckResult`
(render/check.py shows it as text, json, github or sarif).

A checked repository may be hostile: only regular files inside the checked tree are read (a
symlink out of it, a FIFO or a device is reported, never opened for reading), at most
`MAX_BYTES` each, and git runs there with every config-driven program turned off.
"""

from __future__ import annotations

import operator
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from aigate_setup import paths
from aigate_setup.errors import UsageError
from aigate_setup.findings import Finding
from aigate_setup.options import CheckOptions
from aigate_setup.rules import engine, kinds
from aigate_setup.rules.registry import Rule, RuleContext

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


class CheckResult(NamedTuple):
    findings: list[Finding]  # sorted by path, line, column, rule
    files: list[str]  # every file checked, as shown
    rules: tuple[Rule, ...]  # the rules that ran, in id order

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


# NamedTuples, not dataclasses: `check` runs in a fresh process each time, and a dataclass
# costs about a millisecond to create at import.
class Target(NamedTuple):
    path: Path  # absolute, not resolved
    kind: FileKind | None  # None: named explicitly, inferred from its text
    tree: Path  # the resolved directory it is checked in: nothing outside it is read
    real: Path  # the file it names, all links resolved
    regular: bool = False  # the directory walk saw a regular file (not a link)


def run(opts: CheckOptions) -> CheckResult:
    active = engine.select_rules(opts.select, opts.ignore)
    ctx = RuleContext(
        gateway_host=opts.gateway_host, catalog=_load_catalog(opts), key_env=opts.common.key_env
    )
    targets = discover(opts.paths or (Path("."),))
    parse_error = engine.catalogue()["AIG001"]
    reading = parse_error if any(r is parse_error for r in active) else None
    findings: list[Finding] = []
    files = _shown(targets)
    for target, as_shown in zip(targets, files, strict=True):
        findings += _check_file(target, ctx, active, as_shown, reading)
    findings.sort(key=lambda f: (f.path, f.line or 0, f.column or 0, f.rule))
    return CheckResult(findings, files, active)


def _shown(targets: Sequence[Target]) -> list[str]:
    """`paths.relative` of each target's path, with the current directory looked up once (not
    once for each of hundreds of files)."""
    prefix = os.path.join(os.getcwd(), "")
    out = []
    for target in targets:
        text = str(target.path)
        if text.startswith(prefix) and ".." not in text:
            out.append(text[len(prefix) :])
        else:
            out.append(paths.relative(target.path))
    return out


def _load_catalog(opts: CheckOptions) -> Catalog | None:
    if opts.catalog is None and not opts.live:
        return None  # the catalog module is not even imported
    from aigate_setup import catalog

    if opts.catalog is not None:
        return catalog.load_catalog_file(opts.catalog)
    return catalog.fetch_catalog(opts.common)


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
    seen: set[str] = set()  # the resolved paths found so far
    out: list[Target] = []
    for given in given_paths:
        path = given if given.is_absolute() else Path.cwd() / given
        if path.is_dir():
            tree = Path(os.path.realpath(path))
            with kinds.cached_stats():
                found = _walk(path, tree)
            if seen:
                found = [t for t in found if os.fspath(t.real) not in seen]
            files = [t.path for t in found]
            kept = _drop_gitignored(path, files)
            if kept is not files:
                keep = set(kept)
                found = [t for t in found if t.path in keep]
            seen.update([os.fspath(t.real) for t in found])
            out += found
        elif os.path.lexists(path):  # a file, or a link or special file the reader refuses
            key = _real(path)
            if os.fspath(key) not in seen:
                seen.add(os.fspath(key))
                out.append(Target(path, None, _explicit_tree(path), key))
        else:
            raise UsageError(
                f"{given}: no such file or directory",
                "pass a config file or a directory (default: the current directory)",
            )
    return out


_name = operator.attrgetter("name")


def _walk(root: Path, real_root: Path) -> list[Target]:
    """Every file a client reads under `root` (checked in `real_root`, its resolved path), in
    sorted order.

    Symlinked directories are not entered, so a file that is not itself a link resolves to
    `real_root` joined with its place in the tree: realpath (a syscall per path component) runs
    only for links.
    """
    found: list[Target] = []
    top = os.fspath(root)
    real_top = os.fspath(real_root)
    unmoved = top == real_top  # no link on the way: each file's resolved path is its path
    kind_for = engine.kind_for
    stack: list[tuple[str, str]] = [(top, real_top)]
    while stack:
        dirpath, real_dir = stack.pop()
        try:
            with os.scandir(dirpath) as it:
                entries = sorted(it, key=_name)
        except OSError:
            continue
        here: list[Target] = []
        subdirs: list[tuple[str, str]] = []
        venv = False
        for entry in entries:
            name = entry.name
            if name == "pyvenv.cfg":
                venv = True
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if name not in SKIP_DIRS:
                    sub = entry.path
                    subdirs.append((sub, sub if unmoved else os.path.join(real_dir, name)))
                continue
            link = entry.is_symlink()
            if link and os.path.isdir(entry.path):
                continue  # a link to a directory is not walked (nor checked as a file)
            p = Path(entry.path)
            kind = kind_for(p)
            if kind is None:
                continue
            real = _real(p) if link else (p if unmoved else Path(real_dir, name))
            try:
                regular = not link and entry.is_file(follow_symlinks=False)
            except OSError:
                regular = False
            here.append(Target(p, kind, real_root, real, regular))
        if venv and dirpath != top:
            continue  # a virtualenv below the checked tree
        found += here
        stack.extend(reversed(subdirs))
    return found


def _in_work_tree(root: Path) -> bool:
    """Whether git could see `root` as part of a repository: a `.git` in it or above it (or
    GIT_DIR set). Outside one, git is not started at all."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    here = os.path.abspath(root)
    while True:
        if os.path.lexists(os.path.join(here, ".git")):
            return True
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent


def _drop_gitignored(root: Path, files: list[Path]) -> list[Path]:
    """One `git check-ignore --stdin` call for the batch; no git or no repo: keep all."""
    if not files or not _in_work_tree(root):
        return files
    payload = "\0".join(str(p) for p in files) + "\0"
    import subprocess

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


def _inside(real: str, tree: str) -> bool:
    if os.name != "nt":  # both resolved: a prefix test (commonpath costs more, per file)
        return real == tree or real.startswith(tree.rstrip("/") + "/")
    try:
        return os.path.commonpath([real, tree]) == os.path.commonpath([tree])
    except ValueError:  # another drive
        return False


def read_config(real: Path, tree: Path, *, regular: bool = False) -> bytes:
    """The bytes of the regular file `real` (a resolved path) when it is inside `tree`.

    `regular`: the directory walk already saw a regular file there, so the stat before the
    open is skipped (the fstat after it still refuses anything swapped in since)."""
    inside = _inside(os.fspath(real), os.fspath(tree))
    if not inside:
        raise Unreadable(
            "not read: a symbolic link that leads out of the checked tree",
            "check the file where it is (pass its own path), or replace the link with the file",
        )
    if not regular:
        try:
            st = os.stat(real)
        except OSError as exc:
            raise _cannot(exc) from None
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(st.st_mode)
        if st.st_size > MAX_BYTES:
            raise _too_large()
    try:
        # O_NONBLOCK: a FIFO swapped in after the stat cannot block the open; fstat sees it.
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise _cannot(exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(st.st_mode)
        if st.st_size > MAX_BYTES:
            raise _too_large()
        chunks: list[bytes] = []
        size = 0
        while True:  # until EOF: the file may have grown since the fstat
            chunk = os.read(fd, max(st.st_size - size, 0) + 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BYTES:
                raise _too_large()
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _cannot(exc: OSError) -> Unreadable:
    return Unreadable(f"cannot read the file: {exc.strerror or type(exc).__name__}")


def check_file(
    target: Target, ctx: RuleContext, active: Sequence[Rule], shown: str | None = None
) -> list[Finding]:
    parse_error = engine.catalogue()["AIG001"]
    reading = any(r is parse_error for r in active)
    return _check_file(target, ctx, active, shown, parse_error if reading else None)


_BOM = b"\xef\xbb\xbf"


def _check_file(
    target: Target,
    ctx: RuleContext,
    active: Sequence[Rule],
    shown: str | None,
    parse_error: Rule | None,  # AIG001 when it is among the rules, for what cannot be read
) -> list[Finding]:
    if shown is None:
        shown = paths.relative(target.path)
    try:
        data = read_config(target.real, target.tree, regular=target.regular)
    except Unreadable as exc:
        return [_finding(shown, None, parse_error, exc.message, exc.hint)] if parse_error else []
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or type(exc).__name__}"
        return [_finding(shown, None, parse_error, reason)] if parse_error else []
    try:
        # What decode("utf-8-sig") does, without its Python-level codec.
        text = (data[3:] if data.startswith(_BOM) else data).decode()
    except UnicodeDecodeError as exc:
        if parse_error is None:
            return []
        line = data.count(b"\n", 0, exc.start) + 1
        return [_finding(shown, line, parse_error, "the file is not UTF-8 text")]
    kind = target.kind or engine.infer_kind(target.path, text)
    return engine.validate_text(shown, text, kind, ctx, active)


def _finding(
    path: str, line: int | None, rule: Rule, message: str, hint: str | None = None
) -> Finding:
    return Finding(
        path, line, None, rule.id, rule.severity, message, rule.fix if hint is None else hint
    )
