"""OpenCode: `$XDG_CONFIG_HOME/opencode/opencode.json` (user) or `<dir>/opencode.json` (project);
an existing `opencode.jsonc` twin is edited instead (it is the one OpenCode reads last).

Owned: `provider.aigate` (npm, name, options.baseURL, options.apiKey = "{env:<KEY_ENV>}",
models{id: {name, limit}}) and, unless --no-default, the root `model = "aigate/<id>"`;
`$schema` on a new file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import lazy, paths
from aigate_setup.clients import common, json_owned
from aigate_setup.clients.base import Auth, Route
from aigate_setup.errors import ConfigError

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.opencode_rules import READERS as READERS
    from aigate_setup.clients.opencode_rules import STATIC_RULES as STATIC_RULES
    from aigate_setup.clients.opencode_rules import file_kind as file_kind
    from aigate_setup.clients.opencode_rules import guess_kind as guess_kind
    from aigate_setup.plan import Selection

NAME = "opencode"
TITLE = "OpenCode"
BINARY = "opencode"
INSTALL_HINT = "npm install -g opencode-ai@1.18.33"
# The smoke probe: the route this client really calls, with the auth header it sends.
PROBE_ROUTE: Route = "chat"
PROBE_AUTH: Auth = "bearer"
# The endpoint type a catalog entry must list for this client to use the model.
CATALOG_ENDPOINT = "openai"
ENDPOINT_MISSING = "no Chat Completions route (/v1/chat/completions), which OpenCode needs"
SCHEMA = "https://opencode.ai/config.json"
TEMPLATE = "opencode/opencode.json.j2"


# OpenCode's file names in a project or config directory, in load order (later wins).
_FILES = ("opencode.json", "opencode.jsonc")


def config_dir() -> Path:
    return paths.xdg_config_home() / "opencode"


def _pick(directory: Path) -> Path:
    return common.first_existing(
        [directory / "opencode.jsonc", directory / "opencode.json"], directory / "opencode.json"
    )


def target_paths(scope: str, project_dir: Path) -> list[Path]:
    return [_pick(project_dir if scope == "project" else config_dir())]


def targets(sel: Selection) -> list[Path]:
    return target_paths(sel.scope, sel.project_dir)


def config_paths(project_dir: Path) -> list[tuple[Path, str]]:
    """Load order (later wins): global config.json, opencode.json, opencode.jsonc; the
    OPENCODE_CONFIG file; the project's opencode.json(c); its `.opencode/`, then `~/.opencode/`;
    OPENCODE_CONFIG_DIR."""
    g = config_dir()
    found: list[Path] = [g / "config.json", g / "opencode.json", g / "opencode.jsonc"]
    custom = os.environ.get("OPENCODE_CONFIG", "")
    if custom:
        found.append(Path(custom))
    from aigate_setup.clients.layers import unique_paths

    found += [project_dir / n for n in _FILES]
    dirs = unique_paths([project_dir / ".opencode", paths.home() / ".opencode"])  # once in $HOME
    found += [d / n for d in dirs for n in _FILES]
    custom_dir = os.environ.get("OPENCODE_CONFIG_DIR", "")
    if custom_dir:
        found += [Path(custom_dir) / n for n in _FILES]
    return [(p, "opencode") for p in found]


def context(sel: Selection, catalog: Catalog | None) -> dict[str, Any]:
    ctx = common.provider_context(sel, catalog, user_file=sel.scope == "user")
    ctx["schema"] = common.js(SCHEMA)
    ctx["model"] = common.js(common.model_ref(sel.model)) if sel.make_default else None
    return ctx


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    return common.json_problem(path, text, sel, provider=True)


def edit(sel: Selection, catalog: Catalog | None, text: str) -> str:
    text = common.apply_provider(text, sel, catalog, user_file=sel.scope == "user")
    if sel.make_default:
        text = common.apply_model(text, sel)
    return text


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    return common.render_json(
        old_text, TEMPLATE, context(sel, catalog), lambda t: edit(sel, catalog, t)
    )


# --- static rules (check): clients/opencode_rules.py, loaded on first use ---------------------

__getattr__ = lazy.rules_getattr(__name__)


# --- effective settings and doctor checks

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aigate_setup.clients import resolve_jsonc
    from aigate_setup.clients.base import ClientState, Resolution
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions

# `doctor --with-clients`: `opencode <ONE_SHOT>` with a stdin of /dev/null.
ONE_SHOT: tuple[str, ...] = ("run", "-m", f"{common.PROVIDER_ID}/{{model}}", "{prompt}")
ONE_SHOT_ENV: Mapping[str, str] = {
    "OPENCODE_DISABLE_MODELS_FETCH": "1",
    "OPENCODE_DISABLE_AUTOUPDATE": "1",
}


def read_state(project_dir: Path) -> ClientState:
    """What OpenCode will use: its layers deep-merged in load order (`config_paths`)."""
    return common.read_json_state(NAME, config_paths(project_dir))


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    return common.json_doctor_checks(state, opts, requested, binary=BINARY)


# Managed settings an administrator puts there win over every other layer: their directory
# on Linux, macOS and Windows.
MANAGED_PLACES = (
    "/etc/opencode",
    "/Library/Application Support/opencode",
    "%ProgramData%\\opencode",
)
MANAGED_DIR = paths.managed_dir(*MANAGED_PLACES)


def _family() -> resolve_jsonc.Family:
    from aigate_setup.clients import resolve_jsonc

    return resolve_jsonc.Family(
        name=NAME,
        title=TITLE,
        default_agent="build",
        global_dir=config_dir(),
        global_files=("config.json", "opencode.json", "opencode.jsonc"),
        config_env="OPENCODE_CONFIG",
        content_env="OPENCODE_CONFIG_CONTENT",
        dir_env="OPENCODE_CONFIG_DIR",
        disable_project_env="OPENCODE_DISABLE_PROJECT_CONFIG",
        project_names=("opencode",),
        config_dirs=(".opencode",),
        dir_files=_FILES,
        home_dirs=(".opencode",),
        managed_dir=MANAGED_DIR,
        managed_files=_FILES,
        refuses_project_refs=False,
        setup_hint=f"aigate-setup init --client {NAME}",
    )


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    """What OpenCode will use when started in `project_dir` (see clients/resolve_jsonc.py)."""
    from aigate_setup.clients import resolve_jsonc

    return resolve_jsonc.resolve(_family(), project_dir, env, gateway)


# --- owned values and removal
# `provider.aigate`, a root `model` naming it, "aigate" in `enabled_providers` (json_owned.py).

DEFAULT_KEYS = json_owned.DEFAULT_KEYS
FALLBACK = "the model its other config files name, or else the one it picks itself"
owned_values = json_owned.owned_values
unrender = json_owned.unrender
put_back = json_owned.put_back
default_of = json_owned.default_of
is_ours = json_owned.is_ours
USE_AIGATE = json_owned.USE_AIGATE
