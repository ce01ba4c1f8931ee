"""What `init` knows from the state file: hand edits it would overwrite, other tools' defaults
it would replace, and the state record it writes with the run.

Pure: reads the planned changes and the loaded state, returns values; init asks (wizard) or
reports (scripted), and fsio.apply writes the record together with the other files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigate_setup import fsio, paths, state
from aigate_setup.clients import CLIENT_MODULES
from aigate_setup.errors import ParseError
from aigate_setup.merge import text as textmod

Pair = tuple[str | None, str | None]


@dataclass(frozen=True)
class HandEdit:
    """An owned value the user changed since aigate-setup wrote it, about to be overwritten."""

    client: str
    path: Path
    key: str
    old: object  # on disk now (the user's edit)
    new: object  # what this run writes
    written: object  # what aigate-setup wrote last time

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "old": self.old, "new": self.new, "file": str(self.path)}

    def text(self) -> str:
        return (
            f"{paths.display(self.path)}: {self.key} was changed by hand to {_shown(self.old)}"
            f" (aigate-setup wrote {_shown(self.written)}); this run sets {_shown(self.new)}"
        )


@dataclass(frozen=True)
class ReplacedDefault:
    """Another provider's default (before) that this run replaces with AIGate's (after)."""

    client: str
    path: Path
    before: Pair
    after: Pair

    def to_json(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "file": str(self.path),
            "old": {"provider": self.before[0], "model": self.before[1]},
            "new": {"provider": self.after[0], "model": self.after[1]},
        }

    def text(self) -> str:
        title = CLIENT_MODULES[self.client].TITLE
        return (
            f"{title} defaulted to {pair(self.before)}; now {pair(self.after)} "
            f"({paths.display(self.path)}; `aigate-setup remove` puts the old default back)"
        )


def pair(p: Pair) -> str:
    return " / ".join(x for x in p if x) or "its own default"


def _shown(value: object) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _module(client: str) -> Any:
    module = CLIENT_MODULES.get(client)
    return module if module is not None and hasattr(module, "owned_values") else None


def values_of(client: str, path: Path, data: bytes | None) -> dict[str, object]:
    """The owned values in `data` (empty: missing, unreadable, or not a client file)."""
    module = _module(client)
    if module is None or data is None:
        return {}
    try:
        found: dict[str, object] = module.owned_values(path, textmod.decode(data).text)
    except (ValueError, ParseError):
        return {}
    return found


def hand_edits(changes: list[fsio.FileChange], st: state.State) -> list[HandEdit]:
    out: list[HandEdit] = []
    for ch in changes:
        if ch.status != "updated":
            continue
        before = values_of(ch.client, ch.path, ch.old)
        after = values_of(ch.client, ch.path, ch.new)
        for key, value in before.items():
            last = st.still_ours(os.path.abspath(ch.path), key)
            if last is None or last.written == value or after.get(key) == value:
                continue
            out.append(HandEdit(ch.client, ch.path, key, value, after.get(key), last.written))
    return out


def replaced_defaults(changes: list[fsio.FileChange]) -> list[ReplacedDefault]:
    out: list[ReplacedDefault] = []
    for ch in changes:
        module = _module(ch.client)
        # Clients added later (Qwen Code, Continue, Aider) do not name their defaults yet.
        if module is None or ch.status != "updated" or not hasattr(module, "default_of"):
            continue
        before = values_of(ch.client, ch.path, ch.old)
        after = values_of(ch.client, ch.path, ch.new)
        was, now = module.default_of(before), module.default_of(after)
        if any(was) and was != now and not module.is_ours(before):
            out.append(ReplacedDefault(ch.client, ch.path, was, now))
    return out


def aigate_default(changes: list[fsio.FileChange], client: str) -> bool:
    """True when, after the run, AIGate is `client`'s default in some file it writes."""
    module = _module(client)
    if module is None:
        return False
    if not getattr(module, "DEFAULT_KEYS", ()):
        return True  # nothing to choose (Claude Code's script is the AIGate setup)
    return any(
        module.is_ours(values_of(client, ch.path, ch.new)) for ch in changes if ch.client == client
    )


def user_wide_notes(changes: list[fsio.FileChange], scope: str) -> list[tuple[str, str]]:
    """(client, note) for clients whose default is user-wide even in project scope."""
    if scope != "project":
        return []
    out = []
    for ch in changes:
        module = _module(ch.client)
        note = getattr(module, "USER_WIDE_DEFAULT", None)
        if note and ch.status != "unchanged" and aigate_default([ch], ch.client):
            out.append((ch.client, str(note).format(path=paths.display(ch.path))))
    return out


def record(
    changes: list[fsio.FileChange],
    st: state.State,
    *,
    base_url: str,
    key_env: str,
    clients: tuple[str, ...],
    scope: str,
    project_dir: Path,
) -> fsio.FileChange | None:
    """The state file's change for this run (None when nothing else changes: a rerun that
    changes nothing writes no new timestamp)."""
    written = [ch for ch in changes if ch.status != "unchanged"]
    old = state.read_raw()
    if not written or (old is None and os.path.lexists(state.path())):
        return None  # nothing changed, or a state file that cannot be read (already warned)
    values: list[state.OwnedValue] = []
    for ch in written:
        before = values_of(ch.client, ch.path, ch.old)
        after = values_of(ch.client, ch.path, ch.new)
        path = os.path.abspath(ch.path)
        values += [
            state.OwnedValue(ch.client, path, key, value, before.get(key))
            for key, value in after.items()
            if before.get(key) != value
        ]
    run = state.RunRecord(
        command="init",
        at=state.now(),
        base_url=base_url,
        key_env=key_env,
        clients=clients,
        scope=scope,
        project_dir=str(project_dir) if scope == "project" else None,
        created=tuple(os.path.abspath(ch.path) for ch in written if ch.old is None),
        values=tuple(values),
        files=tuple((ch.client, os.path.abspath(ch.path)) for ch in written),
    )
    return state.change(st.with_run(run), old)


def use_aigate_hint(client: str, model: str) -> str | None:
    """How to start `client` on AIGate when AIGate is not its default."""
    module = CLIENT_MODULES[client]
    extra = getattr(module, "USE_AIGATE", None)
    if not extra:
        return None
    return f"{module.BINARY} {str(extra).format(model=model)}"


def is_state(change: fsio.FileChange) -> bool:
    return change.client == state.CLIENT and change.path == state.path()


def by_client(items: list[Any]) -> Mapping[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for item in items:
        out.setdefault(item.client, []).append(item)
    return out
