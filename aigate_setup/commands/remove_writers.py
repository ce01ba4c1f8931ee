"""The writers `remove` knows: every kind of file aigate-setup writes, with how to find its
files and how to take aigate-setup's parts out of one (`unrender`).

One entry per writer. A new kind of file plugs in with one line, e.g.

    WRITERS.append(Writer("shell", shell.remove_targets, shell.unrender))

`targets(where)` lists the candidate paths (missing ones are skipped); `unrender(path, text)`
returns the text without every owned part, or None when nothing but owned content would be left
(the file is then deleted). Client writers also name their default keys, read their owned
values and put back a default the state file remembers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigate_setup import paths
from aigate_setup.clients import CLIENT_MODULES, claude, codex
from aigate_setup.state import State

Values = dict[str, object]


@dataclass(frozen=True)
class Where:
    """Which files a remove looks at: its scope(s) and the state file's record."""

    state: State
    places: tuple[tuple[str, Path], ...]  # (scope, project dir)
    use_state: bool = True  # also every file the recorded init runs changed
    delete_key: bool = False


def _no_values(path: Path, text: str) -> Values:
    return {}


def _same(path: Path, text: str, values: Mapping[str, object]) -> str:
    return text


@dataclass(frozen=True)
class Writer:
    name: str  # the `client` of its files in runs and JSON (a --client name, or "aigate")
    targets: Callable[[Where], list[Path]]
    unrender: Callable[[Path, str], str | None]
    client: str | None = None  # the --client it belongs to (None: not narrowed by --client)
    owned_values: Callable[[Path, str], Values] = _no_values
    put_back: Callable[[Path, str, Mapping[str, object]], str] = _same
    default_keys: tuple[str, ...] = ()
    fallback: str = ""  # what the client uses once AIGate is no longer its default
    default_of: Callable[[Mapping[str, object]], tuple[str | None, str | None]] | None = None
    sensitive: bool = False  # holds a key: never show its contents
    # Whether a file's text holds aigate-setup's setup (None: it does when `unrender` changes
    # it). A backup without it comes back byte for byte.
    ours: Callable[[Path, str], bool] | None = None


def _client_targets(name: str) -> Callable[[Where], list[Path]]:
    module = CLIENT_MODULES[name]

    def targets(where: Where) -> list[Path]:
        found: list[Path] = []
        for scope, project_dir in where.places:
            found += module.target_paths(scope, project_dir)
        if where.use_state:
            # Only files of the kinds this module writes: another part of the client (a
            # catalog file, an export) has a writer of its own.
            names = {p.name for p in found}
            for _scope, project_dir in where.places:
                names |= {p.name for p in module.target_paths("project", project_dir)}
                names |= {p.name for p, _ in module.config_paths(project_dir)}
            found += [p for p in where.state.files_of(name) if p.name in names]
        return found

    return targets


def client_writer(name: str) -> Writer:
    module: Any = CLIENT_MODULES[name]
    return Writer(
        name=name,
        targets=_client_targets(name),
        unrender=module.unrender,
        client=name,
        owned_values=module.owned_values,
        # Clients added later (Qwen Code, Continue, Aider) take their parts out but have no
        # replaced default to put back yet.
        put_back=getattr(module, "put_back", _same),
        default_keys=tuple(getattr(module, "DEFAULT_KEYS", ())),
        fallback=getattr(module, "FALLBACK", ""),
        default_of=getattr(module, "default_of", None),
    )


def key_file() -> Path:
    return paths.aigate_config_dir() / "key"


def _key_targets(where: Where) -> list[Path]:
    return [key_file()] if where.delete_key else []


def _whole_file(path: Path, text: str) -> str | None:
    return None


def _codex_catalog(where: Where) -> list[Path]:
    from aigate_setup.clients.codex import catalog

    return [catalog.catalog_path()]


def _claude_settings(where: Where) -> list[Path]:
    from aigate_setup.clients.claude import settings

    found = [settings.settings_path(scope, project_dir) for scope, project_dir in where.places]
    return [*found, settings.helper_path()]


def _claude_settings_writer() -> Writer:
    """settings.json and the key helper: the owned keys come out, the values they replaced
    (a user's own ANTHROPIC_MODEL, apiKeyHelper...) go back."""
    from aigate_setup.clients.claude import settings

    return Writer(
        claude.NAME,
        _claude_settings,
        settings.unrender,
        client=claude.NAME,
        owned_values=settings.owned_values,
        put_back=settings.put_back,
        default_keys=settings.OWNED_KEYS,
        ours=settings.holds_ours,
    )


def _shell_files(where: Where) -> list[Path]:
    from aigate_setup import shells

    found: list[Path] = []
    for shell in shells.known():
        found += [*shell.startup, shell.env_file]
    return list(dict.fromkeys(found))


def _shell_unrender(path: Path, text: str) -> str | None:
    from aigate_setup import shells

    return shells.unrender(path, text)


WRITERS: list[Writer] = [client_writer(name) for name in CLIENT_MODULES]
WRITERS.append(Writer(codex.NAME, _codex_catalog, lambda p, t: None, client=codex.NAME))
# Before Claude Code's own writer, which also finds settings.json among its config files: the
# first writer that changes a file plans it, and this one puts replaced values back.
WRITERS.insert(list(CLIENT_MODULES).index(claude.NAME), _claude_settings_writer())
WRITERS.append(Writer("aigate", _shell_files, _shell_unrender))
# The kept key file goes only with --delete-key.
WRITERS.append(Writer("aigate", _key_targets, _whole_file, sensitive=True))
