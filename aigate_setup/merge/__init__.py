"""Pure text -> text merges, one module per format: jsonc, toml, block (and text for bytes).

Each merge changes only the spans it owns and keeps every other byte of the user's file. Every
reader raises the one `ParseError` (from `aigate_setup.errors`) with a line and column.
"""

from __future__ import annotations

from aigate_setup.errors import ParseError
from aigate_setup.merge.text import Decoded, decode, encode

__all__ = ["Decoded", "ParseError", "decode", "encode"]
