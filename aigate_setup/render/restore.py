"""`restore` results as text or JSON. Warnings go to stderr; stdout stays one JSON document."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from aigate_setup import fsio, report
from aigate_setup.commands.restore import RestoreResult


def show(result: RestoreResult, fmt: str, out: TextIO | None = None) -> int:
    """Print `result` (text or json) and return the exit code (0: a restore never fails
    once it has a result)."""
    stream = out or sys.stdout
    for bad in result.damaged:
        report.info(
            f"warning: run {bad.run_id} is left out: its manifest cannot be trusted ({bad.reason})"
        )
    if fmt == "json":
        report.print_json(json_document(result))
        return 0
    if result.action == "list":
        _list_text(result, stream)
        return 0
    for w in result.warnings:
        report.info(f"warning: {w}")
    if result.action == "dry_run":
        _dry_run_text(result, stream)
    elif result.action == "declined":
        print("Nothing changed.", file=stream)
    else:
        _restore_text(result, stream)
    return 0


def asker(fmt: str) -> Callable[[fsio.RunInfo, list[fsio.Planned]], bool]:
    """The question `restore` asks in a terminal: the files it would change, then yes/no.
    Drawn on stderr in JSON mode, so stdout stays one document."""

    def ask(run: fsio.RunInfo, planned: list[fsio.Planned]) -> bool:
        from aigate_setup import paths, prompts

        stream = sys.stderr if fmt == "json" else sys.stdout
        changing = [p for p in planned if p.status not in ("skipped", "unchanged")]
        what = run.command + (f" of {run.restored_run}" if run.restored_run else "")
        print(f"Run {run.run_id} ({_when(run.created)}, {what}):", file=stream)
        for p in planned:
            verb = {"restored": "will restore", "deleted": "will delete"}.get(p.status, p.status)
            print(f"  {verb:<12} {paths.display(p.file.path)}", file=stream)
        if not changing:
            return True  # nothing to change: no question needed
        prompts.draw_on_stderr(fmt == "json")
        count = len(changing)
        return prompts.confirm(
            f"Put {count} file{'s' * (count != 1)} back as they were before this run?",
            default=True,
        )

    return ask


def json_document(result: RestoreResult) -> dict[str, Any]:
    if result.action == "list":
        return report.envelope("restore", "ok", runs=[r.to_json() for r in result.runs])
    files = [{"path": str(f.path), "status": f.status} for f in result.files]
    dry = {"dry_run": True} if result.action == "dry_run" else {}
    if result.action == "declined":
        dry = {"declined": True}
    return report.envelope(
        "restore",
        "ok",
        **dry,
        run_id=result.run_id,
        restored_run=result.restored_run,
        files=files,
        warnings=list(result.warnings),
    )


def _when(created: str) -> str:
    return created[:19].replace("T", " ") + " UTC"


def _list_text(result: RestoreResult, out: TextIO) -> None:
    if not result.runs:
        print("no runs yet: aigate-setup has not changed any file", file=out)
        return
    for run in result.runs:
        what = run.command + (f" of {run.restored_run}" if run.restored_run else "")
        count = len(run.files)
        print(
            f"{run.run_id}  {_when(run.created)}  {what}  ({count} file{'s' * (count != 1)})",
            file=out,
        )
        for f in run.files:
            print(f"    {f.action:<9} {f.path}", file=out)
    print("\nrestore one with: aigate-setup restore RUN_ID (default: the newest)", file=out)


def _dry_run_text(result: RestoreResult, out: TextIO) -> None:
    for f in result.files:
        if f.status in ("skipped", "unchanged"):
            continue
        out.write(fsio.preview(f.path, f.before, f.after, sensitive=f.sensitive, stream=out))
    for f in result.files:
        print(f"{f.status:<9} {f.path}", file=out)
    print(f"dry run: would restore run {result.restored_run}; nothing was written", file=out)


def _restore_text(result: RestoreResult, out: TextIO) -> None:
    for f in result.files:
        print(f"{f.status:<9} {f.path}", file=out)
    if result.run_id is None:
        print(f"nothing to do: every file already matches run {result.restored_run}", file=out)
    else:
        print(f"restored run {result.restored_run}; undo this with: aigate-setup restore", file=out)
        print(f"(this restore is run {result.run_id})", file=out)
