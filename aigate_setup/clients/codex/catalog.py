"""Codex's `/model` picker: a catalog file that lists the AIGate models instead of OpenAI's.

Codex lists exactly the models of the file named by the root `model_catalog_json` key of
config.toml (`{"models": [...]}`). A minimal entry cripples the agent (its `base_instructions`
replace Codex's own system prompt and tools are dropped), so every entry is a clone of a
comparable entry of the catalog bundled with the user's own binary (`codex debug models
--bundled`), read at run time: Codex's prompt text never lives in this repository. The clone gets
our id, a cleaned display name, its priority and the context window from our catalog; the upgrade
and speed tiers are cleared. One invalid entry makes Codex refuse to start, so the whole file is
validated before it is written.

The catalog file (`$CODEX_HOME/aigate-models.json`) is owned whole; the key is owned in the user
config.toml. Without a readable bundled catalog (Codex not installed, an unexpected output)
neither is written, and the picker keeps showing OpenAI's models.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import paths
from aigate_setup.clients.codex import CATALOG_KEY, NAME, writer

# Re-exported: the read side lives in catalog_check.py (cheap for `status`).
from aigate_setup.clients.codex.catalog_check import CATALOG_FILE as CATALOG_FILE
from aigate_setup.clients.codex.catalog_check import catalog_slugs as catalog_slugs
from aigate_setup.clients.codex.catalog_check import document_problems as document_problems
from aigate_setup.clients.codex.catalog_check import entry_problems as entry_problems
from aigate_setup.clients.codex.catalog_check import resolve_value as resolve_value
from aigate_setup.clients.codex.writer import BINARY
from aigate_setup.clients.common import MAX_SAFE_INTEGER
from aigate_setup.errors import AigateError, ConfigError
from aigate_setup.model_ids import check_model_id, clean_display_name

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import ClientState, ConfigFile, Origin
    from aigate_setup.findings import Check
    from aigate_setup.plan import Selection

# The value written to config.toml: Codex resolves a relative path against CODEX_HOME.
CATALOG_VALUE = CATALOG_FILE
BUNDLED_ARGS = ("debug", "models", "--bundled")
BUNDLED_TIMEOUT = 20.0  # seconds; the real binary answers in well under one
MAX_BUNDLED_BYTES = 32 * 1024 * 1024  # Codex 0.169 prints about 0.75 MB
# Each entry carries Codex's prompt (about 45 kB); this many keep the file far below the 4 MiB
# that aigate-setup reads back on the next run.
MAX_PICKER_MODELS = 40
# Bundled entries to clone, best first; otherwise the listed entry Codex ranks first.
TEMPLATE_SLUGS = ("gpt-5.5",)
NO_PICKER = (
    "note: Codex's /model picker will show OpenAI's models (which AIGate does not serve) until "
    "`aigate-setup init` runs again with Codex installed: {why}"
)

# --------------------------------------------------------------------------- the bundled catalog


def run_bounded(argv: list[str], *, timeout: float, limit: int) -> bytes | None:
    """stdout of `argv` (stdin /dev/null, stderr dropped), or None when it fails, runs longer
    than `timeout` or prints more than `limit` bytes (the process is then killed)."""
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=os.name == "posix",
        )
    except (OSError, ValueError):
        return None
    chunks: list[bytes] = []
    size = [0]

    def read() -> None:
        assert proc.stdout is not None
        while size[0] <= limit:
            chunk = proc.stdout.read(65536)
            if not chunk:
                return
            chunks.append(chunk)
            size[0] += len(chunk)
        proc.kill()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        reader.join(timeout)
        if reader.is_alive() or size[0] > limit:
            _kill(proc)
            reader.join(5)
        code = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.wait(5)
        return None
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
    if reader.is_alive() or size[0] > limit or code != 0:
        return None
    return b"".join(chunks)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """The process and (POSIX) its whole session: a wrapper script's children hold the pipe."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, 9)
        else:
            proc.kill()
    except OSError:
        proc.kill()


def choose_template(doc: Any) -> dict[str, Any] | None:
    """The bundled entry to clone: a preferred slug, else the listed entry Codex ranks first;
    only one whose clone Codex would load."""
    models = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(models, list):
        return None
    usable = [m for m in models if isinstance(m, dict) and not entry_problems(clone(m, "x", 0))]
    by_slug = {m["slug"]: m for m in usable}
    for slug in TEMPLATE_SLUGS:
        if slug in by_slug:
            return by_slug[slug]
    listed = [m for m in usable if m.get("visibility") == "list"]
    return min(listed, key=lambda m: m["priority"]) if listed else None


@functools.lru_cache(maxsize=4)
def _template_of(binary: str, stamp: tuple[int, int]) -> tuple[dict[str, Any] | None, str]:
    del stamp  # part of the cache key only: a reinstalled binary is read again
    raw = run_bounded([binary, *BUNDLED_ARGS], timeout=BUNDLED_TIMEOUT, limit=MAX_BUNDLED_BYTES)
    if raw is None:
        return None, f"`{BINARY} {' '.join(BUNDLED_ARGS)}` failed"
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, f"`{BINARY} {' '.join(BUNDLED_ARGS)}` did not print a catalog"
    template = choose_template(doc)
    if template is None:
        return None, "its bundled catalog has no entry that can be cloned"
    return template, ""


def bundled_template() -> tuple[dict[str, Any] | None, str]:
    """The installed binary's entry to clone, or None and why not (one line)."""
    binary = shutil.which(BINARY)
    if binary is None:
        return None, f"{BINARY} is not installed (not on PATH)"
    try:
        st = os.stat(binary)
    except OSError:
        return None, f"{BINARY} cannot be run"
    return _template_of(binary, (st.st_mtime_ns, st.st_size))


# --------------------------------------------------------------------------- our catalog file


def catalog_path() -> Path:
    return paths.codex_home() / CATALOG_FILE


def _window(value: int | None) -> int | None:
    return value if value is not None and 0 < value <= MAX_SAFE_INTEGER else None


def clone(
    template: Mapping[str, Any],
    slug: str,
    priority: int,
    name: str | None = None,
    window: int | None = None,
) -> dict[str, Any]:
    """A copy of `template` for one AIGate model: our slug, names and priority, the context
    window when known, and nothing that points at OpenAI's own models or plans."""
    entry = dict(template)
    shown = name or slug
    entry.update(
        slug=slug,
        display_name=shown,
        description=f"{shown} through AIGate",
        priority=priority,
        visibility="list",
        supported_in_api=True,
        upgrade=None,
        availability_nux=None,
        additional_speed_tiers=[],
        service_tiers=[],
    )
    entry.pop("default_service_tier", None)
    if window is not None:
        entry["context_window"] = window
        entry["max_context_window"] = window
    return entry


def picker_ids(sel: Selection, catalog: Catalog | None) -> list[str]:
    """The main model, then the extra models Codex can use (/v1/responses), at most
    MAX_PICKER_MODELS."""
    ids: list[str] = []
    for model_id in dict.fromkeys([sel.model, *sel.extra_models]):
        m = catalog.get(model_id) if catalog is not None else None
        usable = m is None or NAME in m.clients or model_id == sel.model
        if usable and check_model_id(model_id) is None:
            ids.append(model_id)
    return ids[:MAX_PICKER_MODELS]


def render_catalog(sel: Selection, catalog: Catalog | None, template: Mapping[str, Any]) -> str:
    """The whole catalog file; ConfigError (nothing written) if Codex would refuse it."""
    entries = []
    for i, model_id in enumerate(picker_ids(sel, catalog)):
        m = catalog.get(model_id) if catalog is not None else None
        name = clean_display_name(m.name) if m is not None and m.name else None
        window = _window(m.context_length) if m is not None else None
        entries.append(clone(template, model_id, i, name, window))
    doc = {"models": entries}
    problems = document_problems(doc)
    if problems or not entries:
        raise ConfigError(
            "the Codex model catalog would make Codex refuse to start: "
            + ("; ".join(problems[:3]) or "no model"),
            path=catalog_path(),
            hint="rerun with --no-default (no picker catalog), or update Codex and run init again",
        )
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def picker_template(sel: Selection) -> Mapping[str, Any] | None:
    """The template when this selection writes a picker catalog (AIGate is Codex's default:
    the catalog replaces the picker's list for every provider), else None."""
    if not sel.make_default:
        return None
    return bundled_template()[0]


def no_picker_notes(clients: tuple[str, ...], make_default: bool) -> list[str]:
    """Why this run writes no picker catalog, for the user (empty when it writes one)."""
    if NAME not in clients or not make_default:
        return []
    template, why = bundled_template()
    if template is not None:
        return []
    if catalog_path().is_file():
        where = paths.display(catalog_path())
        return [f"note: {where} (Codex's /model picker) was left as it is: {why}"]
    return [NO_PICKER.format(why=why)]


def server_socket(home: Path) -> Path:
    """The control socket of Codex's background server (app-server daemon) for `home`."""
    return home / "app-server-control" / "app-server-control.sock"


def background_server_running(home: Path) -> bool:
    """Whether Codex's background server for this CODEX_HOME answers on its control socket
    (connect and close at once; nothing is sent)."""
    family = getattr(socket, "AF_UNIX", None)
    sock_path = server_socket(home)
    if family is None or not os.path.lexists(sock_path):
        return False
    # The path is a link to a short one in /tmp; a long CODEX_HOME would pass the 108-byte limit.
    target = os.path.realpath(sock_path)
    conn = socket.socket(family, socket.SOCK_STREAM)
    conn.settimeout(1.0)
    try:
        conn.connect(target)
    except OSError:
        return False
    finally:
        conn.close()
    return True


def restart_notes(written: list[Path]) -> list[str]:
    """After init wrote `written`: how to make a running background server show the new list.

    It is not restarted here: that interrupts every running Codex session of this CODEX_HOME,
    and nothing tells whether one is running."""
    home = paths.codex_home()
    if catalog_path() not in written and writer.user_config() not in written:
        return []
    if not background_server_running(home):
        return []
    return [
        f"note: Codex's background server for {paths.display(home)} is running and keeps the "
        'old model list: in Codex, run /daemon and choose "Restart background server" (or run '
        f"`{BINARY} app-server daemon restart`, which interrupts running Codex sessions)"
    ]


# --------------------------------------------------------------------------- the client hooks


def targets(sel: Selection) -> list[Path]:
    """config.toml, and the catalog file when one is written."""
    found = writer.targets(sel)
    return [*found, catalog_path()] if picker_template(sel) is not None else found


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    if path == catalog_path():
        return None  # owned whole: whatever is there is replaced
    return writer.parse_problem(sel, path, text)


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    template = picker_template(sel)
    if path == catalog_path():
        if template is None:  # pragma: no cover - targets() lists it only with a template
            raise ConfigError("no Codex catalog template", path=path)
        return render_catalog(sel, catalog, template)
    value = CATALOG_VALUE if template is not None else None
    return writer.render(sel, catalog, path, old_text, catalog_file=value)


def owned_values(path: Path, text: str) -> dict[str, object]:
    """The owned values of this part in `path` (dotted key -> value), for the state file:
    `model_catalog_json` in config.toml; the catalog file is owned whole (no keys)."""
    if path.name == CATALOG_FILE:
        return {}
    from aigate_setup.merge.toml import parse_toml

    value = parse_toml(text).get(CATALOG_KEY)
    return {CATALOG_KEY: value} if isinstance(value, str) else {}


def unrender(path: Path, text: str) -> str | None:
    """The catalog file: None (owned whole). config.toml: the text without our
    `model_catalog_json` key (a value naming another file is the user's and stays)."""
    if path.name == CATALOG_FILE:
        return None
    from aigate_setup.merge.toml import parse_toml, remove_value

    if parse_toml(text).get(CATALOG_KEY) != CATALOG_VALUE:
        return text
    return remove_value(text, (CATALOG_KEY,))


# --------------------------------------------------------------------------- status and doctor


def configured_catalog(files: Sequence[ConfigFile]) -> tuple[Path, Origin] | None:
    """The catalog file the layers name (a later layer wins), and where that is set."""
    from aigate_setup.clients.base import Origin
    from aigate_setup.errors import ParseError
    from aigate_setup.merge.tomlread import parse_toml

    found: tuple[Path, Origin] | None = None
    for f in files:
        if f.text is None or f.error is not None:
            continue
        try:
            value = parse_toml(f.text).get(CATALOG_KEY)
        except ParseError:
            continue
        if isinstance(value, str) and value:
            found = (resolve_value(value, f.path), Origin(f.path))
    return found


def read_catalog_file(path: Path) -> tuple[list[str], str]:
    """The slugs of a catalog file, or ([], why Codex would refuse it)."""
    from aigate_setup import fsio
    from aigate_setup.merge import text as textmod

    try:
        raw = fsio.read_bytes(path)
    except ConfigError as exc:
        return [], exc.message
    if raw is None:
        return [], "the file does not exist (Codex stops: No such file or directory)"
    try:
        text = textmod.decode(raw).text
    except ValueError as exc:
        return [], str(exc)
    return catalog_slugs(text)


def _gateway_ids(state: ClientState) -> set[str] | None:
    """The ids the gateway listed at the last catalog fetch (from the cache; no request)."""
    from aigate_setup import catalog_cache

    if state.base_url is None:
        return None
    try:
        cached = catalog_cache.read(state.base_url.value.rstrip("/"))
    except (AigateError, ValueError, OSError):
        return None
    doc = cached[0] if cached else None
    items = doc.get("data", doc.get("models")) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        return None
    return {m["id"] for m in items if isinstance(m, dict) and isinstance(m.get("id"), str)}


def doctor_checks(state: ClientState) -> list[Check]:
    """codex.picker: does the /model picker offer the AIGate models; codex.model: is the root
    model one the picker or the gateway serves."""
    from aigate_setup.doctor import parts

    if not state.configured or not state.aigate_default:
        return []
    title = "Model picker"
    hint = f"{parts.setup_hint(NAME)} --model <id> (with Codex installed)"
    named = configured_catalog(state.files)
    if named is None:
        detail = (
            "no model_catalog_json: Codex's /model picker lists OpenAI's models, which AIGate "
            "does not serve (picking one makes every turn fail)"
        )
        return [parts.check(NAME, "picker", "warn", title, detail, hint)]
    path, origin = named
    slugs, problem = read_catalog_file(path)
    if problem:
        detail = f"model_catalog_json in {origin} names {paths.display(path)}: {problem}"
        fix = f"{hint} rewrites it, or remove model_catalog_json; Codex refuses to start"
        return [parts.check(NAME, "picker", "fail", title, detail, fix)]
    shown = ", ".join(slugs[:4]) + (f" (+{len(slugs) - 4} more)" if len(slugs) > 4 else "")
    where = paths.display(path)
    out = [parts.check(NAME, "picker", "pass", title, f"{where} offers {shown}")]
    model = state.default_model.value if state.default_model is not None else None
    if model and model not in slugs:
        served = _gateway_ids(state)
        bad = served is not None and model not in served
        detail = f"model = {model!r} ({state.default_model.origin if state.default_model else ''})"
        detail += " is not in the picker's list" + (
            " and the gateway does not serve it: every turn fails" if bad else ""
        )
        fix = f'set model = "{slugs[0]}" in {origin.file}, or {hint} to add it to the picker'
        out.append(parts.check(NAME, "model", "fail" if bad else "warn", "Root model", detail, fix))
    return out
