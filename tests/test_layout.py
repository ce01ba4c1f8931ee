"""The package layout keeps its promises: small modules, no import cycles, and client knowledge
only in `clients/` (plus the CLI's one cheap name list and the test gateway)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "aigate_setup"


def _layout() -> ModuleType:
    spec = importlib.util.spec_from_file_location("layout", ROOT / "scripts" / "layout.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["layout"] = module
    spec.loader.exec_module(module)
    return module


layout = _layout()


def test_no_module_over_the_bound() -> None:
    counts: dict[str, int] = layout.line_counts(PACKAGE)
    over = {name: n for name, n in counts.items() if n > layout.MAX_LINES}
    assert over == {}


def test_no_import_cycles_even_through_function_level_imports() -> None:
    assert layout.cycles(layout.import_graph(PACKAGE)) == []
    assert layout.cycles(layout.import_graph(PACKAGE, deferred=True)) == []


def test_cycle_finder_finds_a_planted_cycle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("def f() -> None:\n    from pkg.a import x\n")
    assert layout.cycles(layout.import_graph(pkg)) == []
    assert layout.cycles(layout.import_graph(pkg, deferred=True)) == [["pkg.a", "pkg.b"]]


def test_client_names_are_spelled_only_in_the_client_modules() -> None:
    allowed = ("aigate_setup.clients", "aigate_setup.constants", "aigate_setup.testing")
    naming: list[str] = layout.naming_modules(PACKAGE)
    outside = [m for m in naming if not m.startswith(allowed)]
    assert outside == []


def test_no_coding_agent_is_on_the_tests_path() -> None:
    """The autouse fixture hides a developer's installed agents: doctor and init would find
    them and every expectation would change with the machine."""
    import shutil

    from conftest import _client_binaries

    for name in sorted(_client_binaries()):
        assert shutil.which(name) is None, name
