"""Owned values and removal for Codex's config.toml (`aigate-setup remove`, hand edits).

Owned: the `[model_providers.aigate]` table, and (when they name AIGate) the root
`model_provider`, `model` and `model_context_window`. Without `model_provider`, Codex falls
back to its built-in OpenAI provider and its own default model.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aigate_setup.clients.common import PROVIDER_ID
from aigate_setup.merge.text import newline_of

# The root keys that make a provider Codex's default (put back by `remove`, asked about by init).
DEFAULT_KEYS = ("model_provider", "model", "model_context_window")
TABLE_KEY = f"model_providers.{PROVIDER_ID}"
FALLBACK = "its built-in OpenAI provider and default model"


def _plain(text: str) -> dict[str, Any]:
    from aigate_setup.merge.tomlread import parse_toml

    return parse_toml(text) if text.strip() else {}


def owned_values(path: Path, text: str) -> dict[str, object]:
    """The current value of every key aigate-setup owns in config.toml (absent keys left out)."""
    data = _plain(text)
    out: dict[str, object] = {k: data[k] for k in DEFAULT_KEYS if k in data}
    providers = data.get("model_providers")
    if isinstance(providers, dict) and PROVIDER_ID in providers:
        out[TABLE_KEY] = providers[PROVIDER_ID]
    return out


def default_of(values: Mapping[str, object]) -> tuple[str | None, str | None]:
    """(provider, model) a config's owned values make the default (None: Codex's own)."""
    provider, model = values.get("model_provider"), values.get("model")
    return (
        provider if isinstance(provider, str) else None,
        model if isinstance(model, str) else None,
    )


def is_ours(values: Mapping[str, object]) -> bool:
    return values.get("model_provider") == PROVIDER_ID


def put_back(path: Path, text: str, values: Mapping[str, object]) -> str:
    """Set root keys back to the values they had before aigate-setup (from the state file);
    a None value means the key was not there, so it goes."""
    from aigate_setup.merge.toml import remove_value, set_values

    for key, value in values.items():
        if key in DEFAULT_KEYS and value is None:
            text = remove_value(text, (key,))
    updates: dict[tuple[str, ...], object] = {
        (k,): v for k, v in values.items() if k in DEFAULT_KEYS and v is not None
    }
    return set_values(text, updates) if updates else text


def unrender(path: Path, text: str) -> str | None:
    """`text` without the AIGate provider table and without a default that names it; None
    when nothing else would be left. The picker's `model_catalog_json` key (when it names
    our catalog file) goes too; the catalog file itself is owned whole."""
    from aigate_setup.clients.codex import catalog
    from aigate_setup.merge.toml import remove_value

    if path.name == catalog.CATALOG_FILE:
        return None
    text = catalog.unrender(path, text) or ""
    data = _plain(text)
    out = text
    if data.get("model_provider") == PROVIDER_ID:
        for key in DEFAULT_KEYS:
            out = remove_value(out, (key,))
    providers = data.get("model_providers")
    if isinstance(providers, dict) and PROVIDER_ID in providers:
        out = _drop_table(out)
    if not out.strip() or _only_our_comments(out):
        return None
    return out


def _only_our_comments(text: str) -> bool:
    """Only the comment lines a new config.toml starts with (and blank lines) are left."""
    from aigate_setup import paths
    from aigate_setup.clients.codex.writer import TEMPLATE

    try:
        source = (paths.templates_dir() / TEMPLATE).read_text(encoding="utf-8")
    except OSError:
        return False
    ours = {line.strip() for line in source.splitlines() if line.startswith("#")}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and all(line in ours for line in lines)


def _drop_table(text: str) -> str:
    from aigate_setup.merge.toml import remove_value

    nl = newline_of(text)
    stripped = remove_value(text, ("model_providers", PROVIDER_ID))
    if _last_table_is_ours(text) and stripped.endswith(nl + nl):
        # init appended the table after a blank line: take that separator out again.
        stripped = stripped[: -len(nl)]
    return stripped


def _last_table_is_ours(text: str) -> bool:
    headers = [
        line.strip()
        for line in text.splitlines()
        if line.lstrip().startswith("[") and not line.lstrip().startswith("[[")
    ]
    return bool(headers) and headers[-1].replace(" ", "") in (
        f"[model_providers.{PROVIDER_ID}]",
        f'[model_providers."{PROVIDER_ID}"]',
    )


# How to start Codex on AIGate when AIGate is not its default (`{model}` filled in).
USE_AIGATE = f"-c model_provider={PROVIDER_ID} -m {{model}}"
# Codex reads `model_provider(s)` only from the user file: a project run still changes the
# default of every project.
USER_WIDE_DEFAULT = (
    "Codex's default provider is a user-wide setting: Codex ignores model_provider in a "
    "project's .codex/config.toml, so the user file ({path}) is what makes AIGate its default, "
    "in every project"
)
