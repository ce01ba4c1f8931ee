"""AIG001: a file the client cannot read at all."""

from __future__ import annotations

from collections.abc import Iterator

from aigate_setup.rules.registry import FILE_KINDS, Hit, rule
from aigate_setup.rules.source import Source


@rule(
    "AIG001",
    "parse-error",
    "error",
    "File cannot be parsed",
    kinds=FILE_KINDS,
    example_kind="opencode",
    doc="""A client refuses (or silently skips) a config it cannot parse, so nothing in it
    applies. Also reported for a file that cannot be read, is not UTF-8 text, is not a regular
    file, is too large, or is a symlink out of the checked tree, and for a script whose
    aigate-setup managed block lost one of its markers.""",
    example='{\n  "model": "aigate/openai/gpt-5.5",\n  "provider": {\n}\n',
    fix="fix the syntax at the reported line and column",
)
def parse_error(src: Source) -> Iterator[Hit]:
    problem = src.syntax_error
    if problem is not None:
        yield problem


RULES = (parse_error,)
