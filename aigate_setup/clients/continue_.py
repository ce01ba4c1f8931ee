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
    from aigate_setup.clients.base import ClientState, ConfigFile, Resolution
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
    from aigate_setup.clients.base import ClientState, KeyRef, Origin, Sourced, parse_layers

    files, layers = parse_layers(config_paths(project_dir), _parse)
    state = ClientState(NAME, files)
    if not layers or not isinstance(layers[-1][1], dict):
        return state
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
        return state
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
    )


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    return extra.doctor_checks(
        state, opts, requested, binary=BINARY,
        how=f"apiKey: {secret_ref(opts.common.key_env)}", url_field="apiBase",
        entry="an aigate/ model",
    )  # fmt: skip


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    """What the client will use when started in `project_dir` (status, doctor)."""
    from aigate_setup.clients import extra

    return extra.resolve_from_state(NAME, read_state(project_dir), env, gateway)
