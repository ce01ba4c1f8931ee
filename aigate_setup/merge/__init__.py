"""Pure text -> text merges, one module per format: jsonc, toml, block (and text for bytes).

Each merge changes only the spans it owns and keeps every other byte of the user's file.
"""

from __future__ import annotations

from aigate_setup.merge.block import BlockError
from aigate_setup.merge.jsonc import JsoncError
from aigate_setup.merge.text import Decoded, decode, encode
from aigate_setup.merge.tomlread import TomlError

MergeError = (JsoncError, TomlError, BlockError)

__all__ = ["BlockError", "Decoded", "JsoncError", "MergeError", "TomlError", "decode", "encode"]
