"""The shape every client module has (`ClientModule`), and the small types it uses.

A client module knows everything about one coding client: its files and layers in precedence
order, what aigate-setup owns there and how to render/merge it, its static rules, its binary and
install hint, the route and auth header its smoke probe uses, how to read the settings it
will really use (`read_state` -> `ClientState`) and its own doctor checks.
"""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol, TypeVar, get_args

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
    "codex-catalog",
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

    def targets(self, sel: "Selection") -> list[Path]: ...

    def config_paths(self, project_dir: Path) -> list[tuple[Path, str]]: ...

    def parse_problem(self, sel: "Selection", path: Path, text: str) -> ConfigError | None: ...

    def render(
        self, sel: "Selection", catalog: "Catalog | None", path: Path, old_text: str | None
    ) -> str: ...

    # Static rules (`check`, and doctor's rule checks): see aigate_setup/rules.
    STATIC_RULES: "tuple[Rule, ...]"  # this client's own rules
    READERS: "tuple[Reader, ...]"  # how the rules read each kind of file of this client

    def file_kind(self, path: Path) -> FileKind | None:
        """The kind of `path` if this client reads it (by name and place), else None. The one
        file classifier: `rules.kind_for` asks every client module."""
        ...

    def guess_kind(self, path: Path, text: str) -> tuple[int, FileKind] | None:
        """For a file named otherwise: a score and a kind (the highest score of all clients
        wins), or None."""
        ...

    def read_state(self, project_dir: Path) -> "ClientState": ...

    def doctor_checks(
        self, state: "ClientState", opts: "DoctorOptions", requested: bool
    ) -> "list[Check]": ...

    def resolve(
        self, project_dir: Path, env: Mapping[str, str], gateway: str | None = None
    ) -> "Resolution":
        """What the client will use when started in `project_dir` with `env`: every layer it
        reads, in its own precedence order. `gateway` is the AIGate /v1 base to judge against
        (None: `layers.gateway_url(env)`)."""
        ...


# --- effective settings and doctor checks
# The records of this module are NamedTuples, not dataclasses: `status` creates these classes
# on every start, and a frozen dataclass costs about 0.7 ms to create (its methods are compiled
# at import time), a NamedTuple about 0.1 ms. Change one with `value._replace(...)`.


class Origin(NamedTuple):
    """Where a value was read: a file, and its line when the parser gives it cheaply."""

    path: Path
    line: int | None = None

    @property
    def file(self) -> str:
        """The file for people (`~/...`)."""
        return paths.display(self.path)

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


class Sourced(NamedTuple):
    """A value of a client's settings and its origin."""

    value: str
    origin: Origin


class ConfigFile(NamedTuple):
    """One existing layer of a client's configuration. `text` is None when it cannot be read;
    `error` says why it cannot be used (unreadable, not UTF-8, a syntax error)."""

    path: Path
    kind: str
    text: str | None = None
    error: ConfigError | None = None


class KeyRef(NamedTuple):
    """How the AIGate entry gets its key: a variable, a key file, or (wrongly) a literal."""

    var: str | None = None
    file: str | None = None
    literal: bool = False
    origin: Origin | None = None


class ClientState(NamedTuple):
    """What a client will use, read from all of its layers in its own precedence order."""

    name: str
    files: tuple[ConfigFile, ...]  # existing layers, in load order (later wins)
    configured: bool = False  # the AIGate provider / script block is there
    referenced: bool = False  # something points at aigate although the provider is missing
    problem: str = ""  # why the provider entry is not usable (a Codex project file...)
    provider: Origin | None = None  # the AIGate provider entry (or the script's block)
    base_url: Sourced | None = None
    base_url_computed: bool = False  # set, but only known when a script runs
    key: KeyRef = KeyRef()
    default_provider: Sourced | None = None  # the client's default provider (any)
    default_model: Sourced | None = None  # the client's default model (any provider)
    aigate_default: bool = False  # AIGate is the client's default
    model: str | None = None  # the AIGate model a probe or a one-shot run uses
    models: tuple[str, ...] = ()  # every AIGate model configured
    script: ConfigFile | None = None  # the script a user loads (Claude Code)
    slots: Mapping[str, str] = MappingProxyType({})  # Claude Code's model variables

    @property
    def problems(self) -> list[ConfigError]:
        return [f.error for f in self.files if f.error is not None]

    @property
    def where(self) -> str:
        """The file holding the AIGate entry, for people."""
        return self.provider.file if self.provider is not None else ""


T = TypeVar("T")
# Files as a planned run would leave them (normalised absolute path -> bytes): `init` resolves
# against its plan, before anything is written, to warn about layers that will override it.
_PLANNED: ContextVar[Mapping[str, bytes] | None] = ContextVar("planned", default=None)


@contextmanager
def planned(files: Mapping[Path, bytes]) -> Iterator[None]:
    """Inside this block, `read_layers` sees `files` with these bytes."""
    token = _PLANNED.set({os.path.normcase(os.path.abspath(p)): b for p, b in files.items()})
    try:
        yield
    finally:
        _PLANNED.reset(token)


def planning() -> bool:
    """True inside `planned`: a resolver is judging init's plan, not the files on disk."""
    return _PLANNED.get() is not None


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
            plan = _PLANNED.get()
            raw = plan[real] if plan is not None and real in plan else fsio.read_bytes(path)
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
                f = f._replace(error=error)
            except ValueError as exc:
                f = f._replace(error=ConfigError(str(exc), path=f.path, hint=_PARSE_HINT))
        files.append(f)
    return tuple(files), parsed


# --- what a client will really use (`resolve`, for `status`, init's warnings and doctor)


class Where(NamedTuple):
    """The origin of an effective value: a file and line, an environment variable, or the
    client's built-in default (neither set)."""

    path: Path | None = None
    line: int | None = None
    env: str | None = None

    @property
    def is_default(self) -> bool:
        return self.path is None and self.env is None

    def show(self) -> str:
        """For people: `~/.config/kilo/kilo.jsonc:12`, `env:ANTHROPIC_BASE_URL`, `default`."""
        return self._render(paths.display(self.path) if self.path is not None else "")

    def json(self) -> str:
        """For JSON: the same with the absolute path."""
        return self._render(str(self.path) if self.path is not None else "")

    def _render(self, shown: str) -> str:
        if self.env is not None:
            return f"env:{self.env}"
        if self.path is None:
            return "default"
        return shown if self.line is None else f"{shown}:{self.line}"

    def __str__(self) -> str:
        return self.show()


DEFAULT_ORIGIN = Where()


class Value(NamedTuple):
    """One effective setting and where it comes from (`value` None: not set at all)."""

    value: str | None = None
    origin: Where = DEFAULT_ORIGIN


class Override(NamedTuple):
    """A layer that overrides what aigate-setup wrote: the setting (`what`, e.g.
    `agent.code.model`), where it is, the value it sets (secrets already masked), what it does
    and how to fix it. `blocking`: requests go elsewhere (or to a model the gateway does not
    route), so the client does not reach AIGate."""

    what: str
    origin: Where
    value: str
    effect: str = ""
    fix: str = ""
    blocking: bool = True
    # An owned-style edit init can offer: set key path `edit_key` in `origin.path` to
    # `edit_value` (JSON/JSONC files only).
    edit_key: tuple[str, ...] = ()
    edit_value: str | None = None

    def sentence(self, title: str) -> str:
        """`what` in file:line ... (one line, for warnings and doctor)."""
        where = (
            f"exported {self.origin.env}"
            if self.origin.env is not None
            else f"`{self.what}` in {self.origin.show()}"
        )
        effect = self.effect or f"overrides what aigate-setup wrote for {title}"
        return f"{where} {effect}"


class Resolution(NamedTuple):
    """What one client will use when started in a project directory with an environment."""

    client: str
    provider: Value = Value()
    model: Value = Value()
    base_url: Value = Value()
    credential: Value = Value()
    overrides: tuple[Override, ...] = ()
    configured: bool = False  # aigate-setup's entry for AIGate is there
    reaches_aigate: bool = False
    why: str = ""  # one line when it does not reach AIGate

    def effective(self) -> dict[str, str | None]:
        return {
            "provider": self.provider.value,
            "model": self.model.value,
            "base_url": self.base_url.value,
            "credential": self.credential.value,
        }

    def origins(self, *, json: bool = False) -> dict[str, str]:
        values = {
            "provider": self.provider,
            "model": self.model,
            "base_url": self.base_url,
            "credential": self.credential,
        }
        return {k: (v.origin.json() if json else v.origin.show()) for k, v in values.items()}

    @property
    def blocking(self) -> list[Override]:
        return [o for o in self.overrides if o.blocking]
