"""`doctor --fix`: repair what aigate-setup owns (its provider entries and scripts) through the
same plan -> merge -> fsio path as `init`: the diff first, a backup, one atomic run, undoable
with `aigate-setup restore`. Then the files are checked again (no second round of network)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from aigate_setup import paths
from aigate_setup.findings import Check

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import ClientState
    from aigate_setup.commands.doctor import DoctorResult
    from aigate_setup.fsio import FileChange
    from aigate_setup.options import DoctorOptions
    from aigate_setup.plan import Selection

# Checks about what aigate-setup owns (its provider blocks and scripts): --fix rewrites them.
_FIXABLE = ("provider", "base_url", "key", "script", "slots")

Say = Callable[[str], None]


def fixable(st: ClientState, checks: Sequence[Check]) -> bool:
    """True when a check of this client failed (or warned) about something --fix rewrites."""
    for chk in checks:
        if chk.client != st.name and not chk.id.startswith(st.name + "."):
            continue
        part = chk.id.split(".", 1)[1]
        if part in _FIXABLE and chk.status in ("warn", "fail"):
            return True
        if part == "default" and chk.status == "fail":
            return True
        if part.startswith("rules.") and chk.status == "fail":
            return True
    return False


def _base_url(st: ClientState, opts: DoctorOptions) -> str:
    """The gateway to write: the client's own URL (its /v1 base) unless the user named one
    with --base-url or AIGATE_BASE_URL in this run; the doctor's gateway when it has none."""
    from aigate_setup.doctor.fixguard import EXPLICIT
    from aigate_setup.errors import UsageError
    from aigate_setup.options import gateway_root, normalize_base_url

    if opts.common.base_url_origin in EXPLICIT or st.base_url is None:
        return opts.common.base_url
    try:
        url = normalize_base_url(st.base_url.value)
    except UsageError:
        return opts.common.base_url
    return url if url.endswith("/v1") else gateway_root(url) + "/v1"


def _scope(st: ClientState, root: Path | None) -> Literal["user", "project"]:
    """Project scope when the client's script lives in its project (never in $HOME)."""
    if root is None or st.script is None:
        return "user"
    return "project" if root in st.script.path.parents else "user"


def selection_for(
    st: ClientState,
    states: Sequence[ClientState],
    opts: DoctorOptions,
    cat: Catalog | None,
    root: Path | None = None,
) -> Selection | None:
    """The Selection that `init` would need to write this client's owned parts again, built
    from what the files already say (models, default, scope, base URL)."""
    from aigate_setup import catalog as catalog_mod
    from aigate_setup import plan

    model = st.model or next((s.model for s in states if s.model), None)
    if not model:
        return None
    slots = dict(st.slots)
    best = catalog_mod.best_claude_slots(cat) if cat is not None else {}
    claude = plan.ClaudeSlots(
        opus=slots.get("ANTHROPIC_DEFAULT_OPUS_MODEL") or best.get("opus") or model,
        sonnet=slots.get("ANTHROPIC_DEFAULT_SONNET_MODEL") or best.get("sonnet") or model,
        haiku=slots.get("ANTHROPIC_DEFAULT_HAIKU_MODEL") or best.get("haiku") or model,
    )
    return plan.Selection(
        clients=(st.name,),
        model=model,
        claude=claude,
        extra_models=tuple(m for m in st.models if m != model),
        scope=_scope(st, root),
        project_dir=root or opts.project_dir,
        base_url=_base_url(st, opts),
        key_env=opts.common.key_env,
        make_default=st.aigate_default or st.referenced or not st.configured,
        key_file=Path(st.key.file) if st.key.file else None,
    )


def _changes(
    todo: Sequence[ClientState], result: DoctorResult, opts: DoctorOptions, say: Say
) -> list[FileChange]:
    """What init would write for each client to repair, without the files that stay as they are."""
    from aigate_setup import plan
    from aigate_setup.doctor.fixguard import safe_changes
    from aigate_setup.errors import AigateError

    changes: list[FileChange] = []
    for st in todo:
        sel = selection_for(st, result.states, opts, result.catalog, result.roots.get(st.name))
        if sel is None:
            say(
                f"--fix: {st.name}: no model is configured; run `aigate-setup init --client "
                f"{st.name}`"
            )
            continue
        try:
            changes += plan.build_changes(sel, result.catalog)
        except AigateError as exc:
            say(f"--fix: {st.name}: {exc}" + (f" (hint: {exc.hint})" if exc.hint else ""))
    changed = [ch for ch in changes if ch.status != "unchanged"]
    return safe_changes(changed, opts.common.base_url_origin, say)


def _confirmed(opts: DoctorOptions, stream: TextIO, say: Say) -> bool:
    """--yes, or a yes on a terminal; never a question without one."""
    if opts.yes:
        return True
    try:
        interactive = sys.stdin.isatty() and stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if not interactive:
        say("--fix: nothing written; rerun with --fix --yes to apply these changes.")
        return False
    from aigate_setup import prompts

    prompts.draw_on_stderr(opts.common.fmt == "json")
    if not prompts.confirm("Apply these changes (a backup is kept)?", default=True):
        say("--fix: nothing written.")
        return False
    return True


def run_fix(opts: DoctorOptions, result: DoctorResult, stream: TextIO) -> int:
    """Repair aigate-setup's own parts; the exit code of the whole doctor run."""
    from aigate_setup import fsio
    from aigate_setup.commands import doctor

    def say(text: str) -> None:
        print(text, file=stream)

    # The gateway doctor checked (it may come from the state file or the clients' configs).
    common = opts.common._replace(base_url=result.base_url, base_url_origin=result.base_url_origin)
    opts = replace(opts, common=common)
    unchanged = result.exit_code
    todo = [st for st in result.states if fixable(st, result.checks)]
    if not todo:
        say("--fix: nothing aigate-setup owns needs a repair.")
        return unchanged
    changes = _changes(todo, result, opts, say)
    if not changes:
        say("--fix: no file would change.")
        return unchanged
    for ch in changes:
        if ch.sensitive:
            say(f"--- {ch.path}\n+++ {ch.path}\n(contents hidden: this file holds your key)")
        else:
            say(fsio.color_diff(fsio.unified_diff(ch), stream).rstrip("\n"))
    if not _confirmed(opts, stream, say):
        return unchanged
    applied = fsio.apply(changes, command="doctor")
    for ch, status in applied.statuses:
        say(f"--fix: {status} {paths.display(ch.path)} ({ch.client})")
    if applied.run_id:
        say(f"--fix: undo with: aigate-setup restore {applied.run_id}")
    # Check again (files only: no second round of network requests).
    again = doctor.run(replace(opts, offline=True, fix=False, with_clients=False))
    remaining = [c for c in again.checks if c.status == "fail" and not c.id.startswith("gateway.")]
    network = [c for c in result.checks if c.status == "fail" and c.id.startswith("gateway.")]
    if remaining or network:
        ids = ", ".join(dict.fromkeys(c.id for c in [*remaining, *network]))
        say(f"--fix: still failing: {ids}")
        return 1
    say("--fix: every file check passes now.")
    return 0
