"""What Claude Code will really use (`resolve`): gateway URL, model and credential, with origins.

Claude Code takes its gateway from environment variables. Layers, later wins (Claude Code
2.1.197; docs/status.md says how each was checked):
1. the environment `claude` starts with (the aigate-claude script exports ANTHROPIC_* when it is
   loaded into the shell);
2. the `env` blocks (and `model`, `apiKeyHelper`) of `~/.claude/settings.json`
   (`$CLAUDE_CONFIG_DIR/settings.json`), then of the start directory's `.claude/settings.json`
   and `.claude/settings.local.json` (read only from the directory `claude` starts in), then of
   the managed settings (`managed-settings.json` and `managed-settings.d/*.json` in
   `/etc/claude-code` on Linux, `/Library/Application Support/ClaudeCode` on macOS,
   `C:\\Program Files\\ClaudeCode` on Windows). An `env` entry beats an exported variable.
The model: ANTHROPIC_MODEL, else the settings' `model`. The credential: ANTHROPIC_AUTH_TOKEN
(Bearer), else ANTHROPIC_API_KEY (x-api-key), else `apiKeyHelper`, else a claude.ai login.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

from aigate_setup import paths
from aigate_setup.clients import layers
from aigate_setup.clients.base import Override, Resolution, Value, Where
from aigate_setup.clients.claude import NAME, TITLE
from aigate_setup.options import gateway_root

ANTHROPIC_URL = "https://api.anthropic.com"
# The managed settings directory on Linux, macOS and Windows (Claude Code 2.1.197, its binary's
# strings); on Windows also registry policies, not read here.
MANAGED_PLACES = (
    "/etc/claude-code",
    "/Library/Application Support/ClaudeCode",
    "C:\\Program Files\\ClaudeCode",
)
MANAGED_DIR = paths.managed_dir(*MANAGED_PLACES)
VARS = ("ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY")
HELPER_NAME = "claude-key-helper"


def settings_files(project_dir: Path, env: Mapping[str, str]) -> list[Path]:
    custom = env.get("CLAUDE_CONFIG_DIR", "")
    user_dir = Path(custom) if custom else paths.home() / ".claude"
    found = [
        user_dir / "settings.json",
        project_dir / ".claude" / "settings.json",
        project_dir / ".claude" / "settings.local.json",
        MANAGED_DIR / "managed-settings.json",
    ]
    drop_in = MANAGED_DIR / "managed-settings.d"
    with contextlib.suppress(OSError):
        found += sorted(p for p in drop_in.iterdir() if p.suffix == ".json")
    return layers.unique_paths(found)


class _Env:
    """The variables and settings Claude Code ends up with, each with its origin (a plain
    class: status creates no dataclass, see clients/base.py)."""

    def __init__(self, values: dict[str, Value]) -> None:
        self.values = values
        self.model_setting = Value()
        self.helper = Value()
        self.problems: list[str] = []

    def get(self, name: str) -> Value:
        return self.values.get(name, Value())


def _settings(path: Path, text: str, out: _Env) -> None:
    from aigate_setup.errors import ParseError
    from aigate_setup.merge import jsonc

    if jsonc.is_blank(text):
        return
    try:
        root = jsonc.parse(text)
    except ParseError as exc:
        out.problems.append(f"{paths.display(path)}:{exc.line}: {exc.message}")
        return

    def at(*keys: str) -> Value | None:
        node = jsonc.find(root, keys)
        if node is None or not isinstance(node.value, str):
            return None
        return Value(node.value, Where(path, jsonc.line_col(text, node.start)[0]))

    for name in VARS:
        found = at("env", name)
        if found is not None:
            out.values[name] = found
    out.model_setting = at("model") or out.model_setting
    out.helper = at("apiKeyHelper") or out.helper


def read_env(project_dir: Path, env: Mapping[str, str]) -> _Env:
    out = _Env({n: Value(env[n], Where(env=n)) for n in VARS if n in env})
    for path in settings_files(project_dir, env):
        f = layers.read_one(path)
        if f is not None and f.text is not None:
            _settings(path, f.text, out)
        elif f is not None:
            out.problems.append(f"{paths.display(path)} cannot be read")
    return out


def _credential(e: _Env) -> Value:
    for name in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY"):
        v = e.get(name)
        if v.value:
            return Value(f"{name} {layers.masked(v.value)}", v.origin)
    if e.helper.value:
        return Value(f"apiKeyHelper {paths.display(e.helper.value)}", e.helper.origin)
    return Value("claude.ai login")


def _ours(e: _Env, gateway: str) -> bool:
    """aigate-setup's settings are there: our key helper, or the gateway in an env block."""
    base = e.get("ANTHROPIC_BASE_URL")
    in_settings = base.origin.path is not None and layers.same_gateway(base.value, gateway)
    return in_settings or HELPER_NAME in (e.helper.value or "")


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    from aigate_setup.clients.claude.state import read_state

    gateway = gateway or layers.gateway_url(env)
    e = read_env(project_dir, env)
    script = read_state(project_dir)
    base = e.get("ANTHROPIC_BASE_URL")
    if not base.value:
        base = Value(ANTHROPIC_URL)
    model = e.get("ANTHROPIC_MODEL")
    if not model.value:
        model = e.model_setting
    to_gateway = layers.same_gateway(base.value, gateway)
    provider = Value("aigate" if to_gateway else "anthropic", base.origin)
    res = Resolution(
        NAME,
        provider,
        model,
        base,
        _credential(e),
        configured=script.configured or _ours(e, gateway),
    )
    overrides = _overrides(e, base, model, gateway, script.where) if res.configured else []
    return _judge(res._replace(overrides=tuple(overrides)), e, gateway, script.where)


def _overrides(e: _Env, base: Value, model: Value, gateway: str, script: str) -> list[Override]:
    out: list[Override] = []
    root = gateway_root(gateway)
    load = f". {script} && claude" if script else "aigate-setup init --client claude"
    if base.origin.path is not None and not layers.same_gateway(base.value, gateway):
        out.append(
            Override(
                "env.ANTHROPIC_BASE_URL",
                base.origin,
                layers.shown_url(base.value),
                f"sends Claude Code to {layers.shown_url(base.value)} instead of AIGate",
                f"remove it there (or set it to {root})",
                edit_key=("env", "ANTHROPIC_BASE_URL"),
                edit_value=root,
            )
        )
    elif base.origin.env is not None and not layers.same_gateway(base.value, gateway):
        out.append(
            Override(
                "ANTHROPIC_BASE_URL",
                base.origin,
                layers.shown_url(base.value),
                f"sends Claude Code to {layers.shown_url(base.value)} instead of AIGate",
                f"unset ANTHROPIC_BASE_URL, then start it with: {load}",
            )
        )
    if model.value and not layers.gateway_model(model.value) and model.origin.path is not None:
        what = "env.ANTHROPIC_MODEL" if model.origin == e.get("ANTHROPIC_MODEL").origin else "model"
        out.append(
            Override(
                what,
                model.origin,
                model.value,
                f"makes Claude Code ask for {model.value}, an id AIGate does not route",
                "remove it there, or set a provider/model id from `aigate-setup models`",
            )
        )
    for name in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY"):
        v = e.get(name)
        if v.value and v.origin.path is not None:
            out.append(
                Override(
                    f"env.{name}",
                    v.origin,
                    layers.masked(v.value),
                    "sends another credential in place of your AIGate key",
                    f'remove it there (aigate-setup writes "{name}": "")',
                    edit_key=("env", name),
                    edit_value="",
                )
            )
    return out


def _judge(res: Resolution, e: _Env, gateway: str, script: str) -> Resolution:
    why = ""
    if not res.configured:
        why = f"no aigate-claude script and no AIGate settings (aigate-setup init --client {NAME})"
    elif res.blocking:
        why = res.blocking[0].sentence(TITLE)
    elif not layers.same_gateway(res.base_url.value, gateway):
        why = (
            f"the aigate-claude script is not loaded in this shell; start Claude Code with:"
            f" . {script} && claude"
            if script
            else f"ANTHROPIC_BASE_URL is not the gateway root {gateway_root(gateway)}"
        )
    if e.problems:
        why = (why + "; " if why else "") + e.problems[0]
    return res._replace(reaches_aigate=not why, why=why)
