"""Static rules for agent configs, shared by `check` and `doctor`.

A rule is one definition (`registry.rule`): id, severity, title, doc, a broken example, the
fix and its check function. Shared rules live here (syntax, literal keys, base URLs, model ids);
each client's own rules live in its client module and are collected by `engine.catalogue`.
docs/rules.md is generated from the catalogue (`python -m aigate_setup.rules --markdown`).

    validate_text(path, text, kind, RuleContext(...))   -> sorted findings of one file
    validate_file(path, text, RuleContext(...))         -> the same, the kind from the path
    RULES                                              -> {rule id: Rule}, every rule in id order
    kind_for(path) / infer_kind(path, text)            -> which kind of file (the clients say)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from aigate_setup.clients.base import FILE_KINDS, FileKind

    RULES: dict[str, Rule]


def __getattr__(name: str) -> Any:
    # RULES includes the client modules' rules, and the client modules import this package's
    # registry: the catalogue is built on first use, not at import time. The file kinds are
    # the client modules' too (clients/base.py).
    if name == "RULES":
        return catalogue()
    if name in ("FileKind", "FILE_KINDS"):
        from aigate_setup.clients import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
