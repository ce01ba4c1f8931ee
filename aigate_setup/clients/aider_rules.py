"""Aider's static rules (`check`, doctor): how its files are recognised and read
(`file_kind`, `guess_kind`, `READERS`) and its own rules (`STATIC_RULES`). Split from
clients/aider.py, which loads this module on first use of those names, so that `status` and
`init` do not pay for the rule registry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup.clients.aider import _KEY_KEYS, CONF_NAME, KIND, LITELLM_PREFIX, NAME, TITLE
from aigate_setup.clients.base import FileKind
from aigate_setup.rules.registry import Hit, ModelRef, Reader, Rule, UrlRef, rule
from aigate_setup.secrets import mask_key

if TYPE_CHECKING:
    from aigate_setup.rules.source import Source


_EXAMPLE = """model: openai/openai/gpt-5.5
openai-api-base: https://api.aigate.shop/v1
env-file: /home/me/.config/aigate/aider.env
analytics-disable: true
"""


def file_kind(path: Path) -> FileKind | None:
    return KIND if path.name == CONF_NAME else None


def guess_kind(path: Path, text: str) -> tuple[int, FileKind] | None:
    return (40, KIND) if "openai-api-base:" in text else None


def _tree(src: Source) -> dict[str, Any]:
    tree = src.yaml
    return tree if isinstance(tree, dict) else {}


def _pos(src: Source, key: str) -> tuple[int | None, int | None]:
    from aigate_setup.merge import yaml

    found = yaml.position(src.yaml, [key])
    return found if found is not None else (None, None)


def _urls(src: Source) -> list[UrlRef]:
    url = _tree(src).get("openai-api-base")
    if not isinstance(url, str):
        return []
    return [UrlRef("openai-api-base", url, *_pos(src, "openai-api-base"), "v1")]


def _models(src: Source) -> list[ModelRef]:
    tree = _tree(src)
    model = tree.get("model")
    if not isinstance(model, str):
        return []
    ours = model.startswith(LITELLM_PREFIX) and isinstance(tree.get("openai-api-base"), str)
    catalog_id = model[len(LITELLM_PREFIX) :] if ours else None
    return [ModelRef("model", model, *_pos(src, "model"), catalog_id=catalog_id)]


READERS: tuple[Reader, ...] = (
    Reader(KIND, NAME, TITLE, "yaml", "~/.aider.conf.yml", _urls, _models),
)


@rule(
    "AIG073",
    "aider-literal-api-key",
    "error",
    "Aider config holds a literal API key",
    kinds=(KIND,),
    doc="""`openai-api-key` (or `api-key`) in `.aider.conf.yml` is the key itself. Aider reads
    `OPENAI_API_KEY` from the environment and from `env-file`, whose line
    `OPENAI_API_KEY=${AIGATE_API_KEY}` names the variable without holding the key.""",
    example=_EXAMPLE + "openai-api-key: sk-EXAMPLE-NOT-A-KEY-1\n",
    fix="remove the key; set env-file to a file holding OPENAI_API_KEY=${AIGATE_API_KEY}",
    secret=True,
)
def literal_api_key(src: Source) -> Iterator[Hit]:
    tree = _tree(src)
    for key in _KEY_KEYS:
        value = tree.get(key)
        if value is not None and str(value).strip():
            shown = mask_key(str(value)) if isinstance(value, str) else "(a list)"
            yield Hit(*_pos(src, key), f"{key} is a literal value {shown}")


_HOME_RE = re.compile(r"^(~|\$HOME|\$\{HOME\})")


@rule(
    "AIG074",
    "aider-env-file-not-absolute",
    "error",
    "Aider env-file starts with ~ or $HOME",
    kinds=(KIND,),
    doc="""Aider does not expand `~` or variables in `env-file`: the file is not found, no key
    is loaded, no request is sent, and Aider still exits 0. Write the absolute path.""",
    example=_EXAMPLE.replace("/home/me/", "~/"),
    fix="write the absolute path, e.g. env-file: /home/me/.config/aigate/aider.env",
)
def env_file_not_absolute(src: Source) -> Iterator[Hit]:
    value = _tree(src).get("env-file")
    if isinstance(value, str) and _HOME_RE.match(value.strip()):
        yield Hit(*_pos(src, "env-file"), f"env-file {value!r} is not expanded by Aider")


STATIC_RULES: tuple[Rule, ...] = (literal_api_key, env_file_not_absolute)
