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
   the start directory up (from a linked git work tree, the same walk in the main work tree
   first), `~/.kilocode` and `~/.kilo`, then KILO_CONFIG_DIR (kilo.jsonc,
   kilo.json, opencode.jsonc, opencode.json; Kilo reads no `.opencode/`). So the nearest
   directory's files lose to those above it, and the ones in `$HOME` win over every project
   file (checked with `opencode debug config` and `kilo debug config`, one file removed at a
   time: tests/test_e2e_layers.py);
   Markdown agents (clients/md_agents.py) load per directory, after its JSON files, the global
   directory first: `~/.config/opencode/` (`~/.config/kilo/`), then the directories above;
   their frontmatter `model:` merges into `agent.<name>` over every layer read before;
5. the JSON in OPENCODE_CONFIG_CONTENT / KILO_CONFIG_CONTENT;
6. managed files: `/etc/opencode/` / `/etc/kilo/` (Linux).

The model used is the default agent's (`default_agent`, else `build` in OpenCode and `code` in
Kilo): `mode.<agent>.model`, else `agent.<agent>.model` (a JSON layer or a Markdown agent),
else the root `model`. A disabled agent (`disable: true`) is not used.
"""

# Annotations are evaluated (no `from __future__ import annotations`): a NamedTuple's string
# annotations would each be compiled when the class is created, on every start of `status`.

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aigate_setup import paths
from aigate_setup.clients import layers
from aigate_setup.clients.base import Override, Resolution, Value, Where
from aigate_setup.clients.common import PROVIDER_ID
from aigate_setup.errors import ParseError

if TYPE_CHECKING:
    from aigate_setup.clients.md_agents import MdAgent


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
    home_dirs: tuple[str, ...]  # config directories also read in $HOME, in load order
    managed_dir: Path
    managed_files: tuple[str, ...]
    refuses_project_refs: bool  # Kilo skips project files with {env:} / {file:}
    setup_hint: str
    # Kilo: a JSON `agent.<name>` that is not primary wins over a primary Markdown agent.
    json_agent_wins_primary: bool = False
    # Kilo: from a linked git work tree, the config directories of the main one are read too.
    reads_primary: bool = False


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
        self.layers: list[Layer | MdAgent] = []
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


def _files(
    family: Family, project_dir: Path, env: Mapping[str, str]
) -> list[tuple[Path, bool, bool]]:
    """Every candidate in load order: (path, is a project file, is a directory whose Markdown
    agents load there)."""
    out: list[tuple[Path, bool, bool]] = [
        (family.global_dir / n, False, False) for n in family.global_files
    ]
    if env.get(family.config_env):
        out.append((Path(env[family.config_env]), False, False))
    stop = layers.project_root(project_dir)
    dirs: list[Path] = []
    if not env.get(family.disable_project_env):
        for name in family.project_names:
            found = layers.up(project_dir, stop, [f"{name}.jsonc", f"{name}.json"])
            out += [(p, True, False) for p in reversed(found)]
        # From a linked work tree, Kilo first reads the same walk in the main work tree (`stop`
        # is `project_dir` or one of its parents).
        if family.reads_primary and stop is not None:
            primary = layers.primary_checkout(stop)
            if primary is not None:
                walk = primary / project_dir.relative_to(stop)
                dirs += layers.up(walk, primary, family.config_dirs)
        dirs += layers.up(project_dir, stop, family.config_dirs)
    project_dirs = {_key(d) for d in dirs}
    if family.home_dirs:
        home = paths.home()
        # Not project files, though named alike: Kilo takes `{env:...}` in ~/.kilo/kilo.json.
        dirs += [d for d in layers.up(home, home, family.home_dirs) if _key(d) not in project_dirs]
    if env.get(family.dir_env):
        dirs.append(Path(env[family.dir_env]))
    json_dirs = {_key(d) for d in dirs}
    # The global directory comes first for Markdown agents (its JSON files are read above).
    for d in layers.unique_paths([family.global_dir, *dirs]):
        in_project = _key(d) in project_dirs
        if _key(d) in json_dirs:
            out += [(d / n, in_project, False) for n in family.dir_files]
        out.append((d, in_project, True))
    return out


def _key(p: Path) -> str:
    return os.path.normcase(os.path.abspath(p))


def _parse(origin: Where, text: str, project: bool) -> Layer | None:
    from aigate_setup.merge import jsonc

    if jsonc.is_blank(text):
        return None
    root = jsonc.parse(text)
    return Layer(origin, text, root, project) if root.kind == "object" else None


def read_stack(family: Family, project_dir: Path, env: Mapping[str, str]) -> Stack:
    stack = Stack()
    entries: list[tuple[Where, str | None, bool, bool]] = []
    for path, project, is_dir in _files(family, project_dir, env):
        if is_dir:
            entries.append((Where(path), None, project, True))
            continue
        f = layers.read_one(path)
        if f is None:
            continue
        if f.error is not None or f.text is None:
            stack.problems.append(f"{paths.display(path)} cannot be read")
            continue
        entries.append((Where(path), f.text, project, False))
    content = env.get(family.content_env, "")
    if content.strip():
        entries.append((Where(env=family.content_env), content, False, False))
    for name in family.managed_files:
        f = layers.read_one(family.managed_dir / name)
        if f is not None and f.text is not None:
            entries.append((Where(family.managed_dir / name), f.text, False, False))
    for origin, text, project, is_dir in entries:
        if is_dir and origin.path is not None:
            _add_markdown(stack, family, origin.path, project)
            continue
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


def _add_markdown(stack: Stack, family: Family, directory: Path, project: bool) -> None:
    """The Markdown agents of one config directory, merged over the layers read so far.

    Kilo (`mergeAgentMarkdown`): a primary Markdown agent (from `mode/`, or `mode: primary`)
    whose JSON `agent.<name>` entry so far is not primary gets that entry merged back over it,
    so the JSON `model` wins then."""
    if not any(os.path.isdir(directory / d) for d in (*layers.AGENT_DIRS, *layers.MODE_DIRS)):
        return  # the common case: no agent files, and md_agents is not even imported
    from aigate_setup.clients import md_agents

    for agent in md_agents.scan(directory, project):
        if family.json_agent_wins_primary and agent.primary and agent.front.model is not None:
            json_layers = [la for la in stack.layers if isinstance(la, Layer)]
            entry = _last_in(json_layers, "agent", agent.name)
            mode = _last_in(json_layers, "agent", agent.name, "mode")
            json_model = _last_in(json_layers, "agent", agent.name, "model")
            if entry is not None and mode != "primary" and json_model is not None:
                agent = agent._replace(front=agent.front._replace(model=None))
        stack.layers.append(agent)


def _last_in(found: Sequence[Layer], *keys: str) -> Any:
    for layer in found[::-1]:
        hit = layer.find(keys)
        if hit is not None:
            return hit[0]
    return None


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
    disabled = stack.last("agent", agent, "disable")
    if agent_key == "agent" and disabled is not None and disabled[0] is True:
        # The client drops a disabled agent and falls back to another one (not modelled:
        # its root model is assumed).
        stack.problems.append(f"agent `{agent}` is disabled in {disabled[1].show()}")
        agent_model = Value()
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
        overrides.append(_agent_override(family, agent_key, agent, agent_model, ours))
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


def _agent_override(
    family: Family, agent_key: str, agent: str, model: Value, ours: str | None
) -> Override:
    """The default agent's model points away from AIGate: in a JSON layer, or in the
    frontmatter of a Markdown agent file (its `model:` line; no JSON edit offered there)."""
    effect = f"keeps {family.title}'s default agent `{agent}` on {model.value}"
    path = model.origin.path
    if path is not None and path.suffix == ".md":
        fix = (
            f'set model: "{ours}" in its frontmatter, or remove that line'
            if ours
            else "remove the model: line of its frontmatter"
        )
        return Override(f"agent.{agent}.model", model.origin, model.value or "", effect, fix)
    what = f"{agent_key}.{agent}.model"
    return Override(
        what,
        model.origin,
        model.value or "",
        effect=effect,
        fix=f'set {what} to "{ours}" or remove it' if ours else f"remove {what}",
        edit_key=(agent_key, agent, "model"),
        edit_value=ours,
    )


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
