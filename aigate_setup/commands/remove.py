"""`aigate-setup remove`: take AIGate out of the clients again, leaving everything else.

For every file a writer (remove_writers.WRITERS) names: when the file is still exactly what
aigate-setup's init runs wrote, the bytes it had before them come back (the backups know
them); otherwise the owned parts are taken out (`unrender`) after the defaults that init
replaced are put back (from the state file, when the user has not changed them since). A file
that held nothing else is deleted. Everything goes through one `fsio.apply` run together
with the state file's "remove" record, so `restore` undoes it. `run` prints nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from aigate_setup import fsio, paths, state
from aigate_setup.commands.remove_writers import WRITERS, Where, Writer
from aigate_setup.errors import AigateError, ConfigError, ParseError, UsageError
from aigate_setup.merge import text as textmod
from aigate_setup.options import RemoveOptions, check_path

Outcome = Literal["removed", "dry_run", "nothing", "declined"]
_UNKNOWN = object()  # the backups do not know a file's bytes from before aigate-setup


@dataclass(frozen=True)
class DefaultChange:
    """What a client's default is after remove (`after` None: the client's own fallback)."""

    client: str
    path: Path
    before: tuple[str | None, str | None]
    after: tuple[str | None, str | None] | None
    fallback: str

    @property
    def restored(self) -> bool:
        return self.after is not None and any(self.after)


@dataclass
class RemoveResult:
    outcome: Outcome
    changes: list[fsio.FileChange] = field(default_factory=list)
    statuses: list[tuple[fsio.FileChange, str]] = field(default_factory=list)
    defaults: list[DefaultChange] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # what stays, and why
    warnings: list[str] = field(default_factory=list)
    run_id: str | None = None
    exit_code: int = 0


Ask = Callable[[RemoveResult], bool]


def run(opts: RemoveOptions, ask: Ask | None = None) -> RemoveResult:
    """Plan, then (unless a dry run) ask through `ask` when not --yes, then write."""
    if not opts.yes and not opts.dry_run and ask is None:
        raise UsageError(
            "no terminal to ask in (stdin or stdout is not a TTY)",
            "pass --yes to remove without asking, or --dry-run to see what would change",
        )
    warnings: list[str] = []
    st = state.load(warnings.append)
    result = plan(opts, st)
    result.warnings[:0] = warnings
    if not st.runs:
        why = "damaged" if st.problem else "missing"
        result.left.insert(
            0,
            f"no record of earlier runs (the state file is {why}): removed only what names "
            "AIGate; defaults it replaced cannot be put back",
        )
    if opts.dry_run:
        result.outcome = "dry_run"
        return result
    if not any(s != "unchanged" for _, s in result.statuses):
        result.outcome = "nothing"
        return result
    if not opts.yes and ask is not None and not ask(result):
        result.outcome = "declined"
        return result
    record = _state_change(opts, st, result)
    changes = [*result.changes, *([record] if record is not None else [])]
    applied = fsio.apply(changes, command="remove")
    _tidy_dirs([c.path for c, s in applied.statuses if s == "deleted"])
    result.statuses = [(c, s) for c, s in applied.statuses if c.client != state.CLIENT]
    result.run_id = applied.run_id
    result.outcome = "removed"
    return result


def _tidy_dirs(deleted: list[Path]) -> None:
    """Directories an init run created for files now deleted go too, when empty."""
    import contextlib

    made = {d for run in _runs() if run.command == "init" for d in run.dirs_created}
    for path in deleted:
        real = Path(os.path.abspath(path))
        for d in sorted((d for d in made if d in real.parents), key=lambda d: -len(d.parts)):
            with contextlib.suppress(OSError):
                os.rmdir(d)


def where(opts: RemoveOptions, st: state.State) -> Where:
    if opts.scope is not None:
        return Where(
            st, ((opts.scope, opts.project_dir),), use_state=False, delete_key=opts.delete_key
        )
    places = [("user", opts.project_dir)]
    places += [("project", d) for d in st.project_dirs()]
    return Where(st, tuple(places), delete_key=opts.delete_key)


def selected(opts: RemoveOptions) -> list[Writer]:
    if not opts.clients:
        return list(WRITERS)
    return [w for w in WRITERS if w.client is None or w.client in opts.clients]


def plan(opts: RemoveOptions, st: state.State) -> RemoveResult:
    """Every change remove would make; reads everything, writes nothing. An unreadable or
    unparsable file stops the whole remove (exit 1), like init."""
    from aigate_setup.plan import PlanError

    if opts.scope == "project":
        check_path("--project-dir", opts.project_dir)
    result = RemoveResult("dry_run")
    loc = where(opts, st)
    runs = _runs()
    # One change per file: the first writer that finds its parts there; a file no writer
    # changes is listed once as unchanged.
    found: dict[str, fsio.FileChange] = {}
    problems: list[ConfigError] = []
    for writer in selected(opts):
        for path in writer.targets(loc):
            key = os.path.normcase(os.path.abspath(path))
            if key in found and found[key].status != "unchanged":
                continue
            try:
                change = _plan_file(writer, path, st, runs, result)
            except ConfigError as exc:
                problems.append(exc)
                found.setdefault(key, fsio.FileChange(writer.name, path, None, b""))
                continue
            if change is not None and (key not in found or change.status != "unchanged"):
                found[key] = change
    if problems:
        raise PlanError(problems)
    result.changes = [c for c in found.values() if c.old is not None]
    result.statuses = [(c, c.status) for c in result.changes]
    return result


def _runs() -> list[fsio.RunInfo]:
    try:
        return fsio.list_runs()
    except (AigateError, OSError):  # unreadable backups: take the parts out instead
        return []


def _plan_file(
    writer: Writer, path: Path, st: state.State, runs: list[fsio.RunInfo], result: RemoveResult
) -> fsio.FileChange | None:
    old = fsio.read_bytes(path)
    if old is None:
        return None
    try:
        doc = textmod.decode(old)
    except ValueError as exc:
        raise ConfigError(str(exc), path=path, hint="save the file as UTF-8") from None
    try:
        new_text = _exact(writer, path, old, runs)
        if new_text is _UNKNOWN:
            new_text = _taken_out(writer, path, doc.text, st, result)
        before = writer.owned_values(path, doc.text)
        after = writer.owned_values(path, new_text) if isinstance(new_text, str) else {}
    except ParseError as exc:
        raise ConfigError.from_parse(
            exc, path, "fix the syntax there (or `aigate-setup restore` to undo the last run)"
        ) from None
    _note_default(writer, path, before, after, result)
    if new_text is None:
        return fsio.FileChange(writer.name, path, old, b"", sensitive=writer.sensitive, delete=True)
    assert isinstance(new_text, str)
    return fsio.FileChange(
        writer.name, path, old, textmod.encode(doc, new_text), sensitive=writer.sensitive
    )


def _exact(writer: Writer, path: Path, current: bytes, runs: list[fsio.RunInfo]) -> object:
    """The text the file had before the init runs that made it what it is now (None: it did
    not exist), when the backups know it and it holds nothing of aigate-setup's."""
    from aigate_setup.fsio.journal import read_backup
    from aigate_setup.fsio.transaction import sha256

    wanted = os.path.abspath(path)
    digest = sha256(current)
    found: object = _UNKNOWN
    for run in runs:  # newest first
        entry = next((f for f in run.files if str(f.path) == wanted), None)
        if entry is None:
            continue
        if run.command != "init" or entry.sha256_after != digest:
            break
        if entry.action == "created":
            return None
        try:
            found = read_backup(run, entry)
        except (AigateError, OSError):  # a damaged backup: take the parts out instead
            return _UNKNOWN
        digest = entry.sha256_before
    if not isinstance(found, bytes):
        return _UNKNOWN
    try:
        text = textmod.decode(found).text
    except ValueError:
        return _UNKNOWN
    if writer.ours is not None:
        return _UNKNOWN if writer.ours(path, text) else text
    left = writer.unrender(path, text)
    if left == text or (left is None and not writer.owned_values(path, text)):
        return text  # nothing of aigate-setup's in it (`{}` too: it comes back, not deleted)
    return _UNKNOWN  # it held aigate-setup's parts already (another machine's run)


def _taken_out(
    writer: Writer, path: Path, text: str, st: state.State, result: RemoveResult
) -> str | None:
    values = writer.owned_values(path, text)
    back: dict[str, object] = {}
    for key in writer.default_keys:
        first = st.first_replaced(path, key)
        last = st.last_written(path, key)
        if first is None or last is None or (first.replaced is None and key not in values):
            continue
        if values.get(key) == last.written:
            back[key] = first.replaced
        elif key in values:
            result.left.append(
                f"{paths.display(path)}: kept {key} = {values[key]!r} "
                "(changed since aigate-setup wrote it)"
            )
    if back:
        text = writer.put_back(path, text, back)
    out = writer.unrender(path, text)
    # A writer whose owned keys all go (Claude's settings.json env entries): the values put
    # back above were taken out again with them, so they go back in once more.
    left = writer.owned_values(path, out) if out is not None else {}
    again = {k: v for k, v in back.items() if v is not None and left.get(k) != v}
    if again:
        out = writer.put_back(path, out if out is not None else "", again)
    return out


def _note_default(
    writer: Writer,
    path: Path,
    before: dict[str, object],
    after: dict[str, object],
    result: RemoveResult,
) -> None:
    if writer.default_of is None or writer.client is None:
        return
    from aigate_setup.clients import CLIENT_MODULES

    module = CLIENT_MODULES[writer.client]
    was = writer.default_of(before)
    now = writer.default_of(after)
    ours = getattr(module, "is_ours", None)
    if ours is None or not ours(before) or was == now:
        return
    result.defaults.append(
        DefaultChange(writer.client, path, was, now if any(now) else None, writer.fallback)
    )


def _state_change(
    opts: RemoveOptions, st: state.State, result: RemoveResult
) -> fsio.FileChange | None:
    old = state.read_raw()
    if old is None and os.path.lexists(state.path()):
        return None  # a state file that cannot be read (already warned): leave it
    values: list[state.OwnedValue] = []
    files: list[tuple[str, str]] = []
    writers: dict[str, Writer] = {}
    for w in WRITERS:  # a client's own writer comes first (its extra files are added later)
        writers.setdefault(w.name, w)
    for change, status in result.statuses:
        if status == "unchanged":
            continue
        files.append((change.client, os.path.abspath(change.path)))
        writer = writers.get(change.client)
        if writer is None or writer.sensitive:
            continue
        before = _values_of(writer, change.path, change.old)
        after = {} if change.delete else _values_of(writer, change.path, change.new)
        for key, value in before.items():
            if after.get(key) != value:
                path = os.path.abspath(change.path)
                values.append(state.OwnedValue(change.client, path, key, after.get(key), value))
    record = state.RunRecord(
        command="remove",
        at=state.now(),
        base_url=opts.common.base_url,
        key_env=opts.common.key_env,
        clients=tuple(sorted({c for c, _ in files})),
        scope=opts.scope or "user",
        project_dir=str(opts.project_dir) if opts.scope == "project" else None,
        values=tuple(values),
        files=tuple(files),
    )
    return state.change(st.with_run(record), old)


def _values_of(writer: Writer, path: Path, data: bytes | None) -> dict[str, object]:
    if data is None:
        return {}
    try:
        return writer.owned_values(path, textmod.decode(data).text)
    except (ValueError, ParseError):
        return {}
