"""The one prompt seam: the only module that imports questionary.

Every function either returns an answer or raises KeyboardInterrupt (Ctrl-C / Ctrl-D), which
the CLI maps to exit 130 "interrupted". Nothing here knows about AIGate; the wizard decides
what to ask and what the defaults are.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

import questionary
from prompt_toolkit.output import create_output
from questionary import Choice

# Where prompts draw: stdout normally, stderr in --format json mode (stdout stays one document).
_stream: TextIO | None = None


def draw_on_stderr(enabled: bool) -> None:
    """Render every following prompt on stderr instead of stdout."""
    global _stream
    _stream = sys.stderr if enabled else None


def _kwargs() -> dict[str, Any]:
    if _stream is None:
        return {}
    return {"output": create_output(stdout=_stream)}


def _ask(question: questionary.Question) -> Any:
    answer = question.unsafe_ask()
    if answer is None:  # Ctrl-D / EOF on some prompts
        raise KeyboardInterrupt
    return answer


def password(message: str, validate: Callable[[str], bool | str] | None = None) -> str:
    """A hidden prompt: what is typed is never echoed."""
    return str(_ask(questionary.password(message, validate=validate, **_kwargs())))


def confirm(message: str, default: bool = True) -> bool:
    return bool(_ask(questionary.confirm(message, default=default, **_kwargs())))


def select(message: str, choices: Sequence[tuple[str, str]], default: str | None = None) -> str:
    """One of `choices` (title, value); Enter takes `default`."""
    items = [Choice(title, value=value) for title, value in choices]
    chosen = next((c for c in items if c.value == default), None)
    return str(_ask(questionary.select(message, choices=items, default=chosen, **_kwargs())))


def checkbox(
    message: str,
    choices: Sequence[tuple[str, str, bool]],
    *,
    require_one: bool = False,
    search: bool = False,
) -> list[str]:
    """Several of `choices` (title, value, checked); Enter keeps the preselection."""
    items = [Choice(title, value=value, checked=checked) for title, value, checked in choices]

    def validate(answer: list[str]) -> bool | str:
        if require_one and not answer:
            return "pick at least one (space toggles, a toggles all)"
        return True

    question = questionary.checkbox(
        message,
        choices=items,
        validate=validate,
        use_search_filter=search,
        use_jk_keys=not search,
        **_kwargs(),
    )
    return [str(v) for v in _ask(question)]


def autocomplete(
    message: str,
    choices: Sequence[str],
    *,
    default: str = "",
    meta: dict[str, str] | None = None,
    validate: Callable[[str], bool | str] | None = None,
) -> str:
    """Free text with completion over `choices` (matches anywhere in the id); Enter takes `default`."""
    question = questionary.autocomplete(
        message,
        choices=list(choices),
        default=default,
        meta_information=dict(meta or {}),
        match_middle=True,
        validate=validate,
        validate_while_typing=False,  # complain on Enter, not at every keystroke
        **_kwargs(),
    )
    return str(_ask(question)).strip()


@contextmanager
def status(message: str, stream: TextIO | None = None) -> Iterator[None]:
    """A spinner with `message` on stderr while the block runs (a plain line when not a TTY)."""
    out = stream or sys.stderr
    if not (hasattr(out, "isatty") and out.isatty()):
        print(message, file=out, flush=True)
        yield
        return
    done = threading.Event()

    def spin() -> None:
        frames = "|/-\\"
        for frame in itertools.cycle(frames):
            out.write(f"\r{frame} {message}")
            out.flush()
            if done.wait(0.1):
                break
        out.write("\r\033[K")
        out.flush()

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=2)
