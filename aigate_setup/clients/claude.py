"""Claude Code: two scripts to load into a shell, because Claude Code takes its gateway from
environment variables. User scope: `$XDG_CONFIG_HOME/aigate/aigate-claude.sh` and `.ps1`;
project scope: `<dir>/.aigate/`.

Owned: the lines between `# >>> aigate-setup >>>` and `# <<< aigate-setup <<<`; lines outside
are the user's. The block sets ANTHROPIC_BASE_URL to the gateway root without /v1 (Claude Code
appends /v1/messages), ANTHROPIC_AUTH_TOKEN from the key variable at the moment the script is
loaded (or from the kept key file), unsets ANTHROPIC_API_KEY (one credential only), and sets
ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL. An empty key: a message on
stderr, `return 1` (sourced) / `exit 1` (executed), nothing exported.

ANTHROPIC_MODEL is the main model when Claude Code can use it (the catalog says so, or without a
catalog its id is an Anthropic one), else the sonnet slot: Claude Code speaks only the
Anthropic Messages API, so a chat-completions-only main model would fail on every request.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import paths
from aigate_setup.clients.base import Auth, FileKind, Route
from aigate_setup.errors import ConfigError
from aigate_setup.options import gateway_root
from aigate_setup.rules.kinds import SCRIPT_SUFFIXES, head, json_like
from aigate_setup.rules.positions import get, members, string
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.rules.scripts import Assign
from aigate_setup.rules.urls import analyze, fix_hint, is_aigate_url, shown_url
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.plan import Selection
    from aigate_setup.rules.source import Source

NAME = "claude"
TITLE = "Claude Code"
BINARY = "claude"
INSTALL_HINT = "npm install -g @anthropic-ai/claude-code@2.1.197"
# The smoke probe: the route this client really calls, with the auth header it sends.
PROBE_ROUTE: Route = "messages"
PROBE_AUTH: Auth = "bearer"
# The endpoint type a catalog entry must list for this client to use the model.
CATALOG_ENDPOINT = "anthropic"
ENDPOINT_MISSING = "no Anthropic Messages route (/v1/messages), which Claude Code needs"
SH_NAME = "aigate-claude.sh"
PS1_NAME = "aigate-claude.ps1"
# PowerShell treats these as single quotes too, so inside '...' each must be doubled.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def script_dir(scope: str, project_dir: Path) -> Path:
    return project_dir / ".aigate" if scope == "project" else paths.aigate_config_dir()


def target_paths(scope: str, project_dir: Path) -> list[Path]:
    d = script_dir(scope, project_dir)
    return [d / SH_NAME, d / PS1_NAME]


def targets(sel: Selection) -> list[Path]:
    return target_paths(sel.scope, sel.project_dir)


def settings_dir() -> Path:
    custom = os.environ.get("CLAUDE_CONFIG_DIR", "")
    return Path(custom) if custom else paths.home() / ".claude"


def config_paths(project_dir: Path) -> list[tuple[Path, str]]:
    """The scripts (user, then project), then Claude Code's own settings files, whose `env`
    is applied on top of the shell's environment (user, project, project-local)."""
    found: list[tuple[Path, str]] = []
    for scope in ("user", "project"):
        d = script_dir(scope, project_dir)
        found += [(d / SH_NAME, "claude-sh"), (d / PS1_NAME, "claude-ps1")]
    found += [
        (settings_dir() / "settings.json", "claude-settings"),
        (project_dir / ".claude" / "settings.json", "claude-settings"),
        (project_dir / ".claude" / "settings.local.json", "claude-settings"),
    ]
    return found


# --- quoting ----------------------------------------------------------------------------------


def sh_quote(value: str) -> str:
    """A POSIX single-quoted word: nothing inside is special; a ' is written as '"'"'."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def ps_quote(value: str) -> str:
    """A PowerShell single-quoted string: no expansion; every kind of single quote doubled."""
    return "'" + "".join(ch * 2 if ch in _PS_QUOTES else ch for ch in value) + "'"


# --- values -----------------------------------------------------------------------------------


def main_model(sel: Selection, catalog: Catalog | None) -> str:
    """ANTHROPIC_MODEL: the main model if Claude Code can use it, else the sonnet slot."""
    return anthropic_model(sel.model, sel.claude.sonnet, catalog)


def anthropic_model(model_id: str, sonnet: str, catalog: Catalog | None) -> str:
    """`model_id` if Claude Code can use it (per the catalog, else by its name), else `sonnet`."""
    model = catalog.get(model_id) if catalog is not None else None
    if model is not None:
        usable = "claude" in model.clients
    else:
        head = model_id.split("/", 1)[0].lower()
        usable = head == "anthropic" or model_id.lower().startswith("claude")
    return model_id if usable else sonnet


def env_values(sel: Selection, catalog: Catalog | None) -> list[tuple[str, str]]:
    """The model variables in the order they are written (every id checked: UsageError)."""
    from aigate_setup.clients.common import check_model_id

    values = [
        ("ANTHROPIC_MODEL", main_model(sel, catalog), "--model"),
        ("ANTHROPIC_DEFAULT_OPUS_MODEL", sel.claude.opus, "--claude-opus"),
        ("ANTHROPIC_DEFAULT_SONNET_MODEL", sel.claude.sonnet, "--claude-sonnet"),
        ("ANTHROPIC_DEFAULT_HAIKU_MODEL", sel.claude.haiku, "--claude-haiku"),
    ]
    return [(name, check_model_id(flag, value)) for name, value, flag in values]


def _empty_message(sel: Selection, ps1: bool) -> str:
    how = f"$env:{sel.key_env} = 'sk-...'" if ps1 else f"export {sel.key_env}=sk-..."
    where = f" (or put it in {sel.key_file})" if sel.key_file is not None else ""
    return (
        f"aigate-claude: {sel.key_env} is empty, nothing was set; "
        f"hint: {how}{where}, then load this script again"
    )


def context(sel: Selection, catalog: Catalog | None, *, ps1: bool) -> dict[str, Any]:
    from aigate_setup.clients.common import check_env_name

    check_env_name(sel.key_env)  # spliced into shell code unquoted: an identifier only
    quote = ps_quote if ps1 else sh_quote
    return {
        "key_from_env": ("${env:" + sel.key_env + "}") if ps1 else ('"${' + sel.key_env + ':-}"'),
        "key_file": quote(str(sel.key_file)) if sel.key_file is not None else None,
        "empty_message": quote(_empty_message(sel, ps1)),
        "base_url": quote(gateway_root(sel.base_url)),
        "models": [(name, quote(value)) for name, value in env_values(sel, catalog)],
    }


def block_body(sel: Selection, catalog: Catalog | None, *, ps1: bool) -> str:
    from aigate_setup import templates

    name = "claude/block.ps1.j2" if ps1 else "claude/block.sh.j2"
    return templates.render(name, **context(sel, catalog, ps1=ps1))


def header(path: Path, *, ps1: bool) -> str:
    from aigate_setup import templates

    name = "claude/header.ps1.j2" if ps1 else "claude/header.sh.j2"
    return templates.render(name, source_path=(ps_quote if ps1 else sh_quote)(str(path)))


# --- plan hooks -------------------------------------------------------------------------------


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    from aigate_setup.errors import ParseError
    from aigate_setup.merge.block import extract_block

    try:
        extract_block(text)
    except ParseError as exc:
        return ConfigError(
            exc.message,
            path=path,
            line=exc.line,
            column=exc.column,
            hint="keep exactly one pair of aigate-setup markers (or delete both)",
        )
    return None


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    """Replace (or append) the managed block; a new file starts with a short usage header."""
    from aigate_setup.merge.block import merge_block

    ps1 = path.suffix.lower() == ".ps1"
    base = old_text if old_text is not None else header(path, ps1=ps1)
    return merge_block(base, block_body(sel, catalog, ps1=ps1))


# --- static rules (check) ---------------------------------------------------------------------

SETTINGS_NAMES = ("settings.json", "settings.local.json")
SLOTS = (
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
)
MODEL_VARS = (*SLOTS, "ANTHROPIC_SMALL_FAST_MODEL")
CREDENTIALS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
_MODEL_VAR = re.compile(r"ANTHROPIC_\w*MODEL")
_SCRIPT_KINDS: tuple[FileKind, ...] = ("claude-sh", "claude-ps1")
_KINDS: tuple[FileKind, ...] = ("claude-settings", *_SCRIPT_KINDS)
_SETTINGS = """{
  "env": {
    "ANTHROPIC_BASE_URL": "https://api.aigate.shop",
    "ANTHROPIC_MODEL": "anthropic/claude-sonnet-4.6"
  }
}
"""
_SCRIPT = """# >>> aigate-setup >>>
export ANTHROPIC_BASE_URL="https://api.aigate.shop"
export ANTHROPIC_AUTH_TOKEN="$AIGATE_API_KEY"
unset ANTHROPIC_API_KEY
export ANTHROPIC_MODEL="anthropic/claude-sonnet-4.6"
export ANTHROPIC_DEFAULT_OPUS_MODEL="anthropic/claude-opus-4.7"
export ANTHROPIC_DEFAULT_SONNET_MODEL="anthropic/claude-sonnet-4.6"
export ANTHROPIC_DEFAULT_HAIKU_MODEL="anthropic/claude-haiku-4.5"
# <<< aigate-setup <<<
"""


def file_kind(path: Path) -> FileKind | None:
    """`.claude/settings(.local).json` and the two scripts aigate-setup writes."""
    name = path.name
    if name in SETTINGS_NAMES and path.parent.name == ".claude":
        return "claude-settings"
    if name == SH_NAME:
        return "claude-sh"
    if name == PS1_NAME:
        return "claude-ps1"
    return None


def guess_kind(path: Path, text: str) -> tuple[int, FileKind] | None:
    """Scripts by suffix or shebang; settings by their env block; else by what the text does."""
    suffix = path.suffix.lower()
    if suffix == ".ps1":
        return 100, "claude-ps1"
    if suffix in SCRIPT_SUFFIXES or head(text).startswith("#!"):
        return 90, "claude-sh"
    if json_like(path, text):
        return (70, "claude-settings") if '"env"' in text and "ANTHROPIC_" in text else None
    if "$env:" in text.lower():
        return 30, "claude-ps1"
    if "export " in text or re.search(r"^[A-Z_]+=", text, re.MULTILINE):
        return 20, "claude-sh"
    return None


def _env(src: Source) -> dict[str, tuple[str, int, int]]:
    """The string values of the settings' `env` block (the last duplicate wins), with where."""
    values: dict[str, tuple[str, int, int]] = {}
    for m in members(get(src.json, "env")):
        value = string(m.value)
        if value is not None:
            values[m.key] = (value, *src.pos(m.value.start))
    return values


def _last(src: Source) -> dict[str, Assign]:
    """The assignment in force at the end of a script for each variable (unset ones dropped)."""
    last: dict[str, Assign] = {}
    for a in src.script:
        if a.value:
            last[a.name] = a
        else:
            last.pop(a.name, None)
    return last


def _settings_urls(src: Source) -> list[UrlRef]:
    base = _env(src).get("ANTHROPIC_BASE_URL")
    if not base:
        return []
    return [UrlRef("env.ANTHROPIC_BASE_URL", base[0], base[1], base[2], "root")]


def _settings_models(src: Source) -> list[ModelRef]:
    values = _env(src)
    base = values.get("ANTHROPIC_BASE_URL")
    ours = base is not None and is_aigate_url(base[0], src.ctx)
    refs = []
    for name, (value, line, col) in values.items():
        if _MODEL_VAR.fullmatch(name):
            catalog_id = value if ours and name in MODEL_VARS else None
            refs.append(ModelRef(f"env.{name}", value, line, col, catalog_id=catalog_id))
    model = get(src.json, "model")
    model_id = string(model)
    if model is not None and model_id is not None:
        at = src.pos(model.start)
        refs.append(ModelRef("model", model_id, *at, catalog_id=model_id if ours else None))
    return refs


def _script_urls(src: Source) -> list[UrlRef]:
    return [
        UrlRef("ANTHROPIC_BASE_URL", a.value, a.line, a.column, "root")
        for a in src.script
        if a.name == "ANTHROPIC_BASE_URL" and a.literal
    ]


def _script_models(src: Source) -> list[ModelRef]:
    refs = []
    for name, a in _last(src).items():
        if a.literal and _MODEL_VAR.fullmatch(name):
            catalog_id = a.value if name in MODEL_VARS else None
            refs.append(ModelRef(name, a.value, a.line, a.column, catalog_id=catalog_id))
    return refs


READERS: tuple[Reader, ...] = (
    Reader("claude-settings", NAME, TITLE, "jsonc", ".claude/settings.json", _settings_urls,
           _settings_models),
    Reader("claude-sh", NAME, TITLE, "sh", SH_NAME, _script_urls, _script_models),
    Reader("claude-ps1", NAME, TITLE, "ps1", PS1_NAME, _script_urls, _script_models),
)  # fmt: skip


@rule(
    "AIG005",
    "claude-settings-token",
    "error",
    "Anthropic credential in a Claude settings file",
    kinds=("claude-settings",),
    doc="""A key in `env` of a settings file is the key itself in a file that is often checked
    in or synced; aigate-setup's `apiKeyHelper` or script reads it from $AIGATE_API_KEY or the
    0600 key file instead.""",
    example=_SETTINGS.replace(
        '"ANTHROPIC_MODEL"',
        '"ANTHROPIC_AUTH_TOKEN": "sk-example-0123456789abcdef",\n    "ANTHROPIC_MODEL"',
    ),
    fix="remove it from settings.json env; export ANTHROPIC_AUTH_TOKEN from $AIGATE_API_KEY"
    " (source .aigate/aigate-claude.sh)",
    secret=True,
)
def settings_token(src: Source) -> Iterator[Hit]:
    values = _env(src)
    for name in CREDENTIALS:
        if name in values and values[name][0]:
            value, line, col = values[name]
            yield Hit(
                line,
                col,
                f"env.{name} holds a literal credential {mask_key(value)} in a settings file",
            )


@rule(
    "AIG006",
    "script-literal-token",
    "error",
    "Claude script exports a literal token",
    kinds=_SCRIPT_KINDS,
    doc="""The script is meant to take the token from $AIGATE_API_KEY when it is sourced; a
    literal token in it is a leaked key.""",
    example=_SCRIPT.replace('"$AIGATE_API_KEY"', '"sk-example-0123456789abcdef"'),
    fix='export ANTHROPIC_AUTH_TOKEN="$AIGATE_API_KEY" (rerun `aigate-setup init --client claude`)',
    secret=True,
)
def script_token(src: Source) -> Iterator[Hit]:
    for a in src.script:
        if a.name in CREDENTIALS and a.value and a.literal:
            yield Hit(a.line, a.column, f"{a.name} is set to a literal token {mask_key(a.value)}")


@rule(
    "AIG013",
    "claude-base-v1",
    "error",
    "Claude ANTHROPIC_BASE_URL ends in /v1",
    kinds=_KINDS,
    doc="""Claude Code appends /v1/messages to ANTHROPIC_BASE_URL, so a base ending in /v1
    calls /v1/v1/messages (404). It wants the gateway root.""",
    example=_SETTINGS.replace(".shop", ".shop/v1"),
    fix="use the gateway root, e.g. https://api.aigate.shop (Claude Code appends /v1/messages)",
)
def base_v1(src: Source) -> Iterator[Hit]:
    for ref in src.urls:
        a = analyze(ref.value, ref.style)
        if a is not None and a.shape == "root-v1":
            yield Hit(
                ref.line,
                ref.column,
                f"{ref.label} {shown_url(a.url)} ends in /v1;"
                " Claude Code would call /v1/v1/messages",
                fix_hint(a, a.path[:-3], ref.style),
            )


@rule(
    "AIG040",
    "claude-both-credentials",
    "error",
    "Both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set",
    kinds=_KINDS,
    doc="""With both set, Claude Code sends two credentials (x-api-key and Bearer), and
    ANTHROPIC_API_KEY makes interactive Claude ask to approve the key with "No" preselected.""",
    example=_SCRIPT.replace(
        "unset ANTHROPIC_API_KEY", 'export ANTHROPIC_API_KEY="$AIGATE_API_KEY"'
    ),
    example_kind="claude-sh",
    fix="keep only ANTHROPIC_AUTH_TOKEN (Bearer; no approval prompt)",
)
def both_credentials(src: Source) -> Iterator[Hit]:
    if src.kind == "claude-settings":
        values = _env(src)
        if all(values.get(n, ("",))[0] for n in CREDENTIALS):
            _, line, col = values["ANTHROPIC_AUTH_TOKEN"]
            yield Hit(line, col, "env sets both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN")
        return
    last = _last(src)
    if all(n in last for n in CREDENTIALS):
        second = max((last[n] for n in CREDENTIALS), key=lambda a: a.line)
        yield Hit(
            second.line,
            second.column,
            "the script sets both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN",
        )


@rule(
    "AIG041",
    "claude-missing-slots",
    "warning",
    "Claude model slots not set",
    kinds=_SCRIPT_KINDS,
    doc="""Without ANTHROPIC_MODEL and the opus/sonnet/haiku slots Claude Code falls back to
    its own model names, which the gateway may not serve (404 on the first request).""",
    example=_SCRIPT.replace(
        'export ANTHROPIC_DEFAULT_HAIKU_MODEL="anthropic/claude-haiku-4.5"\n', ""
    ),
    fix="set ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL"
    " (`aigate-setup init --client claude`)",
)
def missing_slots(src: Source) -> Iterator[Hit]:
    last = _last(src)
    missing = [n for n in SLOTS if n not in last]
    if missing:
        anchor = last.get("ANTHROPIC_BASE_URL")
        yield Hit(
            anchor.line if anchor else 1,
            anchor.column if anchor else 1,
            "not set: " + ", ".join(missing),
        )


STATIC_RULES: tuple[Rule, ...] = (
    settings_token,
    script_token,
    base_v1,
    both_credentials,
    missing_slots,
)


# --- effective settings and doctor checks

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aigate_setup.clients.base import ClientState, ConfigFile
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions

# `doctor --with-clients`: `claude <ONE_SHOT>` with a stdin of /dev/null (DESIGN.md, facts),
# started after loading the aigate-claude script the way a user does.
ONE_SHOT: tuple[str, ...] = ("-p", "{prompt}")
ONE_SHOT_ENV: Mapping[str, str] = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "CLAUDE_CODE_MAX_RETRIES": "1",
}
SLOT_VARS = (
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
)
# A variable the block reads: `$NAME`, `${NAME}`, `${env:NAME}` (the key variable).
_VAR_REF = re.compile(r"\$\{?(?:env:)?([A-Za-z_][A-Za-z0-9_]*)")
_NOT_KEY_VARS = ("_aigate_key", "aigateKey", "null", "true", "false")
# The kept key file in the scripts: `[ -r '<path>' ]` / `Test-Path -LiteralPath '<path>'`.
_KEY_FILE = re.compile(r"(?:-r|-LiteralPath)\s+'((?:[^']|'\"'\"'|'')*)'")


@dataclass(frozen=True)
class _Script:
    """The managed block of one script and what it assigns (the last assignment wins)."""

    block: str | None
    first_line: int = 1  # the line of the begin marker
    values: dict[str, str] = field(default_factory=dict)
    literal: dict[str, bool] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


def _parse(f: ConfigFile, text: str) -> _Script | None:
    """A script's block and assignments; a settings file is only parsed (its errors count)."""
    from aigate_setup.merge import jsonc
    from aigate_setup.merge.block import BEGIN, extract_block
    from aigate_setup.rules import script_assignments

    if f.kind not in ("claude-sh", "claude-ps1"):
        if text.strip():
            jsonc.parse(text)
        return None
    block = extract_block(text)
    if block is None:
        return _Script(None)
    first = next((i for i, ln in enumerate(text.split("\n"), 1) if ln.strip() == BEGIN), 1)
    values: dict[str, str] = {}
    literal: dict[str, bool] = {}
    lines: dict[str, int] = {}
    for a in script_assignments(block, f.kind == "claude-ps1"):
        values[a.name], literal[a.name], lines[a.name] = a.value, a.literal, first + a.line
    return _Script(block, first, values, literal, lines)


def read_state(project_dir: Path) -> ClientState:
    """What the aigate-claude script sets: the project's script over the user's, the `.sh` one
    on POSIX and the `.ps1` one on Windows (the script a user loads)."""
    from aigate_setup.clients.base import ClientState, parse_layers

    files, parsed = parse_layers(config_paths(project_dir), _parse)
    preferred = "claude-ps1" if sys.platform == "win32" else "claude-sh"
    scripts = sorted(
        ((f, s) for f, s in parsed if s is not None), key=lambda p: p[0].kind == preferred
    )
    with_block = [(f, s) for f, s in scripts if s.block is not None]
    if not with_block:
        return ClientState(NAME, files, script=scripts[-1][0] if scripts else None)
    return _configured(ClientState(NAME, files), *with_block[-1])


def _configured(state: ClientState, f: ConfigFile, s: _Script) -> ClientState:
    from dataclasses import replace

    from aigate_setup.clients.base import KeyRef, Origin, Sourced

    def origin(name: str) -> Origin:
        return Origin(f.path, s.lines.get(name))

    base = s.values.get("ANTHROPIC_BASE_URL")
    computed = base is not None and not s.literal.get("ANTHROPIC_BASE_URL", True)
    token = s.values.get("ANTHROPIC_AUTH_TOKEN") or s.values.get("ANTHROPIC_API_KEY")
    literal = s.literal.get("ANTHROPIC_AUTH_TOKEN", s.literal.get("ANTHROPIC_API_KEY"))
    block = s.block or ""
    refs = [
        m.group(1)
        for m in _VAR_REF.finditer(block)
        if not m.group(1).startswith("ANTHROPIC_") and m.group(1) not in _NOT_KEY_VARS
    ]
    kept = _KEY_FILE.search(block)
    slots = {v: s.values[v] for v in SLOT_VARS if s.values.get(v)}
    return replace(
        state,
        configured=True,
        # Loading the script makes AIGate what Claude Code uses: the script is the default.
        aigate_default=True,
        provider=Origin(f.path, s.first_line),
        script=f,
        base_url=Sourced(base, origin("ANTHROPIC_BASE_URL"))
        if base is not None and not computed
        else None,
        base_url_computed=computed,
        key=KeyRef(
            var=refs[0] if refs else None,
            file=kept.group(1).replace("'\"'\"'", "'").replace("''", "'") if kept else None,
            literal=bool(token and literal),
            origin=origin("ANTHROPIC_AUTH_TOKEN"),
        ),
        model=slots.get("ANTHROPIC_MODEL"),
        models=tuple(dict.fromkeys(slots.values())),
        slots=slots,
    )


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    """claude.script, claude.base_url, claude.key, claude.sourced, claude.slots,
    claude.onboarding."""
    from aigate_setup.doctor import parts
    from aigate_setup.doctor.environment import onboarding_check

    title = "aigate-claude script"
    if not state.configured:
        script = state.script
        detail = (
            f"{paths.display(script.path)} has no aigate-setup block"
            if script is not None
            else "no aigate-claude script found"
        )
        return [
            parts.provider_missing(
                state,
                requested,
                part="script",
                title=title,
                detail=detail,
                broken=script is not None,
            )
        ]
    missing = parts.check(
        NAME,
        "key",
        "fail",
        "Key reference",
        f"no ANTHROPIC_AUTH_TOKEN in {state.where}",
        f"{parts.setup_hint(NAME)} (or {parts.FIX})",
    )
    how = f'export ANTHROPIC_AUTH_TOKEN="${opts.common.key_env}"'
    return [
        parts.check(NAME, "script", "pass", title, state.where),
        parts.base_url_check(state, want=opts.common.root_url, what="ANTHROPIC_BASE_URL"),
        parts.key_check(state, opts, binary=BINARY, how=how, missing=missing, check_file=False),
        _sourced_check(state, opts),
        _slots_check(state),
        onboarding_check(NAME),
    ]


def _sourced_check(state: ClientState, opts: DoctorOptions) -> Check:
    """claude.sourced: whether this shell has loaded the script (Claude Code reads its env)."""
    from aigate_setup.doctor import parts
    from aigate_setup.secrets import mask_key, mask_url

    title, root = "Script loaded in this shell", opts.common.root_url
    source = f". {state.where}"
    env_base = os.environ.get("ANTHROPIC_BASE_URL", "")
    if not env_base:
        detail = "ANTHROPIC_BASE_URL is not set: the script is not sourced in this shell"
        return parts.check(NAME, "sourced", "warn", title, detail, f"{source} && claude")
    if env_base.rstrip("/") != root.rstrip("/"):
        detail = (
            f"ANTHROPIC_BASE_URL is {mask_url(env_base)} in this shell, not the gateway root {root}"
        )
        return parts.check(NAME, "sourced", "warn", title, detail, f"{source} && claude")
    token = os.environ.get("ANTHROPIC_AUTH_TOKEN", "")
    key = (opts.common.key() or "").strip()
    if token and key and token != key:
        detail = (
            f"ANTHROPIC_AUTH_TOKEN ({mask_key(token)}) is not the key in ${opts.common.key_env}"
        )
        return parts.check(
            NAME, "sourced", "warn", title, detail, f"load the script again: {source}"
        )
    detail = f"ANTHROPIC_BASE_URL is the gateway root {root}"
    return parts.check(NAME, "sourced", "pass", title, detail)


def _slots_check(state: ClientState) -> Check:
    """claude.slots: ANTHROPIC_MODEL and the opus/sonnet/haiku slots are all set."""
    from aigate_setup.doctor import parts

    title, s = "Model slots", state.slots
    missing = [v for v in SLOT_VARS if v not in s]
    if missing:
        return parts.check(
            NAME,
            "slots",
            "warn",
            title,
            "not set: " + ", ".join(missing),
            "aigate-setup init --client claude (sets ANTHROPIC_MODEL and the "
            "opus/sonnet/haiku slots)",
        )
    detail = (
        f"model {s['ANTHROPIC_MODEL']}, opus {s['ANTHROPIC_DEFAULT_OPUS_MODEL']}, "
        f"sonnet {s['ANTHROPIC_DEFAULT_SONNET_MODEL']}, "
        f"haiku {s['ANTHROPIC_DEFAULT_HAIKU_MODEL']}"
    )
    return parts.check(NAME, "slots", "pass", title, detail)
