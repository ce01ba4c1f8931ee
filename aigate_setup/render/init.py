"""`init` output: the progress shown while it runs, and its result as text or one JSON document.

Human text goes to stdout in text mode and to stderr in JSON mode (stdout stays one document);
warnings and progress lines always go to stderr. Everything shown passes `secrets.scrub` with
the key in use, so a key typed at the prompt or echoed by a gateway never reaches the screen.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

from aigate_setup import clients, paths, report, secrets
from aigate_setup.clients import claude
from aigate_setup.errors import AigateError
from aigate_setup.sanitize import one_line

if TYPE_CHECKING:
    from aigate_setup.commands.init import InitResult
    from aigate_setup.fsio import FileChange
    from aigate_setup.gateway import SmokeResult

HIDDEN = "(contents hidden: this file holds your key)"


class Output:
    """The `Progress` of commands/init.py: where text goes, with the key masked."""

    def __init__(self, fmt: str) -> None:
        self.json = fmt == "json"
        self.secrets: list[str] = []

    @property
    def stream(self) -> TextIO:
        return sys.stderr if self.json else sys.stdout

    def hide(self, secret: str) -> None:
        if secret and secret not in self.secrets:
            self.secrets.append(secret)

    def scrub(self, text: str) -> str:
        return secrets.scrub(text, *self.secrets) if self.secrets else text

    def say(self, text: str = "") -> None:
        print(self.scrub(text), file=self.stream, flush=True)

    def note(self, text: str) -> None:
        print(self.scrub(text), file=sys.stderr, flush=True)

    def error(self, exc: AigateError) -> None:
        report.print_error(AigateError(self.scrub(str(exc)), self.scrub(exc.hint or "") or None))

    def plan(self, changes: list[FileChange]) -> None:
        show_intent(self, changes, title="Plan:", verb="will")

    def diffs(self, changes: list[FileChange]) -> None:
        show_diffs(self, changes)

    def smoke(self, results: list[SmokeResult]) -> None:
        show_smoke(self, results)


def show(result: InitResult, out: Output) -> None:
    """The end of a run: the summary (or the dry run's diffs), then the JSON document."""
    if result.outcome == "quit":
        return  # the error was shown when it happened
    if result.outcome == "declined":
        out.say("Nothing written.")
        return
    if result.outcome == "dry_run":
        show_diffs(out, result.changes)
        show_intent(
            out, result.changes, title="Would write (dry run, nothing written):", verb="would"
        )
        show_lifecycle(out, result)
        if out.json:
            report.print_json(document(result, out))
        return
    if result.outcome == "smoke_failed":
        if result.error is not None:
            out.error(result.error)
        if out.json:
            report.print_json(document(result, out))
        return
    show_summary(out, result)
    if out.json:
        report.print_json(document(result, out))


# ---------------------------------------------------------------------------------------------
# pieces


def show_smoke(out: Output, results: list[SmokeResult]) -> None:
    out.say("Smoke test:")
    width = max((len(r.client) for r in results), default=0)
    mwidth = max((len(r.model) for r in results), default=0)
    rwidth = max((len(r.route) for r in results), default=0)
    for r in results:
        symbol = report.status_symbol("pass" if r.ok else "fail", out.stream)
        reply = one_line(r.message) or ("(empty reply)" if r.ok else "")
        out.say(
            f"  {symbol} {r.client:<{width}}  {r.model:<{mwidth}}  {r.route:<{rwidth}}"
            f"  {r.ms:>5} ms  {reply}"
        )
        if not r.ok and r.hint:
            out.say(f"      hint: {one_line(r.hint)}")


def show_diffs(out: Output, changes: list[FileChange]) -> None:
    from aigate_setup import fsio

    stream = out.stream
    for ch in changes:
        if ch.status == "unchanged":
            continue
        if ch.sensitive:
            out.say(f"--- {ch.path}\n+++ {ch.path}\n{HIDDEN}")
            continue
        for line in fsio.unified_diff(ch).splitlines():
            color = None
            if line.startswith(("+++", "---")):
                color = "bold"
            elif line.startswith("+"):
                color = "green"
            elif line.startswith("-"):
                color = "red"
            elif line.startswith("@@"):
                color = "cyan"
            out.say(report.paint(line, color, stream) if color else line)


def _status_word(status: str) -> str:
    return {"created": "pass", "updated": "pass", "unchanged": "skip"}.get(status, "warn")


def show_statuses(out: Output, statuses: list[tuple[FileChange, str]], *, title: str) -> None:
    out.say(title)
    for ch, st in statuses:
        symbol = report.status_symbol(_status_word(st), out.stream)
        out.say(f"  {symbol} {st:<9}  {paths.display(ch.path)}  ({ch.client})")


# Before anything is written: the future tense, and no check marks.
_INTENT = {"created": "create", "updated": "update"}


def show_intent(out: Output, changes: list[FileChange], *, title: str, verb: str) -> None:
    """`will create  ~/.codex/config.toml  (codex)`: what a run is about to do."""
    out.say(title)
    words = [
        f"{verb} {_INTENT[ch.status]}" if ch.status in _INTENT else ch.status for ch in changes
    ]
    width = max((len(w) for w in words), default=0)
    for ch, word in zip(changes, words, strict=True):
        out.say(f"  {word:<{width}}  {paths.display(ch.path)}  ({ch.client})")


def show_summary(out: Output, result: InitResult) -> None:
    from aigate_setup.commands.init_answers import shell_export

    show_statuses(out, result.statuses, title="Files:")
    show_lifecycle(out, result)
    if result.run_id:
        out.say(f"Backup: run {result.run_id}; undo it with: aigate-setup restore {result.run_id}")
    else:
        out.say("Nothing changed, so no backup was needed.")
    if result.legacy_text:
        out.say(result.legacy_text.rstrip())
    out.say("Next steps:")
    if not result.key_in_env:
        if result.key_file is not None:
            out.say(
                "  set the key in your shell first: "
                + shell_export(result.key_env, result.key_file)
            )
        else:
            out.say(f"  set your key first: {shell_export(result.key_env)}")
    for line in new_terminal(result):
        out.say("  " + line)
    for client in result.clients:
        out.say(f"  {client + ':':<10} {next_step(client, result.statuses, result)}")


def show_lifecycle(out: Output, result: InitResult) -> None:
    """Hand edits overwritten, other defaults replaced, user-wide settings (always said)."""
    for edit in result.replaced:
        out.say(f"  replaced: {edit.text()}")
    for d in result.defaults_replaced:
        out.say(f"  default: {d.text()}")
    for note in result.notices:
        out.say(f"  note: {note}")


def new_terminal(result: InitResult) -> list[str]:
    """What a new terminal (and an IDE) will and will not have, said plainly."""
    var, kept = f"${result.key_env}", result.key_kept
    lines = []
    if kept is not None and result.shell_files:
        files = ", ".join(paths.display(p) for p in result.shell_files)
        lines.append(f"a new terminal: sets {var} from {paths.display(kept)} (block in {files})")
    elif kept is not None:
        lines.append(
            f"a new terminal: does NOT set {var} (no startup block; add one with "
            f"`aigate-setup init --shell-profile`, or export it in your shell's startup file)"
        )
    elif result.shell_files:
        lines.append(
            f"a new terminal: runs the startup block, but no key is kept, so {var} stays unset "
            "until you run `aigate-setup init --save-key`"
        )
    else:
        lines.append(
            f"a new terminal: has {var} only if your own startup files set it (the key was "
            "not kept; `aigate-setup init --save-key --shell-profile` does it for you)"
        )
    if result.claude_settings is not None:
        where = "" if kept is not None else f" when {var} is set where it starts"
        lines.append(
            f"Claude Code: every terminal and IDE use AIGate through "
            f"{paths.display(result.claude_settings)} (key from its helper{where})"
        )
    return lines


def next_step(
    client: str, statuses: list[tuple[FileChange, str]], result: InitResult | None = None
) -> str:
    """How to start `client` now (Claude Code: load its script first; a client that keeps
    another default: the flags that pick AIGate)."""
    from aigate_setup.commands.init_lifecycle import use_aigate_hint

    if result is not None and client in result.not_default:
        hint = use_aigate_hint(client, result.model)
        if hint is not None:
            return f"{hint}   (AIGate is not its default)"
    if client != claude.NAME:
        return clients.get(client).BINARY
    if any(ch.client == client and ch.path.suffix == ".json" for ch, _ in statuses):
        return clients.get(client).BINARY  # settings.json: no script to load
    scripts = [
        ch.path for ch, _ in statuses if ch.client == claude.NAME and ch.path.suffix == ".sh"
    ]
    ps1 = [ch.path for ch, _ in statuses if ch.client == claude.NAME and ch.path.suffix == ".ps1"]
    from aigate_setup.commands.init_answers import user_shell

    binary = clients.get(client).BINARY
    if user_shell() == "powershell":
        script = paths.display(ps1[0]) if ps1 else "~/.config/aigate/aigate-claude.ps1"
        return f". {script}; {binary}"
    script = paths.display(scripts[0]) if scripts else "~/.config/aigate/aigate-claude.sh"
    return f". {script} && {binary}"


def document(result: InitResult, out: Output) -> dict[str, Any]:
    """The one JSON document: files with their statuses, smoke results, run id, dry-run flag."""
    files = [
        {"client": ch.client, "path": str(ch.path), "status": st} for ch, st in result.statuses
    ]
    smoke = [
        {
            "client": r.client,
            "model": r.model,
            "route": r.route,
            "ok": r.ok,
            "status": r.status,
            "ms": r.ms,
            "message": out.scrub(r.message),
        }
        for r in result.smoke
    ]
    status = "fail" if result.outcome == "smoke_failed" else "ok"
    return report.envelope(
        "init",
        status,
        files=files,
        smoke=smoke,
        run_id=result.run_id,
        dry_run=result.dry_run,
        warnings=[out.scrub(w) for w in result.warnings],
        replaced=[e.to_json() for e in result.replaced],
        defaults_replaced=[d.to_json() for d in result.defaults_replaced],
        notices=list(result.notices),
    )
