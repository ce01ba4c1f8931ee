"""One file as the rules see it: its text, parsed once, with positions and what its client says.

Every rule gets the same `Source`; whatever a rule asks for (the TOML values, the JSONC tree,
the script's assignments, the base URLs and model ids in it) is computed on first use and kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from aigate_setup.errors import ParseError
from aigate_setup.merge import jsonc
from aigate_setup.merge.tomlread import parse_toml
from aigate_setup.rules.positions import TomlIndex
from aigate_setup.rules.registry import Hit, ModelRef, Reader, RuleContext, UrlRef

if TYPE_CHECKING:
    from aigate_setup.clients.base import FileKind
    from aigate_setup.rules.scripts import Assign

_T = TypeVar("_T")


class cached_property(Generic[_T]):
    """`functools.cached_property` without its lock, which Python 3.11 takes on every first
    access (a Source is never shared between threads): computed once, then kept in the
    instance's `__dict__`, where the next lookup finds it before this descriptor."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class Source:
    def __init__(
        self, path: str, text: str, kind: FileKind, ctx: RuleContext, reader: Reader
    ) -> None:
        self.path = path
        self.text = text
        self.kind = kind
        self.ctx = ctx
        self.reader = reader

    @property
    def client(self) -> str:
        return self.reader.client

    @property
    def title(self) -> str:
        return self.reader.title

    # --- positions --------------------------------------------------------------------------

    @cached_property
    def _lines(self) -> jsonc.LineIndex:
        return jsonc.LineIndex(self.text)

    def pos(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset (O(log n))."""
        return self._lines.line_col(offset)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    # --- parsed once ------------------------------------------------------------------------

    @cached_property
    def _parsed(self) -> tuple[Any, Hit | None]:
        fmt = self.reader.format
        if fmt == "toml":
            try:
                return parse_toml(self.text), None
            except ParseError as exc:
                return None, Hit(exc.line, exc.column, f"invalid TOML: {exc.message}")
        if fmt == "jsonc":
            try:
                root = jsonc.parse(self.text)
            except ParseError as exc:
                return None, Hit(exc.line, exc.column, f"invalid JSON: {exc.message}")
            if root.kind != "object":
                line, col = self.pos(root.start)
                return None, Hit(line, col, f"the top level must be a JSON object, not {root.kind}")
            return root, None
        if fmt == "yaml":
            from aigate_setup.merge import yaml

            try:
                return yaml.load(self.text), None
            except ParseError as exc:
                return None, Hit(exc.line, exc.column, f"invalid YAML: {exc.message}")
        from aigate_setup.rules.scripts import marker_problem, script_assignments

        assignments = script_assignments(self.text, fmt == "ps1")
        broken = marker_problem(self.text)
        if broken is None:
            return assignments, None
        return assignments, Hit(
            broken,
            1,
            "the aigate-setup managed block is not a single # >>> ... # <<< pair",
            f"restore the markers, or rerun `aigate-setup init --client {self.client}`",
        )

    @property
    def syntax_error(self) -> Hit | None:
        """Why the file cannot be read (AIG001), or None."""
        return self._parsed[1]

    @cached_property
    def toml(self) -> dict[str, Any] | None:
        """The values of a TOML file; None when it is not TOML or cannot be parsed."""
        data = self._parsed[0] if self.reader.format == "toml" else None
        return data if isinstance(data, dict) else None

    @cached_property
    def json(self) -> jsonc.Node | None:
        """The root object of a JSONC file; None when it is not one or cannot be parsed."""
        root = self._parsed[0] if self.reader.format == "jsonc" else None
        return root if isinstance(root, jsonc.Node) else None

    @property
    def yaml(self) -> Any:
        """The round-trip tree of a YAML file (merge.yaml); None when not YAML or unreadable."""
        return self._parsed[0] if self.reader.format == "yaml" else None

    @property
    def script(self) -> list[Assign]:
        """The variable assignments of a script (even when its managed block is broken)."""
        if self.reader.format not in ("sh", "ps1"):
            return []
        found: list[Assign] = self._parsed[0]
        return found

    @cached_property
    def toml_index(self) -> TomlIndex:
        return TomlIndex(self.text)

    # --- what the client says about the file ------------------------------------------------

    @cached_property
    def urls(self) -> list[UrlRef]:
        return self.reader.urls(self)

    @cached_property
    def models(self) -> list[ModelRef]:
        return self.reader.models(self)
