"""Owned values and removal for the OpenCode-family JSON/JSONC configs (OpenCode, Kilo).

Owned: `provider.aigate`, a root `model` that names it (`aigate/<id>`), and "aigate" in an
`enabled_providers` list. `remove` takes exactly these out, in the reverse order `init` put
them in, so a file that only gained them comes back byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aigate_setup.clients.common import PROVIDER_ID

DEFAULT_KEYS = ("model",)
PROVIDER_KEY = f"provider.{PROVIDER_ID}"
_EMPTY_OBJECT = r"\A\s*\{\s*\}\s*\Z"  # compiled on first use (re's own cache)


def _data(text: str) -> dict[str, Any]:
    from aigate_setup.merge import jsonc

    if jsonc.is_blank(text):
        return {}
    data = jsonc.loads(text)
    return data if isinstance(data, dict) else {}


def owned_values(path: Path, text: str) -> dict[str, object]:
    """The current value of every key aigate-setup owns in the file (absent keys left out)."""
    data = _data(text)
    out: dict[str, object] = {}
    if "model" in data:
        out["model"] = data["model"]
    providers = data.get("provider")
    if isinstance(providers, dict) and PROVIDER_ID in providers:
        out[PROVIDER_KEY] = providers[PROVIDER_ID]
    return out


def default_of(values: Mapping[str, object]) -> tuple[str | None, str | None]:
    """(provider, model) of a root `model = "provider/model"` (None: the client's own)."""
    model = values.get("model")
    if not isinstance(model, str) or "/" not in model:
        return None, model if isinstance(model, str) else None
    provider, _, rest = model.partition("/")
    return provider, rest


def is_ours(values: Mapping[str, object]) -> bool:
    model = values.get("model")
    return isinstance(model, str) and model.startswith(PROVIDER_ID + "/")


def put_back(path: Path, text: str, values: Mapping[str, object]) -> str:
    """Set `model` back to its value before aigate-setup (None: it was not there)."""
    from aigate_setup.merge import jsonc

    if "model" not in values:
        return text
    value = values["model"]
    if value is None:
        return jsonc.remove_value(text, ["model"])
    return jsonc.set_value(text, ["model"], value)


def unrender(path: Path, text: str) -> str | None:
    """`text` without the AIGate provider, a `model` that names it and "aigate" in
    `enabled_providers`; None when only `$schema` (and nothing of the user's) would be left."""
    from aigate_setup.merge import jsonc

    data = _data(text)
    if not data:
        return text
    out = text
    if is_ours(data):
        out = jsonc.remove_value(out, ["model"])
    providers = data.get("provider")
    if isinstance(providers, dict) and PROVIDER_ID in providers:
        out = jsonc.remove_value(out, ["provider", PROVIDER_ID])
        if len(providers) == 1:
            out = jsonc.remove_value(out, ["provider"])
    out = _drop_item(out, ["enabled_providers"], PROVIDER_ID)
    if re.match(_EMPTY_OBJECT, jsonc.remove_value(out, ["$schema"])):
        return None
    return out


def _drop_item(text: str, path: list[str], item: str) -> str:
    """Take `item` out of the array at `path`, undoing `jsonc.append_to_array`."""
    from aigate_setup.merge import jsonc
    from aigate_setup.merge.jsonc.parse import _skip

    node = jsonc.find(jsonc.parse(text), path)
    if node is None or node.kind != "array":
        return text
    hits = [i for i, it in enumerate(node.items) if it.value == item]
    if not hits:
        return text
    i = hits[-1]
    entry = node.items[i]
    after = _skip(text, entry.end)
    cut: list[tuple[int, int]] = []
    end = entry.end
    if text[after] == ",":
        end = after + 1
    elif i > 0:
        comma = _skip(text, node.items[i - 1].end)
        cut.append((comma, comma + 1))  # the comma init added after the previous item
    line = _own_line_span(text, entry.start, end)
    if line is not None:
        cut.append(line)
    elif end == entry.end and i > 0:
        cut = [(cut[0][0], end)]  # on one line: ', "aigate"' goes as a whole
    else:
        start = entry.start
        if i == len(node.items) - 1:
            while start > 0 and text[start - 1] in " \t":
                start -= 1
        else:
            while end < len(text) and text[end] in " \t":
                end += 1
        cut.append((start, end))
    for start, stop in sorted(cut, reverse=True):
        text = text[:start] + text[stop:]
    return text


def _own_line_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The whole line(s) of `text[start:end]` when nothing else is on them."""
    line_start = text.rfind("\n", 0, start) + 1
    eol = text.find("\n", end)
    if text[line_start:start].strip(" \t") or eol < 0 or text[end:eol].strip(" \t\r"):
        return None
    return line_start, eol + 1


# How to start the client on AIGate when AIGate is not its default (`{model}` filled in).
USE_AIGATE = f"-m {PROVIDER_ID}/{{model}}"
