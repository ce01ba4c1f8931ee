"""The static rule for the catalog file a Codex config names in `model_catalog_json`: Codex
refuses to start when one entry lacks a required field, and a checked-in catalog is as public as
the config that names it, so it must hold no key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup.clients.base import FileKind
from aigate_setup.clients.codex import CATALOG_KEY, NAME, TITLE, rules
from aigate_setup.clients.codex.catalog_check import CATALOG_FILE, document_problems, resolve_value
from aigate_setup.errors import ConfigError
from aigate_setup.rules.registry import Hit, Reader, rule
from aigate_setup.secrets import find_keys, mask_key

if TYPE_CHECKING:
    from aigate_setup.rules.source import Source


CATALOG_KIND: FileKind = "codex-catalog"
# A catalog file is JSON; its own problems are this module's rule, a key in it AIG002's.
READER = Reader(CATALOG_KIND, NAME, TITLE, "jsonc", f"~/.codex/{CATALOG_FILE}")


def file_kind(path: Path) -> FileKind | None:
    """Codex's files by name and place: the picker catalog aigate-setup writes, then
    config.toml (clients/codex/rules.py)."""
    return CATALOG_KIND if path.name == CATALOG_FILE else rules.file_kind(path)


def guess_kind(path: Path, text: str) -> tuple[int, FileKind]:
    """A file named otherwise: a Codex catalog by its content (`{"models": [{"slug": ...`),
    else what rules.guess_kind says."""
    head = text.lstrip()[:4096]
    if head.startswith("{") and '"models"' in head and '"slug"' in head:
        return 90, CATALOG_KIND
    return rules.guess_kind(path, text)


def catalog_text(path: Path) -> tuple[str | None, str]:
    """The text of the named catalog file, or None and why it cannot be read."""
    from aigate_setup import fsio
    from aigate_setup.merge import text as textmod

    try:
        raw = fsio.read_bytes(path)
    except ConfigError as exc:
        return None, exc.message
    if raw is None:
        return None, "does not exist: Codex stops with 'No such file or directory'"
    try:
        return textmod.decode(raw).text, ""
    except ValueError as exc:
        return None, str(exc)


def catalog_findings(text: str) -> list[tuple[str, bool]]:
    """(message, is a key) for every problem of a catalog file's text."""
    import json

    out = [(f"the file holds a literal key {mask_key(m.group(0))}", True) for m in find_keys(text)]
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [*out, (f"the file is not valid JSON ({str(exc)[:80]})", False)]
    problems = document_problems(doc)
    shown = problems[:5] + ([f"and {len(problems) - 5} more"] if len(problems) > 5 else [])
    return [*out, *((p, False) for p in shown)]


@rule(
    "AIG026",
    "codex-model-catalog",
    "error",
    "Codex model_catalog_json names a file Codex cannot load",
    kinds=("codex-user", "codex-project", CATALOG_KIND),
    doc="""`model_catalog_json` replaces the models of Codex's /model picker with the entries of
    a JSON file (`{"models": [...]}`). If the file is missing, or one entry lacks a required
    field (slug, display_name, supported_reasoning_levels, shell_type, visibility,
    supported_in_api, priority, support_verbosity, truncation_policy,
    experimental_supported_tools, and base_instructions or model_messages.instructions_template),
    Codex refuses to start. A relative path is read from the config file's directory. The file
    must not hold a key either.""",
    example='model_catalog_json = "missing-models.json"\n',
    fix="run `aigate-setup init --client codex` to write a catalog cloned from your Codex, or "
    "remove model_catalog_json",
)
def model_catalog(src: Source) -> Iterator[Hit]:
    if src.kind == CATALOG_KIND:
        # The catalog itself (keys in it are AIG002's): what would make Codex refuse it.
        for message, is_key in catalog_findings(src.text):
            if not is_key:
                yield Hit(1, 1, f"Codex would refuse this catalog: {message}")
        return
    value = (src.toml or {}).get(CATALOG_KEY)
    if not isinstance(value, str):
        return
    line, col = src.toml_index.value((CATALOG_KEY,))
    path = resolve_value(value, Path(src.path))
    text, why = catalog_text(path)
    if text is None:
        yield Hit(line, col, f"{CATALOG_KEY} = {value!r}: the file {why}")
        return
    for message, is_key in catalog_findings(text):
        hint = "remove the key from the catalog file and rotate it" if is_key else None
        yield Hit(line, col, f"{CATALOG_KEY} = {value!r}: {message}", hint)
