"""What the user decided for `init` (by flags or prompts), and how each answer is checked.

Both the scripted and the interactive path end in `validate_answers`: every model id is checked
against the catalog before any request or write (UsageError, exit 2, with the closest ids).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aigate_setup import catalog as catalog_mod
from aigate_setup import paths, plan, settings
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import aider, claude, codex, continue_, kilo, opencode, qwen
from aigate_setup.constants import CLIENTS
from aigate_setup.errors import AigateError, UsageError
from aigate_setup.model_ids import check_model_id
from aigate_setup.options import Common, InitOptions

CATALOG_TIMEOUT = 10.0  # seconds for GET /models (AIGATE_TIMEOUT overrides)

# Main-model defaults, best first; the first one usable by every chosen client wins.
PREFERRED_MODELS = (
    "openai/gpt-5.5",
    "anthropic/claude-sonnet-4.6",
    "openai/gpt-5.5-mini",
    "google/gemini-3-pro",
    "anthropic/claude-opus-4.7",
)
SLOTS = ("opus", "sonnet", "haiku")
# Clients with a model picker fed by `--extra-model`.
PICKER_CLIENTS = (opencode.NAME, kilo.NAME, qwen.NAME, continue_.NAME)
CHAT_LISTING = "aigate-setup models --kind chat"


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
    key_file: Path | None = None  # the key is written there in this run (--save-key)
    notes: list[str] = field(default_factory=list)
    base_url: str | None = None  # the wizard's edited base URL, when it differs from the flag
    shell_profile: bool = False  # add the startup blocks (--shell-profile)


def ordered(clients: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """`clients` in the one client order (codex, opencode, kilo, claude)."""
    return tuple(c for c in CLIENTS if c in clients)


def picker_clients(clients: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in clients if c in PICKER_CLIENTS)


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
    notes: list[str] = []
    if claude.NAME in clients:
        for slot in SLOTS:
            check_model(cat, getattr(slots, slot), (claude.NAME,), f"--claude-{slot}")
    pickers = picker_clients(clients)
    extras = tuple(m for m in opts.extra_models if m != model)
    # Codex's picker (clients/codex/catalog.py) offers only the extras Codex can use.
    strict = pickers or tuple(c for c in clients if c == codex.NAME)
    for extra in extras:
        m = check_model(cat, extra, strict, "--extra-model")
        if codex.NAME in clients and codex.NAME not in m.clients:
            why = m.unusable.get(codex.NAME) or codex.ENDPOINT_MISSING
            notes.append(f"note: {extra} is left out of Codex's /model picker: {why}")
    if claude.NAME not in clients and (opts.claude_opus or opts.claude_sonnet or opts.claude_haiku):
        notes.append(
            "note: --claude-opus/--claude-sonnet/--claude-haiku only affect Claude Code, which is not selected"
        )
    if extras and not strict:
        notes.append(
            "note: --extra-model only affects Codex, OpenCode, Kilo, Qwen Code and Continue,"
            " which are not selected"
        )
    if aider.NAME in clients:
        notes.append(aider.FIRST_RUN_NOTE)
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
    if close:
        return f"closest chat models: {', '.join(close)} (all: {CHAT_LISTING})"
    return f"list the chat models with `{CHAT_LISTING}`"


def model_hint(common: Common, clients: tuple[str, ...]) -> str:
    """`e.g. --model openai/gpt-5.5 (or ...)` from the catalog, or a generic hint without it."""
    generic = f"pass --model ID; list the chat models with `{CHAT_LISTING}`"
    try:
        cat = catalog_mod.fetch_catalog(common, timeout=settings.timeout(CATALOG_TIMEOUT))
    except AigateError:
        return generic
    ids = [m.id for m in usable_models(cat, clients)]
    first = default_model(cat, clients) or (ids[0] if ids else "")
    if not first:
        return generic
    others = [i for i in ids if i != first][:4]
    more = f" (or {', '.join(others)}; all: `{CHAT_LISTING}`)" if others else ""
    return f"e.g. --model {first}{more}"


def usable_models(cat: Catalog, clients: tuple[str, ...]) -> list[Model]:
    """Chat models every one of `clients` can use, sorted by provider then id. An id that could
    never be written safely (braces, whitespace...) is never offered, whatever the catalog says."""
    found = [
        m
        for m in cat.chat()
        if all(c in m.clients for c in clients) and check_model_id(m.id) is None
    ]
    return sorted(found, key=lambda m: (m.provider, m.id))


def default_model(cat: Catalog, clients: tuple[str, ...]) -> str | None:
    usable = usable_models(cat, clients)
    ids = {m.id for m in usable}
    for preferred in PREFERRED_MODELS:
        if preferred in ids:
            return preferred
    return usable[0].id if usable else None


def load_catalog(common: Common, note: Callable[[str], None]) -> Catalog:
    """The catalog, fresh if possible; a cached copy when the gateway is down (then `note`
    is told why and how old the copy is)."""
    cat = catalog_mod.fetch_catalog(common, timeout=settings.timeout(CATALOG_TIMEOUT))
    if cat.from_cache:
        when = (
            time.strftime("%Y-%m-%d %H:%M", time.localtime(cat.fetched_at))
            if cat.fetched_at
            else "an earlier run"
        )
        why = getattr(cat, "fetch_error", None) or "the gateway did not answer"
        note(f"warning: {why}")
        note(f"using cached catalog from {when} ({cat.source})")
    return cat


def user_shell(env: Mapping[str, str] | None = None) -> str:
    """The shell the user types in: `bash`, `zsh`, `fish`, `powershell`, or `sh` for any
    other POSIX shell (from $SHELL; PowerShell on Windows)."""
    env = os.environ if env is None else env
    name = Path(env.get("SHELL", "")).name.lower()
    if name in ("bash", "zsh", "fish"):
        return name
    if name in ("pwsh", "pwsh.exe", "powershell", "powershell.exe"):
        return "powershell"
    if not name and (os.name == "nt" or "PSModulePath" in env):
        return "powershell"
    return "sh"


def shell_export(key_env: str, key_file: Path | None = None, shell: str | None = None) -> str:
    """How to set the key in the user's own shell only (never the key itself)."""
    shell = shell or user_shell()
    if key_file is not None:
        f = paths.display(key_file)
        if shell == "fish":
            return f"set -gx {key_env} (cat {f})"
        if shell == "powershell":
            return f"$env:{key_env} = Get-Content {f}"
        return f'export {key_env}="$(cat {f})"'
    if shell == "fish":
        return f'set -gx {key_env} "sk-..."'
    if shell == "powershell":
        return f'$env:{key_env} = "sk-..."'
    return f'export {key_env}="sk-..."'


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
