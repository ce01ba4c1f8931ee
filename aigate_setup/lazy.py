"""Packages whose names load on first use: `status` and `--help` stay fast because importing a
package (a client, the rules, fsio) does not import every module behind it.

    _LAZY = lazy.table({"package.module": ("name", ...), ...})

    def __getattr__(name: str) -> Any:
        return lazy.load(__name__, _LAZY, name)

with the same names imported under `if TYPE_CHECKING:` for the type checker.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any


def load(package: str, table: Mapping[str, str], name: str) -> Any:
    """`name` from the module `table` says, kept on the package so the next lookup is direct."""
    try:
        module = table[name]
    except KeyError:
        raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
    value = getattr(import_module(module), name)
    setattr(sys.modules[package], name, value)
    return value


def table(modules: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """{name: module} from {module: names}."""
    return {name: module for module, names in modules.items() for name in names}


# The names a client module gets from its `<module>_rules` sibling (its static rules).
RULE_NAMES = ("READERS", "STATIC_RULES", "file_kind", "guess_kind")


def rules_getattr(client_module: str) -> Callable[[str], Any]:
    """The module `__getattr__` of a client module whose static rules live in
    `<client_module>_rules` (clients.continue_: clients.continue_rules):
    `__getattr__ = lazy.rules_getattr(__name__)`."""
    table = dict.fromkeys(RULE_NAMES, rules_module(client_module))

    def getattr_(name: str) -> Any:
        return load(client_module, table, name)

    return getattr_


def rules_module(client_module: str) -> str:
    return client_module.rstrip("_") + "_rules"
