"""What Codex accepts in the catalog file `model_catalog_json` names (its /model picker), and
where it looks for that file. Cheap to import (`status` reads the catalog through it): the
writer side, which runs `codex debug models --bundled`, is catalog.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aigate_setup import paths

# The catalog file aigate-setup writes next to config.toml (owned whole).
CATALOG_FILE = "aigate-models.json"

_Check = Callable[[Any], bool]


def _is_str(v: Any) -> bool:
    return isinstance(v, str) and bool(v)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and -(2**31) <= v < 2**31


def _is_levels(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, dict) and _is_str(x.get("effort")) for x in v)


def _is_policy(v: Any) -> bool:
    return isinstance(v, dict) and _is_str(v.get("mode"))


# The fields Codex 0.169 cannot do without (one missing makes it refuse the whole file).
REQUIRED: Mapping[str, tuple[str, _Check]] = {
    "slug": ("a non-empty string", _is_str),
    "display_name": ("a non-empty string", _is_str),
    "supported_reasoning_levels": ("a list of {effort, ...}", _is_levels),
    "shell_type": ("a non-empty string", _is_str),
    "visibility": ("a non-empty string", _is_str),
    "supported_in_api": ("true or false", _is_bool),
    "priority": ("an integer", _is_int),
    "support_verbosity": ("true or false", _is_bool),
    "truncation_policy": ("a table with a mode", _is_policy),
    "experimental_supported_tools": ("a list", lambda v: isinstance(v, list)),
}


def entry_problems(entry: Any) -> list[str]:
    """Why Codex would refuse this catalog entry (empty when it would load it)."""
    if not isinstance(entry, dict):
        return ["is not an object"]
    out = [
        f"{key} is missing" if key not in entry else f"{key} is not {what}"
        for key, (what, ok) in REQUIRED.items()
        if key not in entry or not ok(entry[key])
    ]
    messages = entry.get("model_messages")
    template = messages.get("instructions_template") if isinstance(messages, dict) else None
    if not _is_str(entry.get("base_instructions")) and not _is_str(template):
        out.append("has neither base_instructions nor model_messages.instructions_template")
    return out


def document_problems(doc: Any) -> list[str]:
    """Why Codex would refuse this catalog document, one line per problem."""
    models = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(models, list):
        return ['is not {"models": [...]}']
    out: list[str] = []
    seen: set[str] = set()
    for i, entry in enumerate(models):
        slug = entry.get("slug") if isinstance(entry, dict) else None
        name = f"models[{i}]" + (f" ({slug})" if isinstance(slug, str) else "")
        out += [f"{name} {p}" for p in entry_problems(entry)]
        if isinstance(slug, str) and slug in seen:
            out.append(f"{name} repeats slug {slug!r}")
        if isinstance(slug, str):
            seen.add(slug)
    return out


def resolve_value(value: str, config: Path) -> Path:
    """Where Codex looks for a `model_catalog_json` set in `config`: `~/` expanded, a relative
    path against the config file's directory (CODEX_HOME for the user file)."""
    if value == "~" or value.startswith(("~/", "~\\")):
        return paths.home() / value[2:]
    path = Path(value)
    return path if path.is_absolute() else config.parent / path


def catalog_slugs(text: str) -> tuple[list[str], str]:
    """The slugs of a catalog file's text, or ([], why Codex would refuse it: one line)."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [], f"not valid JSON ({str(exc)[:80]})"
    problems = document_problems(doc)
    if problems:
        more = f" (+{len(problems) - 2} more)" if len(problems) > 2 else ""
        return [], "; ".join(problems[:2]) + more
    return [str(m["slug"]) for m in doc["models"]], ""
