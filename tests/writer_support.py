"""Shared helpers for the writer tests: a Selection factory and a file writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aigate_setup.plan import ClaudeSlots, Selection

BASE = "https://api.aigate.shop/v1"
SLOTS = ClaudeSlots(
    "anthropic/claude-opus-4.7", "anthropic/claude-sonnet-4.6", "anthropic/claude-haiku-4.5"
)


def make_selection(**kw: Any) -> Selection:
    """A user-scope Selection for openai/gpt-5.5 in the current directory; `kw` overrides."""
    values: dict[str, Any] = {
        "clients": ("codex", "opencode", "kilo", "claude"),
        "model": "openai/gpt-5.5",
        "claude": SLOTS,
        "extra_models": (),
        "scope": "user",
        "project_dir": Path.cwd(),
        "base_url": BASE,
        "key_env": "AIGATE_API_KEY",
    }
    values.update(kw)
    return Selection(**values)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
