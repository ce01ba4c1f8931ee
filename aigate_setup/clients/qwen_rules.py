"""Qwen Code's static rules (`check`, doctor): how its files are recognised and read
(`file_kind`, `guess_kind`, `READERS`) and its own rules (`STATIC_RULES`). Split from
clients/qwen.py, which loads this module on first use of those names, so that `status` and
`init` do not pay for the rule registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup.clients.base import FileKind
from aigate_setup.clients.qwen import KIND, NAME, PROVIDER, TITLE, trailing_comma
from aigate_setup.rules.positions import get, members, string
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.merge import jsonc
    from aigate_setup.rules.source import Source


_EXAMPLE = """{
  "$version": 4,
  "modelProviders": {
    "aigate": [
      {"id": "openai/gpt-5.5", "envKey": "AIGATE_API_KEY", "baseUrl": "https://api.aigate.shop/v1"}
    ]
  },
  "providerProtocol": {"aigate": "openai"},
  "security": {"auth": {"selectedType": "openai"}},
  "model": {"name": "openai/gpt-5.5"}
}
"""


def file_kind(path: Path) -> FileKind | None:
    if path.name == "settings.json" and path.parent.name == ".qwen":
        return KIND
    return None


def guess_kind(path: Path, text: str) -> tuple[int, FileKind] | None:
    return (60, KIND) if '"modelProviders"' in text and '"envKey"' in text else None


def _provider_entries(src: Source) -> Iterator[tuple[str, int, jsonc.Node]]:
    for pm in members(get(src.json, "modelProviders")):
        if pm.value.kind == "array":
            for i, item in enumerate(pm.value.items or ()):
                if item.kind == "object":
                    yield pm.key, i, item


def _urls(src: Source) -> list[UrlRef]:
    refs = []
    for pid, i, item in _provider_entries(src):
        node = get(item, "baseUrl")
        url = string(node)
        if node is not None and url is not None:
            refs.append(UrlRef(f"modelProviders.{pid}[{i}].baseUrl", url, *src.pos(node.start),
                               "v1"))  # fmt: skip
    return refs


def _models(src: Source) -> list[ModelRef]:
    refs = []
    for pid, i, item in _provider_entries(src):
        node = get(item, "id")
        value = string(node)
        if node is not None and value is not None:
            catalog_id = value if pid == PROVIDER else None
            refs.append(ModelRef(f"modelProviders.{pid}[{i}].id", value, *src.pos(node.start),
                                 catalog_id=catalog_id))  # fmt: skip
    return refs


READERS: tuple[Reader, ...] = (
    Reader(KIND, NAME, TITLE, "jsonc", "~/.qwen/settings.json", _urls, _models),
)


@rule(
    "AIG070",
    "qwen-literal-api-key",
    "error",
    "Qwen Code model provider holds a literal apiKey",
    kinds=(KIND,),
    doc="""A `modelProviders` entry with `apiKey` carries the key itself. Qwen Code reads the key
    from the variable named by `envKey` when it starts, so the file never needs it.""",
    example=_EXAMPLE.replace('"envKey": "AIGATE_API_KEY"', '"apiKey": "sk-EXAMPLE-NOT-A-KEY-1"'),
    fix='replace "apiKey" with "envKey": "AIGATE_API_KEY"',
    secret=True,
)
def literal_api_key(src: Source) -> Iterator[Hit]:
    for pid, i, item in _provider_entries(src):
        node = get(item, "apiKey")
        value = string(node)
        if node is not None and value and not value.startswith("$"):
            yield Hit(
                *src.pos(node.start),
                f"modelProviders.{pid}[{i}].apiKey is a literal value {mask_key(value)}",
            )


@rule(
    "AIG071",
    "qwen-trailing-comma",
    "error",
    "Trailing comma in a Qwen Code settings file",
    kinds=(KIND,),
    doc="""Qwen Code accepts comments in settings.json but not a trailing comma: it stops with
    "Expected double-quoted property name" and renames the file `settings.json.corrupted`.""",
    example=_EXAMPLE.replace('"openai/gpt-5.5"}\n}', '"openai/gpt-5.5"},\n}'),
    fix="remove the comma before the closing } or ]",
)
def trailing_comma_rule(src: Source) -> Iterator[Hit]:
    if src.json is None:
        return
    comma = trailing_comma(src.text)
    if comma is not None:
        yield Hit(*src.pos(comma), "trailing comma: Qwen Code cannot read this file")


STATIC_RULES: tuple[Rule, ...] = (literal_api_key, trailing_comma_rule)
