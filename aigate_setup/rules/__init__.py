"""Static rules for agent configs, shared by `check` and `doctor`.

A rule is one definition (`registry.rule`): id, severity, title, doc, a broken example, the
fix and its check function. Shared rules live here (syntax, literal keys, base URLs, model ids);
each client's own rules live in its client module and are collected by `engine.catalogue`.
docs/rules.md is generated from the catalogue (`python -m aigate_setup.rules --markdown`).

    validate_text(path, text, kind, RuleContext(...))   -> sorted findings of one file
    validate_file(path, text, RuleContext(...))         -> the same, the kind from the path
    RULES                                              -> {rule id: Rule}, every rule in id order
    kind_for(path) / infer_kind(path, text)            -> which kind of file (the clients say)

Importing this package is cheap: client modules import `rules.registry` to declare their rules
(and `status` imports the client modules), so the engine, the shared rules and their parsers
load on first use of a name below, not at import time.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from aigate_setup import lazy

if TYPE_CHECKING:
    from aigate_setup.clients.base import FILE_KINDS, FileKind
    from aigate_setup.findings import Finding
    from aigate_setup.rules.engine import (
        catalogue,
        infer_kind,
        kind_for,
        select_rules,
        unknown_rule_ids,
        validate_file,
        validate_text,
    )
    from aigate_setup.rules.registry import (
        Hit,
        ModelRef,
        Reader,
        Rule,
        RuleContext,
        UrlRef,
        rule,
    )
    from aigate_setup.rules.scripts import Assign, script_assignments

    RULES: dict[str, Rule]

# Where each public name lives (module, attribute).
_LAZY = {
    **dict.fromkeys(
        (
            "catalogue",
            "infer_kind",
            "kind_for",
            "select_rules",
            "unknown_rule_ids",
            "validate_file",
            "validate_text",
        ),
        "aigate_setup.rules.engine",
    ),
    **dict.fromkeys(
        ("Hit", "ModelRef", "Reader", "Rule", "RuleContext", "UrlRef", "rule"),
        "aigate_setup.rules.registry",
    ),
    **dict.fromkeys(("Assign", "script_assignments"), "aigate_setup.rules.scripts"),
    "Finding": "aigate_setup.findings",
    # The file kinds are the client modules' (clients/base.py).
    "FileKind": "aigate_setup.clients.base",
    "FILE_KINDS": "aigate_setup.clients.base",
}


def __getattr__(name: str) -> Any:
    # RULES includes the client modules' rules, and the client modules import this package's
    # registry: the catalogue is built on first use, not at import time.
    if name == "RULES":
        return import_module("aigate_setup.rules.engine").catalogue()
    return lazy.load(__name__, _LAZY, name)


__all__ = [
    "FILE_KINDS",
    "RULES",
    "Assign",
    "FileKind",
    "Finding",
    "Hit",
    "ModelRef",
    "Reader",
    "Rule",
    "RuleContext",
    "UrlRef",
    "catalogue",
    "infer_kind",
    "kind_for",
    "rule",
    "script_assignments",
    "select_rules",
    "unknown_rule_ids",
    "validate_file",
    "validate_text",
]
