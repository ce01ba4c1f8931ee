"""The shape every client module has (`ClientModule`), and the small types it uses.

A client module knows everything about one coding client: its files and layers in precedence
order, what aigate-setup owns there and how to render/merge it, its static rules, its binary and
install hint, the route and auth header its smoke probe uses, how to read the settings it
will really use (`read_state` -> `ClientState`) and its own doctor checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar, get_args

from aigate_setup import paths
from aigate_setup.errors import ConfigError, ParseError

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions
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
    "qwen-settings",
    "continue-config",
    "aider-conf",
]
FILE_KINDS: tuple[FileKind, ...] = get_args(FileKind)


class ClientModule(Protocol):
    NAME: str
    TITLE: str
    BINARY: str
    INSTALL_HINT: str
    # `doctor --with-clients`: the arguments after the binary ("{model}", "{prompt}" are
    # filled in) and the extra environment of that one-shot run.
    ONE_SHOT: tuple[str, ...]
    ONE_SHOT_ENV: Mapping[str, str]
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

    def read_state(self, project_dir: Path) -> ClientState: ...

    def doctor_checks(
        self, state: ClientState, opts: DoctorOptions, requested: bool
    ) -> list[Check]: ...


# --- effective settings and doctor checks


@dataclass(frozen=True)
class Origin:
    """Where a value was read: a file, and its line when the parser gives it cheaply."""

    path: Path
    line: int | None = None

    @property
    def file(self) -> str:
        """The file for people (`~/...`)."""
        return paths.display(self.path)

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Sourced:
    """A value of a client's settings and its origin."""

    value: str
    origin: Origin


@dataclass(frozen=True)
class ConfigFile:
    """One existing layer of a client's configuration. `text` is None when it cannot be read;
    `error` says why it cannot be used (unreadable, not UTF-8, a syntax error)."""

    path: Path
    kind: str
    text: str | None = None
    error: ConfigError | None = None


@dataclass(frozen=True)
class KeyRef:
    """How the AIGate entry gets its key: a variable, a key file, or (wrongly) a literal."""

    var: str | None = None
    file: str | None = None
    literal: bool = False
    origin: Origin | None = None


@dataclass(frozen=True)
class ClientState:
    """What a client will use, read from all of its layers in its own precedence order."""

    name: str
    files: tuple[ConfigFile, ...]  # existing layers, in load order (later wins)
    configured: bool = False  # the AIGate provider / script block is there
    referenced: bool = False  # something points at aigate although the provider is missing
    problem: str = ""  # why the provider entry is not usable (a Codex project file...)
    provider: Origin | None = None  # the AIGate provider entry (or the script's block)
    base_url: Sourced | None = None
    base_url_computed: bool = False  # set, but only known when a script runs
    key: KeyRef = field(default_factory=KeyRef)
    default_provider: Sourced | None = None  # the client's default provider (any)
    default_model: Sourced | None = None  # the client's default model (any provider)
    aigate_default: bool = False  # AIGate is the client's default
    model: str | None = None  # the AIGate model a probe or a one-shot run uses
    models: tuple[str, ...] = ()  # every AIGate model configured
    script: ConfigFile | None = None  # the script a user loads (Claude Code)
    slots: Mapping[str, str] = field(default_factory=dict)  # Claude Code's model variables

    @property
    def problems(self) -> list[ConfigError]:
        return [f.error for f in self.files if f.error is not None]

    @property
    def where(self) -> str:
        """The file holding the AIGate entry, for people."""
        return self.provider.file if self.provider is not None else ""


T = TypeVar("T")
_PARSE_HINT = "fix the syntax there (or `aigate-setup restore` to undo the last aigate-setup run)"


def read_layers(entries: Sequence[tuple[Path, str]]) -> list[ConfigFile]:
    """The files of `entries` that exist (each once), decoded; a problem is kept, not raised."""
    from aigate_setup import fsio
    from aigate_setup.merge import text as textmod

    found: list[ConfigFile] = []
    seen: set[str] = set()
    for path, kind in entries:
        real = os.path.normcase(os.path.abspath(path))
        if real in seen:
            continue
        seen.add(real)
        try:
            raw = fsio.read_bytes(path)
        except ConfigError as exc:
            found.append(ConfigFile(path, kind, error=exc))
            continue
        if raw is None:
            continue
        try:
            text = textmod.decode(raw).text
        except ValueError as exc:
            error = ConfigError(str(exc), path=path, hint="save the file as UTF-8")
            found.append(ConfigFile(path, kind, error=error))
            continue
        found.append(ConfigFile(path, kind, text))
    return found


def parse_layers(
    entries: Sequence[tuple[Path, str]], parse: Callable[[ConfigFile, str], T]
) -> tuple[tuple[ConfigFile, ...], list[tuple[ConfigFile, T]]]:
    """Every layer, and the parsed ones with what `parse(file, text)` made of them.

    A ParseError (any ValueError) from `parse` becomes the file's error, with a hint."""
    files: list[ConfigFile] = []
    parsed: list[tuple[ConfigFile, T]] = []
    for f in read_layers(entries):
        if f.error is None and f.text is not None:
            try:
                parsed.append((f, parse(f, f.text)))
            except ParseError as exc:
                error = ConfigError.from_parse(exc, f.path, _PARSE_HINT)
                f = replace(f, error=error)
            except ValueError as exc:
                f = replace(f, error=ConfigError(str(exc), path=f.path, hint=_PARSE_HINT))
        files.append(f)
    return tuple(files), parsed
