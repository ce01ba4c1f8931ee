"""Layout figures for the package: module sizes, module-level import cycles, and which modules
spell a client's name as a string literal.

Usage: python scripts/layout.py [PACKAGE_DIR]   (default: aigate_setup beside this script)

The same functions back tests/test_layout.py, which keeps the bounds (no module over 600 lines,
no import cycle, client names only in clients/, constants.py and the test gateway).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

CLIENT_NAMES = frozenset({"codex", "opencode", "kilo", "claude"})
MAX_LINES = 600


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package at `root`."""
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(
    tree: ast.Module, name: str, is_pkg: bool, mods: dict[str, Path], *, deferred: bool
) -> Iterator[str]:
    """Package modules imported at import time (not under TYPE_CHECKING); with `deferred`, also
    those imported inside functions. `from pkg import mod` depends on the submodule `pkg.mod`;
    the package `pkg` itself counts only for a module outside it (inside, it is already being
    imported)."""
    package = name if is_pkg else name.rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if not deferred and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Import):
                for alias in sub.names:
                    yield alias.name
            elif isinstance(sub, ast.ImportFrom):
                base = sub.module or ""
                if sub.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - sub.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in sub.names:
                    target = f"{base}.{alias.name}"
                    if target in mods:
                        yield target
                    elif not (package + ".").startswith(base + "."):
                        yield base


def import_graph(root: Path, *, deferred: bool = False) -> dict[str, set[str]]:
    mods = modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        found = _imports(tree, name, is_pkg, mods, deferred=deferred)
        graph[name] = {t for t in found if t in mods and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def naming_modules(root: Path) -> list[str]:
    """Modules with a string literal that is exactly a client's `--client` name."""
    found = []
    for name, path in modules(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in CLIENT_NAMES:
                found.append(name)
                break
    return found


def line_counts(root: Path) -> dict[str, int]:
    return {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in modules(root).items()
    }


def main(argv: list[str]) -> int:
    root = (
        Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "aigate_setup"
    )
    counts = line_counts(root)
    print(f"modules: {len(counts)}, lines: {sum(counts.values())}")
    print("largest modules:")
    for name, lines in sorted(counts.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {lines:5d}  {name}")
    over = [n for n, c in counts.items() if c > MAX_LINES]
    print(f"modules over {MAX_LINES} lines: {len(over)}")
    for label, deferred in (("module-level", False), ("any (function-level too)", True)):
        cyc = cycles(import_graph(root, deferred=deferred))
        print(f"import cycles, {label}: {len(cyc)}")
        for c in cyc:
            print("  " + " <-> ".join(c))
    naming = naming_modules(root)
    print(f"modules that spell a client name: {len(naming)}")
    for module in naming:
        print(f"  {module}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
