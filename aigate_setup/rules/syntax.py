"""AIG001: a file the client cannot read at all."""

from __future__ import annotations

from collections.abc import Iterator

from aigate_setup.rules.registry import Hit, rule
from aigate_setup.rules.source import Source


@rule(
    "AIG001",
    "parse-error",
    "error",
    "File cannot be parsed",
    kinds=None,
    example_kind="codex-user",
    doc="""A client refuses (or silently skips) a config it cannot parse, so nothing in it
    applies. Also reported for a file that cannot be read, is not UTF-8 text, is not a regular
    file, is too large, or is a symlink out of the checked tree, and for a script whose
    aigate-setup managed block lost one of its markers.""",
    example='model = "openai/gpt-5.5\nmodel_provider = "aigate"\n',
    fix="fix the syntax at the reported line and column",
)
def parse_error(src: Source) -> Iterator[Hit]:
    problem = src.syntax_error
    if problem is not None:
        yield problem


RULES = (parse_error,)
