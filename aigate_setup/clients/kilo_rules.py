"""Kilo's static rules (`check`, doctor): how its files are recognised and read
(`file_kind`, `guess_kind`, `READERS`) and its own rules (`STATIC_RULES`). Split from
clients/kilo.py, which loads this module on first use of those names, so that `status` and
`init` do not pay for the rule registry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup import paths
from aigate_setup.clients import common
from aigate_setup.clients.base import FileKind
from aigate_setup.clients.kilo import NAME, SCHEMA, config_dir
from aigate_setup.rules.kinds import json_like, place, same_place
from aigate_setup.rules.positions import get, string
from aigate_setup.rules.registry import Hit, Reader, Rule, rule

if TYPE_CHECKING:
    from aigate_setup.rules.source import Source


# Kilo reads OpenCode's config shape: the OpenCode-family rules and the reader of Kilo's files
# are in opencode_rules.py (with Kilo's known keys from here); these are Kilo's own.

NAMES = ("kilo.json", "kilo.jsonc")
_OPENCODE_NAMES = ("opencode.json", "opencode.jsonc")
_OWN_DIRS = (".kilo", ".kilocode")
# The root keys of Kilo's config schema (generated from the pinned binary).
ROOT_KEYS = common.root_keys(NAME)
EXTRA_ROOT_KEYS = ROOT_KEYS  # the old name
_SUBST_RE = re.compile(r"\{(env|file):[^}]*\}")
# opencode_rules.py reads Kilo's files (the same shape as OpenCode's).
READERS: tuple[Reader, ...] = ()


def file_kind(path: Path) -> FileKind | None:
    """Files in Kilo's config dir, `~/.kilo/` and `~/.kilocode/` are user files (`{env:}`
    allowed there); a kilo.json(c) elsewhere, or an opencode.json(c) in a `.kilo/` or
    `.kilocode/`, a project's."""
    name = path.name
    if name not in NAMES and name not in _OPENCODE_NAMES:
        return None
    if same_place(path.parent, place(config_dir)):
        return "kilo-user"
    if path.parent.name in _OWN_DIRS and same_place(path.parent.parent, place(paths.home)):
        return "kilo-user"
    if name in NAMES or path.parent.name in _OWN_DIRS:
        return "kilo-project"
    return None


def guess_kind(path: Path, text: str) -> tuple[int, FileKind] | None:
    if json_like(path, text) and ("app.kilo.ai" in text or NAME in path.name.lower()):
        return 60, "kilo-project"
    return None


@rule(
    "AIG035",
    "kilo-project-substitution",
    "error",
    "{env:}/{file:} in a Kilo project file",
    kinds=("kilo-project",),
    doc="""Kilo refuses `{env:...}` and `{file:...}` in project configs: it skips the whole
    file, and the model is "not found". They are fine in ~/.config/kilo/. In a project's
    opencode.json (which Kilo also reads) the substitution is OpenCode's, so this is a warning
    there.""",
    example=f'{{\n  "$schema": "{SCHEMA}",\n  "instructions": ["{{file:./RULES.md}}"]\n}}\n',
    fix="keep the provider (with {env:...}) in ~/.config/kilo/kilo.jsonc; Kilo refuses"
    " substitutions in project files (`aigate-setup init --client kilo --scope project`)",
)
def project_substitution(src: Source) -> Iterator[Hit]:
    if "{env:" not in src.text and "{file:" not in src.text:
        return
    # Kilo also reads a project's opencode.json(c). There the substitution is OpenCode's and
    # legitimate (aigate-setup writes one in project scope): Kilo skips that file, which only
    # matters for other settings in it, so it is a warning. In Kilo's own files it is an error.
    shared = Path(src.path).name.startswith("opencode.")
    for i, line in enumerate(src.lines, 1):
        if line.lstrip().startswith("//"):
            continue
        for m in _SUBST_RE.finditer(line):
            if shared:
                yield Hit(
                    i,
                    m.start() + 1,
                    f"{m.group(0)} in an OpenCode project file that Kilo also reads:"
                    " Kilo skips this file, so its other settings do not apply to Kilo",
                    "keep settings Kilo needs in kilo.jsonc (the provider in"
                    " ~/.config/kilo/kilo.jsonc)",
                    severity="warning",
                )
            else:
                yield Hit(
                    i,
                    m.start() + 1,
                    f"{m.group(0)} in a Kilo project file: Kilo skips the whole file",
                )


@rule(
    "AIG036",
    "kilo-builtin-enabled",
    "warning",
    "Built-in kilo provider still enabled",
    kinds=("kilo-user", "kilo-project"),
    doc="""Kilo's built-in `kilo` provider calls Kilo's own service (and asks for a Kilo
    login); with `enabled_providers` listing only "aigate" every request goes to AIGate.""",
    example=f'{{\n  "$schema": "{SCHEMA}",\n  "enabled_providers": ["aigate", "kilo"]\n}}\n',
    fix='remove "kilo" from enabled_providers, e.g. "enabled_providers": ["aigate"]',
)
def builtin_enabled(src: Source) -> Iterator[Hit]:
    enabled = get(src.json, "enabled_providers")
    if enabled is None or enabled.kind != "array":
        return
    for item in enabled.items:
        if string(item) == NAME:
            yield Hit(
                *src.pos(item.start),
                "the built-in kilo provider is in enabled_providers; it calls Kilo's own service",
            )


STATIC_RULES: tuple[Rule, ...] = (project_substitution, builtin_enabled)
