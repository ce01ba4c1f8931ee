"""Output: colour policy, symbols, the versioned JSON envelope, error lines. No business logic."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

from aigate_setup.errors import AigateError

JSON_VERSION = 1


def use_color(stream: TextIO | None = None) -> bool:
    """Colour only on a TTY, never with NO_COLOR set (https://no-color.org) or TERM=dumb."""
    stream = stream or sys.stdout
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


_CODES = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "cyan": 36, "bold": 1, "dim": 2}


def paint(text: str, color: str, stream: TextIO | None = None) -> str:
    if not use_color(stream):
        return text
    return f"\033[{_CODES[color]}m{text}\033[0m"


def can_encode(text: str, stream: TextIO | None = None) -> bool:
    encoding = getattr(stream or sys.stdout, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def status_symbol(status: str, stream: TextIO | None = None) -> str:
    """✓ / ! / ✗ / - for pass / warn / fail / skip, with an ASCII fallback."""
    fancy = {"pass": "✓", "warn": "!", "fail": "✗", "skip": "-"}
    plain = {"pass": "ok", "warn": "!!", "fail": "XX", "skip": "--"}
    symbol = fancy.get(status, "?")
    if not can_encode(symbol, stream):
        symbol = plain.get(status, "?")
    color = {"pass": "green", "warn": "yellow", "fail": "red", "skip": "dim"}.get(status, "bold")
    return paint(symbol, color, stream)


def info(message: str) -> None:
    """Progress and banners: always stderr, so stdout stays pure in JSON mode."""
    print(message, file=sys.stderr)


def envelope(command: str, status: str, **payload: Any) -> dict[str, Any]:
    return {"version": JSON_VERSION, "command": command, "status": status, **payload}


def print_json(doc: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_error(exc: AigateError) -> None:
    """One line `error: ...`, then `hint: ...` when there is one; both on stderr."""
    print(paint("error:", "red", sys.stderr) + f" {exc}", file=sys.stderr)
    if exc.hint:
        print(paint("hint:", "cyan", sys.stderr) + f" {exc.hint}", file=sys.stderr)


def error_document(command: str, exc: AigateError) -> dict[str, Any]:
    return envelope(
        command,
        "fail",
        error={"message": str(exc), "hint": exc.hint, "exit_code": exc.exit_code},
    )
