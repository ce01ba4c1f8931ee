"""Aider (`aider`): `~/.aider.conf.yml` (project scope: `<dir>/.aider.conf.yml`) plus the env
file `~/.config/aigate/aider.env`.

Aider's YAML config has no variable expansion and reads the key only from `OPENAI_API_KEY` (or a
literal `openai-api-key`). So the config names an env file by its ABSOLUTE path (`env-file`; a
`~` path is not expanded: Aider loads nothing, sends no request and still exits 0), and that
file, owned whole, holds only `OPENAI_API_KEY=${AIGATE_API_KEY}`, which Aider's dotenv loader
expands from the environment when it starts.

Owned in the config (top-level keys, edited line by line, every other byte kept):
`openai-api-base`, `env-file`, `analytics-disable: true` (on a non-interactive first run Aider
otherwise answers its own analytics question with yes) and, unless --no-default,
`model: openai/<id>` (`openai/` is litellm's provider prefix; the gateway id follows).
Aider reads `~/.aider.conf.yml`, then the git root's, then the current directory's (later wins).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import lazy, paths
from aigate_setup.clients import common
from aigate_setup.clients.base import Auth, FileKind, Route
from aigate_setup.errors import ConfigError, ParseError

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.aider_rules import READERS as READERS
    from aigate_setup.clients.aider_rules import STATIC_RULES as STATIC_RULES
    from aigate_setup.clients.aider_rules import file_kind as file_kind
    from aigate_setup.clients.aider_rules import guess_kind as guess_kind
    from aigate_setup.clients.base import ClientState, ConfigFile, Resolution
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions
    from aigate_setup.plan import Selection

NAME = "aider"
TITLE = "Aider"
BINARY = "aider"
INSTALL_HINT = "pipx install aider-chat==0.86.2"
PROBE_ROUTE: Route = "chat"
PROBE_AUTH: Auth = "bearer"
CATALOG_ENDPOINT = "openai"
ENDPOINT_MISSING = "no Chat Completions route (/v1/chat/completions), which Aider needs"
LITELLM_PREFIX = "openai/"
# `doctor --with-clients`: one message, without git, analytics, update checks or release notes.
ONE_SHOT: tuple[str, ...] = ("--model", LITELLM_PREFIX + "{model}", "--message", "{prompt}")
ONE_SHOT_ENV: Mapping[str, str] = {
    "AIDER_ANALYTICS_DISABLE": "true",
    "AIDER_CHECK_UPDATE": "false",
    "AIDER_GIT": "false",
    "AIDER_SHOW_MODEL_WARNINGS": "false",
    "AIDER_SHOW_RELEASE_NOTES": "false",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # no fetch of litellm's price list from GitHub
}
# Shown by init: what aigate-setup cannot switch off without turning off Aider's git use.
FIRST_RUN_NOTE = (
    "note: Aider started without a terminal in a directory that is not a git repository runs"
    " `git init` there (it answers its own question with yes); start it once interactively,"
    " or pass --no-git"
)
CONF_NAME = ".aider.conf.yml"
CONF_TEMPLATE = "aider/aider.conf.yml.j2"
ENV_TEMPLATE = "aider/aider.env.j2"
KIND: FileKind = "aider-conf"
OWNED = ("model", "openai-api-base", "env-file", "analytics-disable")


def user_file() -> Path:
    return paths.home() / CONF_NAME


def env_file() -> Path:
    return paths.aigate_config_dir() / "aider.env"


def target_paths(scope: str, project_dir: Path) -> list[Path]:
    conf = project_dir / CONF_NAME if scope == "project" else user_file()
    return [conf, env_file()]


def targets(sel: Selection) -> list[Path]:
    return target_paths(sel.scope, sel.project_dir)


def git_root(start: Path) -> Path | None:
    for d in [start, *start.parents]:
        if common.exists(d / ".git"):
            return d
    return None


def config_paths(project_dir: Path) -> list[tuple[Path, str]]:
    """Load order (later wins): home, the git root, the current directory."""
    found = [user_file()]
    root = git_root(project_dir)
    if root is not None:
        found.append(root / CONF_NAME)
    found.append(project_dir / CONF_NAME)
    return [(p, KIND) for p in found]


def _is_env(path: Path) -> bool:
    return common.same_path(path, env_file())


# --- render -----------------------------------------------------------------------------------


def values(sel: Selection) -> dict[str, str | bool]:
    """The owned keys and their values, in the order a new file lists them."""
    out: dict[str, str | bool] = {}
    if sel.make_default:
        out["model"] = LITELLM_PREFIX + common.check_model_id("--model", sel.model)
    out["openai-api-base"] = sel.base_url
    out["env-file"] = str(env_file().absolute())
    out["analytics-disable"] = True
    return out


def env_line(key_env: str) -> str:
    return "OPENAI_API_KEY=${" + common.check_env_name(key_env) + "}"


def context(sel: Selection, catalog: Catalog | None) -> dict[str, Any]:
    from aigate_setup.merge import yaml

    return {
        "entries": [(k, yaml.scalar(v)) for k, v in values(sel).items()],
        "env_line": env_line(sel.key_env),
        "env_file": str(env_file()),
    }


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    from aigate_setup.merge import yaml

    if _is_env(path):
        return None
    try:
        tree = yaml.load(text)
    except ParseError as exc:
        return ConfigError.from_parse(exc, path, "fix the YAML syntax")
    if tree is not None and not isinstance(tree, dict):
        return ConfigError(
            "the top level is not a mapping", path=path, line=1,
            hint="Aider's config is `key: value` lines; fix it, then run aigate-setup init again",
        )  # fmt: skip
    return None


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    from aigate_setup import templates
    from aigate_setup.merge import yaml

    if _is_env(path):
        return templates.render(ENV_TEMPLATE, **context(sel, catalog))
    if old_text is None or not old_text.strip():
        return templates.render(CONF_TEMPLATE, **context(sel, catalog))
    text = old_text
    for key, value in values(sel).items():
        text = yaml.set_top(text, key, value)
    return text


# --- remove and owned values ------------------------------------------------------------------


def owned_values(path: Path, text: str) -> dict[str, object]:
    from aigate_setup.merge import yaml

    if _is_env(path):
        return {"OPENAI_API_KEY": text.strip()} if text.strip() else {}
    tree = yaml.load(text)
    if not isinstance(tree, dict):
        return {}
    return {k: yaml.plain(tree[k]) for k in OWNED if k in tree}


def unrender(path: Path, text: str) -> str | None:
    """The config without the owned keys (`model` only while it is an `openai/` one); None
    for the env file and for a config left with nothing but comments."""
    from aigate_setup.merge import yaml

    if _is_env(path):
        return None
    tree = yaml.load(text)
    if not isinstance(tree, dict):
        return text
    for key in OWNED:
        if key == "model" and not str(tree.get(key, "")).startswith(LITELLM_PREFIX):
            continue
        text = yaml.remove_top(text, key)
    return None if yaml.is_blank(text) else text


# Keys that hold a literal key (the check rule and read_state).
_KEY_KEYS = ("openai-api-key", "anthropic-api-key", "api-key")


# --- static rules (check): clients/aider_rules.py, loaded on first use ------------------------

__getattr__ = lazy.rules_getattr(__name__)


# --- effective settings and doctor checks -----------------------------------------------------

_ENV_REF = re.compile(
    r"^\s*(?:export\s+)?OPENAI_API_KEY\s*=\s*['\"]?\$\{?([A-Za-z_]\w*)\}?['\"]?\s*$"
)


def _parse(f: ConfigFile, text: str) -> Any:
    from aigate_setup.merge import yaml

    return yaml.load(text)


def _env_key(path: str) -> tuple[str | None, bool]:
    """(variable, literal) of OPENAI_API_KEY in an env file; (None, False) when unreadable."""
    if not os.path.isfile(path):  # never open a FIFO or a device a config names
        return None, False
    try:
        with open(path, "rb") as f:
            text = f.read(65536).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None, False
    for line in text.splitlines():
        m = _ENV_REF.match(line)
        if m:
            return m.group(1), False
        if line.strip().startswith("OPENAI_API_KEY="):
            return None, bool(line.split("=", 1)[1].strip())
    return None, False


def read_state(project_dir: Path) -> ClientState:
    from aigate_setup.clients.base import ClientState, KeyRef, Origin, Sourced, parse_layers

    files, layers = parse_layers(config_paths(project_dir), _parse)
    if layers:  # ruamel.yaml loads only when there is a file to read (status stays fast)
        from aigate_setup.merge import yaml
    found: dict[str, Sourced] = {}
    for f, tree in layers:
        if isinstance(tree, dict):
            for key in (*OWNED, *_KEY_KEYS):
                if key in tree and tree[key] is not None:
                    origin = Origin(f.path, yaml.line_of(tree, [key]))
                    found[key] = Sourced(str(yaml.plain(tree[key])), origin)
    model = found.get("model")
    base = found.get("openai-api-base")
    ours = model is not None and model.value.startswith(LITELLM_PREFIX)
    state = ClientState(NAME, files, default_model=model, aigate_default=ours and base is not None)
    if base is None:
        return state._replace(referenced=ours)
    env = found.get("env-file")
    var, literal = _env_key(env.value) if env is not None else (None, False)
    literal = literal or any(k in found for k in _KEY_KEYS)
    key_origin = env.origin if env is not None else None
    gateway_id = model.value[len(LITELLM_PREFIX) :] if model is not None and ours else None
    return state._replace(
        configured=True,
        provider=base.origin,
        base_url=base,
        key=KeyRef(var=var, literal=literal, origin=key_origin),
        model=gateway_id,
        models=(gateway_id,) if gateway_id else (),
    )


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    from aigate_setup.clients import extra

    how = f"env-file: {env_file()} holding {env_line(opts.common.key_env)}"
    return extra.doctor_checks(
        state, opts, requested, binary=BINARY, how=how, url_field="openai-api-base",
        entry="openai-api-base",
    )  # fmt: skip


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    """What the client will use when started in `project_dir` (status, doctor)."""
    from aigate_setup.clients import extra

    return extra.resolve_from_state(NAME, read_state(project_dir), env, gateway)
