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
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.output import create_output
from questionary import Choice

DIM = "fg:ansibrightblack"

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


def text(
    message: str, default: str = "", validate: Callable[[str], bool | str] | None = None
) -> str:
    """Free text, pre-filled with `default` so it can be edited in place."""
    question = questionary.text(message, default=default, validate=validate, **_kwargs())
    return str(_ask(question)).strip()


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

    toggle_all = "ctrl-a" if search else "a"

    def validate(answer: list[str]) -> bool | str:
        if require_one and not answer:
            return f"pick at least one (space toggles, {toggle_all} toggles all)"
        return True

    # questionary's own search-mode instruction names <ctrl-a> for both toggle and invert.
    instruction = (
        "(space toggles, ctrl-a toggles all, type to filter, enter accepts)" if search else None
    )
    question = questionary.checkbox(
        message,
        choices=items,
        validate=validate,
        use_search_filter=search,
        use_jk_keys=not search,
        instruction=instruction,
        **_kwargs(),
    )
    return [str(v) for v in _ask(question)]


class _Completer(Completer):
    """Ids matching anywhere; the unusable ones after the usable, dimmed, with the reason."""

    def __init__(
        self, choices: Sequence[str], meta: dict[str, str], unusable: dict[str, str]
    ) -> None:
        self.choices = list(choices)
        self.meta = meta
        self.unusable = unusable

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterator[Completion]:
        typed = document.text_before_cursor
        word = typed.strip().lower()
        for choice in self.choices:
            if word in choice.lower():
                yield Completion(choice, -len(typed), display_meta=self.meta.get(choice, ""))
        for choice, why in self.unusable.items():
            if word in choice.lower():
                yield Completion(
                    choice, -len(typed), display_meta=why, style=DIM, selected_style="reverse"
                )


def autocomplete(
    message: str,
    choices: Sequence[str],
    *,
    default: str = "",
    meta: dict[str, str] | None = None,
    unusable: dict[str, str] | None = None,
    validate: Callable[[str], bool | str] | None = None,
) -> str:
    """Free text with completion over `choices` (matches anywhere in the id). `default` is shown
    as a placeholder, not as text (typing replaces it) and Enter on an empty line takes it.
    `unusable` (id -> why) are listed too, dimmed, so a missing model is explained."""

    def check(text: str) -> bool | str:
        if not text.strip() and default:
            return True
        return validate(text) if validate is not None else True

    question = questionary.autocomplete(
        message,
        choices=list(choices),
        completer=_Completer(choices, dict(meta or {}), dict(unusable or {})),
        placeholder=FormattedText([(DIM, default)]) if default else None,
        validate=check,
        validate_while_typing=False,  # complain on Enter, not at every keystroke
        **_kwargs(),
    )
    return str(_ask(question)).strip() or default


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
