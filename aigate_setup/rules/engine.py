"""The rule catalogue, and running the chosen rules over one file.

The catalogue is the shared rules of this package plus every client module's `STATIC_RULES`;
the client modules are imported when the catalogue is first needed (they import the registry,
so this package cannot import them at module level). `validate_text` is pure: text in,
findings out, no I/O and no network.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup import sanitize, secrets
from aigate_setup.errors import UsageError
from aigate_setup.findings import Finding
from aigate_setup.rules import keys, models, syntax, urls
from aigate_setup.rules.registry import (
    Hit,
    Reader,
    Rule,
    RuleContext,
    by_id,
    readers_by_kind,
)
from aigate_setup.rules.source import Source

if TYPE_CHECKING:
    from aigate_setup.clients.base import FileKind

SHARED_RULES: tuple[Rule, ...] = (*syntax.RULES, *keys.RULES, *urls.RULES, *models.RULES)
SECRET_RULE = "AIG002"  # the catch-all; sharper secret rules (Rule.secret) take its lines


@functools.cache
def catalogue() -> dict[str, Rule]:
    """Every rule, keyed by id, in id order."""
    from aigate_setup.clients import CLIENT_MODULES

    own = [r for module in CLIENT_MODULES.values() for r in module.STATIC_RULES]
    return by_id([*SHARED_RULES, *own])


@functools.cache
def readers() -> Mapping[FileKind, Reader]:
    """How each file kind is read, from the client module that owns it."""
    from aigate_setup.clients import CLIENT_MODULES

    return readers_by_kind(r for module in CLIENT_MODULES.values() for r in module.READERS)


def unknown_rule_ids(values: Iterable[str]) -> list[str]:
    """The ids among `values` that are not rules (for --select/--ignore validation)."""
    known = catalogue()
    return [v for v in values if v not in known]


def select_rules(select: Sequence[str] = (), ignore: Sequence[str] = ()) -> tuple[Rule, ...]:
    """The rules to run: all (or only `select`), minus `ignore`. Unknown ids: UsageError."""
    known = catalogue()
    unknown = unknown_rule_ids([*select, *ignore])
    if unknown:
        ids = list(known)
        raise UsageError(
            f"unknown rule id {', '.join(sorted(set(unknown)))}",
            f"rule ids are {ids[0]}...{ids[-1]}; see `aigate-setup check --help` and the README",
        )
    return tuple(r for r in known.values() if (not select or r.id in select) and r.id not in ignore)


def _safe(text: str) -> str:
    # Messages quote the file; whatever a rule forgot to mask or escape stops here.
    return sanitize.clean(secrets.scrub(text))


def finding(path: str, rule: Rule, hit: Hit) -> Finding:
    return Finding(
        path=path,
        line=hit.line,
        column=hit.column,
        rule=rule.id,
        severity=hit.severity or rule.severity,
        message=_safe(hit.message),
        hint=_safe(rule.fix if hit.hint is None else hit.hint),
    )


def validate_text(
    path: Path | str,
    text: str,
    kind: FileKind,
    ctx: RuleContext,
    rules: Iterable[Rule] | None = None,
) -> list[Finding]:
    """Every finding of `rules` (default: all) for one file's text, sorted by position."""
    if text.startswith("\ufeff"):
        text = text.lstrip("\ufeff")
    src = Source(str(path), text, kind, ctx, readers()[kind])
    found: list[Finding] = []
    secret_lines: set[int] = set()
    for rule in _for_kind(rules, kind):
        for hit in rule.check(src):
            found.append(finding(src.path, rule, hit))
            if rule.secret and hit.line is not None:
                secret_lines.add(hit.line)
    if not found:
        return found
    if secret_lines:
        found = [f for f in found if not (f.rule == SECRET_RULE and f.line in secret_lines)]
    if "aigate:" in text:  # an inline ignore comment, maybe
        from aigate_setup.rules.ignore import apply_inline_ignores

        found = apply_inline_ignores(text, src.lines, found)
    return sorted(found, key=lambda f: (f.line or 0, f.column or 0, f.rule, f.message))


# (id of the rules given, kind) -> (those rules, the ones that run on the kind). `check` passes
# the same selection for every file: worked out once per kind, not once per file.
_KIND_RULES: dict[tuple[int, str], tuple[object, tuple[Rule, ...]]] = {}


def _for_kind(rules: Iterable[Rule] | None, kind: FileKind) -> tuple[Rule, ...]:
    given: object = catalogue() if rules is None else rules
    key = (id(given), kind)
    cached = _KIND_RULES.get(key)
    if cached is not None and cached[0] is given:
        return cached[1]
    chosen = catalogue().values() if rules is None else rules
    result = tuple(r for r in chosen if r.applies_to(kind))
    if isinstance(given, (tuple, dict, frozenset)):  # immutable: safe to remember
        if len(_KIND_RULES) > 64:
            _KIND_RULES.clear()
        _KIND_RULES[key] = (given, result)
    return result


def validate_file(
    path: Path, text: str, ctx: RuleContext, rules: Iterable[Rule] | None = None
) -> list[Finding]:
    """`validate_text` for a file whose kind follows from its path (else from its text)."""
    return validate_text(path, text, infer_kind(path, text), ctx, rules)


# --- which file is which ------------------------------------------------------------------


@functools.cache
def _classifiers() -> tuple[Callable[[Path], FileKind | None], ...]:
    """Each client module's `file_kind`, in registry order (looked up once: `check` asks for
    every file of a tree)."""
    from aigate_setup.clients import CLIENT_MODULES

    return tuple(module.file_kind for module in CLIENT_MODULES.values())


def kind_for(path: Path) -> FileKind | None:
    """The kind of a file by its name and place (asking each client module), or None when no
    client reads it."""
    for file_kind in _classifiers():
        kind = file_kind(path)
        if kind is not None:
            return kind
    return None


def infer_kind(path: Path, text: str) -> FileKind:
    """For a file named explicitly: its kind by name, else the best guess by extension and
    content (each client module scores its own kinds)."""
    kind = kind_for(path)
    if kind is not None:
        return kind
    from aigate_setup.clients import CLIENT_MODULES

    best: tuple[int, FileKind] | None = None
    for module in CLIENT_MODULES.values():
        guess = module.guess_kind(path, text)
        if guess is not None and (best is None or guess[0] > best[0]):
            best = guess
    if best is None:  # pragma: no cover - the Codex module always guesses
        raise RuntimeError(f"no client guesses a kind for {path}")
    return best[1]
