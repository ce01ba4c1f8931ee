"""The shape every client module has (`ClientModule`), and the small types it uses.

A client module knows everything about one coding client: its files and layers in precedence
order, what aigate-setup owns there and how to render/merge it, its static rules, its binary and
install hint, and the route and auth header its smoke probe uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, get_args

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.errors import ConfigError
    from aigate_setup.plan import Selection
    from aigate_setup.rules.registry import Reader, Rule

Route = Literal["responses", "chat", "messages"]
Auth = Literal["bearer", "x-api-key"]
# Every kind of config file the static rules tell apart (each client module's `file_kind`).
FileKind = Literal[
    "codex-user",
    "codex-project",
    "opencode",
    "kilo-user",
    "kilo-project",
    "claude-settings",
    "claude-sh",
    "claude-ps1",
]
FILE_KINDS: tuple[FileKind, ...] = get_args(FileKind)


class ClientModule(Protocol):
    NAME: str
    TITLE: str
    BINARY: str
    INSTALL_HINT: str
    PROBE_ROUTE: Route
    PROBE_AUTH: Auth
    CATALOG_ENDPOINT: str
    ENDPOINT_MISSING: str

    def target_paths(self, scope: str, project_dir: Path) -> list[Path]: ...

    def targets(self, sel: Selection) -> list[Path]: ...

    def config_paths(self, project_dir: Path) -> list[tuple[Path, str]]: ...

    def parse_problem(self, sel: Selection, path: Path, text: str) -> ConfigError | None: ...

    def render(
        self, sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None
    ) -> str: ...

    # Static rules (`check`, and doctor's rule checks): see aigate_setup/rules.
    STATIC_RULES: tuple[Rule, ...]  # this client's own rules
    READERS: tuple[Reader, ...]  # how the rules read each kind of file of this client

    def file_kind(self, path: Path) -> FileKind | None:
        """The kind of `path` if this client reads it (by name and place), else None. The one
        file classifier: `rules.kind_for` asks every client module."""
        ...

    def guess_kind(self, path: Path, text: str) -> tuple[int, FileKind] | None:
        """For a file named otherwise: a score and a kind (the highest score of all clients
        wins), or None."""
        ...
