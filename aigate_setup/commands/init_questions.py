"""The interactive `init`: the questions, in order, asked through the prompt seam (prompts.py).

Every question has a flag that skips it; the answers are checked by init_answers exactly like a
scripted run's. Ctrl-C anywhere raises KeyboardInterrupt (exit 130, nothing written).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup import clients, fsio, gateway, keyfile, paths, plan, prompts, settings, shells
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import claude
from aigate_setup.commands import init_answers, init_checks
from aigate_setup.commands.init_answers import (
    SLOTS,
    Answers,
    default_model,
    export_hint,
    load_catalog,
    ordered,
    picker_clients,
    shell_export,
    usable_models,
    validate_answers,
)
from aigate_setup.constants import CLIENTS, DEFAULT_CLIENTS
from aigate_setup.errors import EXIT_PROBLEMS, AigateError, ConfigError, UsageError
from aigate_setup.model_ids import check_model_id
from aigate_setup.options import (
    Common,
    InitOptions,
    insecure_host,
    key_problem,
    normalize_base_url,
)
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.commands.init import InitResult, Progress
    from aigate_setup.commands.init_lifecycle import HandEdit

QUOTES = "\"'\u2018\u2019\u201c\u201d"
ROUTE_IN_REASON = re.compile(r"\((/v1/[a-z/]+)\)")
MAX_ATTEMPTS = 100
SKIP_KEY_CHECK = "Go on without checking the key (offline, with a cached catalog)"  # a bound on every ask-again loop


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
    say = progress.say

    # 0. every existing target parsed before the first question (a broken file is named now)
    candidates = ordered(opts.clients) if opts.clients else CLIENTS
    broken = _broken(candidates, opts, progress)

    # 1. key, checked right away (GET /v1/balance); a base URL that fails can be edited here
    common = opts.common
    key = common.checked_key()
    typed = key is None
    key_file: Path | None = None
    if key:
        say(f"Using your key from ${common.key_env}: {mask_key(key)}")
    else:
        key = _ask_key(common, progress)
    common, key = _verified(common, key, typed, progress)
    if not typed:
        if opts.save_key:  # a key already in the variable is kept only when asked to
            key_file = keyfile.path()
    else:
        target = keyfile.path()
        if opts.save_key is not False and (
            opts.save_key
            or prompts.confirm(
                f"Keep it in {paths.display(target)} (readable only by you) for the generated configs?",
                default=True,
            )
        ):
            key_file = target
        else:
            say(
                "Not kept. Set it in your shell before starting a client: "
                + shell_export(common.key_env)
            )

    # 2. catalog
    cat, common = _catalog(common, progress)
    if common != opts.common:
        opts = replace(opts, common=common)

    # 3. clients
    if opts.clients:
        clients = ordered([c for c in opts.clients if c not in broken])
    else:
        clients = ordered(
            prompts.checkbox(
                "Which clients should use AIGate? (space toggles, enter accepts)",
                client_choices(opts.project_dir, exclude=tuple(broken)),
                require_one=True,
            )
        )

    # 4. main model
    model = opts.model if opts.model is not None else _main_model(cat, clients)
    answers = validate_answers(opts, cat, clients, key, model, key_file)
    answers.base_url = common.base_url

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

    # 8. new terminals
    answers.shell_profile = shell_profile(opts, kept=key_file is not None or keyfile.exists())
    return answers


def _broken(
    candidates: tuple[str, ...], opts: InitOptions, progress: Progress
) -> dict[str, ConfigError]:
    """Name each unparsable target and ask whether to go on without that client."""
    broken = init_checks.broken_targets(candidates, opts)
    for client, problem in broken.items():
        progress.error(problem)
        title = clients.get(client).TITLE
        if not prompts.confirm(f"Continue without {title}? (its file stays untouched)"):
            raise Stop(EXIT_PROBLEMS)
    if broken and all(c in broken for c in candidates):
        progress.error(
            AigateError("every client's config needs fixing first", "fix the files named above")
        )
        raise Stop(EXIT_PROBLEMS)
    return broken


def _ask_key(common: Common, progress: Progress) -> str:
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
    progress.say(f"Key: {mask_key(key)}")
    if not key.startswith("sk-"):
        progress.note("warning: AIGate keys start with sk-; this one does not (checking it anyway)")
    return key


def _verified(common: Common, key: str, typed: bool, progress: Progress) -> tuple[Common, str]:
    """GET /v1/balance with the key: ask again when it is rejected (a typed key), offer to fix
    the base URL when the gateway does not answer. Bounded."""
    tried: list[str] = []
    for _attempt in range(MAX_ATTEMPTS):
        with prompts.status(f"Checking the key with {common.base_url}/balance ..."):
            result = gateway.check_key(
                common.base_url,
                key,
                timeout=settings.timeout(init_answers.CATALOG_TIMEOUT),
                key_env=common.key_env,
            )
        if result.status == "ok":
            progress.say(" · ".join(["key ok", *([result.detail] if result.detail else [])]))
            return common, key
        if result.status == "no_funds":
            progress.note(f"warning: key ok, but {result.detail}; {result.hint}")
            return common, key
        if result.status == "unknown":
            progress.note(f"note: {result.detail}; the smoke test will check the key")
            return common, key
        if result.status == "rejected":
            progress.error(AigateError(result.detail, result.hint))
            if not typed:
                raise AigateError(
                    f"the gateway rejected the key in ${common.key_env}",
                    f"set it again with the key from the AIGate dashboard: "
                    f"{export_hint(common.key_env)}",
                )
            key = _ask_key(common, progress)
            continue
        failure = AigateError(result.detail, result.hint or None)
        try:
            common = _recover_url(common, failure, tried, progress, skip=SKIP_KEY_CHECK)
        except _SkipCheck:
            progress.note("note: the key was not checked; the smoke test will check it")
            return common, key
    raise Stop(EXIT_PROBLEMS)


class _SkipCheck(Exception):
    """The user chose to go on without the key check (the smoke test still checks the key)."""


def _recover_url(
    common: Common, exc: AigateError, tried: list[str], progress: Progress, *, skip: str = ""
) -> Common:
    """Show what failed and what was tried; Edit URL (with a suggested fix) / Retry / Quit
    (and `skip`, when given: raises _SkipCheck). Enter never repeats the same failure twice:
    after one retry of the same URL its default is Quit."""
    progress.error(exc)
    retried = common.base_url in tried  # this URL failed before: Enter must not loop
    if not retried:
        tried.append(common.base_url)
    progress.say("Tried: " + ", ".join(tried))
    suggestion = init_checks.suggest_base_url(common.base_url)
    edit = f"Edit the URL (suggested: {suggestion})" if suggestion else "Edit the URL"
    default = "edit" if suggestion and suggestion not in tried else "retry"
    if default == "retry" and retried:
        default = "quit"
    choices = [(edit, "edit"), ("Retry", "retry"), ("Quit", "quit")]
    if skip:
        choices.insert(2, (skip, "skip"))
    choice = prompts.select(
        f"The gateway at {common.base_url} did not answer as expected. What now?",
        choices,
        default=default,
    )
    if choice == "quit":
        raise Stop(exc.exit_code)
    if choice == "skip":
        raise _SkipCheck
    if choice == "retry":
        return common
    url = prompts.text(
        "Gateway base URL (ends in /v1):",
        default=suggestion or common.base_url,
        validate=url_answer,
    )
    base_url = normalize_base_url(url)
    host = insecure_host(base_url)
    if host is not None and not confirm_insecure_http(host, json_mode=common.fmt == "json"):
        return common
    return common._replace(base_url=base_url)


def url_answer(text: str) -> bool | str:
    try:
        normalize_base_url(text)
    except UsageError as exc:
        suggestion = init_checks.suggest_base_url(text)
        return exc.message + (f" (did you mean {suggestion}?)" if suggestion else "")
    return True


def shell_profile(opts: InitOptions, *, kept: bool) -> bool:
    """Add the startup blocks? Asked only when a key is kept (else they would load nothing)."""
    if opts.shell_profile is not None:
        return opts.shell_profile
    found = shells.detected()
    if not kept or not found:
        return False
    files = ", ".join(paths.display(p) for s in found for p in s.startup)
    return prompts.confirm(
        f"Set ${opts.common.key_env} from the kept key in every new terminal? "
        f"(adds a block to {files})",
        default=True,
    )


def _main_model(cat: Catalog, clients: tuple[str, ...]) -> str:
    usable = usable_models(cat, clients)
    if not usable:
        raise AigateError(
            f"no chat model in the catalog is usable by all of {', '.join(clients)}",
            "run again and pick fewer clients; see `aigate-setup models --kind chat`",
        )
    ids = [m.id for m in usable]
    unusable = unusable_reasons(cat, clients)
    return prompts.autocomplete(
        f"Main model ({len(ids)} usable; type to search, tab completes):",
        ids,
        default=default_model(cat, clients) or ids[0],
        meta={m.id: model_meta(m) for m in usable},
        unusable=unusable,
        validate=lambda s: _model_answer(s, ids, unusable),
    )


def _short_reason(reason: str) -> str:
    """`no Responses API route (/v1/responses), which Codex needs ...` -> `no /v1/responses`."""
    route = ROUTE_IN_REASON.search(reason)
    if route:
        return f"no {route.group(1)}"
    return reason if len(reason) <= 60 else reason[:57] + "..."


def _model_answer(text: str, ids: list[str], unusable: dict[str, str]) -> bool | str:
    chosen = text.strip()
    if chosen in ids:
        return True
    if chosen in unusable:
        return f"{chosen} is {unusable[chosen]}; pick another"
    return "pick an id from the list (tab shows matches)"


def unusable_reasons(cat: Catalog, clients: tuple[str, ...]) -> dict[str, str]:
    """Chat models some chosen client cannot use -> why (`not usable by codex: no
    /v1/responses`), so the picker can list them dimmed instead of hiding them."""
    out: dict[str, str] = {}
    for m in sorted(cat.chat(), key=lambda m: (m.provider, m.id)):
        if check_model_id(m.id) is not None:
            continue  # never offered, not even dimmed: such an id is not safe to show as text
        unable = [c for c in clients if c not in m.clients]
        if unable:
            out[m.id] = "not usable by " + "; ".join(
                f"{c}: {_short_reason(m.unusable.get(c, ''))}".rstrip(": ") for c in unable
            )
    return out


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


def _catalog(common: Common, progress: Progress) -> tuple[Catalog, Common]:
    """The catalog, and the base URL it came from: on failure show why and offer Edit URL /
    Retry / Quit (bounded). The key check has usually caught a wrong URL already."""
    tried: list[str] = []
    for _attempt in range(MAX_ATTEMPTS):
        try:
            with prompts.status(f"Fetching the model catalog from {common.base_url}/models ..."):
                return load_catalog(common, progress.note), common
        except AigateError as exc:
            common = _recover_url(common, exc, tried, progress)
    raise Stop(EXIT_PROBLEMS)


def model_meta(m: Model) -> str:
    """What the model picker shows beside an id: `openai · 400k context`."""
    parts = [m.provider or "-"]
    if m.context_length:
        parts.append(f"{m.context_length // 1000}k context")
    return " · ".join(parts)


def client_choices(project_dir: Path, exclude: tuple[str, ...] = ()) -> list[tuple[str, str, bool]]:
    """(title, client, preselected): installed or already-configured clients, else all four;
    `exclude` (clients whose config cannot be parsed) are left out."""
    from aigate_setup import clients as client_registry

    found: dict[str, list[str]] = {}
    for client in CLIENTS:
        if client in exclude:
            continue
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
    # The clients beyond the default four are offered only when installed or configured.
    return [
        (f"{c}  ({', '.join(found[c])})" if found[c] else c, c, none_found or bool(found[c]))
        for c in found
        if c in DEFAULT_CLIENTS or found[c]
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
