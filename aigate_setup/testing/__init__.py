"""A fake AIGate gateway on loopback, for tests and for trying aigate-setup offline.

Standard library only, and never imported by the runtime commands. It serves the documented
surface of the real gateway (catalog, balance, chat completions, Responses, Anthropic Messages;
streamed and not), answers every prompt with "OK", checks `Authorization: Bearer sk-...` /
`x-api-key: sk-...`, logs every request with the key masked, and injects faults per route,
including hostile ones (a dripping, gzip-bombed, endless or key-echoing body; hostile catalogs).
The real Codex, OpenCode, Claude Code and Kilo CLIs complete a turn against it.

    with FakeGateway(catalog="newapi") as gw:
        ...  # gw.base_url == "http://127.0.0.1:PORT/v1"

Modules: catalog (the default models and shapes), replies (answer bodies, SSE), faults (Fault,
the request log entry), hostile (hostile catalogs and bodies), handler (HTTP), server
(FakeGateway), cli (`python -m aigate_setup.testing`).
"""

from __future__ import annotations

from aigate_setup.testing.catalog import CatalogShape, default_catalog
from aigate_setup.testing.cli import main
from aigate_setup.testing.faults import AuthStyle, EndlessKind, Fault, RecordedRequest
from aigate_setup.testing.hostile import gzip_bomb, hostile_catalog, nested_json
from aigate_setup.testing.replies import REPLY, error_body, parse_sse
from aigate_setup.testing.server import FakeGateway

__all__ = [
    "REPLY",
    "AuthStyle",
    "CatalogShape",
    "EndlessKind",
    "FakeGateway",
    "Fault",
    "RecordedRequest",
    "default_catalog",
    "error_body",
    "gzip_bomb",
    "hostile_catalog",
    "main",
    "nested_json",
    "parse_sse",
]
