"""The top-level click group of the CLI and its one error handler: a bare `aigate-setup` (or
one starting with an init option) means `init`, and every outcome maps to a documented exit
code (cli.py defines the commands)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from aigate_setup.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    AigateError,
)

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

# Which command is running and in which format, so the top-level handler can keep
# stdout a single JSON document even when the command fails.
_running: dict[str, str] = {}


class AigateGroup(click.Group):
    """A group whose bare invocation (or one starting with an init option) means `init`,
    and whose `main` is the one top-level error handler."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `aigate-setup` alone, or followed by init's options, is `aigate-setup init`. Not
        # while completing (`aigate-setup <TAB>` lists the commands), and not for an option
        # init does not have: `--verison` is the group's error ("Did you mean --version?").
        bare = not args and not ctx.resilient_parsing
        if bare or (args and self._init_option(ctx, args[0])):
            args = ["init", *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Commands, and after a bare `-` also init's options (`aigate-setup --mo<TAB>`)."""
        items = super().shell_complete(ctx, incomplete)
        init_command = self.get_command(ctx, "init")
        if incomplete.startswith("-") and init_command is not None:
            sub = init_command.make_context("init", [], parent=ctx, resilient_parsing=True)
            known = {item.value for item in items}
            items += [
                i for i in init_command.shell_complete(sub, incomplete) if i.value not in known
            ]
        return items

    def _init_option(self, ctx: click.Context, arg: str) -> bool:
        init_command = self.get_command(ctx, "init")
        if init_command is None or not arg.startswith("-") or arg in ("-h", "--help"):
            return False
        name = arg.split("=", 1)[0]
        for param in init_command.params:
            if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
                return True
        return False

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> NoReturn:
        sys.exit(execute(self, list(sys.argv[1:] if args is None else args), prog_name, **extra))


def execute(group: click.Group, args: list[str], prog_name: str | None = None, **extra: Any) -> int:
    """Run the CLI and map every outcome to a documented exit code."""
    _running.clear()
    if os.environ.get("_AIGATE_SETUP_COMPLETE"):  # a shell asks for completions
        from aigate_setup import completion

        completion.register()
    try:
        rv = click.Group.main(
            group, args, prog_name or "aigate-setup", standalone_mode=False, **extra
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("\ninterrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        # Usage mistakes: click's own message, plus the way to more help.
        exc.show()
        return EXIT_USAGE
    except AigateError as exc:
        return _fail(exc)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last resort: never a bare traceback
        from aigate_setup import settings

        if settings.debug():
            import traceback

            traceback.print_exc()
        internal = AigateError(
            f"internal error: {type(exc).__name__}: {exc}",
            "this is a bug in aigate-setup; rerun with AIGATE_DEBUG=1 and report the traceback",
        )
        internal.exit_code = EXIT_INTERNAL
        return _fail(internal)
    if rv is None:
        return 0
    return int(rv)


def _fail(exc: AigateError) -> int:
    from aigate_setup import report, secrets

    # Every message passes the one masking function: an exception's text can quote the key
    # (`Illegal header value b'Bearer sk-...\r'`), and this is where all of them come out.
    key = os.environ.get(_running.get("key_env", "AIGATE_API_KEY"), "")
    exc.message = secrets.scrub(exc.message, key)
    exc.args = (exc.message,)
    if exc.hint:
        exc.hint = secrets.scrub(exc.hint, key)

    if _running.get("fmt") == "json":
        report.print_json(report.error_document(_running["command"], exc))
    report.print_error(exc)
    return exc.exit_code
