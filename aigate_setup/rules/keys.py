"""AIG002: a literal API key anywhere in a file, comments included.

Keys are found with the one key pattern (`aigate_setup.secrets.find_keys`) and shown only
masked (`mask_key`). Sharper rules name the field a key sits in (AIG003-AIG006); the engine
does not report a line twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from re import Match

from aigate_setup.rules.registry import Hit, rule
from aigate_setup.rules.source import Source
from aigate_setup.secrets import find_keys, mask_key


def real_keys(line: str) -> Iterator[Match[str]]:
    """Key-shaped runs that are not placeholders (`sk-your-key-here` and `sk-xxxx...` have no
    digit; real keys do)."""
    for m in find_keys(line):
        if any(ch.isdigit() for ch in m.group(0)):
            yield m


@rule(
    "AIG002",
    "literal-secret",
    "error",
    "Literal API key in a file",
    kinds=None,
    example_kind="codex-project",
    doc="""A key in a checked-in file is a leaked key: anyone who can read the repository
    (or its history) can spend it. Configs reference the key instead, and aigate-setup never
    writes one.""",
    example='model = "openai/gpt-5.5"\n# my key: sk-EXAMPLE-NOT-A-KEY-1\n',
    fix="remove the key and reference the variable instead ($AIGATE_API_KEY, "
    "{env:AIGATE_API_KEY}, env_key); rotate the key",
)
def literal_secret(src: Source) -> Iterator[Hit]:
    if "sk-" not in src.text:
        return
    for i, line in enumerate(src.lines, 1):
        if "sk-" not in line:
            continue
        for m in real_keys(line):
            yield Hit(i, m.start() + 1, f"literal API key {mask_key(m.group(0))}")
            break


RULES = (literal_secret,)
