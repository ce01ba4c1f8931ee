"""The interactive `init`: the questions, in order, asked through the prompt seam (prompts.py).

Every question has a flag that skips it; the answers are checked by init_answers exactly like a
scripted run's. Ctrl-C anywhere raises KeyboardInterrupt (exit 130, nothing written).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup import clients, fsio, paths, plan, prompts
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import claude
from aigate_setup.commands.init_answers import (
    SLOTS,
    Answers,
    default_model,
    export_hint,
    load_catalog,
    ordered,
    picker_clients,
    usable_models,
    validate_answers,
)
from aigate_setup.constants import CLIENTS
from aigate_setup.errors import EXIT_PROBLEMS, AigateError, UsageError
from aigate_setup.options import Common, InitOptions, key_problem
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.commands.init import InitResult, Progress
    from aigate_setup.commands.init_lifecycle import HandEdit

QUOTES = "\"'\u2018\u2019\u201c\u201d"


class Stop(Exception):
    """The user chose to stop after an error that was already shown."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def confirm_insecure_http(host: str, *, json_mode: bool) -> bool:
    """Plain http to another machine (the warning is already shown): go on anyway?"""
    prompts.draw_on_stderr(json_mode)
    return prompts.confirm(f"Send your key over plain http to {host} anyway?", default=False)


def typed_key(text: str) -> str:
    """A pasted key without the whitespace and quotes around it (`"sk-..."` -> `sk-...`)."""
    key = text.strip()
    while len(key) >= 2 and key[0] in QUOTES and key[-1] in QUOTES:
        key = key[1:-1].strip()
    return key


def key_answer(text: str) -> bool | str:
    problem = key_problem(typed_key(text))
    if problem is None:
        return True
    if not typed_key(text):
        return "paste your key, e.g. sk-..."
    return f"that key cannot be used: {problem}; paste it again"


def interactive_answers(opts: InitOptions, progress: Progress) -> Answers:
    prompts.draw_on_stderr(opts.common.fmt == "json")
    common = opts.common
    say = progress.say

    # 1. key
    key = common.checked_key()
    key_file: Path | None = None
    if key:
        say(f"Using your key from ${common.key_env}: {mask_key(key)}")
    else:
        key = typed_key(
            prompts.password(
                f"Your AIGate key (${common.key_env} is not set; input stays hidden):",
                validate=key_answer,
            )
        )
        progress.hide(key)
        problem = key_problem(key)
        if problem is not None:  # the prompt validates; keep the invariant here too
            raise UsageError(f"the key cannot be used: {problem}", "paste it again, e.g. sk-...")
        say(f"Key: {mask_key(key)}")
        target = paths.aigate_config_dir() / "key"
        if prompts.confirm(
            f"Keep it in {paths.display(target)} (readable only by you) for the generated configs?",
            default=True,
        ):
            key_file = target
        else:
            say(
                f"Not kept. Set it in your shell before starting a client: {export_hint(common.key_env)}"
            )

    # 2. catalog
    cat = _catalog(common, progress)

    # 3. clients
    if opts.clients:
        clients = ordered(opts.clients)
    else:
        clients = ordered(
            prompts.checkbox(
                "Which clients should use AIGate? (space toggles, enter accepts)",
                client_choices(opts.project_dir),
                require_one=True,
            )
        )

    # 4. main model
    model = opts.model if opts.model is not None else _main_model(cat, clients)
    answers = validate_answers(opts, cat, clients, key, model, key_file)

    # 5. Claude Code's slots
    if claude.NAME in clients and not (
        opts.claude_opus and opts.claude_sonnet and opts.claude_haiku
    ):
        answers.claude = _claude_slots(cat, answers.claude)

    # 6. more models for the OpenCode/Kilo pickers
    pickers = picker_clients(clients)
    if pickers and not opts.extra_models:
        answers.extra_models = _extra_models(cat, pickers, model)

    # 7. scope
    answers.scope = prompts.select(
        "Where should the configs go?",
        [
            ("user: your home directory (every project)", "user"),
            (f"project: {paths.display(opts.project_dir)} only", "project"),
        ],
        default=opts.scope,
    )
    return answers


def _main_model(cat: Catalog, clients: tuple[str, ...]) -> str:
    usable = usable_models(cat, clients)
    if not usable:
        raise AigateError(
            f"no chat model in the catalog is usable by all of {', '.join(clients)}",
            "run again and pick fewer clients; see `aigate-setup models --kind chat`",
        )
    ids = [m.id for m in usable]
    return prompts.autocomplete(
        f"Main model ({len(ids)} usable; type to search, tab completes):",
        ids,
        default=default_model(cat, clients) or ids[0],
        meta={m.id: model_meta(m) for m in usable},
        validate=lambda s: s.strip() in ids or "pick an id from the list (tab shows matches)",
    )


def _claude_slots(cat: Catalog, slots: plan.ClaudeSlots) -> plan.ClaudeSlots:
    summary = ", ".join(f"{s}={getattr(slots, s)}" for s in SLOTS)
    if prompts.confirm(f"Claude Code models: {summary}. Keep these?", default=True):
        return slots
    claude_ids = [m.id for m in usable_models(cat, (claude.NAME,))]
    picked = {
        slot: prompts.autocomplete(
            f"Claude Code {slot} model:",
            claude_ids,
            default=getattr(slots, slot),
            validate=lambda s: s.strip() in claude_ids or "pick an id from the list",
        )
        for slot in SLOTS
    }
    return plan.ClaudeSlots(**picked)


def _extra_models(cat: Catalog, pickers: tuple[str, ...], model: str) -> tuple[str, ...]:
    names = " and ".join(clients.get(c).TITLE for c in pickers)
    if not prompts.confirm(f"Offer more models in the {names} model picker?", default=False):
        return ()
    candidates = [m for m in usable_models(cat, pickers) if m.id != model]
    return tuple(
        prompts.checkbox(
            "More models (type to filter, space toggles):",
            [(m.id, m.id, False) for m in candidates],
            search=True,
        )
    )


def _catalog(common: Common, progress: Progress) -> Catalog:
    """The catalog; on failure show why and offer Retry / Quit (bounded)."""
    for _attempt in range(100):
        try:
            with prompts.status(f"Fetching the model catalog from {common.base_url}/models ..."):
                return load_catalog(common, progress.note)
        except AigateError as exc:
            progress.error(exc)
            choice = prompts.select(
                "The catalog is needed to pick models. What now?",
                [("Retry", "retry"), ("Quit", "quit")],
                default="retry",
            )
            if choice == "quit":
                raise Stop(exc.exit_code) from exc
    raise Stop(EXIT_PROBLEMS)


def model_meta(m: Model) -> str:
    """What the model picker shows beside an id: `openai · 400k context`."""
    parts = [m.provider or "-"]
    if m.context_length:
        parts.append(f"{m.context_length // 1000}k context")
    return " · ".join(parts)


def client_choices(project_dir: Path) -> list[tuple[str, str, bool]]:
    """(title, client, preselected): installed or already-configured clients, else all four."""
    from aigate_setup import clients as client_registry

    found: dict[str, list[str]] = {}
    for client in CLIENTS:
        module = client_registry.get(client)
        why = []
        if shutil.which(module.BINARY):
            why.append("installed")
        try:
            targets = module.target_paths("user", project_dir)
        except Exception:  # detection is a courtesy; never fail the wizard over it
            targets = []
        if any(p.exists() for p in targets):
            why.append("configured")
        found[client] = why
    none_found = not any(found.values())
    return [
        (f"{c}  ({', '.join(found[c])})" if found[c] else c, c, none_found or bool(found[c]))
        for c in CLIENTS
    ]


def review(changes: list[fsio.FileChange], progress: Progress, *, smoke_test: bool) -> bool:
    """Show the plan (and the diffs on request); True when the user says to go on."""
    progress.plan(changes)
    if any(c.status != "unchanged" for c in changes) and prompts.confirm(
        "Show the diffs?", default=False
    ):
        progress.diffs(changes)
    question = "Test the connection and write these files?" if smoke_test else "Write these files?"
    return prompts.confirm(question, default=True)


def confirm_hand_edits(edits: list[HandEdit], progress: Progress) -> bool:
    """Values the user changed since aigate-setup wrote them: show them, ask before overwriting."""
    if not edits:
        return True
    progress.say("You changed these by hand since aigate-setup wrote them:")
    for edit in edits:
        progress.say(f"  {edit.text()}")
    return prompts.confirm("Overwrite your changes?", default=False)


def keep_defaults(result: InitResult, progress: Progress) -> set[str]:
    """Ask before replacing another provider's default (and before changing a user-wide
    default in project scope); returns the clients whose own default stays."""
    from aigate_setup.commands.init_lifecycle import pair

    keep: set[str] = set()
    asked: set[str] = set()
    for note in result.notices:
        progress.say(note)
    for d in result.defaults_replaced:
        title = clients.get(d.client).TITLE
        asked.add(d.client)
        if not prompts.confirm(
            f"{title} now defaults to {pair(d.before)}. Make AIGate the default?", default=True
        ):
            keep.add(d.client)
    for client in result.clients:
        if client in asked or not any(clients.get(client).TITLE in n for n in result.notices):
            continue
        title = clients.get(client).TITLE
        if not prompts.confirm(f"Make AIGate {title}'s default in every project?", default=True):
            keep.add(client)
    return keep
