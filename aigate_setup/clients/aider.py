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
    from aigate_setup.clients.base import (
        ClientState,
        ConfigFile,
        Override,
        Resolution,
        Sourced,
        Value,
    )
    from aigate_setup.clients.extra import EnvVar
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

_ENV_REF = (  # compiled on first use (re's own cache)
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
        m = re.match(_ENV_REF, line)
        if m:
            return m.group(1), False
        if line.strip().startswith("OPENAI_API_KEY="):
            return None, bool(line.split("=", 1)[1].strip())
    return None, False


def _confs(project_dir: Path) -> tuple[tuple[ConfigFile, ...], list[dict[str, Sourced]]]:
    """Every conf layer (home, git root, current directory) and, for each parsed one, the
    keys it sets that aigate-setup reads (with their origin)."""
    from aigate_setup.clients.base import Origin, Sourced, parse_layers

    files, layers = parse_layers(config_paths(project_dir), _parse)
    if layers:  # ruamel.yaml loads only when there is a file to read (status stays fast)
        from aigate_setup.merge import yaml
    out: list[dict[str, Sourced]] = []
    for f, tree in layers:
        found: dict[str, Sourced] = {}
        if isinstance(tree, dict):
            for key in (*OWNED, *_KEY_KEYS):
                if key in tree and tree[key] is not None:
                    origin = Origin(f.path, yaml.line_of(tree, [key]))
                    found[key] = Sourced(str(yaml.plain(tree[key])), origin)
        out.append(found)
    return files, out


def read_state(project_dir: Path) -> ClientState:
    files, confs = _confs(project_dir)
    return _state(files, confs)


def _state(files: tuple[ConfigFile, ...], confs: list[dict[str, Sourced]]) -> ClientState:
    from aigate_setup.clients.base import ClientState, KeyRef

    found: dict[str, Sourced] = {}
    for conf in confs:
        found.update(conf)
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


# What Aider really uses (aider-chat 0.86.2, read in aider/main.py, aider/args.py and the
# bundled configargparse and litellm; docs/clients/aider.md "What wins"):
# - options: the command line > `AIDER_<OPTION>` variables > `.aider.conf.yml` of the current
#   directory > of the git root > of the home directory (configargparse, later files lose);
# - `.env` files, loaded with python-dotenv `override=True` (later wins, over exported
#   variables too) between two parses of the options, so they can set `AIDER_*` as well:
#   ~/.aider/oauth-keys.env, ~/.env, <git root>/.env, ./.env, then the `env-file` option;
# - `openai-api-base` is copied into OPENAI_API_BASE and `openai-api-key` into OPENAI_API_KEY,
#   but litellm's openai provider reads OPENAI_BASE_URL before OPENAI_API_BASE.
OPENAI_URL = "https://api.openai.com/v1"  # litellm's default for the openai provider
_VARS = ("AIDER_MODEL", "AIDER_OPENAI_API_BASE", "OPENAI_BASE_URL", "AIDER_OPENAI_API_KEY",
         "OPENAI_API_KEY")  # fmt: skip


def _routed(model: Sourced | str | None) -> bool:
    """An `openai/<provider>/<model>` id: litellm's openai provider with a gateway id."""
    from aigate_setup.clients import layers

    text = model.value if model is not None and not isinstance(model, str) else model or ""
    return text.startswith(LITELLM_PREFIX) and layers.gateway_model(text[len(LITELLM_PREFIX) :])


def _real(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def dotenv_files(project_dir: Path, env_file_option: str | None) -> list[Path]:
    """The existing `.env` files Aider loads, in order (`load_dotenv_files`,
    `generate_search_path_list` in aider/main.py): each path once, at its last place; the
    OAuth keys file first."""
    root = git_root(project_dir)
    listed = [paths.home() / ".env"]
    if root is not None:
        listed.append(root / ".env")
    listed.append(project_dir / ".env")
    if env_file_option:
        listed.append(project_dir / env_file_option)  # an absolute path stays as it is
    seen: set[str] = set()
    out: list[Path] = []
    for p in reversed(listed):
        real = _real(p) if os.path.isfile(p) else None  # only files that exist matter
        if real is not None and real not in seen:
            seen.add(real)
            out.insert(0, p)
    oauth = paths.home() / ".aider" / "oauth-keys.env"
    if os.path.exists(oauth) and _real(oauth) not in seen:
        out.insert(0, oauth)
    return out


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    """What the client will use when started in `project_dir` (status, doctor)."""
    from aigate_setup.clients import extra, layers
    from aigate_setup.clients.base import Value

    gateway = gateway or layers.gateway_url(env)
    files, confs = _confs(project_dir)
    st = _state(files, confs)
    res = extra.resolve_from_state(NAME, st, env, gateway)
    bases = [c["openai-api-base"].value for c in confs if "openai-api-base" in c]
    if not any(layers.same_gateway(b, gateway) for b in bases):
        return res  # nothing of aigate-setup's to override
    env_file = next((c["env-file"] for c in reversed(confs) if "env-file" in c), None)
    option = env.get("AIDER_ENV_FILE") or (env_file.value if env_file else None)
    if not option:
        root = git_root(project_dir)
        option = str(root / ".env") if root is not None else ".env"
    found = extra.environment(env, _VARS, dotenv_files(project_dir, option), override=True)
    model, out = _model(confs, st, res.model, found)
    base, more = _base(st, res.base_url, found, gateway)
    cred, keys = _key(confs, st, res.credential, found, env)
    out += more + keys + _env_file(project_dir, env, env_file, st, cred, found)
    if not layers.same_gateway(base.value, gateway):
        res = res._replace(provider=Value("openai", base.origin))
    if base.value is None:
        base = Value(OPENAI_URL)
    res = res._replace(model=model, base_url=base, credential=cred)
    return extra.judge(res, TITLE, gateway, out)


def _model(
    confs: list[dict[str, Sourced]], st: ClientState, model: Value, found: Mapping[str, EnvVar]
) -> tuple[Value, list[Override]]:
    """`AIDER_MODEL` > the `model` of the conf files (the current directory's first)."""
    from aigate_setup.clients import extra
    from aigate_setup.clients.base import Override, Value, Where

    out: list[Override] = []
    ours = next((c["model"].value for c in reversed(confs) if _routed(c.get("model"))), None)
    conf = st.default_model
    if conf is not None and ours is not None and not _routed(conf):
        out.append(Override(
            "model", Where(*conf.origin), conf.value,
            f"makes Aider ask for {conf.value}, which does not go to AIGate"
            f" (an AIGate model is `{LITELLM_PREFIX}<provider>/<model>`)",
            f"set model: {ours} there, or remove it",
        ))  # fmt: skip
    v = found.get("AIDER_MODEL")
    if v is None:
        return model, out
    if conf is None or v.value != conf.value:
        routed = _routed(v.value)
        effect = (
            f"makes {v.value} Aider's model"
            if routed
            else f"makes Aider ask for {v.value}, which does not go to AIGate"
        )
        fix = extra.unset_fix("AIDER_MODEL", v.origin)
        out.append(Override("AIDER_MODEL", v.origin, v.value, effect, fix, blocking=not routed))
    return Value(v.value, v.origin), out


def _base(
    st: ClientState, base: Value, found: Mapping[str, EnvVar], gateway: str
) -> tuple[Value, list[Override]]:
    """`openai-api-base` (`AIDER_OPENAI_API_BASE` wins), but OPENAI_BASE_URL before both."""
    from aigate_setup.clients import extra, layers
    from aigate_setup.clients.base import Override, Value, Where

    out: list[Override] = []
    if st.base_url is not None and not layers.same_gateway(st.base_url.value, gateway):
        shown = layers.shown_url(st.base_url.value)
        out.append(Override(
            "openai-api-base", Where(*st.base_url.origin), shown,
            f"sends Aider to {shown} instead of AIGate",
            f"set openai-api-base: {gateway} there, or remove it",
        ))  # fmt: skip
    for name, why in (
        ("AIDER_OPENAI_API_BASE", ""),
        ("OPENAI_BASE_URL", " (litellm reads it before the openai-api-base Aider sets)"),
    ):
        v = found.get(name)
        if v is None:
            continue
        base = Value(v.value, v.origin)
        if not layers.same_gateway(v.value, gateway):
            shown = layers.shown_url(v.value)
            effect = f"sends Aider to {shown} instead of AIGate{why}"
            out.append(Override(name, v.origin, shown, effect, extra.unset_fix(name, v.origin)))
    return base, out


_OTHER_KEY = "sends another credential in place of your AIGate key"


def _key(
    confs: list[dict[str, Sourced]],
    st: ClientState,
    cred: Value,
    found: Mapping[str, EnvVar],
    env: Mapping[str, str],
) -> tuple[Value, list[Override]]:
    """`AIDER_OPENAI_API_KEY` > `openai-api-key` > OPENAI_API_KEY (after the `.env` files)."""
    from aigate_setup.clients import extra, layers
    from aigate_setup.clients.base import Override, Value, Where

    our_key = env.get(st.key.var, "") if st.key.var else ""
    conf = next((c["openai-api-key"] for c in reversed(confs) if "openai-api-key" in c), None)
    v = found.get("AIDER_OPENAI_API_KEY")
    if v is not None:
        cred = extra.credential(v)
        if our_key and v.value == our_key:
            return cred, []
        fix = extra.unset_fix("AIDER_OPENAI_API_KEY", v.origin)
        return cred, [Override("AIDER_OPENAI_API_KEY", v.origin, cred.value or "", _OTHER_KEY, fix)]
    if conf is not None:
        cred = Value(layers.masked(conf.value), Where(*conf.origin))
        if our_key and conf.value == our_key:
            return cred, []
        fix = "remove openai-api-key there (the key comes from the env-file)"
        return cred, [Override("openai-api-key", cred.origin, cred.value or "", _OTHER_KEY, fix)]
    v = found.get("OPENAI_API_KEY")
    return (extra.credential(v) if v is not None else Value()), []


def _env_file(
    project_dir: Path,
    env: Mapping[str, str],
    ours: Sourced | None,
    st: ClientState,
    cred: Value,
    found: Mapping[str, EnvVar],
) -> list[Override]:
    """An exported AIDER_ENV_FILE replaces the conf's `env-file` (where the key reference is)."""
    from aigate_setup.clients import extra
    from aigate_setup.clients.base import Override, Where

    chosen = env.get("AIDER_ENV_FILE")
    if not chosen or (ours is not None and _real(project_dir / chosen) == _real(
            project_dir / ours.value)):  # fmt: skip
        return []
    var = st.key.var
    key = found.get("OPENAI_API_KEY")
    same = bool(var) and (
        cred.value == f"${var}"
        or (key is not None and cred.origin == key.origin and key.value == env.get(var or ""))
    )
    theirs = paths.display(Path(ours.value)) if ours is not None else "aigate-setup's"
    origin = Where(env="AIDER_ENV_FILE")
    return [Override(
        "AIDER_ENV_FILE", origin, chosen,
        f"makes Aider load {chosen} instead of {theirs}, where the key reference is",
        extra.unset_fix("AIDER_ENV_FILE", origin), blocking=not same,
    )]  # fmt: skip
