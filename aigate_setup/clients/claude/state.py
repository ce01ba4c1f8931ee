"""The settings this client will really use (`read_state`), its doctor checks and one-shot run."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from aigate_setup import paths
from aigate_setup.clients.claude import BINARY, NAME, PS1_NAME, SH_NAME, settings
from aigate_setup.clients.claude.settings import SLOTS
from aigate_setup.sanitize import one_line
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aigate_setup.clients.base import ClientState, ConfigFile
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions

# `doctor --with-clients`: `claude <ONE_SHOT>` with a stdin of /dev/null, started after loading the aigate-claude script the way a user does.
ONE_SHOT: tuple[str, ...] = ("-p", "{prompt}")
ONE_SHOT_ENV: Mapping[str, str] = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "CLAUDE_CODE_MAX_RETRIES": "1",
}
# A variable the block reads: `$NAME`, `${NAME}`, `${env:NAME}` (the key variable).
_VAR_REF = re.compile(r"\$\{?(?:env:)?([A-Za-z_][A-Za-z0-9_]*)")
_NOT_KEY_VARS = ("_aigate_key", "aigateKey", "null", "true", "false")
# The kept key file in the scripts: `[ -r '<path>' ]` / `Test-Path -LiteralPath '<path>'`.
_KEY_FILE = re.compile(r"(?:-r|-LiteralPath)\s+'((?:[^']|'\"'\"'|'')*)'")


def script_dir(scope: str, project_dir: Path) -> Path:
    return project_dir / ".aigate" if scope == "project" else paths.aigate_config_dir()


def config_paths(project_dir: Path) -> list[tuple[Path, str]]:
    """The scripts (user, then project), then Claude Code's own settings files, whose `env`
    is applied on top of the shell's environment (user, project, project-local)."""
    found: list[tuple[Path, str]] = []
    for scope in ("user", "project"):
        d = script_dir(scope, project_dir)
        found += [(d / SH_NAME, "claude-sh"), (d / PS1_NAME, "claude-ps1")]
    found += [
        (settings.settings_dir() / "settings.json", "claude-settings"),
        (project_dir / ".claude" / "settings.json", "claude-settings"),
        (project_dir / ".claude" / "settings.local.json", "claude-settings"),
    ]
    return found


class _Script(NamedTuple):
    """The managed block of one script and what it assigns (the last assignment wins)."""

    block: str | None
    first_line: int = 1  # the line of the begin marker
    values: Mapping[str, str] = MappingProxyType({})
    literal: Mapping[str, bool] = MappingProxyType({})
    lines: Mapping[str, int] = MappingProxyType({})


def _parse(f: ConfigFile, text: str) -> _Script | None:
    """A script's block (its assignments: `_assigned`, for the one script used); a settings
    file is only parsed (its errors count)."""
    from aigate_setup.merge import jsonc
    from aigate_setup.merge.block import BEGIN, extract_block

    if f.kind not in ("claude-sh", "claude-ps1"):
        if text.strip():
            jsonc.parse(text)
        return None
    block = extract_block(text)
    if block is None:
        return _Script(None)
    first = next((i for i, ln in enumerate(text.split("\n"), 1) if ln.strip() == BEGIN), 1)
    return _Script(block, first)


def _assigned(f: ConfigFile, s: _Script) -> _Script:
    """`s` with what its block assigns."""
    from aigate_setup.rules.scripts import script_assignments

    values: dict[str, str] = {}
    literal: dict[str, bool] = {}
    lines: dict[str, int] = {}
    for a in script_assignments(s.block or "", f.kind == "claude-ps1"):
        values[a.name], literal[a.name], lines[a.name] = a.value, a.literal, s.first_line + a.line
    return s._replace(values=values, literal=literal, lines=lines)


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
        state = ClientState(NAME, files, script=scripts[-1][0] if scripts else None)
    else:
        f, script = with_block[-1]  # the script a user loads (only its assignments are read)
        state = _configured(ClientState(NAME, files), f, _assigned(f, script))
    return _with_settings(state, settings.read_setup(project_dir))


def _with_settings(state: ClientState, setup: settings.Setup) -> ClientState:
    """settings.json's `env` is applied over the environment the script set: its base URL and
    model variables win; with our apiKeyHelper it configures Claude Code on its own."""
    from aigate_setup.clients.base import Origin, Sourced

    if not setup.configured or state.configured:
        # With a script block, the checks read the script (settings.json adds claude.settings).
        return state

    def origin(key: str) -> Origin:
        found = setup.origins.get(key)
        return Origin(found[0], found[1]) if found else Origin(Path("settings.json"))

    slots = {**state.slots, **{v: setup.env[v] for v in SLOTS if setup.env.get(v)}}
    return state._replace(
        configured=True,
        aigate_default=True,
        provider=state.provider or origin("apiKeyHelper"),
        base_url=Sourced(setup.env["ANTHROPIC_BASE_URL"], origin("env.ANTHROPIC_BASE_URL")),
        base_url_computed=False,
        model=slots.get("ANTHROPIC_MODEL"),
        models=tuple(dict.fromkeys(slots.values())),
        slots=slots,
    )


def _configured(state: ClientState, f: ConfigFile, s: _Script) -> ClientState:
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
    slots = {v: s.values[v] for v in SLOTS if s.values.get(v)}
    return state._replace(
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

    setup = settings.read_setup(opts.project_dir)
    if setup.configured and not _script_block(state):
        return _settings_checks(state, setup, opts)  # settings.json alone: no script block
    extra = [_settings_check(setup)] if setup.configured else []
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
        _sourced_check(state, opts, setup),
        _slots_check(state),
        onboarding_check(NAME),
        *extra,
    ]


def _sourced_check(state: ClientState, opts: DoctorOptions, setup: settings.Setup) -> Check:
    """claude.sourced: whether this shell has loaded the script (Claude Code reads its env).
    Not needed when settings.json sets the gateway: its `env` beats exported variables."""
    from aigate_setup.doctor import parts
    from aigate_setup.secrets import mask_url

    title, root = "Script loaded in this shell", opts.common.root_url
    if setup.configured:
        where = setup.where("env.ANTHROPIC_BASE_URL")
        detail = f"not needed: {where} sets the gateway for every terminal and IDE"
        return parts.check(NAME, "sourced", "pass", title, detail)
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
    missing = [v for v in SLOTS if v not in s]
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


def onboarding_check(client: str) -> Check:
    """<client>.onboarding for Claude Code: without `hasCompletedOnboarding` in ~/.claude.json
    the first interactive start blocks on its onboarding screens."""
    from aigate_setup.findings import Check

    cid = f"{client}.onboarding"
    path = paths.claude_json()
    shown = paths.display(path)
    title = "Claude onboarding flag"
    hint = (
        f'set "hasCompletedOnboarding": true in {shown} '
        "(or finish one interactive start of `claude`)"
    )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        detail = f"{shown} does not exist: the first interactive start will block on onboarding"
        return Check(cid, "warn", title, detail, hint, client)
    except (OSError, ValueError) as exc:
        detail = f"{shown} cannot be read: {one_line(str(exc), 100)}"
        return Check(cid, "warn", title, detail, hint, client)
    if isinstance(data, dict) and data.get("hasCompletedOnboarding") is True:
        detail = f"hasCompletedOnboarding is true in {shown}"
        return Check(cid, "pass", title, detail, "", client)
    detail = (
        f"hasCompletedOnboarding is not set in {shown}: the first interactive "
        "start will block on onboarding"
    )
    return Check(cid, "warn", title, detail, hint, client)


def _settings_checks(state: ClientState, setup: settings.Setup, opts: DoctorOptions) -> list[Check]:
    """settings.json configures Claude Code for every start (terminals and IDEs): the script
    and loading it are optional then; the key comes from the helper."""
    from aigate_setup.doctor import parts

    where = setup.where("apiKeyHelper")
    if _script_block(state):
        script_check = parts.check(NAME, "script", "pass", "aigate-claude script", state.where)
    else:
        detail = f"not needed: {where} configures Claude Code"
        script_check = parts.check(NAME, "script", "skip", "aigate-claude script", detail)
    return [
        script_check,
        _settings_check(setup),
        parts.base_url_check(state, want=opts.common.root_url, what="ANTHROPIC_BASE_URL"),
        _helper_check(setup, opts),
        parts.check(
            NAME,
            "sourced",
            "pass",
            "Script loaded in this shell",
            f"not needed: {setup.where('env.ANTHROPIC_BASE_URL')} sets ANTHROPIC_BASE_URL for "
            "every start",
        ),
        _slots_check(state),
        onboarding_check(NAME),
    ]


def _script_block(state: ClientState) -> bool:
    """The script a user loads has the managed block."""
    from aigate_setup.errors import ParseError
    from aigate_setup.merge.block import extract_block

    script = state.script
    try:
        return bool(script and script.text and extract_block(script.text) is not None)
    except ParseError:
        return False


def _settings_check(setup: settings.Setup) -> Check:
    """claude.settings: the owned keys are there; the two credentials are emptied."""
    from aigate_setup.doctor import parts

    title = "settings.json (every terminal and IDE)"
    loose = [n for n in settings.CREDENTIALS if setup.env.get(n, None) != ""]
    if loose:
        detail = (
            f"env does not empty {', '.join(loose)}: a credential exported in the shell "
            "would be sent beside the helper's key"
        )
        hint = f'set "{loose[0]}": "" in env ({parts.setup_hint(NAME)})'
        return parts.check(NAME, "settings", "warn", title, detail, hint)
    return parts.check(
        NAME, "settings", "pass", title, f"apiKeyHelper {setup.where('apiKeyHelper')}"
    )


def _helper_check(setup: settings.Setup, opts: DoctorOptions) -> Check:
    """claude.key: whether the helper finds a key here (the variable, else the key file)."""
    from aigate_setup.doctor import parts

    problem = settings.helper_problem(setup.helper or "", opts.common.key_env, os.environ)
    if problem is not None:
        hint = f"export {opts.common.key_env}=sk-..., or aigate-setup init --save-key"
        return parts.check(NAME, "key", "fail", "Key reference", problem, hint)
    detail = f"apiKeyHelper {paths.display(settings.helper_file(setup.helper or ''))}"
    return parts.check(NAME, "key", "pass", "Key reference", detail)
