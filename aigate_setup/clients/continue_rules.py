"""Continue's static rules (`check`, doctor): how its files are recognised and read
(`file_kind`, `guess_kind`, `READERS`) and its own rules (`STATIC_RULES`). Split from
clients/continue_.py, which loads this module on first use of those names, so that `status` and
`init` do not pay for the rule registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup.clients.base import FileKind
from aigate_setup.clients.continue_ import KIND, NAME, TITLE, _ours
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.rules.source import Source


_EXAMPLE = """name: My assistant
version: 1.0.0
schema: v1
models:
  - name: aigate/openai/gpt-5.5
    provider: openai
    model: openai/gpt-5.5
    apiBase: https://api.aigate.shop/v1
    apiKey: ${{ secrets.AIGATE_API_KEY }}
"""


def file_kind(path: Path) -> FileKind | None:
    return KIND if path.name == "config.yaml" and path.parent.name == ".continue" else None


def guess_kind(path: Path, text: str) -> tuple[int, FileKind] | None:
    if path.suffix.lower() in (".yaml", ".yml") and "apiBase:" in text:
        return 40, KIND
    return None


def _entries(src: Source) -> Iterator[tuple[int, Any]]:
    tree = src.yaml
    models = tree.get("models") if isinstance(tree, dict) else None
    for i, m in enumerate(models if isinstance(models, list) else []):
        if isinstance(m, dict):
            yield i, m


def _pos(src: Source, i: int, key: str) -> tuple[int | None, int | None]:
    from aigate_setup.merge import yaml

    found = yaml.position(src.yaml, ["models", i, key])
    return found if found is not None else (None, None)


def _urls(src: Source) -> list[UrlRef]:
    return [
        UrlRef(f"models[{i}].apiBase", str(m["apiBase"]), *_pos(src, i, "apiBase"), "v1")
        for i, m in _entries(src)
        if isinstance(m.get("apiBase"), str)
    ]


def _models(src: Source) -> list[ModelRef]:
    return [
        ModelRef(f"models[{i}].model", str(m["model"]), *_pos(src, i, "model"),
                 catalog_id=str(m["model"]) if _ours(m) else None)
        for i, m in _entries(src)
        if isinstance(m.get("model"), str)
    ]  # fmt: skip


READERS: tuple[Reader, ...] = (
    Reader(KIND, NAME, TITLE, "yaml", "~/.continue/config.yaml", _urls, _models),
)


@rule(
    "AIG072",
    "continue-literal-api-key",
    "error",
    "Continue model holds a literal apiKey",
    kinds=(KIND,),
    doc="""A `models` entry whose `apiKey` is not a `${{ secrets.NAME }}` reference carries the
    key itself. The Continue CLI resolves `${{ secrets.AIGATE_API_KEY }}` from the environment
    (then `.continue/.env` files) when it starts.""",
    example=_EXAMPLE.replace("${{ secrets.AIGATE_API_KEY }}", "sk-EXAMPLE-NOT-A-KEY-1"),
    fix="set apiKey: ${{ secrets.AIGATE_API_KEY }}",
    secret=True,
)
def literal_api_key(src: Source) -> Iterator[Hit]:
    for i, m in _entries(src):
        value = m.get("apiKey")
        if isinstance(value, str) and value.strip() and "${{" not in value:
            yield Hit(*_pos(src, i, "apiKey"),
                      f"models[{i}].apiKey is a literal value {mask_key(value)}")  # fmt: skip


STATIC_RULES: tuple[Rule, ...] = (literal_api_key,)
