"""Claude Code in every terminal and IDE: `settings.json` and its key helper (with `--default`).

Claude Code applies the `env` block of `~/.claude/settings.json` (`$CLAUDE_CONFIG_DIR` when set;
project scope: `<dir>/.claude/settings.local.json`) over the environment it was started with,
and asks `apiKeyHelper` for the key, so neither a shell script nor a variable is needed; the
VS Code and JetBrains extensions read the same file.

Owned in settings: `apiKeyHelper` (the helper's path) and in `env`: ANTHROPIC_BASE_URL (the
gateway root, no /v1), ANTHROPIC_API_KEY = "" and ANTHROPIC_AUTH_TOKEN = "" (checked against
Claude Code 2.1.197: without the two empty entries an ANTHROPIC_API_KEY exported in the shell is
sent as x-api-key beside the helper's key, so a user's Anthropic key would reach the gateway),
ANTHROPIC_MODEL and the three slot variables. Every other key stays, in order, as it was.

The file must be strict JSON: Claude Code 2.1 ignores a settings.json holding a comment or a
trailing comma as a whole (checked: "Not logged in"), so such a file is refused with its
position instead of being edited.

The helper (owned whole, 0700): `~/.config/aigate/claude-key-helper.sh` (POSIX sh) prints the
key variable when set, else the kept key file, else fails with one line on stderr. On Windows
it is `claude-key-helper.cmd` (Claude Code runs `apiKeyHelper` through the system shell,
cmd.exe there; reasoned about, not run here).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aigate_setup import paths
from aigate_setup.clients.claude.quoting import sh_quote
from aigate_setup.errors import ConfigError, ParseError
from aigate_setup.options import gateway_root

if TYPE_CHECKING:
    from aigate_setup.plan import Selection

Models = list[tuple[str, str]]  # (variable, model id) in the order written

HELPER_SH = "claude-key-helper.sh"
HELPER_CMD = "claude-key-helper.cmd"
HELPER_MODE = 0o700
# The variables Claude Code takes its gateway from (rules.py, state.py and the writer use these).
CREDENTIALS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
SLOTS = (
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
)
OWNED_ENV = ("ANTHROPIC_BASE_URL", *CREDENTIALS, *SLOTS)
SETTINGS_FILES = ("settings.json", "settings.local.json")
_PLAIN = r"[A-Za-z0-9._/+:\\-]+"  # compiled on first use (re's own cache)
_STRICT_HINT = (
    "Claude Code reads settings.json as strict JSON and ignores the whole file otherwise: "
    "remove the comment or trailing comma"
)


def settings_dir() -> Path:
    custom = os.environ.get("CLAUDE_CONFIG_DIR", "")
    return Path(custom) if custom else paths.home() / ".claude"


def helper_path(platform: str | None = None) -> Path:
    name = HELPER_CMD if (platform or sys.platform) == "win32" else HELPER_SH
    return paths.aigate_config_dir() / name


def settings_path(scope: str, project_dir: Path) -> Path:
    if scope == "project":
        return project_dir / ".claude" / "settings.local.json"
    return settings_dir() / "settings.json"


def targets(sel: Selection) -> list[Path]:
    """settings.json and the helper, only when AIGate is made the default."""
    if not sel.make_default:
        return []
    return [settings_path(sel.scope, sel.project_dir), helper_path()]


def is_helper(path: Path) -> bool:
    return path.parent == paths.aigate_config_dir() and path.name in (HELPER_SH, HELPER_CMD)


def handles(path: Path) -> bool:
    """A settings.json (or settings.local.json) or the key helper: this module reads, writes
    and takes out its owned parts; the scripts are the writer's."""
    return path.name in SETTINGS_FILES or is_helper(path)


def file_mode(path: Path) -> int | None:
    """The helper must be executable by its owner (Claude Code runs it by its path)."""
    return HELPER_MODE if is_helper(path) else None


def helper_command(path: Path, platform: str | None = None) -> str:
    """The `apiKeyHelper` value: the helper's path, quoted for the shell that runs it."""
    text = str(path)
    if re.fullmatch(_PLAIN, text):
        return text
    if (platform or sys.platform) == "win32":
        return '"' + text + '"'
    return sh_quote(text)


def owned(sel: Selection, models: Models) -> dict[tuple[str, ...], Any]:
    """Every owned key path of settings.json and its value, in the order written; `models`
    are the writer's (ANTHROPIC_MODEL and the slots, already checked)."""
    values: dict[tuple[str, ...], Any] = {("apiKeyHelper",): helper_command(helper_path())}
    values[("env", "ANTHROPIC_BASE_URL")] = gateway_root(sel.base_url)
    for name in CREDENTIALS:
        values[("env", name)] = ""
    for name, value in models:
        values[("env", name)] = value
    return values


# --- settings.json ------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def settings_problem(path: Path, text: str) -> ConfigError | None:
    """Why an existing settings file cannot take our edits: not strict JSON, or the top level
    or `env` is not an object."""
    from aigate_setup.merge import jsonc

    if not text.strip():
        return None
    try:
        root = jsonc.parse(text)
    except ParseError as exc:
        return ConfigError.from_parse(exc, path, "fix the JSON syntax")
    try:
        json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        line, col = jsonc.line_col(text, exc.pos)
        return ConfigError(
            f"is not strict JSON ({exc.msg})", path=path, line=line, column=col, hint=_STRICT_HINT
        )
    except (ValueError, RecursionError) as exc:
        return ConfigError(f"is not strict JSON ({exc})", path=path, hint=_STRICT_HINT)
    for key_path, node in (([], root), (["env"], jsonc.find(root, ["env"]))):
        if node is not None and node.kind != "object":
            line, col = jsonc.line_col(text, node.start)
            return ConfigError(
                f"is {jsonc.KIND_NAMES[node.kind]}, expected an object",
                path=path,
                line=line,
                column=col,
                key_path=".".join(key_path) or "(top level)",
                hint="fix or remove this value, then run aigate-setup init again",
            )
    return None


def render_settings(sel: Selection, old_text: str | None, models: Models) -> str:
    """A new settings file, or the old one with every owned value set in place."""
    from aigate_setup.merge import jsonc

    values = owned(sel, models)
    if old_text is None or not old_text.strip():
        tree: dict[str, Any] = {}
        for key_path, value in values.items():
            node = tree
            for key in key_path[:-1]:
                node = node.setdefault(key, {})
            node[key_path[-1]] = value
        return (old_text or "") + jsonc.dumps(tree) + "\n"
    return jsonc.set_values(old_text, values)


# --- the key helper -----------------------------------------------------------------------------


def helper_context(sel: Selection, platform: str | None = None) -> dict[str, str]:
    """The helper template's values, quoted for its shell (sh, or cmd.exe on Windows)."""
    from aigate_setup import keyfile
    from aigate_setup.clients.common import check_env_name

    key_env = check_env_name(sel.key_env)
    message = (
        f"aigate-setup: no AIGate key for Claude Code: {key_env} is not set and there is no "
        f"kept key file; run aigate-setup init --save-key"
    )
    if (platform or sys.platform) == "win32":
        key_file = '"' + str(keyfile.path()) + '"'
        return {"key_env": key_env, "key_file": key_file, "missing_message": message}
    return {
        "key_env": key_env,
        "key_file": sh_quote(str(keyfile.path())),
        "missing_message": sh_quote(message),
    }


def helper_text(sel: Selection, platform: str | None = None) -> str:
    from aigate_setup import templates

    win = (platform or sys.platform) == "win32"
    name = "claude/key-helper.cmd.j2" if win else "claude/key-helper.sh.j2"
    return templates.render(name, **helper_context(sel, platform))


# --- plan hooks (called by the Claude writer for these two paths) ------------------------------


def parse_problem(path: Path, text: str) -> ConfigError | None:
    return None if is_helper(path) else settings_problem(path, text)


def render(sel: Selection, path: Path, old_text: str | None, models: Models) -> str:
    if is_helper(path):
        return helper_text(sel)
    return render_settings(sel, old_text, models)


# --- reading back and taking out -------------------------------------------------------------


def owned_values(path: Path, text: str) -> dict[str, object]:
    """The owned keys present in a settings file (dotted key -> value)."""
    from aigate_setup.merge import jsonc

    if is_helper(path) or not text.strip():
        return {}
    data = jsonc.loads(text)
    if not isinstance(data, dict):
        return {}
    out: dict[str, object] = {}
    if "apiKeyHelper" in data:
        out["apiKeyHelper"] = data["apiKeyHelper"]
    env = data.get("env")
    if isinstance(env, dict):
        out.update({f"env.{k}": env[k] for k in OWNED_ENV if k in env})
    return out


# The settings keys aigate-setup writes (dotted: `env.NAME`); the values they replaced are
# recorded in the state file and put back by `remove`.
OWNED_KEYS = ("apiKeyHelper", *(f"env.{name}" for name in OWNED_ENV))


def put_back(path: Path, text: str, values: Mapping[str, object]) -> str:
    """Set each owned key of `values` back (None: take it out) in a settings file."""
    from aigate_setup.merge import jsonc

    if is_helper(path):
        return text
    for key, value in values.items():
        if key not in OWNED_KEYS:
            continue
        where = key.split(".", 1)
        if value is None:
            text = jsonc.remove_value(text, where) if text.strip() else text
        else:
            text = jsonc.set_value(text, where, value)
    return text


def holds_ours(path: Path, text: str) -> bool:
    """The file is the key helper, or a settings file whose apiKeyHelper runs it: what marks
    aigate-setup's setup (a user's own ANTHROPIC_* entries do not)."""
    if is_helper(path):
        return True
    return is_our_helper(owned_values(path, text).get("apiKeyHelper"))


def is_our_helper(value: object) -> bool:
    """An `apiKeyHelper` value that runs aigate-setup's helper."""
    if not isinstance(value, str):
        return False
    return any(value.strip().strip("'\"").endswith(name) for name in (HELPER_SH, HELPER_CMD))


def unrender(path: Path, text: str) -> str | None:
    """The helper: None (owned whole). settings.json: without `apiKeyHelper` (when it is ours)
    and the owned `env` keys; `env` goes too when nothing else is left in it; None when the
    file would hold nothing but an empty object."""
    from aigate_setup.merge import jsonc

    if is_helper(path):
        return None
    if not text.strip():
        return text
    root = jsonc.parse(text)
    if root.kind != "object":
        return text
    if is_our_helper(root.value.get("apiKeyHelper")):
        text = jsonc.remove_value(text, ["apiKeyHelper"])
    env = jsonc.find(jsonc.parse(text), ["env"])
    if env is not None and env.kind == "object":
        had = bool(env.members)
        for name in OWNED_ENV:
            text = jsonc.remove_value(text, ["env", name])
        env = jsonc.find(jsonc.parse(text), ["env"])
        if had and env is not None and not env.members:
            text = jsonc.remove_value(text, ["env"])
    left = jsonc.parse(text)
    if left.kind == "object" and not left.members:
        return None  # strict JSON: no comment of the user's can be lost with it
    return text


# --- what Claude Code will use (doctor) ----------------------------------------------------------


class Setup(NamedTuple):
    """The settings files' combined `env` and `apiKeyHelper` (later files win, as in Claude
    Code: user, project, project-local), and where each owned value came from."""

    env: dict[str, str]
    origins: dict[str, tuple[Path, int]]  # "env.NAME" / "apiKeyHelper" -> (file, line)
    helper: str | None = None

    @property
    def ours(self) -> bool:
        """apiKeyHelper runs aigate-setup's helper."""
        return is_our_helper(self.helper)

    @property
    def configured(self) -> bool:
        """Settings alone make Claude Code use AIGate: a base URL and our helper."""
        return bool(self.env.get("ANTHROPIC_BASE_URL")) and self.ours

    def where(self, key: str) -> str:
        found = self.origins.get(key)
        return f"{paths.display(found[0])}:{found[1]}" if found else ""


def settings_files(project_dir: Path) -> list[Path]:
    return [
        settings_dir() / "settings.json",
        project_dir / ".claude" / "settings.json",
        project_dir / ".claude" / "settings.local.json",
    ]


def read_setup(project_dir: Path) -> Setup:
    """Every readable settings file, merged in Claude Code's order (unreadable ones skipped:
    `claude.config` reports them)."""
    from aigate_setup.clients.base import read_layers
    from aigate_setup.merge import jsonc

    env: dict[str, str] = {}
    origins: dict[str, tuple[Path, int]] = {}
    helper: str | None = None
    for f in read_layers([(p, "claude-settings") for p in settings_files(project_dir)]):
        if f.text is None or settings_problem(f.path, f.text) is not None or not f.text.strip():
            continue
        root = jsonc.parse(f.text)
        member = root.member("apiKeyHelper")
        if member is not None and isinstance(member.value.value, str):
            helper = member.value.value
            origins["apiKeyHelper"] = (f.path, jsonc.line_col(f.text, member.key_start)[0])
        block = root.member("env")
        if block is None or block.value.kind != "object":
            continue
        for m in block.value.members:
            if isinstance(m.value.value, str):
                env[m.key] = m.value.value
                origins[f"env.{m.key}"] = (f.path, jsonc.line_col(f.text, m.key_start)[0])
    return Setup(env, origins, helper)


def helper_file(value: str) -> Path:
    """The file an `apiKeyHelper` command of ours runs (its quotes taken off)."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].replace("'\"'\"'", "'")
    return Path(os.path.expanduser(text))


def helper_problem(value: str, key_env: str, environ: Mapping[str, str]) -> str | None:
    """Why our helper would not print a key here, or None. The helper is not run: its logic
    (the variable, else the kept key file) is checked instead."""
    from aigate_setup import keyfile

    path = helper_file(value)
    if not path.is_file():
        return f"the key helper {paths.display(path)} does not exist"
    if not os.access(path, os.X_OK):
        return f"the key helper {paths.display(path)} is not executable"
    if environ.get(key_env, "").strip():
        return None
    kept = keyfile.read()
    if kept.key is None:
        return f"${key_env} is not set and the key file {paths.display(kept.path)} {kept.problem}"
    return None
