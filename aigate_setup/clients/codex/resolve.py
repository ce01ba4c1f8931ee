"""What Codex will really use (`resolve`): provider, model, base URL and key, with origins.

Layers, later wins (Codex 0.169; docs/status.md says how each was checked):
1. the user config `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`): the only place a
   provider is chosen (`model_provider`, `[model_providers.<id>]`);
2. project configs `.codex/config.toml` in each directory from the project root (the git root;
   the start directory outside a repository) down to the start directory, read only when the
   project root is trusted (`[projects."<root>"] trust_level = "trusted"` in the user config;
   trusting only a subdirectory of a repository is not enough). They can change `model` and
   `review_model`, not the provider.
3. with `codex -p NAME` only: `$CODEX_HOME/NAME.config.toml`, between the two (a trusted
   project's `model` still wins over it); it can choose a provider. A legacy `[profiles.NAME]`
   table of the user config loads, but makes `codex -p NAME` refuse to start; a root
   `profile` key there makes every start fail. Both are ignored in a project config.
The built-in `openai` provider takes its URL from the root `openai_base_url` key of the user
config (Codex 0.169 ignores OPENAI_BASE_URL) and its key from `codex login` (not
OPENAI_API_KEY).
`model_catalog_json` (user or trusted project config, a later layer wins; a relative path is
read from that file's directory) names the /model picker's catalog: a missing or invalid file
stops Codex before any request; without the key the picker lists OpenAI's models.
"""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aigate_setup import paths
from aigate_setup.clients import layers
from aigate_setup.clients.base import Override, Resolution, Value, Where, planning
from aigate_setup.clients.codex import CATALOG_KEY, NAME, TITLE
from aigate_setup.clients.common import PROVIDER_ID

if TYPE_CHECKING:
    from aigate_setup.rules.positions import TomlIndex

OPENAI_URL = "https://api.openai.com/v1"
SETUP_HINT = f"aigate-setup init --client {NAME}"
PICKER_HINT = f"{SETUP_HINT} (with Codex installed)"
PROFILE_SUFFIX = ".config.toml"  # `codex -p NAME` layers $CODEX_HOME/NAME.config.toml


class _Toml(NamedTuple):
    path: Path
    data: dict[str, Any]
    text: str

    def line(self, *keys: str) -> int | None:
        """The line of a key or table header (None when the index cannot tell)."""
        return _index(self.text).key(keys)[0]

    def value(self, *keys: str) -> Value:
        node: object = self.data
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if not isinstance(node, str):
            return Value()
        return Value(node, Where(self.path, _index(self.text).value(keys)[0]))


@functools.lru_cache(maxsize=16)
def _index(text: str) -> "TomlIndex":
    """Where each key is (one scan per file, however many values are asked for)."""
    from aigate_setup.rules.positions import TomlIndex

    return TomlIndex(text)


def _read(path: Path, problems: list[str]) -> _Toml | None:
    from aigate_setup.errors import ParseError
    from aigate_setup.merge.tomlread import parse_toml

    f = layers.read_one(path)
    if f is None:
        return None
    if f.text is None:
        problems.append(f"{paths.display(path)} cannot be read")
        return None
    try:
        return _Toml(path, parse_toml(f.text), f.text)
    except ParseError as exc:
        problems.append(f"{paths.display(path)}:{exc.line}: {exc.message}")
        return None


def user_config(env: Mapping[str, str]) -> Path:
    home = env.get("CODEX_HOME", "")
    return (Path(home) if home else paths.home() / ".codex") / "config.toml"


def _trusted(user: _Toml | None, root: Path) -> bool:
    """Codex trusts the project root (the git root, else the start directory): trusting only
    a subdirectory of a repository does not load the root's `.codex/config.toml`."""
    projects = user.data.get("projects") if user is not None else None
    entry = projects.get(str(root)) if isinstance(projects, dict) else None
    return isinstance(entry, dict) and entry.get("trust_level") == "trusted"


def project_configs(
    project_dir: Path, env: Mapping[str, str], user: _Toml | None
) -> tuple[list[Path], list[Path]]:
    """The project `.codex/config.toml` files (root first), and those skipped as untrusted."""
    root = layers.project_root(project_dir)
    dirs = list(reversed(layers.walk_up(project_dir, root))) if root else [project_dir]
    own = user_config(env)
    found = [
        d / ".codex" / "config.toml"
        for d in dirs
        if os.path.isfile(d / ".codex" / "config.toml") and d / ".codex" / "config.toml" != own
    ]
    return (found, []) if _trusted(user, root or project_dir) else ([], found)


def resolve(project_dir: Path, env: Mapping[str, str], gateway: str | None = None) -> Resolution:
    gateway = gateway or layers.gateway_url(env)
    problems: list[str] = []
    user = _read(user_config(env), problems)
    trusted, _untrusted = project_configs(project_dir, env, user)
    project = [t for t in (_read(p, problems) for p in trusted) if t is not None]
    provider = user.value("model_provider") if user is not None else Value()
    if provider.value is None:
        provider = Value("openai")
    pid = provider.value or "openai"
    model = Value()
    for layer in [user, *project]:
        if layer is not None and layer.value("model").value is not None:
            model = layer.value("model")
    base_url, credential = _route(user, pid)
    configured = user is not None and isinstance(
        user.data.get("model_providers", {}).get(PROVIDER_ID)
        if isinstance(user.data.get("model_providers"), dict)
        else None,
        dict,
    )
    res = Resolution(NAME, provider, model, base_url, credential, configured=configured)
    ours = pid == PROVIDER_ID or layers.same_gateway(base_url.value, gateway)
    picker = _picker(user, project, model.value, configured and ours, user_config(env))
    overrides = [
        *_selector(user),
        *[o for o in picker if o.blocking],
        *_overrides(user, project, model, pid, gateway, base_url),
        *_profiles(user, project, env, gateway),
        *[o for o in picker if not o.blocking],
    ]
    res = res._replace(overrides=tuple(overrides))
    return _judge(res, gateway, problems, user_config(env))


def _route(user: _Toml | None, pid: str) -> tuple[Value, Value]:
    if user is not None:
        base = user.value("model_providers", pid, "base_url")
        if base.value is not None:
            key = user.value("model_providers", pid, "env_key")
            token = user.value("model_providers", pid, "experimental_bearer_token")
            if key.value:
                return base, Value(f"${key.value}", key.origin)
            if token.value:
                return base, Value(layers.masked(token.value), token.origin)
            return base, Value()
    if pid == "openai":
        # Codex 0.169 reads the root `openai_base_url` key; OPENAI_BASE_URL is ignored.
        url = user.value("openai_base_url") if user is not None else Value()
        return (url if url.value else Value(OPENAI_URL)), Value("`codex login`")
    return Value(), Value()


def _overrides(
    user: _Toml | None,
    project: list[_Toml],
    model: Value,
    pid: str,
    gateway: str,
    base_url: Value,
) -> list[Override]:
    out: list[Override] = []
    ours = pid == PROVIDER_ID or layers.same_gateway(base_url.value, gateway)
    user_model = user.value("model").value if user is not None else None
    for layer in project:
        v = layer.value("model")
        if v.value is not None and v.value != user_model and ours:
            blocking = not layers.gateway_model(v.value)
            effect = (
                f"makes Codex ask AIGate for {v.value}, an id the gateway does not route"
                if blocking
                else f"makes {v.value} Codex's model in this project"
            )
            fix = f'remove it, or set model = "{user_model}" there' if user_model else "remove it"
            out.append(Override("model", v.origin, v.value, effect, fix, blocking))
    review = Value()
    chain: list[_Toml | None] = [user, *project]
    for item in chain:
        if item is not None and item.value("review_model").value is not None:
            review = item.value("review_model")
    if review.value is not None and ours and not layers.gateway_model(review.value):
        fix = f'set review_model = "{model.value}" there' if model.value else "remove it"
        effect = (
            f"sends Codex's /review requests to AIGate for {review.value}, which it does not route"
        )
        out.append(Override("review_model", review.origin, review.value, effect, fix))
    if (
        ours
        and model.value is not None
        and not layers.gateway_model(model.value)
        and not any(o.what == "model" for o in out)
    ):
        effect = f"asks AIGate for {model.value}, an id the gateway does not route"
        out.append(Override("model", model.origin, model.value, effect, "set a provider/model id"))
    return out


def _selector(user: _Toml | None) -> list[Override]:
    """A root `profile` key in the user config: Codex 0.169 refuses to start ("legacy `profile
    = ...` config is no longer supported"). In a project config Codex ignores it."""
    if user is None or "profile" not in user.data:
        return []
    name = str(user.data["profile"])
    where = Where(user.path, user.line("profile"))
    effect = "makes Codex refuse to start (a legacy profile selector, an error since Codex 0.134)"
    fix = f"delete it; put the profile's settings in {_profile_path(user.path, name)} and start"
    fix += f" `codex -p {name}`"
    return [Override("profile", where, name, effect, fix)]


def _profile_path(user_path: Path, name: str) -> str:
    return paths.display(user_path.parent / f"{name}{PROFILE_SUFFIX}")


def profile_files(env: Mapping[str, str]) -> list[tuple[str, Path]]:
    """(NAME, path) of every `$CODEX_HOME/NAME.config.toml` (what `codex -p NAME` layers on
    the user config), by name."""
    home = user_config(env).parent
    try:
        names = sorted(e.name for e in os.scandir(home) if e.is_file())
    except OSError:
        return []
    return [
        (n[: -len(PROFILE_SUFFIX)], home / n)
        for n in names
        if n.endswith(PROFILE_SUFFIX) and len(n) > len(PROFILE_SUFFIX)
    ]


def _profiles(
    user: _Toml | None, project: list[_Toml], env: Mapping[str, str], gateway: str
) -> list[Override]:
    """Profiles that would not reach AIGate (non-blocking: they apply only with `codex -p`)."""
    out: list[Override] = []
    tables = user.data.get("profiles") if user is not None else None
    if user is not None and isinstance(tables, dict):
        for name in tables:
            where = Where(user.path, user.line("profiles", name))
            effect = (
                f"makes `codex -p {name}` refuse to start (Codex 0.169 no longer reads"
                " [profiles.*] tables; without -p the table is ignored)"
            )
            fix = f"move its keys to {_profile_path(user.path, name)} and delete the table"
            out.append(Override(f"profiles.{name}", where, name, effect, fix, blocking=False))
    for name, path in profile_files(env):
        problems: list[str] = []
        prof = _read(path, problems)
        if prof is None:
            if problems:
                effect = f"makes `codex -p {name}` refuse to start: {problems[0]}"
                where = Where(path)
                out.append(Override(path.name, where, name, effect, "fix it", blocking=False))
            continue
        found = _profile_override(name, user, prof, project, gateway)
        if found is not None:
            out.append(found)
    return out


def _profile_override(
    name: str,
    user: _Toml | None,
    prof: _Toml,
    project: list[_Toml],
    gateway: str,
) -> Override | None:
    """What makes `codex -p NAME` miss AIGate, set in the profile file itself (a problem it
    inherits from the user config is the user config's, reported without -p)."""
    run = f"with `codex -p {name}`"
    chosen = prof.value("model_provider")
    pid = chosen.value or (user.value("model_provider").value if user is not None else None)
    pid = pid or "openai"
    url_key: tuple[str, ...] = ("model_providers", pid, "base_url")
    if pid == "openai" and prof.value(*url_key).value is None:
        url_key = ("openai_base_url",)
    own_url = prof.value(*url_key)
    base_url = own_url if own_url.value is not None else _route(user, pid)[0]
    shown = prof.path.name
    if not layers.same_gateway(base_url.value, gateway):
        to = layers.shown_url(base_url.value) or "its own URL"
        effect = f"{run} requests go to {to} (provider {pid}), not to AIGate {gateway}"
        if chosen.value is not None:
            fix = f'set model_provider = "{PROVIDER_ID}" in {shown}, or delete it there'
            return Override("model_provider", chosen.origin, pid, effect, fix, blocking=False)
        if own_url.value is not None:
            fix = f"delete it from {shown}"
            what = ".".join(url_key)
            url = layers.shown_url(own_url.value)
            return Override(what, own_url.origin, url, effect, fix, blocking=False)
        return None
    user_model = user.value("model").value if user is not None else None
    shadowed = any(layer.value("model").value is not None for layer in project)
    model = prof.value("model")
    if model.value is not None and not shadowed and not layers.gateway_model(model.value):
        effect = f"{run} Codex asks AIGate for {model.value}, an id the gateway does not route"
        fix = f'set model = "{user_model}" in {shown}' if user_model else "set a provider/model id"
        return Override("model", model.origin, model.value, effect, fix, blocking=False)
    review = prof.value("review_model")
    if review.value is not None and not layers.gateway_model(review.value):
        effect = f"{run} /review asks AIGate for {review.value}, which it does not route"
        fix = f'set review_model = "{user_model}" in {shown}' if user_model else "delete it"
        return Override("review_model", review.origin, review.value, effect, fix, blocking=False)
    return None


def _picker(
    user: _Toml | None,
    project: list[_Toml],
    model: str | None,
    aigate_default: bool,
    user_path: Path,
) -> list[Override]:
    """Codex's /model picker: a `model_catalog_json` naming a missing or invalid file stops
    Codex (blocking, whatever the provider); with AIGate the default, no key (the picker lists
    OpenAI's models) or a catalog without the model is a note."""
    from aigate_setup.clients.codex import catalog_check

    named: tuple[_Toml, Value] | None = None
    for layer in [user, *project]:
        if layer is not None and layer.value(CATALOG_KEY).value:
            named = (layer, layer.value(CATALOG_KEY))
    if named is None:
        # init prints its own note when it cannot write the catalog (catalog.no_picker_notes)
        if not aigate_default or planning():
            return []
        effect = (
            "is not set: Codex's /model picker lists OpenAI's models, which AIGate does not serve"
        )
        where = Where(user_path)
        return [Override(CATALOG_KEY, where, "", effect, PICKER_HINT, blocking=False)]
    layer, value = named
    path = catalog_check.resolve_value(value.value or "", layer.path)
    shown = paths.display(path)
    ours = path.name == catalog_check.CATALOG_FILE
    fix = f"{PICKER_HINT} rewrites it" if ours else "fix that file"
    fix += f", or delete {CATALOG_KEY}"
    f = layers.read_one(path, "codex-catalog")
    if f is None:
        problem = "it does not exist (Codex: No such file or directory)"
    elif f.text is None:
        problem = f.error.message if f.error is not None else "it cannot be read"
    else:
        slugs, problem = catalog_check.catalog_slugs(f.text)
    if problem:
        effect = f"names {shown}, which Codex cannot load: {problem}; Codex does not start"
        return [Override(CATALOG_KEY, value.origin, value.value or "", effect, fix)]
    if aigate_default and model and model not in slugs:
        listed = ", ".join(slugs[:3]) + (", ..." if len(slugs) > 3 else "")
        effect = f"names {shown}: Codex's /model picker lists {listed}, not {model}"
        fix = f"{SETUP_HINT} --model {model} (with Codex installed) adds it"
        return [Override(CATALOG_KEY, value.origin, value.value or "", effect, fix, blocking=False)]
    return []


def _judge(res: Resolution, gateway: str, problems: list[str], user_path: Path) -> Resolution:
    why = ""
    if not res.configured:
        why = f"no [model_providers.aigate] in {paths.display(user_path)} ({SETUP_HINT})"
    elif res.model.value is None:
        why = "no model is set"
    elif not layers.same_gateway(res.base_url.value, gateway):
        where = res.provider.origin.show()
        why = (
            f"the default provider is {res.provider.value} ({where}), which goes to"
            f" {layers.shown_url(res.base_url.value) or 'its own URL'}, not to AIGate {gateway}"
        )
    elif res.blocking:
        why = res.blocking[0].sentence(TITLE)
    if problems:
        why = (why + "; " if why else "") + problems[0]
    return res._replace(reaches_aigate=not why, why=why)
