"""What Codex will really use (`resolve`): provider, model, base URL and key, with origins.

Layers, later wins (Codex 0.169; docs/status.md says how each was checked):
1. the user config `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`): the only place a
   provider is chosen (`model_provider`, `[model_providers.<id>]`);
2. project configs `.codex/config.toml` in each directory from the project root (the git root;
   the start directory outside a repository) down to the start directory, read only when the
   project root is trusted (`[projects."<root>"] trust_level = "trusted"` in the user config;
   trusting only a subdirectory of a repository is not enough). They can change `model` and
   `review_model`, not the provider.
The built-in `openai` provider takes its URL from OPENAI_BASE_URL when set.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aigate_setup import paths
from aigate_setup.clients import layers
from aigate_setup.clients.base import Override, Resolution, Value, Where
from aigate_setup.clients.codex.writer import NAME, TITLE
from aigate_setup.clients.common import PROVIDER_ID

if TYPE_CHECKING:
    from aigate_setup.rules.positions import TomlIndex

OPENAI_URL = "https://api.openai.com/v1"
SETUP_HINT = f"aigate-setup init --client {NAME}"


class _Toml(NamedTuple):
    path: Path
    data: dict[str, Any]
    text: str

    def value(self, *keys: str) -> Value:
        node: object = self.data
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if not isinstance(node, str):
            return Value()
        return Value(node, Where(self.path, _index(self.text).value(keys)[0]))


@functools.lru_cache(maxsize=16)
def _index(text: str) -> TomlIndex:
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
    base_url, credential = _route(user, pid, env)
    configured = user is not None and isinstance(
        user.data.get("model_providers", {}).get(PROVIDER_ID)
        if isinstance(user.data.get("model_providers"), dict)
        else None,
        dict,
    )
    res = Resolution(NAME, provider, model, base_url, credential, configured=configured)
    overrides = _overrides(user, project, model, pid, gateway, base_url)
    res = res._replace(overrides=tuple(overrides))
    return _judge(res, gateway, problems, user_config(env))


def _route(user: _Toml | None, pid: str, env: Mapping[str, str]) -> tuple[Value, Value]:
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
        url = env.get("OPENAI_BASE_URL", "")
        base = Value(url, Where(env="OPENAI_BASE_URL")) if url else Value(OPENAI_URL)
        return base, Value("OPENAI_API_KEY or `codex login`")
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
