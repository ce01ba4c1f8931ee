"""One module per coding client, and the registry of them.

Every module has the same shape (`base.ClientModule`). `config_paths` lists files in the order
the client loads them: later entries override earlier ones. Adding a client means one module here
plus its templates; outside this package only `constants.CLIENTS` (the CLI's cheap name list)
spells a client's name.
"""

from __future__ import annotations

from aigate_setup.clients import aider, claude, codex, continue_, kilo, opencode, qwen
from aigate_setup.clients.base import Auth, ClientModule, Route

CLIENT_MODULES: dict[str, ClientModule] = {
    "codex": codex,
    "opencode": opencode,
    "kilo": kilo,
    "claude": claude,
    "qwen": qwen,
    "continue": continue_,
    "aider": aider,
}


def get(name: str) -> ClientModule:
    """The module of one client, by its `--client` name."""
    return CLIENT_MODULES[name]


__all__ = [
    "CLIENT_MODULES",
    "Auth",
    "ClientModule",
    "Route",
    "aider",
    "claude",
    "codex",
    "continue_",
    "get",
    "kilo",
    "opencode",
    "qwen",
]
