"""Continue CLI (`cn`, client name `continue`): `~/.continue/config.yaml`
(`$CONTINUE_GLOBAL_DIR/config.yaml` when set). The CLI reads no project config.yaml, so project
scope writes the user file too.

Owned: the entries of `models` whose `name` starts with `aigate/` (one per model: `name`,
`provider: openai`, `model`, `apiBase`, `apiKey: ${{ secrets.<KEY_ENV> }}`); `name` and
`version` (required by the CLI) on a new file. Unless --no-default, the main model's entry is
the first in `models` (the CLI starts with the first chat model); with --no-default new entries
go last. `cn` resolves `${{ secrets.NAME }}` from the environment first, so the key is never in
the file. The file is edited with ruamel.yaml's round-trip (comments, order and the user's own
`${{ ... }}` strings stay).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import lazy, paths
from aigate_setup.clients import common, extra
from aigate_setup.clients.base import Auth, FileKind, Route
from aigate_setup.errors import ConfigError, ParseError

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import ClientState, ConfigFile, Resolution, Where
    from aigate_setup.clients.continue_rules import READERS as READERS
    from aigate_setup.clients.continue_rules import STATIC_RULES as STATIC_RULES
    from aigate_setup.clients.continue_rules import file_kind as file_kind
    from aigate_setup.clients.continue_rules import guess_kind as guess_kind
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions
    from aigate_setup.plan import Selection

NAME = "continue"
TITLE = "Continue CLI"
BINARY = "cn"
INSTALL_HINT = "npm install -g @continuedev/cli@1.5.47"
PROBE_ROUTE: Route = "chat"
PROBE_AUTH: Auth = "bearer"
CATALOG_ENDPOINT = "openai"
ENDPOINT_MISSING = "no Chat Completions route (/v1/chat/completions), which Continue needs"
# `doctor --with-clients`: `cn -p "Say OK."`, telemetry off.
ONE_SHOT: tuple[str, ...] = ("-p", "{prompt}")
ONE_SHOT_ENV: Mapping[str, str] = {"CONTINUE_CLI_ENABLE_TELEMETRY": "0"}
TEMPLATE = "continue/config.yaml.j2"
PREFIX = common.PROVIDER_ID + "/"
KIND: FileKind = "continue-config"


def config_dir() -> Path:
    custom = os.environ.get("CONTINUE_GLOBAL_DIR", "")
    return Path(custom) if custom else paths.home() / ".continue"


def user_file() -> Path:
    return config_dir() / "config.yaml"


def target_paths(scope: str, project_dir: Path) -> list[Path]:
    return [user_file()]


def targets(sel: Selection) -> list[Path]:
    return target_paths(sel.scope, sel.project_dir)


def config_paths(project_dir: Path) -> list[tuple[Path, str]]:
    return [(user_file(), KIND)]


def secret_ref(key_env: str) -> str:
    return "${{ secrets." + common.check_env_name(key_env) + " }}"


def entries(sel: Selection, catalog: Catalog | None) -> list[dict[str, str]]:
    """Our `models` entries, main model first."""
    ref = secret_ref(sel.key_env)
    return [
        {"name": PREFIX + mid, "provider": "openai", "model": mid, "apiBase": sel.base_url,
         "apiKey": ref}
        for mid, _name in extra.model_names(sel, catalog)
    ]  # fmt: skip


def context(sel: Selection, catalog: Catalog | None) -> dict[str, Any]:
    from aigate_setup.merge import yaml

    return {"models": [{k: yaml.scalar(v) for k, v in e.items()} for e in entries(sel, catalog)]}


def _ours(item: object) -> bool:
    return isinstance(item, dict) and str(item.get("name", "")).startswith(PREFIX)


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    from aigate_setup.merge import yaml

    try:
        tree = yaml.load(text)
    except ParseError as exc:
        return ConfigError.from_parse(exc, path, "fix the YAML syntax")
    hint = "fix or remove this value, then run aigate-setup init again"
    if tree is not None and not isinstance(tree, dict):
        return ConfigError("the top level is not a mapping", path=path, line=1, hint=hint)
    models = tree.get("models") if isinstance(tree, dict) else None
    if models is not None and not isinstance(models, list):
        line = yaml.line_of(tree, ["models"])
        return ConfigError("is not a list", path=path, line=line, key_path="models", hint=hint)
    return None


def _apply(sel: Selection, catalog: Catalog | None, tree: Any) -> Any:
    from aigate_setup.merge import yaml

    if tree is None:
        tree = yaml.CommentedMap([("name", "AIGate"), ("version", "1.0.0"), ("schema", "v1")])
    models = tree.get("models")
    if models is None:
        models = tree["models"] = yaml.CommentedSeq()
    for i, entry in enumerate(entries(sel, catalog)):
        found = next((j for j, m in enumerate(models) if _ours(m) and m["name"] == entry["name"]),
                     None)  # fmt: skip
        if found is None:
            item = yaml.CommentedMap(entry)
            models.insert(0 if sel.make_default and i == 0 else len(models), item)
            continue
        for key, value in entry.items():
            if models[found].get(key) != value:
                models[found][key] = value
        if sel.make_default and i == 0 and _first_chat(models) != found:
            models.insert(0, models.pop(found))
    return tree


def _first_chat(models: list[Any]) -> int | None:
    for i, m in enumerate(models):
        roles = m.get("roles") if isinstance(m, dict) else None
        if isinstance(m, dict) and (roles is None or "chat" in (roles or [])):
            return i
    return None


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    from aigate_setup import templates
    from aigate_setup.merge import yaml

    if old_text is None or not old_text.strip():
        return templates.render(TEMPLATE, **context(sel, catalog))
    return yaml.edit(old_text, lambda tree: _apply(sel, catalog, tree))


# --- remove and owned values ------------------------------------------------------------------


def owned_values(path: Path, text: str) -> dict[str, object]:
    from aigate_setup.merge import yaml

    tree = yaml.load(text)
    models = tree.get("models") if isinstance(tree, dict) else None
    ours = [yaml.plain(m) for m in models or [] if _ours(m)]
    out: dict[str, object] = {f"models.{m['name']}": m for m in ours}
    first = next((yaml.plain(m) for m in models or [] if isinstance(m, dict)), None)
    if isinstance(first, dict) and "name" in first:
        out["models[0].name"] = first["name"]
    return out


def unrender(path: Path, text: str) -> str | None:
    """`text` without our `models` entries (and `models` when nothing else is left); None
    when only what a new file gets (`name`, `version`, `schema`) would remain."""
    from aigate_setup.merge import yaml

    def strip(tree: Any) -> None:
        models = tree.get("models") if isinstance(tree, dict) else None
        if not isinstance(models, list):
            return
        for i in reversed(range(len(models))):
            if _ours(models[i]):
                del models[i]
        if not models:
            del tree["models"]

    left = yaml.edit(text, strip)
    tree = yaml.plain(yaml.load(left))
    if isinstance(tree, dict) and tree == {"name": "AIGate", "version": "1.0.0", "schema": "v1"}:
        return None
    return left


# --- static rules (check): clients/continue_rules.py, loaded on first use ---------------------

__getattr__ = lazy.rules_getattr(__name__)


# --- effective settings and doctor checks -----------------------------------------------------


def _parse(f: ConfigFile, text: str) -> Any:
    from aigate_setup.merge import yaml

    return yaml.load(text)


def read_state(project_dir: Path) -> ClientState:
    """The AIGate entries of the one config file; the default is the first chat model."""
    return _read(user_file())[0]


def _read(path: Path) -> tuple[ClientState, list[Any]]:
    """The state of the config file `path`, and its `models` list."""
    from aigate_setup.clients.base import ClientState, KeyRef, Origin, Sourced, parse_layers

    files, layers = parse_layers([(path, KIND)], _parse)
    state = ClientState(NAME, files)
    if not layers or not isinstance(layers[-1][1], dict):
        return state, []
    from aigate_setup.merge import yaml  # only with a file to read (status stays fast)

    f, tree = layers[-1]
    models = tree.get("models")
    models = models if isinstance(models, list) else []
    first = _first_chat(models)
    default = None
    if first is not None:
        name = models[first].get("name") or models[first].get("model")
        origin = Origin(f.path, yaml.line_of(tree, ["models", first]))
        default = Sourced(str(name), origin) if name is not None else None
    ours = [i for i, m in enumerate(models) if _ours(m)]
    state = state._replace(default_model=default, aigate_default=bool(ours) and first == ours[0])
    if not ours:
        return state, models
    m = models[ours[0]]
    origin = Origin(f.path, yaml.line_of(tree, ["models", ours[0]]))
    key = str(m.get("apiKey") or "")
    var = key.split("secrets.", 1)[1].split("}", 1)[0].strip() if "secrets." in key else None
    url = m.get("apiBase")
    return state._replace(
        configured=True,
        provider=origin,
        base_url=Sourced(str(url), origin) if isinstance(url, str) else None,
        key=KeyRef(var=var, literal=bool(key) and "${{" not in key, origin=origin),
        model=str(m.get("model")) if m.get("model") is not None else None,
        models=tuple(str(models[i].get("model")) for i in ours),
    ), models


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    return extra.doctor_checks(
        state, opts, requested, binary=BINARY,
        how=f"apiKey: {secret_ref(opts.common.key_env)}", url_field="apiBase",
        entry="an aigate/ model",
    )  # fmt: skip


# What `cn` (@continuedev/cli 1.5.47) really uses (read in its src/ and dist/index.js,
# docs/clients/continue.md "What wins"): `--config`, else `<home>/config.yaml`, else the
# hub's default config (`determineConfigSource`, src/configLoader.ts); <home> is
# CONTINUE_GLOBAL_DIR, which src/env.ts may take from `<cwd>/.env` (`dotenv.config()`, only
# when unset), else ~/.continue. The model: the `/model` choice remembered in
# `<home>/index/globalContext.json` (`cliSelectedModel`) when it names a chat model of the
# config, else the first chat model (src/services/ModelService.ts). An `openai` model sends
# to its `apiBase` (default https://api.openai.com/v1), no variable changes it.


def continue_home(project_dir: Path, env: Mapping[str, str]) -> tuple[Path, Where]:
    """The directory `cn` reads, and where that was decided (the default: `Where()`)."""
    from aigate_setup.clients import extra
    from aigate_setup.clients.base import Where

    value, origin = env.get("CONTINUE_GLOBAL_DIR", ""), Where(env="CONTINUE_GLOBAL_DIR")
    if "CONTINUE_GLOBAL_DIR" not in env:
        dotenv = project_dir / ".env"
        for name, raw, line in extra.read_dotenv(dotenv):
            if name == "CONTINUE_GLOBAL_DIR":
                value, origin = raw, Where(dotenv, line)
    if not value:
        return paths.home() / ".continue", Where()
    return project_dir / value, origin  # an absolute value stays as it is


def _remembered(home: Path) -> tuple[str, Where] | None:
    """The model last picked with `/model` (`cliSelectedModel`), and where it is."""
    import json

    from aigate_setup.clients.base import Where

    path = home / "index" / "globalContext.json"
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            text = f.read(1 << 20).decode("utf-8", "replace")
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    name = data.get("cliSelectedModel") if isinstance(data, dict) else None
    if not isinstance(name, str) or not name:
        return None
    at = text.find('"cliSelectedModel"')
    return name, Where(path, text.count("\n", 0, at) + 1 if at >= 0 else None)


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    """What the client will use when started in `project_dir` (status, doctor)."""
    from aigate_setup.clients import extra, layers
    from aigate_setup.clients.base import Override, Value

    gateway = gateway or layers.gateway_url(env)
    home, origin = continue_home(project_dir, env)
    written = user_file()
    st, models = _read(home / "config.yaml")
    res = extra.resolve_from_state(NAME, st, env, gateway)
    out: list[Override] = []
    if origin.path is not None and os.path.realpath(home / "config.yaml") != os.path.realpath(
        written
    ):
        theirs = _read(written)[0]
        if not theirs.configured:
            return res
        blocking = not (st.configured and st.aigate_default)
        shown = paths.display(home / "config.yaml")
        out.append(Override(
            "CONTINUE_GLOBAL_DIR", origin, str(home),
            f"makes cn read {shown} instead of {paths.display(written)}",
            extra.unset_fix("CONTINUE_GLOBAL_DIR", origin), blocking=blocking,
        ))  # fmt: skip
        res = res._replace(configured=True, why="" if blocking else res.why)
    picked = _remembered(home) if st.configured else None
    chat = [m for m in models if isinstance(m, dict) and _chat(m)]
    m = next((m for m in chat if (m.get("name") or m.get("model")) == picked[0]), None) if (
        picked) else None  # fmt: skip
    if picked is not None and m is not None and chat and m is not chat[0]:
        name, where = picked
        routed = _ours(m) and layers.same_gateway(m.get("apiBase"), gateway)
        ours = str(chat[0].get("name") or chat[0].get("model"))
        effect = f"makes cn start with {name} (the model last picked with /model), not {ours}" + (
            "" if routed else ", which does not go to AIGate"
        )
        fix = f"pick {ours} with /model in cn (or remove cliSelectedModel from that file)"
        out.append(Override("cliSelectedModel", where, name, effect, fix, blocking=not routed))
        url = m.get("apiBase")
        res = res._replace(
            model=Value(name, where),
            base_url=Value(str(url)) if isinstance(url, str) else Value(OPENAI_URL),
        )
    return extra.judge(res, TITLE, gateway, out)


OPENAI_URL = "https://api.openai.com/v1"


def _chat(m: dict[str, Any]) -> bool:
    """A model `cn` can chat with: `roles` unset, or listing `chat`."""
    roles = m.get("roles", ())
    return "roles" not in m or (isinstance(roles, list) and "chat" in roles)
