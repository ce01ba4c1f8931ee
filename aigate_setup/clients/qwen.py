"""Qwen Code (`qwen`): `~/.qwen/settings.json` (`$QWEN_HOME/settings.json` when set) or, in
project scope, `<dir>/.qwen/settings.json`.

Owned: `modelProviders.aigate` (a list of `{id, name, envKey, baseUrl}`, one per model; the key
is only named by `envKey`), `providerProtocol.aigate = "openai"` and, unless --no-default,
`security.auth.selectedType = "openai"` (the protocol, not the provider id: "aigate" crashes
Qwen Code) and `model.name`; `"$version": 4` on a new file (without it Qwen Code rewrites the
file on its first start).

Qwen Code reads JSON with comments but a trailing comma is fatal (it renames the file
`settings.json.corrupted`), so such a file is refused and the writer never adds one. A project
file's `modelProviders` replaces the user's whole map (merge strategy REPLACE), so `read_state`
takes `modelProviders` from the last layer that sets it.
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
    from aigate_setup.clients.base import ClientState, ConfigFile, Override, Resolution, Where
    from aigate_setup.clients.qwen_rules import READERS as READERS
    from aigate_setup.clients.qwen_rules import STATIC_RULES as STATIC_RULES
    from aigate_setup.clients.qwen_rules import file_kind as file_kind
    from aigate_setup.clients.qwen_rules import guess_kind as guess_kind
    from aigate_setup.findings import Check
    from aigate_setup.merge import jsonc
    from aigate_setup.options import DoctorOptions
    from aigate_setup.plan import Selection

NAME = "qwen"
TITLE = "Qwen Code"
BINARY = "qwen"
INSTALL_HINT = "npm install -g @qwen-code/qwen-code@0.24.4"
PROBE_ROUTE: Route = "chat"
PROBE_AUTH: Auth = "bearer"
CATALOG_ENDPOINT = "openai"
ENDPOINT_MISSING = "no Chat Completions route (/v1/chat/completions), which Qwen Code needs"
# `doctor --with-clients`: `qwen -p "Say OK."`, with usage statistics off.
ONE_SHOT: tuple[str, ...] = ("-p", "{prompt}")
ONE_SHOT_ENV: Mapping[str, str] = {"QWEN_USAGE_STATISTICS_ENABLED": "false"}
TEMPLATE = "qwen/settings.json.j2"
PROVIDER = common.PROVIDER_ID
PROTOCOL = "openai"
SETTINGS_VERSION = 4
KIND: FileKind = "qwen-settings"

_ENTRIES = ("modelProviders", PROVIDER)
_PROTOCOL = ("providerProtocol", PROVIDER)
_AUTH = ("security", "auth", "selectedType")
_MODEL = ("model", "name")


def user_file() -> Path:
    custom = os.environ.get("QWEN_HOME", "")
    return (Path(custom) if custom else paths.home() / ".qwen") / "settings.json"


def project_file(project_dir: Path) -> Path:
    return project_dir / ".qwen" / "settings.json"


def target_paths(scope: str, project_dir: Path) -> list[Path]:
    return [project_file(project_dir) if scope == "project" else user_file()]


def targets(sel: Selection) -> list[Path]:
    return target_paths(sel.scope, sel.project_dir)


def config_paths(project_dir: Path) -> list[tuple[Path, str]]:
    """Load order (later wins): system defaults, the user file, the project file, the system
    override file."""
    return [
        (Path("/etc/qwen-code/system-defaults.json"), KIND),
        (user_file(), KIND),
        (project_file(project_dir), KIND),
        (Path("/etc/qwen-code/settings.json"), KIND),
    ]


# --- render -----------------------------------------------------------------------------------


def entries(sel: Selection, catalog: Catalog | None) -> list[dict[str, str]]:
    key_env = common.check_env_name(sel.key_env)
    return [
        {"id": mid, "name": f"{name} (AIGate)", "envKey": key_env, "baseUrl": sel.base_url}
        for mid, name in extra.model_names(sel, catalog)
    ]


def context(sel: Selection, catalog: Catalog | None) -> dict[str, Any]:
    return {
        "version": SETTINGS_VERSION,
        "provider": common.js(PROVIDER),
        "protocol": common.js(PROTOCOL),
        "models": [{k: common.js(v) for k, v in e.items()} for e in entries(sel, catalog)],
        "model": common.js(common.check_model_id("--model", sel.model))
        if sel.make_default
        else None,
    }


def trailing_comma(text: str) -> int | None:
    """The offset of the first trailing comma (`,` before `}` or `]`), outside strings and
    comments; None when there is none."""
    i, n, last = 0, len(text), -1
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif text.startswith("//", i):
            while i < n and text[i] not in "\r\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif ch in "}]" and last >= 0 and text[last] == ",":
            return last
        if not ch.isspace():
            last = i
        i += 1
    return None


_OBJECTS = (("modelProviders",), ("providerProtocol",), ("security",), ("security", "auth"),
            ("model",))  # fmt: skip


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    from aigate_setup.merge import jsonc

    problem = common.json_problem(path, text, sel, provider=False)
    if problem is not None or jsonc.is_blank(text):
        return problem
    comma = trailing_comma(text)
    if comma is not None:
        line, col = jsonc.line_col(text, comma)
        return ConfigError(
            "a trailing comma: Qwen Code cannot read this file (it renames it .corrupted)",
            path=path,
            line=line,
            column=col,
            hint="remove the comma, then run aigate-setup init again",
        )
    root = jsonc.parse(text)
    shapes = [(p, "object") for p in _OBJECTS] + [(_ENTRIES, "array")]
    for key_path, kind in shapes:
        node = jsonc.find(root, key_path)
        if node is not None and node.kind != kind:
            line, col = jsonc.line_col(text, node.start)
            return ConfigError(
                f"is {jsonc.KIND_NAMES.get(node.kind, node.kind)}, expected an {kind}",
                path=path,
                line=line,
                column=col,
                key_path=".".join(key_path),
                hint="fix or remove this value, then run aigate-setup init again",
            )
    return None


def _merged_entries(old: object, new: list[dict[str, str]]) -> list[Any]:
    """Our entries first (keeping a user's extra keys on them), then the other old ones."""
    old_list = old if isinstance(old, list) else []
    by_id = {e.get("id"): e for e in old_list if isinstance(e, dict)}
    out: list[Any] = [{**by_id.get(e["id"], {}), **e} for e in new]
    ids = {e["id"] for e in new}
    out += [e for e in old_list if not (isinstance(e, dict) and e.get("id") in ids)]
    return out


def edit(sel: Selection, catalog: Catalog | None, text: str) -> str:
    from aigate_setup.merge import jsonc

    node = jsonc.find(jsonc.parse(text), _ENTRIES)
    value = _merged_entries(node.value if node is not None else None, entries(sel, catalog))
    text = jsonc.set_value(text, _ENTRIES, value)
    text = jsonc.set_value(text, _PROTOCOL, PROTOCOL)
    if sel.make_default:
        text = jsonc.set_value(text, _AUTH, PROTOCOL)
        text = jsonc.set_value(text, _MODEL, common.check_model_id("--model", sel.model))
    return text


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    return common.render_json(
        old_text, TEMPLATE, context(sel, catalog), lambda t: edit(sel, catalog, t)
    )


# --- remove and owned values ------------------------------------------------------------------


def _our_ids(root: jsonc.Node | None) -> set[str]:
    from aigate_setup.merge import jsonc

    node = jsonc.find(root, _ENTRIES) if root is not None else None
    items = node.value if node is not None and isinstance(node.value, list) else []
    return {str(e["id"]) for e in items if isinstance(e, dict) and isinstance(e.get("id"), str)}


def owned_values(path: Path, text: str) -> dict[str, object]:
    """Dotted key -> value of every owned key present in `text`."""
    from aigate_setup.merge import jsonc

    if jsonc.is_blank(text):
        return {}
    root = jsonc.parse(text)
    out: dict[str, object] = {}
    for key_path in (_ENTRIES, _PROTOCOL, _AUTH, _MODEL):
        node = jsonc.find(root, key_path)
        if node is not None:
            out[".".join(key_path)] = node.value
    return out


def unrender(path: Path, text: str) -> str | None:
    """`text` without the owned keys (the default ones only while they point at AIGate); None
    when nothing but `$version` and emptied objects would remain."""
    from aigate_setup.merge import jsonc

    if jsonc.is_blank(text):
        return text
    root = jsonc.parse(text)
    model = jsonc.find(root, _MODEL)
    ours = model is not None and model.value in _our_ids(root)
    text = jsonc.remove_value(text, _ENTRIES)
    text = jsonc.remove_value(text, _PROTOCOL)
    if ours:
        text = jsonc.remove_value(text, _MODEL)
        auth = jsonc.find(jsonc.parse(text), _AUTH)
        if auth is not None and auth.value == PROTOCOL:
            text = jsonc.remove_value(text, _AUTH)
    for key_path in (("modelProviders",), ("providerProtocol",), ("model",), ("security", "auth"),
                     ("security",)):  # fmt: skip
        node = jsonc.find(jsonc.parse(text), key_path)
        if node is not None and node.kind == "object" and not node.members:
            text = jsonc.remove_value(text, key_path)
    left = jsonc.parse(text)
    if {m.key for m in left.members} <= {"$version"}:
        return None
    return text


# --- static rules (check): clients/qwen_rules.py, loaded on first use -------------------------

__getattr__ = lazy.rules_getattr(__name__)


# --- effective settings and doctor checks -----------------------------------------------------


def _parse(f: ConfigFile, text: str) -> jsonc.Node | None:
    from aigate_setup.merge import jsonc

    if jsonc.is_blank(text):
        return None
    comma = trailing_comma(text)
    if comma is not None:
        line, col = jsonc.line_col(text, comma)
        raise ParseError("a trailing comma (Qwen Code stops on it)", line, col)
    return jsonc.parse(text)


def read_state(project_dir: Path) -> ClientState:
    """Layers deep-merged in load order, except `modelProviders`: the last layer that sets it
    replaces the map (so a project file without `aigate` hides the user's entry)."""
    from aigate_setup.clients.base import parse_layers

    files, layers = parse_layers(config_paths(project_dir), _parse)
    return _state(files, layers)[0]


def _state(
    files: tuple[ConfigFile, ...], layers: list[tuple[ConfigFile, jsonc.Node | None]]
) -> tuple[ClientState, dict[str, Any]]:
    """The state, and the merged settings (`modelProviders` aside)."""
    from aigate_setup.clients.base import ClientState, KeyRef, Origin, Sourced
    from aigate_setup.merge import jsonc

    merged: dict[str, Any] = {}
    providers: tuple[ConfigFile, jsonc.Node] | None = None
    model: Sourced | None = None
    for f, root in layers:
        data = root.value if root is not None else None
        if not isinstance(data, dict) or root is None or f.text is None:
            continue
        merged = common.deep_merge(merged, data)  # type: ignore[assignment]
        if "modelProviders" in data:
            providers = (f, root)
        node = jsonc.find(root, _MODEL)
        if node is not None and isinstance(node.value, str):
            model = Sourced(node.value, Origin(f.path, jsonc.line_col(f.text, node.start)[0]))
    state = ClientState(NAME, files, default_model=model)
    if providers is None:
        return state, merged
    f, root = providers
    node = jsonc.find(root, _ENTRIES)
    items = [e for e in (node.value if node is not None else None) or [] if isinstance(e, dict)]
    ids = tuple(str(e.get("id")) for e in items if isinstance(e.get("id"), str))
    security = merged.get("security")
    auth = security.get("auth") if isinstance(security, dict) else None
    selected = auth.get("selectedType") if isinstance(auth, dict) else None
    aigate = model is not None and model.value in ids and selected == PROTOCOL
    state = state._replace(aigate_default=aigate, referenced=model is not None and not ids)
    if node is None or not items or f.text is None:
        if any(_ENTRIES[0] in (r.value or {}) for _, r in layers if r is not None):
            problem = (
                f"{paths.display(f.path)} sets modelProviders without aigate, which replaces"
                " the modelProviders of every other settings file"
            )
            return state._replace(problem=problem), merged
        return state, merged
    origin = Origin(f.path, jsonc.line_col(f.text, node.start)[0])
    chosen = next((e for e in items if model is not None and e.get("id") == model.value), items[0])
    url = chosen.get("baseUrl")
    key_var, literal = chosen.get("envKey"), chosen.get("apiKey")
    return state._replace(
        configured=True,
        provider=origin,
        base_url=Sourced(url, origin) if isinstance(url, str) else None,
        key=KeyRef(
            var=key_var if isinstance(key_var, str) else None,
            literal=isinstance(literal, str) and bool(literal) and not key_var,
            origin=origin,
        ),
        model=str(chosen.get("id")) if isinstance(chosen.get("id"), str) else None,
        models=ids,
    ), merged


def doctor_checks(state: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    return extra.doctor_checks(
        state, opts, requested, binary=BINARY,
        how=f'"envKey": "{opts.common.key_env}"', url_field="baseUrl",
        entry="modelProviders.aigate",
    )  # fmt: skip


# What Qwen Code 0.24.4 really uses (read in its bundle, docs/clients/qwen.md "What wins"):
# - settings: system defaults < user < project (`<cwd>/.qwen/settings.json`) < system
#   (`mergeSettings`), `modelProviders` replaced whole;
# - the model: `--model` > `model.name` > OPENAI_MODEL / QWEN_MODEL (only without model.name);
#   the `modelProviders` entry whose id is that model then gives the base URL and the key
#   variable, before OPENAI_BASE_URL / OPENAI_API_KEY (`resolveCliGenerationConfig`,
#   `resolveModelConfig`); the key falls back to OPENAI_API_KEY, then `security.auth.apiKey`,
#   when the entry's `envKey` variable is not set;
# - the auth type: `security.auth.selectedType`, else inferred from the environment;
# - variables: exported ones win; `.env` files (`findEnvFiles`: the first `.qwen/.env` or
#   `.env` from the start directory up to the home directory, then `~/.qwen/.env`, `~/.env`)
#   and the settings' `env` only fill what is unset (`loadEnvironment`).
OPENAI_URL = "https://api.openai.com/v1"


def dotenv_files(project_dir: Path, env: Mapping[str, str]) -> list[Path]:
    """The `.env` files Qwen Code reads, in order (the first one to set a variable wins)."""
    home = paths.home()
    custom = env.get("QWEN_HOME", "")
    qwen_dir = Path(custom) if custom else home / ".qwen"
    homes = [qwen_dir / ".env"]
    if custom and os.path.normpath(custom) != os.path.normpath(home / ".qwen"):
        homes.append(home / ".qwen" / ".env")
    homes.append(home / ".env")
    found: list[Path] = []
    d, stop = os.path.realpath(project_dir), str(home)
    if d != os.path.realpath(home):
        while d != stop:
            hit = next(
                (p for p in (os.path.join(d, ".qwen", ".env"), os.path.join(d, ".env"))
                 if os.path.isfile(p)), None,
            )  # fmt: skip
            if hit is not None:
                found.append(Path(hit))
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return found + [p for p in homes if os.path.isfile(p)]


def _values(
    layers: list[tuple[ConfigFile, jsonc.Node | None]], keys: tuple[str, ...]
) -> list[tuple[Any, Where]]:
    """Each layer's value at `keys`, with its origin, in load order."""
    from aigate_setup.clients.base import Where
    from aigate_setup.merge import jsonc

    out: list[tuple[Any, Where]] = []
    for f, root in layers:
        node = jsonc.find(root, keys) if root is not None and f.text is not None else None
        if node is not None and f.text is not None:
            out.append((node.value, Where(f.path, jsonc.line_col(f.text, node.start)[0])))
    return out


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    """What the client will use when started in `project_dir` (status, doctor)."""
    from aigate_setup.clients import extra, layers
    from aigate_setup.clients.base import Value, parse_layers

    gateway = gateway or layers.gateway_url(env)
    files, parsed = parse_layers(config_paths(project_dir), _parse)
    st, merged = _state(files, parsed)
    res = extra.resolve_from_state(NAME, st, env, gateway)
    entries = [
        e
        for value, _ in _values(parsed, _ENTRIES)
        for e in (value if isinstance(value, list) else [])
        if isinstance(e, dict) and isinstance(e.get("id"), str)
    ]
    if not any(layers.same_gateway(e.get("baseUrl"), gateway) for e in entries):
        return res  # nothing of aigate-setup's to override
    ours = {str(e["id"]) for e in entries}
    out = _settings_overrides(parsed, st, ours)
    if st.problem:
        res = res._replace(configured=True, why="")
    for o in out:
        if o.what == "security.auth.selectedType":  # another sign-in: its own endpoint
            res = res._replace(provider=Value(o.value, o.origin), base_url=Value())
    var = st.key.var or ""
    model = st.default_model
    if not ((st.configured and var and not env.get(var)) or (
            model is not None and model.value not in st.models)):  # fmt: skip
        return extra.judge(res, TITLE, gateway, out)  # no variable can change anything
    names = (var, "OPENAI_API_KEY", "OPENAI_BASE_URL")
    eff = extra.environment(env, names, dotenv_files(project_dir, env), override=False)
    settings_env = merged.get("env")
    for k in names:
        v = settings_env.get(k) if isinstance(settings_env, dict) else None
        if isinstance(v, str) and v and k not in eff:
            eff[k] = extra.EnvVar(v, v, _values(parsed, ("env", k))[-1][1])
    res, more = _env_overrides(res, st, merged, eff)
    return extra.judge(res, TITLE, gateway, out + more)


def _settings_overrides(
    parsed: list[tuple[ConfigFile, jsonc.Node | None]], st: ClientState, ours: set[str]
) -> list[Override]:
    """A later settings file that hides the aigate entries, picks another model or another
    sign-in."""
    from aigate_setup.clients.base import Override

    out: list[Override] = []
    if st.problem:
        where = _values(parsed, ("modelProviders",))[-1][1]
        out.append(Override(
            "modelProviders", where, "(without aigate)",
            "replaces the modelProviders of every other settings file, so Qwen Code does not"
            " see the aigate entries",
            "add the aigate entries there, or remove modelProviders from it",
        ))  # fmt: skip
    names = _values(parsed, _MODEL)
    mine = next((v for v, _ in reversed(names) if v in ours), None)
    if names and mine is not None and names[-1][0] not in ours:
        value, where = names[-1]
        out.append(Override(
            "model.name", where, str(value),
            f"makes Qwen Code use {value}, which is not one of the aigate models",
            f'set model.name to "{mine}" there, or remove it',
            edit_key=_MODEL, edit_value=mine,
        ))  # fmt: skip
    auth = _values(parsed, _AUTH)
    if auth and auth[-1][0] != PROTOCOL and any(v == PROTOCOL for v, _ in auth):
        value, where = auth[-1]
        out.append(Override(
            "security.auth.selectedType", where, str(value),
            f"makes Qwen Code sign in with {value} instead of the aigate provider",
            f'set it to "{PROTOCOL}" there, or remove it',
            edit_key=_AUTH, edit_value=PROTOCOL,
        ))  # fmt: skip
    return out


def _env_overrides(
    res: Resolution, st: ClientState, merged: dict[str, Any], eff: dict[str, extra.EnvVar]
) -> tuple[Resolution, list[Override]]:
    """The variables Qwen Code falls back on: OPENAI_API_KEY when the entry's `envKey` is not
    set; OPENAI_BASE_URL when the model is not one of the aigate entries."""
    from aigate_setup.clients.base import Override, Value

    out: list[Override] = []

    def get(name: str | None) -> extra.EnvVar | None:
        v = eff.get(name or "")
        return v if v is not None and v.value else None

    var = st.key.var
    if st.configured and var and get(var) is None:
        other = get("OPENAI_API_KEY")
        if other is not None:
            cred = extra.credential(other)
            res = res._replace(credential=cred)
            fix = f"export {var} (or {extra.unset_fix('OPENAI_API_KEY', other.origin)})"
            out.append(Override(
                "OPENAI_API_KEY", other.origin, cred.value or "",
                f"is sent in place of your AIGate key ({var} is not set)", fix,
            ))  # fmt: skip
    model = st.default_model
    if model is not None and model.value not in st.models:
        url = get("OPENAI_BASE_URL")
        security = merged.get("security")
        auth = security.get("auth") if isinstance(security, dict) else None
        own = auth.get("baseUrl") if isinstance(auth, dict) else None
        if url is not None:
            res = res._replace(base_url=Value(url.value, url.origin))
        elif isinstance(own, str):
            res = res._replace(base_url=Value(own))
        else:
            res = res._replace(base_url=Value(OPENAI_URL))
        res = res._replace(provider=Value(PROTOCOL, res.base_url.origin))
    return res, out
