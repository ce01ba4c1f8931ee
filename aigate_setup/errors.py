"""One error root. Every expected failure is an AigateError: a message, a hint, an exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Exit codes (README.md "Exit codes").
EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class AigateError(Exception):
    """An expected failure, shown to the user as one line plus an optional hint."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(AigateError):
    """Bad flags or bad input from the user (exit 2)."""

    exit_code = EXIT_USAGE


class NotBuiltYet(UsageError):
    """A command of the contract that this version does not implement yet."""

    def __init__(self, command: str) -> None:
        super().__init__(
            f"`aigate-setup {command}` is not built yet in this version",
            "see README.md for what works today",
        )


class ConfigError(AigateError):
    """A config file that cannot be parsed or used. Carries where the problem is."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str,
        line: int | None = None,
        column: int | None = None,
        key_path: str | None = None,
        hint: str | None = None,
    ) -> None:
        from pathlib import Path

        self.path = Path(path)
        self.line = line
        self.column = column
        self.key_path = key_path
        super().__init__(message, hint)

    @classmethod
    def from_parse(cls, exc: ParseError, path: Path | str, hint: str) -> ConfigError:
        """A reader's ParseError as a ConfigError at `path:line:col`, with a hint."""
        return cls(exc.message, path=path, line=exc.line, column=exc.column, hint=hint)

    @property
    def location(self) -> str:
        loc = str(self.path)
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def __str__(self) -> str:
        key = f"{self.key_path}: " if self.key_path else ""
        return f"{self.location}: {key}{self.message}"


class GatewayError(AigateError):
    """The gateway could not be reached or answered with an error. Never carries the key."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        hint: str | None = None,
        retryable: bool = False,
    ) -> None:
        self.url = url
        self.status = status
        self.retryable = retryable
        super().__init__(message, hint)


class ParseError(ValueError):
    """A syntax (or shape) problem in a file's text, with a 1-based line and column.

    The one parse error of every reader (JSONC, TOML, managed blocks); callers that know the
    file turn it into a ConfigError with `path:line:col`.
    """

    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column
