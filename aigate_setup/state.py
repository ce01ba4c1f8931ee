"""The state file: what the last runs chose and wrote (no secrets).

`$XDG_STATE_HOME/aigate-setup/state.json` records, per run of `init` (and `remove`), the base
URL and key variable, the clients, scope and project directory, the files the run created, and
for each owned value it wrote the value written and the value it replaced. `doctor`, `status`
and `models` take the base URL from it when neither `--base-url` nor `AIGATE_BASE_URL` is given;
`remove` puts replaced defaults back; `init` notices hand edits of owned values.

The file is one of the run's files: `change(...)` gives the FileChange that `fsio.apply` writes
atomically with the others (so `restore` puts it back too). A missing file is an empty state;
a corrupt one is an empty state plus one warning, never a crash.
"""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aigate_setup import paths

if TYPE_CHECKING:
    from aigate_setup.fsio import FileChange

VERSION = 1
KEEP_RUNS = 50  # older records are dropped; the newest value per key is what matters
MAX_STATE_BYTES = 4 * 1024 * 1024
CLIENT = "aigate"  # the FileChange.client of the state file (like the key file)


class OwnedValue(NamedTuple):
    """One owned value a run wrote: `key` is a dotted path in `path` (e.g. `model_provider`,
    `provider.aigate`, `env.ANTHROPIC_MODEL`); values are JSON-serialisable (a table is a
    dict); `replaced` is the value before the run (None: the key did not exist)."""

    client: str
    path: str
    key: str
    written: Any
    replaced: Any = None


class RunRecord(NamedTuple):
    command: str  # "init" | "remove"
    at: str  # ISO 8601, UTC
    base_url: str
    key_env: str
    clients: tuple[str, ...] = ()
    scope: str = "user"
    project_dir: str | None = None
    created: tuple[str, ...] = ()  # files this run created (absolute paths)
    values: tuple[OwnedValue, ...] = ()
    files: tuple[tuple[str, str], ...] = ()  # (client, absolute path) of every file it changed

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "at": self.at,
            "base_url": self.base_url,
            "key_env": self.key_env,
            "clients": list(self.clients),
            "scope": self.scope,
            "project_dir": self.project_dir,
            "created": list(self.created),
            "values": [
                {
                    "client": v.client,
                    "path": v.path,
                    "key": v.key,
                    "written": v.written,
                    "replaced": v.replaced,
                }
                for v in self.values
            ],
            "files": [{"client": c, "path": p} for c, p in self.files],
        }


class State(NamedTuple):
    runs: tuple[RunRecord, ...] = ()
    problem: str | None = None  # why the file was not usable

    def last(self, command: str = "init") -> RunRecord | None:
        for record in self.runs[::-1]:
            if record.command == command:
                return record
        return None

    @property
    def base_url(self) -> str | None:
        record = self.last()
        return record.base_url if record is not None else None

    def last_written(self, path: Path | str, key: str) -> OwnedValue | None:
        """The newest value written at `key` of `path` by any recorded run."""
        wanted = str(path)
        for record in self.runs[::-1]:
            for value in record.values:
                if value.path == wanted and value.key == key:
                    return value
        return None

    def still_ours(self, path: Path | str, key: str) -> OwnedValue | None:
        """What init last wrote at `key` of `path`, unless a later remove took it out (then the
        value there is the user's again): the base for noticing hand edits."""
        wanted = str(path)
        for record in self.runs[::-1]:
            for value in record.values:
                if value.path == wanted and value.key == key:
                    return value if record.command == "init" else None
        return None

    def first_replaced(self, path: Path | str, key: str) -> OwnedValue | None:
        """The oldest record of `key` in `path` since it was last removed: its `replaced` is
        what the user had before aigate-setup first wrote there."""
        wanted = str(path)
        found: OwnedValue | None = None
        for record in self.runs[::-1]:
            hit = [v for v in record.values if v.path == wanted and v.key == key]
            if record.command == "remove" and hit:
                break
            if hit:
                found = hit[0]
        return found

    def created_by_us(self, path: Path | str) -> bool:
        wanted = str(path)
        return any(wanted in record.created for record in self.runs if record.command == "init")

    def files_of(self, client: str) -> list[Path]:
        """Every file an init run changed for `client` (oldest first, each once)."""
        found: dict[str, None] = {}
        for record in self.runs:
            if record.command == "init":
                found.update((p, None) for c, p in record.files if c == client)
        return [Path(p) for p in found]

    def project_dirs(self) -> list[Path]:
        """The project directories of init runs with `--scope project` (each once)."""
        found = {
            r.project_dir: None
            for r in self.runs
            if r.command == "init" and r.scope == "project" and r.project_dir
        }
        return [Path(d) for d in found if d]

    def with_run(self, record: RunRecord) -> "State":
        return self._replace(runs=(*self.runs, record)[-KEEP_RUNS:], problem=None)


def path() -> Path:
    return paths.state_file()


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load(warn: Callable[[str], None] | None = None) -> State:
    """The state on disk; an empty State when missing; when corrupt, an empty State whose
    `problem` says why (and `warn` is called with one line)."""
    from aigate_setup import fsio
    from aigate_setup.errors import ConfigError

    where = paths.display(path())
    try:
        data = fsio.read_bytes(path(), limit=MAX_STATE_BYTES)
    except ConfigError as exc:
        return _corrupt(f"{where} cannot be read ({exc.message})", warn)
    if data is None:
        return State()
    try:
        return parse(data)
    except ValueError as exc:
        return _corrupt(f"{where} is damaged ({exc})", warn)


def _corrupt(problem: str, warn: Callable[[str], None] | None) -> State:
    if warn is not None:
        warn(
            f"warning: {problem}; ignoring it (base URL and replaced defaults are not known; "
            "the next init writes a new one)"
        )
    return State(problem=problem)


def parse(data: bytes) -> State:
    """Raises ValueError (one short reason) for anything but a state document."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"not JSON: {str(exc)[:80]}") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise ValueError(f"not a version {VERSION} state document")
    runs = doc.get("runs")
    if not isinstance(runs, list):
        raise ValueError("no runs list")
    return State(runs=tuple(_record(r) for r in runs[-KEEP_RUNS:]))


def _record(raw: object) -> RunRecord:
    if not isinstance(raw, Mapping):
        raise ValueError("a run is not an object")
    text = _str_field(raw)
    values = raw.get("values", [])
    if not isinstance(values, list):
        raise ValueError("values is not a list")
    return RunRecord(
        command=text("command"),
        at=text("at"),
        base_url=text("base_url"),
        key_env=text("key_env"),
        clients=_str_tuple(raw.get("clients", [])),
        scope=text("scope", "user"),
        project_dir=raw["project_dir"] if isinstance(raw.get("project_dir"), str) else None,
        created=_str_tuple(raw.get("created", [])),
        values=tuple(_value(v) for v in values),
        files=_files(raw.get("files", [])),
    )


def _files(raw: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        raise ValueError("files is not a list")
    out = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise ValueError("a file is not an object")
        text = _str_field(item)
        out.append((text("client"), text("path")))
    return tuple(out)


def _value(raw: object) -> OwnedValue:
    if not isinstance(raw, Mapping):
        raise ValueError("a value is not an object")
    text = _str_field(raw)
    return OwnedValue(
        client=text("client"),
        path=text("path"),
        key=text("key"),
        written=raw.get("written"),
        replaced=raw.get("replaced"),
    )


def _str_field(raw: Mapping[str, object]) -> Callable[..., str]:
    def text(name: str, default: str | None = None) -> str:
        value = raw.get(name, default)
        if not isinstance(value, str):
            raise ValueError(f"{name} is not a string")
        return value

    return text


def _str_tuple(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ValueError("expected a list of strings")
    return tuple(raw)


def dump(state: State) -> bytes:
    doc = {"version": VERSION, "runs": [r.to_json() for r in state.runs]}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def change(state: State, old: bytes | None) -> "FileChange":
    """The fsio.FileChange that writes `state` (old: the bytes read when the run started)."""
    from aigate_setup import fsio

    return fsio.FileChange(client=CLIENT, path=path(), old=old, new=dump(state))


def read_raw() -> bytes | None:
    """The state file's bytes for a FileChange's `old` (None when missing or unreadable)."""
    from aigate_setup import fsio
    from aigate_setup.errors import ConfigError

    try:
        return fsio.read_bytes(path(), limit=MAX_STATE_BYTES)
    except ConfigError:
        return None


def remembered_base_url(warn: Callable[[str], None] | None = None) -> str | None:
    """The base URL of the last init, when it is still a valid http(s) URL."""
    from aigate_setup.errors import UsageError
    from aigate_setup.options import normalize_base_url

    url = load(warn).base_url
    if not url:
        return None
    try:
        return normalize_base_url(url)
    except UsageError:
        if warn is not None:
            warn(f"warning: {paths.display(path())} names an invalid base URL; ignoring it")
        return None
