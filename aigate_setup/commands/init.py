"""`aigate-setup init`: the wizard, interactive and scripted.

Both paths collect the same answers (key, catalog, clients, models, scope; see init_answers and
init_questions), then share one pipeline: plan.build_changes -> review or --dry-run -> "Say OK."
smoke test -> fsio.apply. Nothing is written before the smoke test has passed. `run` returns an
`InitResult`; render/init.py prints it. While it runs, progress (notes, the plan under review,
the smoke table) goes through a `Progress` the caller passes in.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, Protocol

from aigate_setup import fsio, gateway, keyfile, plan, settings, shells, state
from aigate_setup.clients import claude, kilo
from aigate_setup.clients.codex import catalog as codex_catalog
from aigate_setup.commands import init_lifecycle as lifecycle
from aigate_setup.commands.init_answers import (
    Answers,
    export_hint,
    load_catalog,
    model_hint,
    ordered,
    validate_answers,
)
from aigate_setup.commands.init_lifecycle import HandEdit, ReplacedDefault
from aigate_setup.constants import DEFAULT_CLIENTS
from aigate_setup.errors import EXIT_PROBLEMS, AigateError, UsageError
from aigate_setup.model_ids import check_model_id, shown
from aigate_setup.options import InitOptions, check_path, insecure_host

# Files of ~/.config/aigate that are not startup files (the key and the env files).
_OWN_FILES = (keyfile.NAME, *shells.ENV_NAMES.values())
SMOKE_TIMEOUT = 30.0  # seconds per probe request (AIGATE_TIMEOUT overrides)
ALLOW_HTTP_FLAG = "--allow-insecure-http"

Outcome = Literal["written", "dry_run", "declined", "smoke_failed", "quit"]


class Progress(Protocol):
    """Where `run` shows what happens while it happens (render/init.py implements it)."""

    def say(self, text: str = "") -> None:
        """Human text: stdout, or stderr in JSON mode."""

    def note(self, text: str) -> None:
        """Warnings and progress lines: always stderr."""

    def error(self, exc: AigateError) -> None:
        """An error line (and its hint) that does not end the run."""

    def hide(self, secret: str) -> None:
        """Mask `secret` in everything shown from now on."""

    def plan(self, changes: list[fsio.FileChange]) -> None:
        """The files about to be written, before the user confirms."""

    def diffs(self, changes: list[fsio.FileChange]) -> None:
        """Unified diffs of the changed files (a key file's contents hidden)."""

    def smoke(self, results: list[gateway.SmokeResult]) -> None:
        """The smoke test's table, as soon as every probe has answered."""


@dataclass
class InitResult:
    """What a run decided and did; everything the renderer needs."""

    outcome: Outcome
    key_env: str
    clients: tuple[str, ...] = ()
    changes: list[fsio.FileChange] = field(default_factory=list)  # the plan
    statuses: list[tuple[fsio.FileChange, str]] = field(default_factory=list)  # as written
    smoke: list[gateway.SmokeResult] = field(default_factory=list)
    run_id: str | None = None
    key_in_env: bool = False
    key_file: Path | None = None
    legacy_text: str | None = None  # the legacy Kilo Code extension's settings to paste
    key_kept: Path | None = None  # the key file new terminals and IDEs read (kept now or before)
    shell_files: tuple[Path, ...] = ()  # startup files with the block (--shell-profile)
    claude_settings: Path | None = None  # Claude Code's settings.json written (--default)
    error: AigateError | None = None  # why the run stopped (smoke failure)
    exit_code: int = 0
    warnings: list[str] = field(default_factory=list)  # layers that override what is written
    # From the state file (init_lifecycle): hand edits overwritten, other defaults replaced,
    # user-wide settings changed in project scope, clients AIGate is not the default of.
    replaced: list[HandEdit] = field(default_factory=list)
    defaults_replaced: list[ReplacedDefault] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    user_wide: tuple[str, ...] = ()  # clients whose default is user-wide even in project scope
    not_default: tuple[str, ...] = ()
    model: str = ""

    @property
    def dry_run(self) -> bool:
        return self.outcome == "dry_run"


# ---------------------------------------------------------------------------------------------
# entry point


def run(opts: InitOptions, progress: Progress) -> InitResult:
    preflight(opts)
    key = opts.common.checked_key()
    if key:
        progress.hide(key)
    if opts.yes:
        allow_insecure_http(opts, progress, ask=None)
        answers = scripted_answers(opts, progress)
        return finish(opts, answers, progress, interactive=False)
    json_mode = opts.common.fmt == "json"
    if not _has_tty(json_mode):
        raise UsageError(
            "no terminal to ask questions in (stdin or stdout is not a TTY)",
            "pass --yes and flags, or run in a terminal, e.g. aigate-setup init --yes "
            "--model openai/gpt-5.5",
        )
    from aigate_setup.commands import init_questions as questions

    if not allow_insecure_http(
        opts, progress, ask=lambda host: questions.confirm_insecure_http(host, json_mode=json_mode)
    ):
        return InitResult("declined", opts.common.key_env)
    try:
        answers = questions.interactive_answers(opts, progress)
    except questions.Stop as stop:
        return InitResult("quit", opts.common.key_env, exit_code=stop.exit_code)
    if answers.base_url and answers.base_url != opts.common.base_url:  # edited in the wizard
        opts = replace(opts, common=opts.common._replace(base_url=answers.base_url))
    return finish(opts, answers, progress, interactive=True)


def _has_tty(json_mode: bool = False) -> bool:
    """Questions need a terminal on stdin and where they are drawn: stdout, or stderr in
    JSON mode (so `aigate-setup --format json > result.json` still asks)."""
    screen = sys.stderr if json_mode else sys.stdout
    try:
        return sys.stdin.isatty() and screen.isatty()
    except (AttributeError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# checks before anything else (exit 2, no request, no prompt)


def preflight(opts: InitOptions) -> None:
    """Refuse hostile or mistyped flags before any request, prompt or write."""
    flags: list[tuple[str, str | None]] = [
        ("--model", opts.model),
        ("--claude-opus", opts.claude_opus),
        ("--claude-sonnet", opts.claude_sonnet),
        ("--claude-haiku", opts.claude_haiku),
    ]
    flags += [("--extra-model", extra) for extra in opts.extra_models]
    for flag, value in flags:
        reason = check_model_id(value) if value is not None else None
        if reason is not None:
            raise UsageError(
                f"{flag} {shown(value or '')} is not a valid model id: it {reason}",
                f"model ids look like provider/model; list them with `aigate-setup models "
                f"--kind chat`, e.g. {flag} openai/gpt-5.5",
            )
    check_path("--project-dir", opts.project_dir)
    if opts.scope == "project":
        check_project_dir(opts.project_dir)
    if opts.kilo_legacy_export is not None:
        check_path("--kilo-legacy-export", opts.kilo_legacy_export)
        _check_regular("--kilo-legacy-export", opts.kilo_legacy_export)


def check_project_dir(project_dir: Path) -> None:
    """A mistyped --project-dir must not silently become a new directory tree."""
    if not project_dir.is_dir():
        raise UsageError(
            f"--project-dir {project_dir} does not exist",
            "pass an existing project directory (or create it first: mkdir -p DIR)",
        )


def _check_regular(flag: str, path: Path) -> None:
    """An existing target must be a regular file: /dev/stdin or a FIFO would be read forever."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(
            f"{flag} {path} cannot be used: {exc.strerror or exc}", "pass a regular file path"
        ) from None
    if not stat.S_ISREG(mode):
        raise UsageError(
            f"{flag} {path} is not a regular file",
            "pass the path of a regular file to create or overwrite, e.g. kilo-settings.json",
        )


def allow_insecure_http(
    opts: InitOptions, progress: Progress, *, ask: Callable[[str], bool] | None
) -> bool:
    """Plain http to another machine sends the key unencrypted: warn, then go on only with
    --allow-insecure-http or the user's yes (`ask`); scripted runs (`ask` None) without the
    flag stop with a usage error. Loopback and https pass silently."""
    base_url = opts.common.base_url
    host = insecure_host(base_url)
    if host is None:
        return True
    message = (
        f"--base-url {base_url} is plain http to {host}, not this machine: "
        "your key and prompts would cross the network unencrypted"
    )
    hint = f"use the gateway's https:// URL, or pass {ALLOW_HTTP_FLAG} if this network is trusted"
    if not opts.allow_insecure_http and ask is None:
        raise UsageError(message, hint)
    progress.note("warning: " + message)
    if opts.allow_insecure_http or (ask is not None and ask(host)):
        return True
    progress.note("hint: " + hint)
    return False


# ---------------------------------------------------------------------------------------------
# scripted answers (--yes)


def scripted_answers(opts: InitOptions, progress: Progress) -> Answers:
    common = opts.common
    clients = ordered(opts.clients or DEFAULT_CLIENTS)
    if not opts.model:
        raise UsageError("--model is required with --yes", model_hint(common, clients))
    key = common.checked_key()
    if key is None and opts.smoke_test and not opts.dry_run:
        raise UsageError(
            f"${common.key_env} is not set; the smoke test needs your AIGate key",
            export_hint(common.key_env) + " (or skip the live test with --no-smoke-test)",
        )
    if key is None:
        progress.note(
            f"warning: ${common.key_env} is not set; the configs reference it, "
            "so set it before starting a client"
        )
    if opts.save_key and key is None:
        raise UsageError(
            f"--save-key keeps the key from ${common.key_env}, which is not set",
            export_hint(common.key_env) + ", then run again",
        )
    cat = load_catalog(common, progress.note)
    answers = validate_answers(
        opts, cat, clients, key, opts.model, keyfile.path() if opts.save_key else None
    )
    answers.shell_profile = bool(opts.shell_profile)  # --yes alone never touches them
    return answers


# ---------------------------------------------------------------------------------------------
# the shared pipeline


def finish(
    opts: InitOptions, answers: Answers, progress: Progress, *, interactive: bool
) -> InitResult:
    """Plan -> (dry run: stop) -> review -> smoke test -> write, all or nothing."""
    for n in answers.notes:
        progress.note(n)
    result = planned(opts, answers)
    for n in codex_catalog.no_picker_notes(answers.clients, opts.make_default):
        progress.note(n)
    st = state.load(progress.note)
    inspect(result, st, answers)
    if opts.dry_run:
        warn_overrides(opts, answers, result, progress, interactive=False)
        return result
    warn_overrides(opts, answers, result, progress, interactive=interactive)
    if interactive:
        from aigate_setup.commands import init_questions

        if not init_questions.confirm_hand_edits(result.replaced, progress):
            result.outcome = "declined"
            return result
        keep = init_questions.keep_defaults(result, progress)
        if keep:
            _keep_defaults(opts, answers, result, keep)
            inspect(result, st, answers)
        if not init_questions.review(result.changes, progress, smoke_test=opts.smoke_test):
            result.outcome = "declined"
            return result
    if opts.smoke_test:
        result.smoke = smoke(opts, answers, progress, interactive=interactive)
        failed = [r for r in result.smoke if not r.ok]
        if failed:
            first = failed[0]
            result.outcome = "smoke_failed"
            result.exit_code = EXIT_PROBLEMS
            result.error = AigateError(
                f"smoke test failed for {', '.join(r.client for r in failed)}; nothing was written",
                (first.hint if len(failed) == 1 else "") or _smoke_hint(failed),
            )
            return result
    record = lifecycle.record(
        result.changes,
        st,
        base_url=opts.common.base_url,
        key_env=opts.common.key_env,
        clients=answers.clients,
        scope=answers.scope,
        project_dir=answers.project_dir,
    )
    extra = [record] if record is not None else []
    applied = fsio.apply([*result.changes, *extra], command="init")
    result.outcome = "written"
    result.statuses = [(c, s) for c, s in applied.statuses if not lifecycle.is_state(c)]
    result.run_id = applied.run_id
    for note in applied.warnings:  # a key file's permissions tightened
        progress.note(note)
    written = [ch.path for ch, status in result.statuses if status != "unchanged"]
    for n in codex_catalog.restart_notes(written):
        progress.note(n)
    return result


def _smoke_hint(failed: list[gateway.SmokeResult]) -> str:
    """Skipping the test is offered only when the key was not the problem: configs written
    with a rejected key would fail in every client."""
    if any(r.status in (401, 403) for r in failed):
        return "the gateway rejected the key: copy it again from the AIGate dashboard and run again"
    return "fix the problems shown above and run again (--no-smoke-test skips the test)"


def inspect(result: InitResult, st: state.State, answers: Answers) -> None:
    """What the state file says about the plan: hand edits, replaced defaults, notices."""
    result.replaced = lifecycle.hand_edits(result.changes, st)
    result.defaults_replaced = lifecycle.replaced_defaults(result.changes)
    notes = lifecycle.user_wide_notes(result.changes, answers.scope)
    result.notices = [n for _, n in notes]
    result.user_wide = tuple(c for c, _ in notes)
    result.not_default = tuple(
        c for c in answers.clients if not lifecycle.aigate_default(result.changes, c)
    )
    result.model = answers.model


def _keep_defaults(opts: InitOptions, answers: Answers, result: InitResult, keep: set[str]) -> None:
    """The user keeps these clients' own defaults: their files as --no-default writes them."""
    alt = planned(replace(opts, make_default=False), answers).changes
    changes = [c for c in result.changes if c.client not in keep]
    changes += [c for c in alt if c.client in keep]
    order = {c: i for i, c in enumerate(answers.clients)}
    changes.sort(key=lambda c: order.get(c.client, len(order)))
    result.changes = changes
    result.statuses = [(c, c.status) for c in changes]


def planned(opts: InitOptions, answers: Answers) -> InitResult:
    """Every file the answers lead to, read and computed but not written (a dry run's result)."""
    common = opts.common
    if answers.scope == "project":
        check_project_dir(answers.project_dir)
    sel = plan.Selection(
        clients=answers.clients,
        model=answers.model,
        claude=answers.claude,
        extra_models=answers.extra_models,
        scope="project" if answers.scope == "project" else "user",
        project_dir=answers.project_dir,
        base_url=common.base_url,
        key_env=common.key_env,
        make_default=opts.make_default,
        # A key kept now or by an earlier run: configs may read the file (`{file:}`, scripts).
        key_file=answers.key_file or (keyfile.path() if keyfile.exists() else None),
    )
    changes = list(plan.build_changes(sel, answers.catalog))
    if answers.key_file is not None and answers.key:
        changes.append(keyfile.change(answers.key, answers.key_file))
    if answers.shell_profile:
        changes += shells.plan_changes(common.key_env, keyfile.path())
    legacy_export = None
    if opts.kilo_legacy_export is not None:
        legacy_export = _kilo_legacy(sel, opts.kilo_legacy_export)
        changes.append(legacy_export)
    return InitResult(
        "dry_run",
        common.key_env,
        clients=answers.clients,
        changes=changes,
        statuses=[(ch, ch.status) for ch in changes],
        key_in_env=common.key() is not None,
        key_file=answers.key_file,
        legacy_text=_kilo_instructions(sel, legacy_export),
        key_kept=sel.key_file,
        shell_files=tuple(
            c.path for c in changes if c.client == shells.CLIENT and c.path.name not in _OWN_FILES
        ),
        claude_settings=next(
            (c.path for c in changes if c.client == claude.NAME and c.path.suffix == ".json"), None
        ),
    )


def _kilo_legacy(sel: plan.Selection, path: Path) -> fsio.FileChange:
    """The settings-import JSON for the legacy Kilo Code extension (its key left empty)."""

    target = path if path.is_absolute() else (Path.cwd() / path)
    new = kilo.legacy_export(sel).encode()
    return fsio.FileChange(client=kilo.NAME, path=target, old=fsio.read_bytes(target), new=new)


def _kilo_instructions(sel: plan.Selection, export: fsio.FileChange | None) -> str | None:
    """What to paste into the legacy extension's settings UI: only with --kilo-legacy-export
    or when that extension is installed (otherwise it is noise)."""
    if export is None and not (kilo.NAME in sel.clients and kilo.legacy_extension_found()):
        return None

    return kilo.legacy_instructions(sel, export.path if export is not None else None)


def _probe_model(client: str, answers: Answers) -> str:
    """The model each client will really ask for (Claude may fall back to its sonnet slot)."""
    if client != claude.NAME:
        return answers.model

    return claude.anthropic_model(answers.model, answers.claude.sonnet, answers.catalog)


def smoke(
    opts: InitOptions, answers: Answers, progress: Progress, *, interactive: bool
) -> list[gateway.SmokeResult]:
    """One "Say OK." per client on its own route, all at once; the table is shown at once."""
    common = opts.common
    if not answers.key:  # scripted runs check this earlier; keep the invariant here too
        raise UsageError(
            f"${common.key_env} is not set; the smoke test needs your AIGate key",
            export_hint(common.key_env),
        )
    probes = [gateway.probe_for(c, _probe_model(c, answers)) for c in answers.clients]
    label = f'Sending "Say OK." to {answers.model} as {", ".join(answers.clients)} ...'
    waiting: AbstractContextManager[None]
    if interactive:
        from aigate_setup import prompts

        waiting = prompts.status(label)
    else:
        progress.note(label)
        waiting = nullcontext()
    with waiting:
        results = gateway.smoke_test(
            common.base_url,
            answers.key,
            probes,
            timeout=settings.timeout(SMOKE_TIMEOUT),
            key_env=common.key_env,
        )
    progress.smoke(results)
    return results


def warn_overrides(
    opts: InitOptions,
    answers: Answers,
    result: InitResult,
    progress: Progress,
    *,
    interactive: bool,
) -> None:
    """Warn about every layer that will override what the plan writes (named file and line,
    and how to fix it); interactively, offer the owned-style fixes (they join the plan)."""
    from aigate_setup.commands import init_warnings

    found = init_warnings.overrides(
        answers.clients, answers.project_dir, opts.common.base_url, result.changes
    )
    result.warnings = init_warnings.sentences(found)
    for line in result.warnings:
        progress.note("warning: " + line)
    if interactive and found and not opts.dry_run:
        from aigate_setup import prompts

        result.changes = init_warnings.offer_fixes(
            found, result.changes, lambda q: prompts.confirm(q, default=True)
        )
        result.statuses = [(ch, ch.status) for ch in result.changes]
