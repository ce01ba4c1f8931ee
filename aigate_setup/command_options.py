"""The options of init, doctor, models, restore and remove (see options.py, which re-exports
them: `status`, `check` and `--help` do not pay for these classes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aigate_setup.options import Common


@dataclass(frozen=True)
class InitOptions:
    common: Common
    clients: tuple[str, ...] = ()
    model: str | None = None
    claude_opus: str | None = None
    claude_sonnet: str | None = None
    claude_haiku: str | None = None
    extra_models: tuple[str, ...] = ()
    scope: str = "user"
    project_dir: Path = field(default_factory=Path.cwd)
    yes: bool = False
    dry_run: bool = False
    smoke_test: bool = True
    make_default: bool = True
    kilo_legacy_export: Path | None = None
    allow_insecure_http: bool = False
    save_key: bool | None = None  # --save-key / --no-save-key; None: the wizard asks
    shell_profile: bool | None = None  # --shell-profile / --no-shell-profile; None: ask


@dataclass(frozen=True)
class DoctorOptions:
    common: Common
    clients: tuple[str, ...] = ()
    project_dir: Path = field(default_factory=Path.cwd)
    offline: bool = False
    with_clients: bool = False
    fix: bool = False
    yes: bool = False


@dataclass(frozen=True)
class ModelsOptions:
    common: Common
    kind: str | None = None
    client: str | None = None
    refresh: bool = False


@dataclass(frozen=True)
class RestoreOptions:
    common: Common
    run_id: str | None = None
    list_runs: bool = False
    dry_run: bool = False
    yes: bool = False  # change files without asking


@dataclass
class RemoveOptions:
    common: Common
    clients: tuple[str, ...] = ()
    scope: str | None = None  # None: user scope plus every project the state file knows
    project_dir: Path = field(default_factory=Path.cwd)
    yes: bool = False
    dry_run: bool = False
    delete_key: bool = False
