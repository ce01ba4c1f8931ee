"""The `init` wizard, interactive and scripted.

Both paths collect the same answers (key, catalog, clients, models, scope), then share one
pipeline: plan.build_changes -> preview or --dry-run -> "Say OK." smoke test -> fsio.apply ->
summary (text or one JSON document). Nothing is written before the smoke test has passed.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from aigate_setup import catalog as catalog_mod
from aigate_setup import fsio, gateway, paths, plan, report, settings
from aigate_setup.catalog import Catalog, Model
from aigate_setup.errors import EXIT_PROBLEMS, AigateError, UsageError
from aigate_setup.options import CLIENTS, Common, InitOptions
from aigate_setup.secrets import mask_key

SMOKE_TIMEOUT = 30.0
CATALOG_TIMEOUT = 10.0

# Main-model defaults, best first; the first one usable by every chosen client wins.
PREFERRED_MODELS = (
    "openai/gpt-5.5",
    "anthropic/claude-sonnet-4.6",
    "openai/gpt-5.5-mini",
    "google/gemini-3-pro",
    "anthropic/claude-opus-4.7",
)

# The command each client is started with, when it differs from its name.
BINARIES = {"codex": "codex", "opencode": "opencode", "kilo": "kilo", "claude": "claude"}
SLOTS = ("opus", "sonnet", "haiku")


@dataclass
class Answers:
    """Everything the user decided, by flags or prompts."""

    key: str | None
    catalog: Catalog
    clients: tuple[str, ...]
    model: str
    claude: plan.ClaudeSlots
    extra_models: tuple[str, ...]
    scope: str
    project_dir: Path
    key_file: Path | None = None
    notes: list[str] = field(default_factory=list)


class _Quit(Exception):
    """The user chose to stop after an error that was already shown."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


class Out:
    """Where human text goes: stdout in text mode, stderr in JSON mode. Masks the key."""

    def __init__(self, fmt: str) -> None:
        self.json = fmt == "json"
        self.secrets: list[str] = []

    @property
    def stream(self) -> TextIO:
        return sys.stderr if self.json else sys.stdout

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, mask_key(secret))
        return text

    def say(self, text: str = "") -> None:
        print(self.scrub(text), file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """Progress and warnings: always stderr."""
        print(self.scrub(text), file=sys.stderr, flush=True)

    def error(self, exc: AigateError) -> None:
        report.print_error(AigateError(self.scrub(str(exc)), self.scrub(exc.hint or "") or None))


# ---------------------------------------------------------------------------------------------
# entry point


def run_init(opts: InitOptions) -> int:
    out = Out(opts.common.fmt)
    env_key = opts.common.key()
    if env_key:
        out.secrets.append(env_key)
    try:
        if opts.yes:
            answers = scripted_answers(opts, out)
        elif not _has_tty(out.json):
            raise UsageError(
                "no terminal to ask questions in (stdin or stdout is not a TTY)",
                "pass --yes and flags, or run in a terminal, e.g. aigate-setup init --yes "
                "--model openai/gpt-5.5",
            )
        else:
            answers = interactive_answers(opts, out)
        return finish(opts, answers, out, interactive=not opts.yes)
    except _Quit as stop:
        return stop.exit_code


def _has_tty(json_mode: bool = False) -> bool:
    """Questions need a terminal on stdin and where they are drawn: stdout, or stderr in
    JSON mode (so `aigate-setup --format json > result.json` still asks)."""
    screen = sys.stderr if json_mode else sys.stdout
    try:
        return sys.stdin.isatty() and screen.isatty()
    except (AttributeError, ValueError):
        return False


def request_timeout(default: float) -> float:
    """Per-request timeout in seconds; AIGATE_TIMEOUT overrides it (slow networks, tests)."""
    return settings.timeout(default)


# ---------------------------------------------------------------------------------------------
# scripted answers (--yes)


def scripted_answers(opts: InitOptions, out: Out) -> Answers:
    common = opts.common
    clients = _ordered(opts.clients or CLIENTS)
    if not opts.model:
        raise UsageError("--model is required with --yes", _model_hint(common, clients))
    key = common.key()
    if key is None and opts.smoke_test and not opts.dry_run:
        raise UsageError(
            f"${common.key_env} is not set; the smoke test needs your AIGate key",
            export_hint(common.key_env) + " (or skip the live test with --no-smoke-test)",
        )
    if key is None:
        out.note(
            f"warning: ${common.key_env} is not set; the configs reference it, "
            "so set it before starting a client"
        )
    cat = load_catalog(common, out)
    return validate_answers(opts, cat, clients, key, opts.model)


def validate_answers(
    opts: InitOptions,
    cat: Catalog,
    clients: tuple[str, ...],
    key: str | None,
    model: str,
    key_file: Path | None = None,
) -> Answers:
    """Check every model id against the catalog (UsageError before any write or request)."""
    check_model(cat, model, clients, "--model")
    slots = claude_slots(opts, cat, model)
    if "claude" in clients:
        for slot in SLOTS:
            check_model(cat, getattr(slots, slot), ("claude",), f"--claude-{slot}")
    picker_clients = tuple(c for c in clients if c in ("opencode", "kilo"))
    extras = tuple(m for m in opts.extra_models if m != model)
    for extra in extras:
        check_model(cat, extra, picker_clients, "--extra-model")
    notes = []
    if "claude" not in clients and (opts.claude_opus or opts.claude_sonnet or opts.claude_haiku):
        notes.append(
            "note: --claude-opus/--claude-sonnet/--claude-haiku only affect Claude Code, which is not selected"
        )
    if extras and not picker_clients:
        notes.append("note: --extra-model only affects OpenCode and Kilo, which are not selected")
    return Answers(
        key=key,
        catalog=cat,
        clients=clients,
        model=model,
        claude=slots,
        extra_models=extras,
        scope=opts.scope,
        project_dir=opts.project_dir,
        key_file=key_file,
        notes=notes,
    )


def claude_slots(opts: InitOptions, cat: Catalog, model: str) -> plan.ClaudeSlots:
    """Flags first, then the catalog's best match per slot, else the main model."""
    best = catalog_mod.best_claude_slots(cat)
    given = {"opus": opts.claude_opus, "sonnet": opts.claude_sonnet, "haiku": opts.claude_haiku}
    values = {slot: given[slot] or best.get(slot) or model for slot in SLOTS}
    return plan.ClaudeSlots(**values)


def check_model(cat: Catalog, model_id: str, clients: tuple[str, ...], flag: str) -> Model:
    m = cat.get(model_id)
    if m is None:
        raise UsageError(
            f"{flag} {model_id!r} is not in the gateway's model catalog",
            _closest_hint(cat, model_id, clients),
        )
    if m.kind != "chat":
        raise UsageError(
            f"{flag} {model_id!r} is {_article(m.kind)} {m.kind} model; coding clients need a chat model",
            _closest_hint(cat, model_id, clients),
        )
    unable = [c for c in clients if c not in m.clients]
    if unable:
        reasons = "; ".join(f"{c}: {m.unusable[c]}" for c in unable if m.unusable.get(c))
        raise UsageError(
            f"{flag} {model_id!r} cannot be used by {', '.join(unable)}"
            + (f" ({reasons})" if reasons else ""),
            _closest_hint(cat, model_id, clients) + _usable_clients_hint(clients, unable),
        )
    return m


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _usable_clients_hint(clients: tuple[str, ...], unable: list[str]) -> str:
    """`, or only the clients that can use it: --client opencode --client kilo`."""
    able = [c for c in clients if c not in unable]
    if not able:
        return ""
    return ", or only the clients that can use it: " + " ".join(f"--client {c}" for c in able)


def _closest_hint(cat: Catalog, wrong: str, clients: tuple[str, ...]) -> str:
    usable = {m.id for m in usable_models(cat, clients)}
    close = [i for i in catalog_mod.suggest(cat, wrong, n=10) if i in usable and i != wrong][:3]
    if not close:
        close = [m.id for m in usable_models(cat, clients)[:3]]
    listing = "aigate-setup models --kind chat"
    if close:
        return f"closest chat models: {', '.join(close)} (all: {listing})"
    return f"list the chat models with `{listing}`"


def _model_hint(common: Common, clients: tuple[str, ...]) -> str:
    try:
        cat = catalog_mod.fetch_catalog(common)
    except AigateError:
        return "pass --model ID; list the chat models with `aigate-setup models --kind chat`"
    ids = [m.id for m in usable_models(cat, clients)]
    first = default_model(cat, clients) or (ids[0] if ids else "")
    if not first:
        return "pass --model ID; list the chat models with `aigate-setup models --kind chat`"
    others = [i for i in ids if i != first][:4]
    more = f" (or {', '.join(others)}; all: `aigate-setup models --kind chat`)" if others else ""
    return f"e.g. --model {first}{more}"


def usable_models(cat: Catalog, clients: tuple[str, ...]) -> list[Model]:
    """Chat models every one of `clients` can use, sorted by provider then id."""
    found = [m for m in cat.chat() if all(c in m.clients for c in clients)]
    return sorted(found, key=lambda m: (m.provider, m.id))


def default_model(cat: Catalog, clients: tuple[str, ...]) -> str | None:
    usable = usable_models(cat, clients)
    ids = {m.id for m in usable}
    for preferred in PREFERRED_MODELS:
        if preferred in ids:
            return preferred
    return usable[0].id if usable else None


def _ordered(clients: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(c for c in CLIENTS if c in clients)


def load_catalog(common: Common, out: Out) -> Catalog:
    """The catalog, fresh if possible; a cached copy (said on stderr) when the gateway is down."""
    cat = catalog_mod.fetch_catalog(common, timeout=request_timeout(CATALOG_TIMEOUT))
    if cat.from_cache:
        when = (
            time.strftime("%Y-%m-%d %H:%M", time.localtime(cat.fetched_at))
            if cat.fetched_at
            else "an earlier run"
        )
        why = getattr(cat, "fetch_error", None) or "the gateway did not answer"
        out.note(f"warning: {why}")
        out.note(f"using cached catalog from {when} ({cat.source})")
    return cat


# ---------------------------------------------------------------------------------------------
# interactive answers


def interactive_answers(opts: InitOptions, out: Out) -> Answers:
    from aigate_setup import prompts

    prompts.draw_on_stderr(out.json)
    common = opts.common
    say = out.say

    # 1. key
    key = common.key()
    key_file: Path | None = None
    if key:
        say(f"Using your key from ${common.key_env}: {mask_key(key)}")
    else:
        key = prompts.password(
            f"Your AIGate key (${common.key_env} is not set; input stays hidden):",
            validate=lambda s: bool(s.strip()) or "paste your key, e.g. sk-...",
        ).strip()
        out.secrets.append(key)
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
    cat = _interactive_catalog(common, out)

    # 3. clients
    if opts.clients:
        clients = _ordered(opts.clients)
    else:
        clients = _ordered(
            prompts.checkbox(
                "Which clients should use AIGate? (space toggles, enter accepts)",
                client_choices(opts.project_dir),
                require_one=True,
            )
        )

    # 4. main model
    model = opts.model
    if model is None:
        usable = usable_models(cat, clients)
        if not usable:
            raise AigateError(
                f"no chat model in the catalog is usable by all of {', '.join(clients)}",
                "run again and pick fewer clients; see `aigate-setup models --kind chat`",
            )
        ids = [m.id for m in usable]
        model = prompts.autocomplete(
            f"Main model ({len(ids)} usable; type to search, tab completes):",
            ids,
            default=default_model(cat, clients) or ids[0],
            meta={m.id: _meta(m) for m in usable},
            validate=lambda s: s.strip() in ids or "pick an id from the list (tab shows matches)",
        )

    answers = validate_answers(opts, cat, clients, key, model, key_file)

    # 5. Claude Code's slots
    if "claude" in clients and not (opts.claude_opus and opts.claude_sonnet and opts.claude_haiku):
        slots = answers.claude
        summary = ", ".join(f"{s}={getattr(slots, s)}" for s in SLOTS)
        if not prompts.confirm(f"Claude Code models: {summary}. Keep these?", default=True):
            claude_ids = [m.id for m in usable_models(cat, ("claude",))]
            picked = {
                slot: prompts.autocomplete(
                    f"Claude Code {slot} model:",
                    claude_ids,
                    default=getattr(slots, slot),
                    validate=lambda s: s.strip() in claude_ids or "pick an id from the list",
                )
                for slot in SLOTS
            }
            answers.claude = plan.ClaudeSlots(**picked)

    # 6. more models for the OpenCode/Kilo pickers
    picker_clients = tuple(c for c in clients if c in ("opencode", "kilo"))
    if picker_clients and not opts.extra_models:
        names = " and ".join(
            c.capitalize() if c != "opencode" else "OpenCode" for c in picker_clients
        )
        if prompts.confirm(f"Offer more models in the {names} model picker?", default=False):
            candidates = [m for m in usable_models(cat, picker_clients) if m.id != model]
            answers.extra_models = tuple(
                prompts.checkbox(
                    "More models (type to filter, space toggles):",
                    [(m.id, m.id, False) for m in candidates],
                    search=True,
                )
            )

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


def _interactive_catalog(common: Common, out: Out) -> Catalog:
    from aigate_setup import prompts

    for _attempt in range(100):
        try:
            with prompts.status(f"Fetching the model catalog from {common.base_url}/models ..."):
                return load_catalog(common, out)
        except AigateError as exc:
            out.error(exc)
            choice = prompts.select(
                "The catalog is needed to pick models. What now?",
                [("Retry", "retry"), ("Quit", "quit")],
                default="retry",
            )
            if choice == "quit":
                raise _Quit(exc.exit_code) from exc
    raise _Quit(EXIT_PROBLEMS)


def _meta(m: Model) -> str:
    parts = [m.provider or "-"]
    if m.context_length:
        parts.append(f"{m.context_length // 1000}k context")
    return " · ".join(parts)


def client_choices(project_dir: Path) -> list[tuple[str, str, bool]]:
    """(title, client, preselected): installed or already-configured clients, else all four."""
    from aigate_setup.clients import CLIENT_MODULES

    found: dict[str, list[str]] = {}
    for client in CLIENTS:
        why = []
        if shutil.which(BINARIES[client]):
            why.append("installed")
        try:
            targets = CLIENT_MODULES[client].target_paths("user", project_dir)
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


# ---------------------------------------------------------------------------------------------
# the shared pipeline


def finish(opts: InitOptions, answers: Answers, out: Out, *, interactive: bool) -> int:
    for n in answers.notes:
        out.note(n)
    common = opts.common
    sel = plan.Selection(
        clients=answers.clients,
        model=answers.model,
        claude=answers.claude,
        extra_models=answers.extra_models,
        scope=answers.scope,  # type: ignore[arg-type]
        project_dir=answers.project_dir,
        base_url=common.base_url,
        key_env=common.key_env,
        make_default=opts.make_default,
        key_file=answers.key_file,
    )
    changes = list(plan.build_changes(sel, answers.catalog))
    if answers.key_file is not None and answers.key:
        changes.append(
            fsio.FileChange(
                client="aigate",
                path=answers.key_file,
                old=fsio.read_bytes(answers.key_file),
                new=(answers.key + "\n").encode(),
                sensitive=True,
            )
        )
    legacy_export = None
    if opts.kilo_legacy_export is not None:
        legacy_export = _kilo_legacy(sel, opts.kilo_legacy_export)
        changes.append(legacy_export)
    legacy_text = _kilo_instructions(sel, legacy_export)

    if opts.dry_run:
        show_diffs(changes, out)
        show_statuses(changes, out, title="Would write (dry run, nothing written):")
        if out.json:
            report.print_json(_document("ok", changes, [], None, dry_run=True))
        return 0

    if interactive:
        from aigate_setup import prompts

        show_statuses(changes, out, title="Plan:")
        if any(c.status != "unchanged" for c in changes) and prompts.confirm(
            "Show the diffs?", default=False
        ):
            show_diffs(changes, out)
        question = "Test the connection and write these files?"
        if not opts.smoke_test:
            question = "Write these files?"
        if not prompts.confirm(question, default=True):
            out.say("Nothing written.")
            return 0

    results: list[gateway.SmokeResult] = []
    if opts.smoke_test:
        if not answers.key:  # scripted runs check this earlier; keep the invariant here too
            raise UsageError(
                f"${common.key_env} is not set; the smoke test needs your AIGate key",
                export_hint(common.key_env),
            )
        results = smoke(common, answers, out, interactive=interactive)
        failed = [r for r in results if not r.ok]
        if failed:
            first = failed[0]
            out.error(
                AigateError(
                    f"smoke test failed for {', '.join(r.client for r in failed)}; nothing was written",
                    (first.hint if len(failed) == 1 else "")
                    or "fix the problems shown above and run again "
                    "(--no-smoke-test skips the test)",
                )
            )
            if out.json:
                report.print_json(_document("fail", changes, results, None, dry_run=False, out=out))
            return EXIT_PROBLEMS

    result = fsio.apply(changes, command="init")
    statuses = [(ch, st) for ch, st in result.statuses]
    show_summary(statuses, result.run_id, answers, common, out, legacy_text)
    if out.json:
        report.print_json(_document("ok", statuses, results, result.run_id, dry_run=False, out=out))
    return 0


def _kilo_legacy(sel: plan.Selection, path: Path) -> fsio.FileChange:
    """The settings-import JSON for the legacy Kilo Code extension (its key left empty)."""
    from aigate_setup.clients import kilo

    target = path if path.is_absolute() else (Path.cwd() / path)
    new = kilo.legacy_export(sel).encode()
    return fsio.FileChange(client="kilo", path=target, old=fsio.read_bytes(target), new=new)


def _kilo_instructions(sel: plan.Selection, export: fsio.FileChange | None) -> str | None:
    """What to paste into the legacy extension's settings UI (shown when Kilo is involved)."""
    if "kilo" not in sel.clients and export is None:
        return None
    from aigate_setup.clients import kilo

    return kilo.legacy_instructions(sel, export.path if export is not None else None)


def _probe_model(client: str, answers: Answers) -> str:
    """The model each client will really ask for (Claude may fall back to its sonnet slot)."""
    if client != "claude":
        return answers.model
    from aigate_setup.clients import claude

    return claude.anthropic_model(answers.model, answers.claude.sonnet, answers.catalog)


def smoke(
    common: Common, answers: Answers, out: Out, *, interactive: bool
) -> list[gateway.SmokeResult]:
    probes = [gateway.probe_for(c, _probe_model(c, answers)) for c in answers.clients]
    assert answers.key is not None
    timeout = request_timeout(SMOKE_TIMEOUT)
    label = f'Sending "Say OK." to {answers.model} as {", ".join(answers.clients)} ...'
    if interactive:
        from aigate_setup import prompts

        with prompts.status(label):
            results = gateway.smoke_test(
                common.base_url, answers.key, probes, timeout=timeout, key_env=common.key_env
            )
    else:
        out.note(label)
        results = gateway.smoke_test(
            common.base_url, answers.key, probes, timeout=timeout, key_env=common.key_env
        )
    out.say("Smoke test:")
    width = max((len(r.client) for r in results), default=0)
    mwidth = max((len(r.model) for r in results), default=0)
    rwidth = max((len(r.route) for r in results), default=0)
    for r in results:
        symbol = report.status_symbol("pass" if r.ok else "fail", out.stream)
        reply = _one_line(r.message) or ("(empty reply)" if r.ok else "")
        out.say(
            f"  {symbol} {r.client:<{width}}  {r.model:<{mwidth}}  {r.route:<{rwidth}}"
            f"  {r.ms:>5} ms  {reply}"
        )
        if not r.ok and r.hint:
            out.say(f"      hint: {_one_line(r.hint)}")
    return results


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# output


def show_diffs(changes: list[fsio.FileChange], out: Out) -> None:
    stream = out.stream
    for ch in changes:
        if ch.status == "unchanged":
            continue
        if ch.sensitive:
            out.say(f"--- {ch.path}\n+++ {ch.path}\n(contents hidden: this file holds your key)")
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


def show_statuses(changes: list[fsio.FileChange], out: Out, *, title: str) -> None:
    out.say(title)
    for ch in changes:
        symbol = report.status_symbol(_status_word(ch.status), out.stream)
        out.say(f"  {symbol} {ch.status:<9}  {paths.display(ch.path)}  ({ch.client})")


def show_summary(
    statuses: list[tuple[fsio.FileChange, str]],
    run_id: str | None,
    answers: Answers,
    common: Common,
    out: Out,
    legacy_text: str | None,
) -> None:
    out.say("Files:")
    for ch, st in statuses:
        symbol = report.status_symbol(_status_word(st), out.stream)
        out.say(f"  {symbol} {st:<9}  {paths.display(ch.path)}  ({ch.client})")
    if run_id:
        out.say(f"Backup: run {run_id}; undo it with: aigate-setup restore {run_id}")
    else:
        out.say("Nothing changed, so no backup was needed.")
    if legacy_text:
        out.say(legacy_text.rstrip())
    out.say("Next steps:")
    if not common.key():
        if answers.key_file is not None:
            out.say(
                f"  set the key in your shell first: {export_hint(common.key_env, answers.key_file)}"
            )
        else:
            out.say(f"  set your key first: {export_hint(common.key_env)}")
    for client in answers.clients:
        out.say(f"  {client + ':':<10} {next_step(client, statuses)}")


def next_step(client: str, statuses: list[tuple[fsio.FileChange, str]]) -> str:
    if client != "claude":
        return BINARIES[client]
    scripts = [ch.path for ch, _ in statuses if ch.client == "claude" and ch.path.suffix == ".sh"]
    ps1 = [ch.path for ch, _ in statuses if ch.client == "claude" and ch.path.suffix == ".ps1"]
    script = paths.display(scripts[0]) if scripts else "~/.config/aigate/aigate-claude.sh"
    text = f". {script} && claude"
    if ps1:
        text += f"   (PowerShell: . {paths.display(ps1[0])}; claude)"
    return text


def export_hint(key_env: str, key_file: Path | None = None) -> str:
    """How to set the key in bash/zsh, fish and PowerShell (never the key itself)."""
    if key_file is not None:
        f = paths.display(key_file)
        return (
            f'bash/zsh: export {key_env}="$(cat {f})"; '
            f"fish: set -gx {key_env} (cat {f}); "
            f"PowerShell: $env:{key_env} = Get-Content {f}"
        )
    return (
        f'bash/zsh: export {key_env}="sk-..."; '
        f'fish: set -gx {key_env} "sk-..."; '
        f'PowerShell: $env:{key_env} = "sk-..."'
    )


def _document(
    status: str,
    changes: list[fsio.FileChange] | list[tuple[fsio.FileChange, str]],
    results: list[gateway.SmokeResult],
    run_id: str | None,
    *,
    dry_run: bool,
    out: Out | None = None,
) -> dict[str, Any]:
    files = []
    for item in changes:
        ch, st = item if isinstance(item, tuple) else (item, item.status)
        files.append({"client": ch.client, "path": str(ch.path), "status": st})
    scrub = out.scrub if out is not None else (lambda s: s)
    smoke_docs = [
        {
            "client": r.client,
            "model": r.model,
            "route": r.route,
            "ok": r.ok,
            "status": r.status,
            "ms": r.ms,
            "message": scrub(r.message),
        }
        for r in results
    ]
    return report.envelope(
        "init", status, files=files, smoke=smoke_docs, run_id=run_id, dry_run=dry_run
    )
