"""What the OpenCode-family clients (OpenCode, Kilo) share, plus small helpers for every client.

OpenCode and Kilo read the same `provider.<id>` shape from JSON/JSONC files; only their file
locations and `$schema` differ. The values aigate-setup owns are applied to an existing file
with `merge.jsonc.set_value` (so every other byte stays), and a brand-new file is rendered from
a template that holds exactly the same values (so a second run changes nothing).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aigate_setup.errors import ConfigError, ParseError, UsageError

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.plan import Selection

PROVIDER_ID = "aigate"
PROVIDER_NAME = "AIGate"
NPM_PACKAGE = "@ai-sdk/openai-compatible"


def exists(path: os.PathLike[str] | str) -> bool:
    """`os.path.exists` that also accepts a PureWindowsPath in tests (False, never an error)."""
    try:
        return os.path.exists(path)
    except (OSError, ValueError):
        return False


def first_existing(candidates: Sequence[Path], default: Path | None = None) -> Path:
    """The first candidate that exists, else `default` (or the first candidate)."""
    for path in candidates:
        if exists(path):
            return path
    return default if default is not None else candidates[0]


def same_path(a: Path, b: Path) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def check_env_name(name: str) -> str:
    """The key variable is spliced into shell code and `{env:...}`: only a plain identifier,
    and not a well-known variable that holds something else (PATH, HOME...). The writers ask
    again what the command line already checked: a Selection can be built without it."""
    from aigate_setup.options import check_key_env

    return check_key_env(name)


def check_model_id(what: str, value: str) -> str:
    """A model id about to be written: refused (UsageError) unless `model_ids` accepts it.

    The selection is checked before planning; this keeps every writer safe on its own, so no
    id with `{file:...}` can reach a config that OpenCode or Kilo would expand."""
    from aigate_setup import model_ids

    reason = model_ids.check_model_id(value)
    if reason is not None:
        raise UsageError(
            f"{what} {model_ids.shown(value)} is not a usable model id: it {reason}",
            "copy the exact id from `aigate-setup models --kind chat`",
        )
    return value


def unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


class ModelEntry(NamedTuple):
    """One `provider.aigate.models` entry: what the catalog knows about a model."""

    id: str
    name: str | None  # the catalog's display name; None when it has none
    context: int | None
    output: int | None

    @property
    def has_limit(self) -> bool:
        return self.context is not None and self.output is not None


# The largest integer a JSON reader in JavaScript (OpenCode, Kilo) holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1


def _limit(value: int | None) -> int | None:
    return value if value is not None and 0 < value <= MAX_SAFE_INTEGER else None


def model_entries(sel: Selection, catalog: Catalog | None) -> list[ModelEntry]:
    """The main model then the extra models (no duplicates), with what the catalog knows.

    Every id is checked (a refused id raises UsageError); catalog display names are cleaned of
    braces and control characters, or dropped."""
    from aigate_setup.model_ids import clean_display_name

    entries: list[ModelEntry] = []
    for model_id in unique([sel.model, *sel.extra_models]):
        check_model_id("model id", model_id)
        m = catalog.get(model_id) if catalog is not None else None
        entries.append(
            ModelEntry(
                id=model_id,
                name=clean_display_name(m.name) if m is not None and m.name else None,
                context=_limit(m.context_length) if m is not None else None,
                output=_limit(m.max_output_tokens) if m is not None else None,
            )
        )
    return entries


def api_key_ref(key_env: str, key_file: Path | None = None) -> str:
    """How OpenCode and Kilo read the key: from the environment when the config loads, or,
    when the key is kept, `{file:~/.config/aigate/key}`. Both clients (OpenCode 1.18.33, Kilo
    7.7.7) read that with no variable set (started from a desktop launcher or an IDE) and trim
    its newline; a missing file makes the whole config invalid, so it is used only when the
    key file is kept, and only in user files (Kilo refuses it in project files)."""
    name = check_env_name(key_env)
    if key_file is None:
        return "{env:" + name + "}"
    from aigate_setup import paths

    shown = paths.display(key_file)
    if any(ch in shown for ch in "{}"):
        return "{env:" + name + "}"
    return "{file:" + shown + "}"


def key_ref_for(sel: Selection, *, user_file: bool) -> str:
    """The apiKey of the provider in a user file (`{file:}` when the key is kept) or in a
    project file (always `{env:}`: it is shared, and Kilo refuses `{file:}` there)."""
    return api_key_ref(sel.key_env, sel.key_file if user_file else None)


def model_ref(model_id: str) -> str:
    """A root `model` value: the provider id, then the model id (split on the first `/`)."""
    return f"{PROVIDER_ID}/{check_model_id('model id', model_id)}"


# --- static rules (check): the clients' own root keys -----------------------------------------


def root_keys(client: str) -> frozenset[str]:
    """The root keys the pinned client's config schema has (data/<client>-root-keys.json,
    generated from the installed binary by scripts/gen_known_keys.py)."""
    path = Path(__file__).with_name("data") / f"{client}-root-keys.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(str(k) for k in data["keys"])


# --- templates context -----------------------------------------------------------------------


def js(value: Any) -> str:
    """A JSON literal for a template (templates only place values; quoting happens here)."""
    return json.dumps(value, ensure_ascii=False)


def provider_context(
    sel: Selection, catalog: Catalog | None, *, user_file: bool = False
) -> dict[str, Any]:
    """The template context of the `provider.aigate` object (values already JSON-encoded)."""
    return {
        "provider_id": js(PROVIDER_ID),
        "npm": js(NPM_PACKAGE),
        "provider_name": js(PROVIDER_NAME),
        "base_url": js(sel.base_url),
        "api_key": js(key_ref_for(sel, user_file=user_file)),
        "models": [
            {
                "id": js(e.id),
                "name": js(e.name if e.name is not None else e.id),
                "limit": e.has_limit,
                "context": js(e.context),
                "output": js(e.output),
            }
            for e in model_entries(sel, catalog)
        ],
    }


# --- parsing and editing existing files -------------------------------------------------------


def json_problem(path: Path, text: str, sel: Selection, *, provider: bool) -> ConfigError | None:
    """Why an existing JSON/JSONC file cannot take our edits, or None when it can."""
    from aigate_setup.merge import jsonc

    if jsonc.is_blank(text):
        return None
    try:
        root = jsonc.parse(text)
    except ParseError as exc:
        return ConfigError.from_parse(
            exc, path, "fix the JSON syntax (comments and trailing commas are fine)"
        )

    def bad(node: jsonc.Node, key_path: Sequence[str], expected: str) -> ConfigError:
        line, col = jsonc.line_col(text, node.start)
        return ConfigError(
            f"is {jsonc.KIND_NAMES.get(node.kind, node.kind)}, expected {expected}",
            path=path,
            line=line,
            column=col,
            key_path=".".join(key_path) if key_path else "(top level)",
            hint="fix or remove this value, then run aigate-setup init again",
        )

    if root.kind != "object":
        return bad(root, [], "an object")
    objects: list[list[str]] = []
    if provider:
        base = ["provider", PROVIDER_ID]
        objects += [["provider"], base, [*base, "options"], [*base, "models"]]
        for model_id in unique([sel.model, *sel.extra_models]):
            objects += [[*base, "models", model_id], [*base, "models", model_id, "limit"]]
    for key_path in objects:
        node = jsonc.find(root, key_path)
        if node is not None and node.kind != "object":
            return bad(node, key_path, "an object")
    if provider:
        for key in ("enabled_providers", "disabled_providers"):
            node = jsonc.find(root, [key])
            if node is not None and node.kind != "array":
                return bad(node, [key], "an array of provider ids")
    return None


def apply_provider(
    text: str, sel: Selection, catalog: Catalog | None, *, user_file: bool = False
) -> str:
    """Set every owned value of `provider.aigate` in an existing file; keep everything else.

    Owned: npm, name, options.baseURL, options.apiKey, and for the selected models their `name`
    (when the catalog has one, or when the entry has none yet) and `limit.context`/`limit.output`
    (only when the catalog knows both). User keys such as `options.headers`, other models and
    other providers are left alone. An `enabled_providers` list gains "aigate" (otherwise the
    provider is filtered out); "aigate" is taken out of a `disabled_providers` list.
    """
    from aigate_setup.merge import jsonc

    base = ["provider", PROVIDER_ID]
    text = jsonc.set_value(text, [*base, "npm"], NPM_PACKAGE)
    text = jsonc.set_value(text, [*base, "name"], PROVIDER_NAME)
    text = jsonc.set_value(text, [*base, "options", "baseURL"], sel.base_url)
    text = jsonc.set_value(
        text, [*base, "options", "apiKey"], key_ref_for(sel, user_file=user_file)
    )
    for entry in model_entries(sel, catalog):
        at = [*base, "models", entry.id]
        if entry.name is not None:
            text = jsonc.set_value(text, [*at, "name"], entry.name)
        elif jsonc.find(jsonc.parse(text), [*at, "name"]) is None:
            text = jsonc.set_value(text, [*at, "name"], entry.id)
        if entry.has_limit:
            text = jsonc.set_value(text, [*at, "limit", "context"], entry.context)
            text = jsonc.set_value(text, [*at, "limit", "output"], entry.output)
    root = jsonc.parse(text)
    enabled = jsonc.find(root, ["enabled_providers"])
    if enabled is not None and enabled.kind == "array":
        # Append in place: a comment inside the user's list must survive.
        text = jsonc.append_to_array(text, ["enabled_providers"], PROVIDER_ID)
    disabled = jsonc.find(jsonc.parse(text), ["disabled_providers"])
    if disabled is not None and disabled.kind == "array" and PROVIDER_ID in disabled.value:
        kept = [p for p in disabled.value if p != PROVIDER_ID]
        text = jsonc.set_value(text, ["disabled_providers"], kept)
    return text


def apply_model(text: str, sel: Selection) -> str:
    """Make AIGate's main model the client's default (`model = "aigate/<id>"`)."""
    from aigate_setup.merge import jsonc

    return jsonc.set_value(text, ["model"], model_ref(sel.model))


def render_json(old_text: str | None, template: str, ctx: dict[str, Any], edit: Any) -> str:
    """A new (or blank) file from `template`; an existing one through `edit(text)`.

    A file holding only comments keeps them, with the fresh object after them.
    """
    from aigate_setup import templates
    from aigate_setup.merge import jsonc

    if old_text is None or not old_text.strip():
        return templates.render(template, **ctx)
    if jsonc.is_blank(old_text):
        fresh = templates.render(template, **ctx)
        sep = "" if old_text.endswith("\n") else "\n"
        return old_text + sep + fresh
    result: str = edit(old_text)
    return result


# --- effective settings and doctor checks

if TYPE_CHECKING:
    from aigate_setup.clients.base import ClientState, ConfigFile, KeyRef, Origin, Sourced
    from aigate_setup.findings import Check
    from aigate_setup.merge.jsonc import Node
    from aigate_setup.options import DoctorOptions

_ENV_REF = r"^\{env:([^}]+)\}$"  # compiled on first use (re's own cache)
_FILE_REF = r"^\{file:([^}]+)\}$"


def deep_merge(a: object, b: object) -> object:
    """OpenCode's layering: objects merge key by key, anything else in a later layer wins."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = deep_merge(a.get(k), v)
        return out
    return b


def _at(data: object, *keys: str) -> object:
    for k in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(k)
    return data


def _parse_json(f: ConfigFile, text: str) -> Node | None:
    from aigate_setup.merge import jsonc

    return jsonc.parse(text) if text.strip() else None


def _origin(layers: Sequence[tuple[ConfigFile, Node | None]], *keys: str) -> Origin | None:
    """The last layer that sets `keys`, with the line of the value."""
    from aigate_setup.clients.base import Origin
    from aigate_setup.merge import jsonc

    for f, root in reversed(layers):
        node = jsonc.find(root, keys) if root is not None else None
        if node is not None and f.text is not None:
            return Origin(f.path, jsonc.line_col(f.text, node.start)[0])
    return None


def _sourced(
    value: object, layers: Sequence[tuple[ConfigFile, Node | None]], *keys: str
) -> Sourced | None:
    from aigate_setup.clients.base import Sourced

    origin = _origin(layers, *keys)
    return Sourced(value, origin) if isinstance(value, str) and origin is not None else None


def read_json_state(name: str, entries: Sequence[tuple[Path, str]]) -> ClientState:
    """What an OpenCode-family client will use: every layer deep-merged in load order; the
    AIGate provider is usable when the merged config has `provider.aigate` as an object."""
    from aigate_setup.clients.base import ClientState, parse_layers

    files, layers = parse_layers(entries, _parse_json)
    merged: object = {}
    provider_layers: list[tuple[ConfigFile, Node | None]] = []
    for f, root in layers:
        data = root.value if root is not None else {}
        if isinstance(data, dict):
            merged = deep_merge(merged, data)
            if isinstance(_at(data, "provider", PROVIDER_ID), dict):
                provider_layers = [(f, root)]
    root_model = _at(merged, "model")
    aigate = isinstance(root_model, str) and root_model.startswith(PROVIDER_ID + "/")
    state = ClientState(
        name,
        files,
        referenced=aigate,
        aigate_default=aigate,
        default_model=_sourced(root_model, layers, "model"),
    )
    provider = _at(merged, "provider", PROVIDER_ID)
    origin = _origin(provider_layers, "provider", PROVIDER_ID)
    if not isinstance(provider, dict) or origin is None:
        return state
    keys = ("provider", PROVIDER_ID, "options")
    models = provider.get("models")
    ids = tuple(m for m in models if isinstance(m, str)) if isinstance(models, dict) else ()
    if aigate and isinstance(root_model, str):
        model: str | None = root_model[len(PROVIDER_ID) + 1 :]
    else:
        model = ids[0] if ids else None
    return state._replace(
        configured=True,
        provider=origin,
        base_url=_sourced(_at(provider, "options", "baseURL"), layers, *keys, "baseURL"),
        key=_key_ref(_at(provider, "options", "apiKey"), _origin(layers, *keys, "apiKey")),
        model=model,
        models=ids,
    )


def _key_ref(api_key: object, origin: Origin | None) -> KeyRef:
    from aigate_setup.clients.base import KeyRef

    if not isinstance(api_key, str):
        return KeyRef(origin=origin)
    value = api_key.strip()
    env, file = re.match(_ENV_REF, value), re.match(_FILE_REF, value)
    if env:
        return KeyRef(var=env.group(1).strip(), origin=origin)
    if file:
        return KeyRef(file=file.group(1).strip(), origin=origin)
    return KeyRef(literal=bool(value), origin=origin)


def json_doctor_checks(
    state: ClientState, opts: DoctorOptions, requested: bool, *, binary: str
) -> list[Check]:
    """<client>.provider, .base_url, .key, .default of an OpenCode-family client."""
    from aigate_setup.doctor import parts

    c, title, key_env = state.name, "AIGate provider", opts.common.key_env
    if not state.configured:
        detail = state.problem or (
            "the default model is aigate/... but provider.aigate is missing"
            if state.referenced
            else "no provider.aigate in the config"
        )
        return [
            parts.provider_missing(state, requested, part="provider", title=title, detail=detail)
        ]
    missing = parts.check(
        c,
        "key",
        "warn",
        "Key reference",
        f"no apiKey in {state.where}; only a key saved with /connect would work",
        f'set "apiKey": "{{env:{key_env}}}" ({parts.FIX})',
    )
    how = f'"apiKey": "{{env:{key_env}}}"'
    return [
        parts.check(c, "provider", "pass", title, f"provider.aigate in {state.where}"),
        parts.base_url_check(state, want=opts.common.base_url.rstrip("/"), what="options.baseURL"),
        parts.key_check(state, opts, binary=binary, how=how, missing=missing),
        _default_check(state),
    ]


def _default_check(state: ClientState) -> Check:
    from aigate_setup.doctor import parts

    title, model = "Default model", state.default_model
    if state.aigate_default and model is not None:
        return parts.check(state.name, "default", "pass", title, f'model = "{model.value}"')
    detail = (
        f'the default model is "{model.value}", not an aigate/ model'
        if model is not None
        else "no default model is set"
    )
    hint = (
        f"{parts.setup_hint(state.name)} (makes AIGate the default), "
        "or pick an aigate/ model in the client"
    )
    if model is not None:
        from aigate_setup import paths
        from aigate_setup.clients import get

        # Another layer (a project file, ~/.kilo/...) sets it: init's file would change nothing.
        written = get(state.name).target_paths("user", model.origin.path.parent)
        if written and not any(same_path(model.origin.path, p) for p in written):
            hint = (
                f"set model in {model.origin} to an aigate/ model, or remove it: that file "
                f"wins over {paths.display(written[0])}, the one init writes"
            )
    return parts.check(state.name, "default", "warn", title, detail, hint)
