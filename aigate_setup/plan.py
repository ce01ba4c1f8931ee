"""A selection (clients, models, scope) -> the exact bytes every target file should hold.

Pure apart from reading: every target is read and parsed before anything is computed, so an
unparsable file stops the whole run with every problem listed, and nothing is written.
Writing (backups, atomic replace) is fsio.apply's job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from aigate_setup.errors import ConfigError, UsageError
from aigate_setup.options import CLIENTS, check_path, normalize_base_url

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.fsio import FileChange


@dataclass(frozen=True)
class ClaudeSlots:
    """The models Claude Code uses for its opus / sonnet / haiku aliases."""

    opus: str
    sonnet: str
    haiku: str


@dataclass(frozen=True)
class Selection:
    clients: tuple[str, ...]
    model: str
    claude: ClaudeSlots
    extra_models: tuple[str, ...]
    scope: Literal["user", "project"]
    project_dir: Path
    base_url: str
    key_env: str
    make_default: bool = True
    key_file: Path | None = None  # when the wizard kept the key in a 0600 file


class PlanError(ConfigError):
    """One or more target files cannot be parsed; `problems` lists each one."""

    def __init__(self, problems: list[ConfigError]) -> None:
        first = problems[0]
        message = first.message
        if first.key_path:
            message = f"{first.key_path}: {message}"
        if len(problems) > 1:
            rest = "; ".join(str(p) for p in problems[1:])
            message += f" (and {len(problems) - 1} more: {rest})"
        super().__init__(
            message,
            path=first.path,
            line=first.line,
            column=first.column,
            hint=(first.hint + "; nothing was written") if first.hint else "nothing was written",
        )
        self.problems = problems


def check_selection(sel: Selection) -> Selection:
    """Refuse selections that would produce broken files (usage errors, exit 2).

    Returns the selection with its base URL normalized (no trailing slash)."""
    from aigate_setup.clients.common import check_env_name, check_model_id

    unknown = [c for c in sel.clients if c not in CLIENTS]
    if unknown:
        raise UsageError(
            f"unknown client {unknown[0]!r}",
            "use --client with one of: " + ", ".join(CLIENTS),
        )
    if not sel.clients:
        raise UsageError("no client selected", "pass --client codex (repeatable)")
    if sel.scope not in ("user", "project"):
        raise UsageError(f"--scope {sel.scope!r} is not user or project", "use --scope user")
    check_env_name(sel.key_env)
    check_model_id("--model", sel.model)
    for model_id in sel.extra_models:
        check_model_id("--extra-model", model_id)
    for flag, value in (
        ("--claude-opus", sel.claude.opus),
        ("--claude-sonnet", sel.claude.sonnet),
        ("--claude-haiku", sel.claude.haiku),
    ):
        check_model_id(flag, value)
    check_path("--project-dir", sel.project_dir)
    if sel.key_file is not None:
        check_path("the key file", sel.key_file)
    return replace(sel, base_url=normalize_base_url(sel.base_url))


def targets(sel: Selection) -> list[tuple[str, Path]]:
    """(client, path) of every file this selection writes, in client order."""
    from aigate_setup.clients import CLIENT_MODULES

    out: list[tuple[str, Path]] = []
    for client in CLIENTS:
        if client in sel.clients:
            out += [(client, path) for path in CLIENT_MODULES[client].targets(sel)]
    return out


def build_changes(sel: Selection, catalog: Catalog | None) -> list[FileChange]:
    """Read and parse every target, then compute its new bytes. Writes nothing.

    Raises PlanError (a ConfigError) listing `path:line:col: message` for every target that
    cannot be read or parsed; UsageError for a selection that cannot be written.
    """
    from aigate_setup import fsio
    from aigate_setup.clients import CLIENT_MODULES
    from aigate_setup.merge import text as textmod

    sel = check_selection(sel)
    planned = targets(sel)
    for _client, path in planned:
        # A path is written into script comments and quoted strings: one plain line only.
        check_path("target file", path)

    loaded: list[tuple[str, Path, bytes | None, textmod.Decoded | None]] = []
    problems: list[ConfigError] = []
    for client, path in planned:
        try:
            old = fsio.read_bytes(path)
        except ConfigError as exc:
            problems.append(exc)
            continue
        doc: textmod.Decoded | None = None
        if old is not None:
            try:
                doc = textmod.decode(old)
            except ValueError as exc:
                problems.append(ConfigError(str(exc), path=path, hint="save the file as UTF-8"))
                continue
            problem = CLIENT_MODULES[client].parse_problem(sel, path, doc.text)
            if problem is not None:
                problems.append(problem)
                continue
        loaded.append((client, path, old, doc))
    if problems:
        raise PlanError(problems)

    changes: list[FileChange] = []
    for client, path, old, doc in loaded:
        module = CLIENT_MODULES[client]
        new_text = module.render(sel, catalog, path, doc.text if doc is not None else None)
        new = textmod.encode(doc if doc is not None else textmod.new_document(), new_text)
        # A client may need a mode for a file (Claude Code's key helper is executable).
        mode = getattr(module, "file_mode", lambda _p: None)(path)
        changes.append(fsio.FileChange(client=client, path=path, old=old, new=new, mode=mode))
    return changes
