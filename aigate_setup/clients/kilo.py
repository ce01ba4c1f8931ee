"""Kilo (CLI 7.x and the current VS Code extension, an OpenCode fork).

User file: `$XDG_CONFIG_HOME/kilo/kilo.jsonc` (an existing `kilo.json` is edited instead). It gets
the same `provider.aigate` as OpenCode, with `$schema` https://app.kilo.ai/config.json on a new
file, and in user scope the root `model` (unless --no-default). An existing `enabled_providers`
list gains "aigate" (Kilo drops every provider not on it).

Project scope: Kilo refuses `{env:...}` and `{file:...}` in project files (the file is skipped),
so the provider still goes to the user file and `<dir>/kilo.jsonc` (or an existing `kilo.json`)
gets only `model` (plus `$schema` when new). With --no-default there is nothing to put there.

The legacy Kilo Code extension (5.x and older) is configured in its settings UI:
`legacy_instructions` and `legacy_export` give the values and an importable settings file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import lazy, paths
from aigate_setup.clients import common, json_owned
from aigate_setup.clients.base import Auth, Route
from aigate_setup.errors import ConfigError

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.kilo_rules import READERS as READERS
    from aigate_setup.clients.kilo_rules import STATIC_RULES as STATIC_RULES
    from aigate_setup.clients.kilo_rules import file_kind as file_kind
    from aigate_setup.clients.kilo_rules import guess_kind as guess_kind
    from aigate_setup.plan import Selection

NAME = "kilo"
TITLE = "Kilo"
BINARY = "kilo"
INSTALL_HINT = "npm install -g @kilocode/cli@7.7.7"
# The smoke probe: the route this client really calls, with the auth header it sends.
PROBE_ROUTE: Route = "chat"
PROBE_AUTH: Auth = "bearer"
# The endpoint type a catalog entry must list for this client to use the model.
CATALOG_ENDPOINT = "openai"
ENDPOINT_MISSING = "no Chat Completions route (/v1/chat/completions), which Kilo needs"
SCHEMA = "https://app.kilo.ai/config.json"
USER_TEMPLATE = "kilo/kilo.jsonc.j2"
PROJECT_TEMPLATE = "kilo/kilo-project.jsonc.j2"
LEGACY_TEMPLATE = "kilo/legacy-instructions.txt.j2"
LEGACY_PROFILE = "aigate"
# Kilo's own load order inside one directory, and its config directories (in a project and in
# $HOME) in load order: `.kilo` wins over `.kilocode`; Kilo 7.7 reads no `.opencode`.
_DIR_FILES = ("kilo.jsonc", "kilo.json", "opencode.jsonc", "opencode.json")
_PROJECT_DIRS = (".kilocode", ".kilo")


def config_dir() -> Path:
    return paths.xdg_config_home() / "kilo"


def user_file() -> Path:
    d = config_dir()
    return common.first_existing([d / "kilo.jsonc", d / "kilo.json"], d / "kilo.jsonc")


def project_file(project_dir: Path) -> Path:
    return common.first_existing(
        [project_dir / "kilo.jsonc", project_dir / "kilo.json"], project_dir / "kilo.jsonc"
    )


def target_paths(scope: str, project_dir: Path) -> list[Path]:
    if scope == "project":
        return [user_file(), project_file(project_dir)]
    return [user_file()]


def targets(sel: Selection) -> list[Path]:
    found = target_paths(sel.scope, sel.project_dir)
    if sel.scope == "project" and not sel.make_default:
        # The project file would only hold `model`; leave it alone (create nothing).
        found = [p for p in found if not _is_project_file(p, sel.project_dir)]
    return found


def _is_project_file(path: Path, project_dir: Path) -> bool:
    return any(common.same_path(path, project_dir / n) for n in ("kilo.jsonc", "kilo.json"))


def config_paths(project_dir: Path) -> list[tuple[Path, str]]:
    """Load order (later wins): the global config.json, kilo.json, kilo.jsonc, opencode.json,
    opencode.jsonc; KILO_CONFIG; the project's kilo.json(c) and opencode.json(c); the files in
    its `.kilocode/` and `.kilo/`, then in `~/.kilocode/` and `~/.kilo/` (user files); and
    KILO_CONFIG_DIR. (Directories above the project: see resolve_jsonc, which `status` uses.)"""
    g = config_dir()
    found: list[tuple[Path, str]] = [
        (g / n, "kilo-user")
        for n in ("config.json", "kilo.json", "kilo.jsonc", "opencode.json", "opencode.jsonc")
    ]
    custom = os.environ.get("KILO_CONFIG", "")
    if custom:
        found.append((Path(custom), "kilo-user"))
    found += [
        (project_dir / n, "kilo-project")
        for n in ("kilo.json", "kilo.jsonc", "opencode.json", "opencode.jsonc")
    ]
    home = paths.home()
    if project_dir != home:  # started in $HOME, they are the user files below
        found += [(project_dir / d / n, "kilo-project") for d in _PROJECT_DIRS for n in _DIR_FILES]
    found += [(home / d / n, "kilo-user") for d in _PROJECT_DIRS for n in _DIR_FILES]
    custom_dir = os.environ.get("KILO_CONFIG_DIR", "")
    if custom_dir:
        found += [(Path(custom_dir) / n, "kilo-user") for n in _DIR_FILES]
    return found


def _is_user_target(sel: Selection, path: Path) -> bool:
    return not (sel.scope == "project" and _is_project_file(path, sel.project_dir))


def context(sel: Selection, catalog: Catalog | None, *, user_file: bool = True) -> dict[str, Any]:
    model = common.js(common.model_ref(sel.model))
    if not user_file:
        return {"schema": common.js(SCHEMA), "model": model}
    ctx = common.provider_context(sel, catalog, user_file=True)
    ctx["schema"] = common.js(SCHEMA)
    # In project scope the project file carries the model; the user's default stays as it was.
    ctx["model"] = model if sel.make_default and sel.scope == "user" else None
    return ctx


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    return common.json_problem(path, text, sel, provider=_is_user_target(sel, path))


def edit(sel: Selection, catalog: Catalog | None, text: str, *, user_file: bool) -> str:
    if user_file:
        text = common.apply_provider(text, sel, catalog, user_file=True)
        if sel.make_default and sel.scope == "user":
            text = common.apply_model(text, sel)
        return text
    return common.apply_model(text, sel) if sel.make_default else text


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    user = _is_user_target(sel, path)
    template = USER_TEMPLATE if user else PROJECT_TEMPLATE
    return common.render_json(
        old_text,
        template,
        context(sel, catalog, user_file=user),
        lambda t: edit(sel, catalog, t, user_file=user),
    )


# --- the legacy Kilo Code extension (5.x and older) -------------------------------------------


def legacy_export(sel: Selection) -> str:
    """A settings file the legacy extension imports: one "aigate" OpenAI Compatible profile.

    The API key is left empty on purpose (the key never goes into a file we write); the user
    pastes it into the profile after importing.
    """
    doc = {
        "providerProfiles": {
            "currentApiConfigName": LEGACY_PROFILE,
            "apiConfigs": {
                LEGACY_PROFILE: {
                    "id": LEGACY_PROFILE,
                    "apiProvider": "openai",
                    "openAiBaseUrl": sel.base_url,
                    "openAiModelId": common.check_model_id("--model", sel.model),
                    "openAiApiKey": "",
                }
            },
            "modeApiConfigs": {},
        },
        "globalSettings": {"currentApiConfigName": LEGACY_PROFILE},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# Where VS Code-family editors keep extensions; the legacy extension installs as
# `kilocode.kilo-code-5.x.y` (and older majors).
_EXTENSION_DIRS = (
    ".vscode",
    ".vscode-insiders",
    ".vscode-oss",
    ".vscode-server",
    ".cursor",
    ".windsurf",
)
_LEGACY_EXTENSION = r"^kilocode\.kilo-code-([0-9]+)\."  # compiled on first use


def legacy_extension_found() -> bool:
    """Is the legacy Kilo Code extension (5.x or older) installed in a VS Code-family editor?
    Only then are its paste-in settings worth printing."""
    for name in _EXTENSION_DIRS:
        folder = paths.home() / name / "extensions"
        try:
            entries = [e.name for e in folder.iterdir()] if folder.is_dir() else []
        except OSError:
            continue
        for entry in entries:
            match = re.match(_LEGACY_EXTENSION, entry)
            if match and int(match.group(1)) <= 5:
                return True
    return False


def legacy_instructions(sel: Selection, export_path: Path | None = None) -> str:
    """The values to paste into the legacy extension's settings (and where the export went)."""
    from aigate_setup import templates

    return templates.render(
        LEGACY_TEMPLATE,
        base_url=sel.base_url,
        key_env=sel.key_env,
        model=sel.model,
        export_path=str(export_path) if export_path is not None else None,
    )


# --- static rules (check): clients/kilo_rules.py, loaded on first use -------------------------

__getattr__ = lazy.rules_getattr(__name__)


# --- effective settings and doctor checks

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aigate_setup.clients import resolve_jsonc
    from aigate_setup.clients.base import ClientState, Resolution
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions

# `doctor --with-clients`: `kilo <ONE_SHOT>` with a stdin of /dev/null.
ONE_SHOT: tuple[str, ...] = ("run", "-m", f"{common.PROVIDER_ID}/{{model}}", "{prompt}")
ONE_SHOT_ENV: Mapping[str, str] = {
    "KILO_TELEMETRY_LEVEL": "off",
    "KILO_DISABLE_MODELS_FETCH": "1",
    "KILO_DISABLE_AUTOUPDATE": "1",
}


def read_state(project_dir: Path) -> ClientState:
    """What Kilo will use: its layers deep-merged in load order (`config_paths`), as OpenCode."""
    return common.read_json_state(NAME, config_paths(project_dir))


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    return common.json_doctor_checks(state, opts, requested, binary=BINARY)


# Managed settings an administrator puts there win over every other layer: their directory
# on Linux, macOS and Windows.
MANAGED_PLACES = ("/etc/kilo", "/Library/Application Support/kilo", "%ProgramData%\\kilo")
MANAGED_DIR = paths.managed_dir(*MANAGED_PLACES)


def _family() -> resolve_jsonc.Family:
    from aigate_setup.clients import resolve_jsonc

    return resolve_jsonc.Family(
        name=NAME,
        title=TITLE,
        default_agent="code",
        global_dir=config_dir(),
        global_files=("config.json", "kilo.json", "kilo.jsonc", "opencode.json", "opencode.jsonc"),
        config_env="KILO_CONFIG",
        content_env="KILO_CONFIG_CONTENT",
        dir_env="KILO_CONFIG_DIR",
        disable_project_env="KILO_DISABLE_PROJECT_CONFIG",
        project_names=("kilo", "opencode"),
        config_dirs=_PROJECT_DIRS,
        dir_files=_DIR_FILES,
        home_dirs=_PROJECT_DIRS,
        json_agent_wins_primary=True,
        reads_primary=True,
        managed_dir=MANAGED_DIR,
        managed_files=_DIR_FILES,
        refuses_project_refs=True,
        setup_hint=f"aigate-setup init --client {NAME}",
    )


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    """What Kilo will use when started in `project_dir` (see clients/resolve_jsonc.py)."""
    from aigate_setup.clients import resolve_jsonc

    return resolve_jsonc.resolve(_family(), project_dir, env, gateway)


# --- owned values and removal
# `provider.aigate` (user file), a root `model` naming it (user or project file), "aigate" in
# `enabled_providers` (json_owned.py).

DEFAULT_KEYS = json_owned.DEFAULT_KEYS
FALLBACK = "its built-in Kilo provider and default model"
owned_values = json_owned.owned_values
unrender = json_owned.unrender
put_back = json_owned.put_back
default_of = json_owned.default_of
is_ours = json_owned.is_ours
USE_AIGATE = json_owned.USE_AIGATE
