"""`init` warns before it asks to write: layers that will override what it writes.

Each selected client is resolved as the planned files would leave it (nothing written yet),
and every override is one warning naming its file and line (or variable) and how to fix it.
In interactive mode, an override that is a plain JSON value aigate-setup can set the same way
it sets its own (an agent's model, a settings `env` entry) is offered as a fix, which joins the
plan (backed up and undoable like the rest)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aigate_setup.clients.base import Override
    from aigate_setup.fsio import FileChange


def overrides(
    clients: Sequence[str], project_dir: Path, gateway: str, changes: Sequence[FileChange]
) -> list[tuple[str, Override]]:
    """(client, override) for every selected client, as if the plan were written."""
    from aigate_setup.clients import get
    from aigate_setup.clients.base import planned
    from aigate_setup.errors import AigateError

    env = dict(os.environ)
    found: list[tuple[str, Override]] = []
    with planned({ch.path: ch.new for ch in changes}):
        for name in clients:
            try:
                res = get(name).resolve(project_dir, env, gateway)
            except (OSError, AigateError):
                continue  # a layer that cannot be read: doctor and status report it
            found += [(name, o) for o in res.overrides]
    return found


def sentences(found: Sequence[tuple[str, Override]]) -> list[str]:
    """One line each: what, where, what it does, how to fix it."""
    from aigate_setup.clients import get
    from aigate_setup.sanitize import one_line

    out = []
    for name, o in found:
        text = o.sentence(get(name).TITLE)
        if o.fix:
            text += f" (fix: {o.fix})"
        out.append(one_line(text, 400))
    return out


def offer_fixes(
    found: Sequence[tuple[str, Override]],
    changes: list[FileChange],
    ask: Callable[[str], bool],
) -> list[FileChange]:
    """Ask about each override that is an owned-style JSON edit; the plan with the accepted
    ones (an edit to a file already in the plan changes that entry)."""
    from aigate_setup import fsio
    from aigate_setup.errors import ParseError
    from aigate_setup.merge import jsonc
    from aigate_setup.merge import text as textmod

    out = list(changes)
    for name, o in found:
        path = o.origin.path
        if path is None or not o.edit_key or o.edit_value is None:
            continue
        shown = ".".join(o.edit_key)
        if not ask(f"Set {shown} to {o.edit_value!r} in {o.origin.show()}?"):
            continue
        index = next((i for i, ch in enumerate(out) if ch.path == path), None)
        old = out[index].new if index is not None else fsio.read_bytes(path)
        if old is None:
            continue
        try:
            doc = textmod.decode(old)
            new = textmod.encode(doc, jsonc.set_value(doc.text, list(o.edit_key), o.edit_value))
        except (ValueError, ParseError):
            continue
        if index is not None:
            ch = out[index]
            out[index] = fsio.FileChange(ch.client, ch.path, ch.old, new, ch.sensitive)
        else:
            out.append(fsio.FileChange(name, path, fsio.read_bytes(path), new))
    return out
