"""Static rules for this client's files (`aigate-setup check`), and its file classifier."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup.clients.base import FileKind
from aigate_setup.clients.claude import NAME, PS1_NAME, SH_NAME, TITLE
from aigate_setup.clients.claude.settings import CREDENTIALS, SETTINGS_FILES, SLOTS
from aigate_setup.rules.kinds import SCRIPT_SUFFIXES, head, json_like
from aigate_setup.rules.positions import get, members, string
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.rules.urls import analyze, fix_hint, is_aigate_url, shown_url
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.rules.scripts import Assign
    from aigate_setup.rules.source import Source


SETTINGS_NAMES = SETTINGS_FILES
MODEL_VARS = (*SLOTS, "ANTHROPIC_SMALL_FAST_MODEL")
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
        '"ANTHROPIC_AUTH_TOKEN": "sk-EXAMPLE-NOT-A-KEY-1",\n    "ANTHROPIC_MODEL"',
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
    example=_SCRIPT.replace('"$AIGATE_API_KEY"', '"sk-EXAMPLE-NOT-A-KEY-1"'),
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
