"""What `doctor --fix` may not do: replace a model the user chose, or a base URL the user wrote
with another gateway's (unless the user named that gateway with --base-url / AIGATE_BASE_URL).

`--fix` rebuilds a client's owned parts the way `init` writes them; this compares every model id
and base URL the static rules read in the old and the new text of each file, and keeps a file's
change only when no value the user had is replaced. Adding a missing value is fine; turning
a URL into the same gateway's right shape (`/v1` added or taken away) is fine too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aigate_setup import paths
from aigate_setup.options import gateway_root

if TYPE_CHECKING:
    from aigate_setup.fsio import FileChange

# Base URL origins the user gave in this run: doctor may point a client at them.
EXPLICIT = ("flag", "env")


@dataclass(frozen=True)
class Replaced:
    label: str
    old: str
    new: str


def _values(change: FileChange, data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """The base URLs and model ids (label -> value) the rules read in `data`."""
    from aigate_setup.merge import text as textmod
    from aigate_setup.rules import RuleContext, kind_for
    from aigate_setup.rules.engine import readers
    from aigate_setup.rules.source import Source

    kind = kind_for(change.path)
    if kind is None:
        return {}, {}
    try:
        text = textmod.decode(data).text.lstrip("\ufeff")
        src = Source(str(change.path), text, kind, RuleContext(), readers()[kind])
        urls = {u.label: u.value for u in src.urls}
        models = {m.label: m.value for m in src.models if m.field == "id"}
    except ValueError:
        return {}, {}
    return urls, models


def replaced(change: FileChange, origin: str) -> list[Replaced]:
    """The user's values this change would replace (empty: the change is safe)."""
    if change.old is None or change.sensitive:
        return []
    old_urls, old_models = _values(change, change.old)
    new_urls, new_models = _values(change, change.new)
    out: list[Replaced] = []
    for label, old in old_urls.items():
        new = new_urls.get(label)
        if new is None or new.strip() == old.strip() or origin in EXPLICIT:
            continue
        if gateway_root(new.strip().rstrip("/")) != gateway_root(old.strip().rstrip("/")):
            out.append(Replaced(label, old, new))
    for label, old in old_models.items():
        new = new_models.get(label)
        if new is not None and new != old:
            out.append(Replaced(label, old, new))
    return out


def safe_changes(
    changes: Sequence[FileChange], origin: str, say: Callable[[str], None]
) -> list[FileChange]:
    """The changes that replace nothing the user chose; each left-out file is named."""
    from aigate_setup.doctor.parts import mask_urls

    kept: list[FileChange] = []
    for ch in changes:
        found = replaced(ch, origin)
        if not found:
            kept.append(ch)
            continue
        what = "; ".join(f"{r.label} {r.old!r} -> {r.new!r}" for r in found[:3])
        say(
            f"--fix: left {paths.display(ch.path)} as it is: it would replace what you chose "
            f"({mask_urls(what)}); run `aigate-setup init --client {ch.client}` to choose again"
        )
    return kept
