"""`remove` output: the plan, the question, and the result as text or one JSON document.

Human text goes to stdout in text mode and to stderr in JSON mode; warnings always to stderr.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

from aigate_setup import fsio, paths, report

if TYPE_CHECKING:
    from aigate_setup.commands.remove import Ask, DefaultChange, RemoveResult

_WORDS = {"updated": "pass", "deleted": "pass", "unchanged": "skip"}


def _stream(fmt: str) -> TextIO:
    return sys.stderr if fmt == "json" else sys.stdout


def asker(fmt: str) -> Ask | None:
    """The question before writing, or None without a terminal (run then refuses, exit 2)."""
    screen = _stream(fmt)
    try:
        tty = sys.stdin.isatty() and screen.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        return None

    def ask(result: RemoveResult) -> bool:
        from aigate_setup import prompts

        prompts.draw_on_stderr(fmt == "json")
        out = _stream(fmt)
        _files(result, out, "Plan:")
        _defaults(result, out)
        if prompts.confirm("Show the diffs?", default=False):
            _diffs(result, out)
        return prompts.confirm("Remove AIGate from these files?", default=True)

    return ask


def show(result: RemoveResult, fmt: str) -> int:
    for w in result.warnings:
        report.info(w)
    out = _stream(fmt)
    if result.outcome == "declined":
        print("Nothing changed.", file=out)
    elif result.outcome == "dry_run":
        _diffs(result, out)
        _files(result, out, "Would change (dry run, nothing written):")
        _defaults(result, out)
    elif result.outcome == "nothing":
        print("Nothing to remove: no file holds aigate-setup's settings.", file=out)
    else:
        _files(result, out, "Files:")
        _defaults(result, out)
        if result.run_id:
            print(f"Backup: run {result.run_id}; undo it with: aigate-setup restore", file=out)
    for line in result.left:
        print(f"left: {line}", file=out)
    if fmt == "json":
        report.print_json(document(result))
    return result.exit_code


def _diffs(result: RemoveResult, out: TextIO) -> None:
    for change, status in result.statuses:
        if status != "unchanged":
            out.write(fsio.preview_change(change, stream=out))


def _files(result: RemoveResult, out: TextIO, title: str) -> None:
    print(title, file=out)
    for change, status in result.statuses:
        symbol = report.status_symbol(_WORDS.get(status, "warn"), out)
        print(f"  {symbol} {status:<9}  {paths.display(change.path)}  ({change.client})", file=out)


def default_text(d: DefaultChange) -> str:
    from aigate_setup.clients import CLIENT_MODULES

    title = CLIENT_MODULES[d.client].TITLE
    if d.after is not None:
        return f"{title} defaults to {_pair(d.after)} again (as before aigate-setup)"
    return f"{title} no longer defaults to AIGate; it falls back to {d.fallback}"


def _pair(pair: tuple[str | None, str | None]) -> str:
    return " / ".join(p for p in pair if p) or "its own default"


def _defaults(result: RemoveResult, out: TextIO) -> None:
    for d in result.defaults:
        print(f"  {default_text(d)}", file=out)


def document(result: RemoveResult) -> dict[str, Any]:
    files = [{"client": c.client, "path": str(c.path), "status": s} for c, s in result.statuses]
    defaults = [
        {
            "client": d.client,
            "path": str(d.path),
            "before": {"provider": d.before[0], "model": d.before[1]},
            "after": None if d.after is None else {"provider": d.after[0], "model": d.after[1]},
            "restored": d.restored,
            "fallback": None if d.restored else d.fallback,
        }
        for d in result.defaults
    ]
    return report.envelope(
        "remove",
        "ok",
        files=files,
        defaults=defaults,
        left=list(result.left),
        warnings=list(result.warnings),
        run_id=result.run_id,
        dry_run=result.outcome == "dry_run",
        outcome=result.outcome,
    )
