"""The one jinja2 Environment. Templates only loop and branch: every value arrives already
quoted for its target language (JSON, TOML, sh, PowerShell) from the client modules."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2

from aigate_setup import paths


@lru_cache(maxsize=4)
def _environment(root: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the outputs are config files and scripts, not HTML
    )


def environment() -> jinja2.Environment:
    """The Environment over `paths.templates_dir()` (StrictUndefined: a missing value fails)."""
    return _environment(str(paths.templates_dir()))


def render(name: str, **ctx: Any) -> str:
    """Render `templates/<name>` (e.g. "codex/config.toml.j2") with `ctx`."""
    return environment().get_template(name).render(**ctx)


def names() -> list[str]:
    """Every template (partials included), for tests that render them all."""
    return sorted(environment().list_templates(extensions=["j2"]))
