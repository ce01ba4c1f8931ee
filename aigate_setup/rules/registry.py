"""What a rule is, and what a rule's check function gets and gives.

One rule is one definition (ruff's style): its id, severity, title, doc (why it matters), a
broken example, the fix, the file kinds it applies to and its check function, kept together by
the `rule` decorator. Shared rules live in this package; a client's own rules live in its client
module (`aigate_setup/clients/<client>.py`, section "static rules (check)"), which also declares
how its files are read (`Reader`). This module is a leaf: client modules import it, and it
imports no client module and no catalog code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Literal, NamedTuple

from aigate_setup.findings import Severity

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import FileKind
    from aigate_setup.rules.source import Source

# How a kind's text is read: a TOML or JSONC document, or a POSIX / PowerShell script.
Format = Literal["toml", "jsonc", "sh", "ps1", "yaml"]

# The records below are NamedTuples, not frozen dataclasses: `check` starts a fresh process
# for every run, and each frozen dataclass costs about a millisecond to create at import (and a
# few microseconds per instance, for the thousands of hits and references of a big tree).


class RuleContext(NamedTuple):
    """What a run knows besides the file: the gateway host, the catalog, the key variable."""

    gateway_host: str | None = None
    catalog: Catalog | None = None
    key_env: str = "AIGATE_API_KEY"


class Hit(NamedTuple):
    """One place a rule fires. `hint`/`severity` override the rule's own when set."""

    line: int | None
    column: int | None
    message: str
    hint: str | None = None
    severity: Severity | None = None


CheckFn = Callable[["Source"], Iterable[Hit]]


class Rule(NamedTuple):
    id: str  # stable: AIG + three digits
    name: str  # short kebab-case name (SARIF `name`)
    severity: Severity
    title: str
    doc: str  # why it matters: what the client does with such a file
    example: str  # a whole file that breaks the rule (docs/rules.md, and a test runs it)
    fix: str  # what to do; the default hint of its findings
    kinds: tuple[FileKind, ...] | None  # the file kinds it runs on; None: every kind
    example_kind: FileKind  # the kind of file `example` is
    check: CheckFn
    # A sharper form of AIG002 (a literal key in a known credential field): AIG002 does not
    # report the same line again.
    secret: bool = False

    @property
    def hint(self) -> str:
        return self.fix

    def applies_to(self, kind: FileKind) -> bool:
        return self.kinds is None or kind in self.kinds


def rule(
    id: str,
    name: str,
    severity: Severity,
    title: str,
    *,
    kinds: Iterable[FileKind] | None,
    doc: str,
    example: str,
    fix: str,
    example_kind: FileKind | None = None,
    secret: bool = False,
) -> Callable[[CheckFn], Rule]:
    """Turn a check function into a `Rule` that keeps everything about it together."""

    applies = None if kinds is None else tuple(kinds)
    first = example_kind or (applies[0] if applies else None)
    if first is None:
        raise ValueError(f"rule {id}: a rule for every kind names its example_kind")
    example_of: FileKind = first

    def define(check: CheckFn) -> Rule:
        return Rule(
            id=id,
            name=name,
            severity=severity,
            title=title,
            doc=" ".join(doc.split()),
            example=example,
            fix=fix,
            kinds=applies,
            example_kind=example_of,
            check=check,
            secret=secret,
        )

    return define


# --- what a client says about its files -------------------------------------------------------


class UrlRef(NamedTuple):
    """A base URL written in a file. `style`: "v1" wants the /v1 base (OpenAI-style clients),
    "root" wants the gateway root (Claude Code appends /v1/messages itself)."""

    label: str
    value: str
    line: int | None
    column: int | None
    style: Literal["v1", "root"]
    # Whether a key is configured for this URL (an apiKey, env_key, a token); None: unknown,
    # taken as yes. Plain http without a key leaks prompts, not a key (AIG014 is a warning).
    keyed: bool | None = None


class ModelRef(NamedTuple):
    """A model id (or a model's display name) written in a file.

    `catalog_id` is the gateway id it names when the client sends it to AIGate (so the catalog
    rules judge it), else None.
    """

    label: str
    value: str
    line: int | None
    column: int | None
    field: Literal["id", "name"] = "id"
    catalog_id: str | None = None


def _no_refs(src: Source) -> list[UrlRef]:
    return []


def _no_models(src: Source) -> list[ModelRef]:
    return []


class Reader(NamedTuple):
    """How the rules read one file kind of one client."""

    kind: FileKind
    client: str  # the `--client` name
    title: str  # the client's name for people
    format: Format
    shown_as: str  # a typical path, for docs/rules.md
    urls: Callable[[Source], list[UrlRef]] = _no_refs
    models: Callable[[Source], list[ModelRef]] = _no_models
    # Root keys the client knows (JSON configs), for the misspelled/unknown key rules.
    root_keys: frozenset[str] = frozenset()


def by_id(rules: Iterable[Rule]) -> dict[str, Rule]:
    """Rules keyed by id, in id order; a duplicate id is a programming error."""
    out: dict[str, Rule] = {}
    for r in sorted(rules, key=lambda r: r.id):
        if r.id in out:
            raise RuntimeError(f"rule id {r.id} is defined twice")
        out[r.id] = r
    return out


def readers_by_kind(readers: Iterable[Reader]) -> Mapping[FileKind, Reader]:
    out: dict[FileKind, Reader] = {}
    for reader in readers:
        if reader.kind in out:
            raise RuntimeError(f"file kind {reader.kind} has two readers")
        out[reader.kind] = reader
    return out
