"""What OpenCode and Kilo will really use: every layer they read, in their own order.

Both load the same way (Kilo is an OpenCode fork; read from the bundled source of OpenCode
1.18.33 and Kilo 7.7.7, see docs/status.md). Later layers win, objects merge key by key:

1. the global files (`~/.config/opencode/`: config.json, opencode.json, opencode.jsonc; Kilo's
   `~/.config/kilo/`: config.json, kilo.json, kilo.jsonc, opencode.json, opencode.jsonc);
2. the file named by OPENCODE_CONFIG / KILO_CONFIG;
3. project files found from the start directory up to the project root (the git root; the
   filesystem root outside a repository), the root's first: `opencode.json` then
   `opencode.jsonc` in each directory (Kilo: all `kilo.json(c)`, then all `opencode.json(c)`);
   skipped with OPENCODE_DISABLE_PROJECT_CONFIG / KILO_DISABLE_PROJECT_CONFIG. Kilo skips a
   project file that uses `{env:...}` or `{file:...}`;
4. config directories: OpenCode's `.opencode/` from the start directory up, `~/.opencode`, then
   OPENCODE_CONFIG_DIR (opencode.json, opencode.jsonc); Kilo's `.kilocode/` and `.kilo/` from
   the start directory up, then KILO_CONFIG_DIR (kilo.jsonc, kilo.json, opencode.jsonc,
   opencode.json);
5. the JSON in OPENCODE_CONFIG_CONTENT / KILO_CONFIG_CONTENT;
6. managed files: `/etc/opencode/` / `/etc/kilo/` (Linux).

The model used is the default agent's (`default_agent`, else `build` in OpenCode and `code` in
Kilo): `mode.<agent>.model`, else `agent.<agent>.model`, else the root `model`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from aigate_setup import paths
from aigate_setup.clients import layers
from aigate_setup.clients.base import Override, Resolution, Value, Where
from aigate_setup.clients.common import PROVIDER_ID
from aigate_setup.errors import ParseError


class Family(NamedTuple):
    """Where one OpenCode-family client looks, and its names."""

    name: str
    title: str
    default_agent: str
    global_dir: Path
    global_files: tuple[str, ...]
    config_env: str
    content_env: str
    dir_env: str
    disable_project_env: str
    project_names: tuple[str, ...]
    config_dirs: tuple[str, ...]
    dir_files: tuple[str, ...]
    home_dir: str | None  # OpenCode also reads ~/.opencode
    managed_dir: Path
    managed_files: tuple[str, ...]
    refuses_project_refs: bool  # Kilo skips project files with {env:} / {file:}
    setup_hint: str


class Layer(NamedTuple):
    """One parsed layer: its origin (a file, or a variable holding JSON) and its tree."""

    origin: Where
    text: str
    root: Any  # jsonc.Node
    project: bool = False

    def find(self, keys: Sequence[str]) -> tuple[Any, Where] | None:
        from aigate_setup.merge import jsonc

        node = jsonc.find(self.root, keys)
        if node is None:
            return None
        line = jsonc.line_col(self.text, node.start)[0] if self.origin.path is not None else None
        return node.value, Where(self.origin.path, line, self.origin.env)


class Stack:
    """The parsed layers in load order (later wins), and why any could not be used (a plain
    class: status creates no dataclass, see clients/base.py)."""

    def __init__(self) -> None:
        self.layers: list[Layer] = []
        self.problems: list[str] = []

    def last(self, *keys: str) -> tuple[Any, Where] | None:
        for layer in self.layers[::-1]:
            found = layer.find(keys)
            if found is not None:
                return found
        return None

    def string(self, *keys: str) -> Value:
        found = self.last(*keys)
        if found is None or not isinstance(found[0], str):
            return Value()
        return Value(found[0], found[1])


def _files(family: Family, project_dir: Path, env: Mapping[str, str]) -> list[tuple[Path, bool]]:
    """Every candidate file in load order, with whether it is a project file."""
    out: list[tuple[Path, bool]] = [(family.global_dir / n, False) for n in family.global_files]
    if env.get(family.config_env):
        out.append((Path(env[family.config_env]), False))
    stop = layers.project_root(project_dir)
    project = not env.get(family.disable_project_env)
    if project:
        for name in family.project_names:
            found = layers.up(project_dir, stop, [f"{name}.jsonc", f"{name}.json"])
            out += [(p, True) for p in reversed(found)]
    dirs: list[Path] = layers.up(project_dir, stop, family.config_dirs) if project else []
    if family.home_dir is not None:
        home = paths.home()
        dirs += layers.up(home, home, [family.home_dir])
    if env.get(family.dir_env):
        dirs.append(Path(env[family.dir_env]))
    for d in layers.unique_paths(dirs):
        out += [(d / n, project and d.name in family.config_dirs) for n in family.dir_files]
    return out


def _parse(origin: Where, text: str, project: bool) -> Layer | None:
    from aigate_setup.merge import jsonc

    if jsonc.is_blank(text):
        return None
    root = jsonc.parse(text)
    return Layer(origin, text, root, project) if root.kind == "object" else None


def read_stack(family: Family, project_dir: Path, env: Mapping[str, str]) -> Stack:
    stack = Stack()
    entries: list[tuple[Where, str | None, bool]] = []
    for path, project in _files(family, project_dir, env):
        f = layers.read_one(path)
        if f is None:
            continue
        if f.error is not None or f.text is None:
            stack.problems.append(f"{paths.display(path)} cannot be read")
            continue
        entries.append((Where(path), f.text, project))
    content = env.get(family.content_env, "")
    if content.strip():
        entries.append((Where(env=family.content_env), content, False))
    for name in family.managed_files:
        f = layers.read_one(family.managed_dir / name)
        if f is not None and f.text is not None:
            entries.append((Where(family.managed_dir / name), f.text, False))
    for origin, text, project in entries:
        if text is None:
            continue
        if project and family.refuses_project_refs and ("{env:" in text or "{file:" in text):
            stack.problems.append(
                f"{origin.show()} uses {{env:...}} or {{file:...}}: {family.title} skips it"
            )
            continue
        try:
            layer = _parse(origin, text, project)
        except ParseError as exc:
            stack.problems.append(f"{origin.show()}:{exc.line}: {exc.message}")
            continue
        if layer is not None:
            stack.layers.append(layer)
    return stack


def _routed(stack: Stack, ref: str | None, gateway: str) -> bool:
    if not ref or "/" not in ref:
        return False
    pid = ref.split("/", 1)[0]
    base = stack.string("provider", pid, "options", "baseURL").value
    return layers.same_gateway(base, gateway) and _enabled(stack, pid)


def _enabled(stack: Stack, pid: str) -> bool:
    enabled = stack.last("enabled_providers")
    disabled = stack.last("disabled_providers")
    if enabled is not None and isinstance(enabled[0], list) and pid not in enabled[0]:
        return False
    return not (disabled is not None and isinstance(disabled[0], list) and pid in disabled[0])


def _aigate_ref(stack: Stack, gateway: str) -> str | None:
    """The AIGate model aigate-setup wrote: the last `aigate/...` root model of any layer."""
    for layer in reversed(stack.layers):
        found = layer.find(["model"])
        if found is not None and isinstance(found[0], str) and _routed(stack, found[0], gateway):
            return found[0]
    return None


def resolve(
    family: Family, project_dir: Path, env: Mapping[str, str], gateway: str | None = None
) -> Resolution:
    gateway = gateway or layers.gateway_url(env)
    stack = read_stack(family, project_dir, env)
    agent = stack.string("default_agent").value or family.default_agent
    agent_model = stack.string("mode", agent, "model")
    agent_key = "mode" if agent_model.value is not None else "agent"
    if agent_model.value is None:
        agent_model = stack.string("agent", agent, "model")
    root_model = stack.string("model")
    model = agent_model if agent_model.value is not None else root_model
    pid = model.value.split("/", 1)[0] if model.value and "/" in model.value else None
    provider = Value(pid, model.origin) if pid else Value()
    base_url = stack.string("provider", pid, "options", "baseURL") if pid else Value()
    key = stack.string("provider", pid, "options", "apiKey") if pid else Value()
    credential = Value(layers.masked(key.value), key.origin) if key.value else Value()
    configured = isinstance((stack.last("provider", PROVIDER_ID) or (None,))[0], dict)
    res = Resolution(family.name, provider, model, base_url, credential, configured=configured)
    ours = _aigate_ref(stack, gateway)
    overrides: list[Override] = []
    if agent_model.value is not None and not _routed(stack, agent_model.value, gateway):
        what = f"{agent_key}.{agent}.model"
        overrides.append(
            Override(
                what,
                agent_model.origin,
                agent_model.value,
                effect=f"keeps {family.title}'s default agent `{agent}` on {agent_model.value}",
                fix=f'set {what} to "{ours}" or remove it' if ours else f"remove {what}",
                edit_key=(agent_key, agent, "model"),
                edit_value=ours,
            )
        )
    if (
        root_model.value is not None
        and ours is not None
        and ours != root_model.value
        and not _routed(stack, root_model.value, gateway)
    ):
        overrides.append(
            Override(
                "model",
                root_model.origin,
                root_model.value,
                effect=f"makes {root_model.value} {family.title}'s default model",
                fix=f'set model to "{ours}" there, or remove it',
                edit_key=("model",),
                edit_value=ours,
            )
        )
    if (
        pid is not None
        and layers.same_gateway(base_url.value, gateway)
        and not _enabled(stack, pid)
    ):
        found = stack.last("enabled_providers") or stack.last("disabled_providers")
        where = found[1] if found is not None else Where()
        overrides.append(
            Override(
                "enabled_providers/disabled_providers",
                where,
                pid,
                effect=f"hides the {pid} provider from {family.title}",
                fix=f'add "{pid}" to enabled_providers (and take it out of disabled_providers)',
            )
        )
    return _judge(res, tuple(overrides), stack, family, gateway)


def _judge(
    res: Resolution,
    overrides: tuple[Override, ...],
    stack: Stack,
    family: Family,
    gateway: str,
) -> Resolution:
    res = res._replace(overrides=overrides)
    why = ""
    if not res.configured:
        why = f"no AIGate provider in any {family.title} config ({family.setup_hint})"
    elif res.model.value is None:
        why = f"no default model: {family.title} picks one itself ({family.setup_hint})"
    elif res.blocking:
        why = res.blocking[0].sentence(family.title)
    elif not _routed(stack, res.model.value, gateway):
        base = layers.shown_url(res.base_url.value) or "its built-in URL"
        why = (
            f"the default model {res.model.value} ({res.model.origin.show()}) goes to {base},"
            f" not to AIGate {gateway}"
        )
    if stack.problems and why:
        why += "; " + stack.problems[0]
    return res._replace(reaches_aigate=not why, why=why)
