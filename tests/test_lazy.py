"""Lazy packages (aigate_setup/lazy.py): every name they promise loads, and `status` stays
cheap: it never imports the rule engine, the writers or the network and template libraries.
(Speed itself is a benchmark figure, scripts/bench.py, not a test.)"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from test_status import init

from aigate_setup import lazy
from aigate_setup.testing import FakeGateway

LAZY_MODULES = (
    "aigate_setup.options",
    "aigate_setup.rules",
    "aigate_setup.fsio",
    "aigate_setup.clients.codex",
    "aigate_setup.clients.claude",
    "aigate_setup.clients.opencode",
    "aigate_setup.clients.kilo",
    "aigate_setup.clients.qwen",
    "aigate_setup.clients.continue_",
    "aigate_setup.clients.aider",
)


def _type_checking_names(module: str) -> set[str]:
    """The names a module imports under `if TYPE_CHECKING:` (what the type checker sees)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for sub in node.body:
                if isinstance(sub, ast.ImportFrom):
                    names.update(a.asname or a.name for a in sub.names)
    return names


@pytest.mark.parametrize("module", LAZY_MODULES)
def test_every_lazy_name_loads_and_is_declared(module: str) -> None:
    mod = importlib.import_module(module)
    table: dict[str, str] = getattr(mod, "_LAZY", None) or dict.fromkeys(
        lazy.RULE_NAMES, lazy.rules_module(module)
    )
    declared = _type_checking_names(module)
    for name, source in table.items():
        assert name in declared, f"{module}.{name} is lazy but not imported under TYPE_CHECKING"
        assert getattr(mod, name) is getattr(importlib.import_module(source), name)
    for name in getattr(mod, "__all__", ()):
        getattr(mod, name)  # every exported name resolves
    with pytest.raises(AttributeError):
        _ = mod.no_such_name


def test_codex_rules_include_the_picker_catalog() -> None:
    from aigate_setup.clients import codex
    from aigate_setup.clients.codex import catalog_rules, rules

    assert (*rules.STATIC_RULES, catalog_rules.model_catalog) == codex.STATIC_RULES
    assert (*rules.READERS, catalog_rules.READER) == codex.READERS
    assert codex.STATIC_RULES is codex.STATIC_RULES  # built once


# What `status` must not load: the rule engine and registry, the writers and backups, and
# the libraries of the network, the templates, the TOML editor, YAML and the prompts.
NOT_FOR_STATUS = (
    "aigate_setup.rules.engine",
    "aigate_setup.rules.registry",
    "aigate_setup.fsio.transaction",
    "aigate_setup.fsio.journal",
    "aigate_setup.command_options",
    "aigate_setup.clients.opencode_rules",
    "aigate_setup.clients.claude.rules",
    "aigate_setup.clients.md_agents",
    "dataclasses",  # no dataclass is created on the way (see clients/base.py)
    "httpx",
    "jinja2",
    "tomlkit",
    "ruamel.yaml",
    "questionary",
)


def test_status_imports_no_rules_writers_or_heavy_libraries(
    fake_gateway: FakeGateway, tmp_path: Path
) -> None:
    assert init(fake_gateway).exit_code == 0  # the four default clients configured
    code = (
        "import sys\n"
        "from aigate_setup import cli\n"
        "try:\n    cli.main.main(['status', '--base-url', sys.argv[1]])\n"
        "except SystemExit as exc:\n    print('EXIT=' + str(exc.code))\n"
        f"loaded = [m for m in {NOT_FOR_STATUS!r} if m in sys.modules]\n"
        "print('LOADED=' + ','.join(loaded))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, fake_gateway.base_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert "EXIT=0" in proc.stdout, proc.stdout + proc.stderr
    assert "reaches AIGate" in proc.stdout
    assert "LOADED=\n" in proc.stdout, proc.stdout + proc.stderr
