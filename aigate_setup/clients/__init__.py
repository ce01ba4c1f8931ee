"""One module per coding client: where its files are, what aigate-setup owns in them, how to
render the owned part into a new or existing file, and how to validate it.

Every module has the same shape (see `ClientModule`). `config_paths` lists files in the order the
client loads them: later entries override earlier ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from aigate_setup.clients import claude, codex, kilo, opencode

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.errors import ConfigError
    from aigate_setup.findings import Finding
    from aigate_setup.plan import Selection
    from aigate_setup.rules import RuleContext


class ClientModule(Protocol):
    NAME: str

    def target_paths(self, scope: str, project_dir: Path) -> list[Path]: ...

    def targets(self, sel: Selection) -> list[Path]: ...

    def config_paths(self, project_dir: Path) -> list[tuple[Path, str]]: ...

    def parse_problem(self, sel: Selection, path: Path, text: str) -> ConfigError | None: ...

    def render(
        self, sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None
    ) -> str: ...

    def file_kind(self, path: Path, project_dir: Path | None = None) -> str: ...

    def validate(
        self,
        path: Path,
        text: str,
        ctx: RuleContext | None = None,
        *,
        project_dir: Path | None = None,
    ) -> list[Finding]: ...


CLIENT_MODULES: dict[str, ClientModule] = {
    "codex": codex,
    "opencode": opencode,
    "kilo": kilo,
    "claude": claude,
}

__all__ = ["CLIENT_MODULES", "ClientModule", "claude", "codex", "kilo", "opencode"]
