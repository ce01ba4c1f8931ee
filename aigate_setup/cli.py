"""The click layer: options -> core call -> exit code. Heavy modules are imported lazily
inside each command so `--help` and `--version` stay fast (no httpx, jinja2, tomlkit...)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, overload

import click

from aigate_setup import __version__
from aigate_setup.constants import CLIENTS, DEFAULT_BASE_URL, DEFAULT_KEY_ENV, KINDS
from aigate_setup.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    AigateError,
)

if TYPE_CHECKING:
    from pathlib import Path

    from aigate_setup.options import Common

# The options dataclasses, report (json) and traceback are imported where they are used:
# `--help` and `--version` must stay close to the cost of importing click alone.

F = TypeVar("F", bound=Callable[..., Any])

COMMANDS = ("init", "doctor", "check", "models", "restore", "remove")

# Which command is running and in which format, so the top-level handler can keep
# stdout a single JSON document even when the command fails.
_running: dict[str, str] = {}


class AigateGroup(click.Group):
    """A group whose bare invocation (or unknown leading option) means `init`,
    and whose `main` is the one top-level error handler."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `aigate-setup` alone, or followed by init's options, is `aigate-setup init`.
        if not args or (args[0].startswith("-") and args[0] not in ("--help", "-h", "--version")):
            args = ["init", *args]
        return super().parse_args(ctx, args)

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> NoReturn:
        sys.exit(execute(self, list(sys.argv[1:] if args is None else args), prog_name, **extra))


def execute(group: click.Group, args: list[str], prog_name: str | None = None, **extra: Any) -> int:
    """Run the CLI and map every outcome to a documented exit code."""
    _running.clear()
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


# Commands that send the key themselves: a key that cannot be sent is refused up front.
_KEY_COMMANDS = ("init", "models")


def _common(base_url: str, key_env: str, fmt: str, command: str) -> Common:
    _running.update(command=command, fmt=fmt, key_env=key_env)
    from aigate_setup import settings
    from aigate_setup.options import Common, check_key_env, normalize_base_url

    settings.load()  # a bad AIGATE_* value is the same usage error in every command
    check_key_env(key_env)
    common = Common(base_url=normalize_base_url(base_url), key_env=key_env, fmt=fmt)
    if command in _KEY_COMMANDS:
        common.checked_key()
    return common


@overload
def _path(value: str) -> Path: ...
@overload
def _path(value: None) -> None: ...
def _path(value: str | None) -> Path | None:
    from pathlib import Path

    return None if value is None else Path(value)


def _project_dir(value: str | None) -> Path:
    from pathlib import Path

    return (Path(value) if value else Path.cwd()).absolute()


def common_options(formats: Sequence[str] = ("text", "json")) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        f = click.option(
            "--format",
            "fmt",
            type=click.Choice(list(formats)),
            default="text",
            show_default=True,
            help="Output format; json prints exactly one JSON document on stdout.",
        )(f)
        f = click.option(
            "--key-env",
            default=DEFAULT_KEY_ENV,
            show_default=True,
            metavar="NAME",
            help="Environment variable that holds your AIGate key.",
        )(f)
        f = click.option(
            "--base-url",
            envvar="AIGATE_BASE_URL",
            default=DEFAULT_BASE_URL,
            show_default=True,
            metavar="URL",
            help="Gateway base URL ending in /v1 (env AIGATE_BASE_URL).",
        )(f)
        return f

    return decorate


CLIENT_CHOICE = click.Choice(list(CLIENTS))


@click.group(
    cls=AigateGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(
    __version__, "--version", prog_name="aigate-setup", message="%(prog)s %(version)s"
)
def main() -> None:
    """Connect Codex, OpenCode, Claude Code and Kilo Code to the AIGate gateway.

    Run `aigate-setup` with no command to start the setup wizard (same as
    `aigate-setup init`). It fetches the model catalog, lets you pick models,
    checks them with a tiny "Say OK." request, and merges AIGate into each
    client's config without touching the rest of your settings (backups are kept;
    `aigate-setup restore` undoes a run).

    Your key is read from $AIGATE_API_KEY and is never written into a config file.
    """


@main.command()
@common_options()
@click.option(
    "--client",
    "clients",
    multiple=True,
    type=CLIENT_CHOICE,
    help="Client to configure (repeatable; default with --yes: all four).",
)
@click.option("--model", metavar="ID", help="Main model id, e.g. openai/gpt-5.5.")
@click.option(
    "--claude-opus", metavar="ID", help="Claude Code's opus slot (default: best catalog match)."
)
@click.option(
    "--claude-sonnet", metavar="ID", help="Claude Code's sonnet slot (default: best catalog match)."
)
@click.option(
    "--claude-haiku", metavar="ID", help="Claude Code's haiku slot (default: best catalog match)."
)
@click.option(
    "--extra-model",
    "extra_models",
    multiple=True,
    metavar="ID",
    help="More models for the OpenCode/Kilo pickers (repeatable).",
)
@click.option(
    "--scope",
    type=click.Choice(["user", "project"]),
    default="user",
    show_default=True,
    help="Write user-wide configs or this project's.",
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Project directory for --scope project (default: current directory).",
)
@click.option(
    "-y", "--yes", is_flag=True, help="No prompts; anything required must come from flags."
)
@click.option("--dry-run", is_flag=True, help="Print a unified diff of every file; write nothing.")
@click.option(
    "--smoke-test/--no-smoke-test",
    default=True,
    help='Run (or skip) the live "Say OK." test before writing.',
)
@click.option(
    "--default/--no-default",
    "make_default",
    default=True,
    help="Make AIGate the default provider/model of each client (or only add it).",
)
@click.option(
    "--kilo-legacy-export",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Also write a settings-import JSON for the legacy Kilo Code extension (<=5.x).",
)
@click.option(
    "--allow-insecure-http",
    is_flag=True,
    help="Allow a plain http --base-url on another machine without asking (the key travels "
    "unencrypted); required with --yes.",
)
def init(
    base_url: str,
    key_env: str,
    fmt: str,
    clients: tuple[str, ...],
    model: str | None,
    claude_opus: str | None,
    claude_sonnet: str | None,
    claude_haiku: str | None,
    extra_models: tuple[str, ...],
    scope: str,
    project_dir: str | None,
    yes: bool,
    dry_run: bool,
    smoke_test: bool,
    make_default: bool,
    kilo_legacy_export: str | None,
    allow_insecure_http: bool,
) -> int:
    """Set up the coding clients (the wizard; fully scriptable with --yes)."""
    from aigate_setup.options import InitOptions

    opts = InitOptions(
        common=_common(base_url, key_env, fmt, "init"),
        clients=tuple(dict.fromkeys(clients)),
        model=model,
        claude_opus=claude_opus,
        claude_sonnet=claude_sonnet,
        claude_haiku=claude_haiku,
        extra_models=tuple(dict.fromkeys(extra_models)),
        scope=scope,
        project_dir=_project_dir(project_dir),
        yes=yes,
        dry_run=dry_run,
        smoke_test=smoke_test,
        make_default=make_default,
        kilo_legacy_export=_path(kilo_legacy_export),
        allow_insecure_http=allow_insecure_http,
    )
    from aigate_setup.commands import init as init_command
    from aigate_setup.render import init as init_render

    out = init_render.Output(fmt)
    try:
        result = init_command.run(opts, out)
    except AigateError as exc:
        # A key typed at the prompt is not in the environment, where _fail looks for one.
        exc.message = out.scrub(exc.message)
        exc.hint = out.scrub(exc.hint) if exc.hint else exc.hint
        raise
    init_render.show(result, out)
    return result.exit_code


@main.command()
@common_options()
@click.option(
    "--client",
    "clients",
    multiple=True,
    type=CLIENT_CHOICE,
    help="Only check this client (repeatable).",
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Project whose configs to check too (default: current directory).",
)
@click.option(
    "--offline", is_flag=True, help="No network at all: skip gateway checks and live probes."
)
@click.option(
    "--with-clients",
    is_flag=True,
    help='Also run each installed client\'s own one-shot "Say OK." (costs tokens).',
)
@click.option(
    "--fix", is_flag=True, help="Offer to repair what aigate-setup owns, showing the diff first."
)
@click.option("-y", "--yes", is_flag=True, help="With --fix: apply without asking.")
def doctor(
    base_url: str,
    key_env: str,
    fmt: str,
    clients: tuple[str, ...],
    project_dir: str | None,
    offline: bool,
    with_clients: bool,
    fix: bool,
    yes: bool,
) -> int:
    """Diagnose this machine: key, network, gateway and every client's config."""
    from aigate_setup.options import DoctorOptions

    opts = DoctorOptions(
        common=_common(base_url, key_env, fmt, "doctor"),
        clients=tuple(dict.fromkeys(clients)),
        project_dir=_project_dir(project_dir),
        offline=offline,
        with_clients=with_clients,
        fix=fix,
        yes=yes,
    )
    from aigate_setup.commands import doctor as command
    from aigate_setup.render import doctor as render

    render.announce(opts)
    result = command.run(opts)
    render.emit(result, opts.common.fmt)
    if opts.fix:
        from aigate_setup.doctor.fix import run_fix

        return run_fix(opts, result, render.fix_stream(opts.common.fmt))
    return result.exit_code


@main.command()
@common_options(("text", "json", "github", "sarif"))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--catalog",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Model catalog (output of `models --format json`, or a raw /v1/models response) to check model ids against.",
)
@click.option("--live", is_flag=True, help="Fetch the catalog from the gateway to check model ids.")
@click.option("--gateway-host", metavar="HOST", help="Flag base URLs that point at any other host.")
@click.option(
    "--select",
    multiple=True,
    metavar="RULE",
    help="Only these rule ids (repeatable or comma-separated).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULE",
    help="Skip these rule ids (repeatable or comma-separated).",
)
def check(
    base_url: str,
    key_env: str,
    fmt: str,
    paths: tuple[str, ...],
    catalog: str | None,
    live: bool,
    gateway_host: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
) -> int:
    """Validate checked-in agent configs (for CI and pre-commit). No network by default."""

    def split(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip().upper() for item in values for v in item.split(",") if v.strip())

    from aigate_setup.options import CheckOptions

    opts = CheckOptions(
        common=_common(base_url, key_env, fmt, "check"),
        paths=tuple(_path(p) for p in paths or (".",)),
        catalog=_path(catalog),
        live=live,
        gateway_host=gateway_host,
        select=split(select),
        ignore=split(ignore),
    )
    from aigate_setup.commands import check as check_command
    from aigate_setup.render import check as check_render

    result = check_command.run(opts)
    check_render.emit(result, fmt)
    return result.exit_code


@main.command()
@common_options()
@click.option(
    "--kind", type=click.Choice(list(KINDS)), default=None, help="Only models of this kind."
)
@click.option(
    "--client", type=CLIENT_CHOICE, default=None, help="Only chat models this client can use."
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Ignore the cached catalog (a fresh fetch is always tried first).",
)
def models(
    base_url: str, key_env: str, fmt: str, kind: str | None, client: str | None, refresh: bool
) -> int:
    """List the gateway's models (GET /v1/models), classified by kind and client."""
    from aigate_setup.options import ModelsOptions

    opts = ModelsOptions(
        common=_common(base_url, key_env, fmt, "models"), kind=kind, client=client, refresh=refresh
    )
    from aigate_setup.commands import models as models_command
    from aigate_setup.render import models as models_render

    models_render.show(models_command.run(opts), fmt)
    return 0


@main.command()
@common_options()
@click.argument("run_id", required=False)
@click.option("--list", "list_runs", is_flag=True, help="Show the runs that can be restored.")
@click.option("--dry-run", is_flag=True, help="Show what would be restored; change nothing.")
def restore(
    base_url: str, key_env: str, fmt: str, run_id: str | None, list_runs: bool, dry_run: bool
) -> int:
    """Undo a run from its backups (the latest by default; RUN_ID for another)."""
    from aigate_setup.options import RestoreOptions

    opts = RestoreOptions(
        common=_common(base_url, key_env, fmt, "restore"),
        run_id=run_id,
        list_runs=list_runs,
        dry_run=dry_run,
    )
    from aigate_setup.commands import restore as restore_cmd
    from aigate_setup.render import restore as restore_view

    return restore_view.show(restore_cmd.run(opts), fmt)


@main.command()
@common_options()
@click.option(
    "--client",
    "clients",
    multiple=True,
    type=CLIENT_CHOICE,
    help="Client to take AIGate out of (repeatable; default: all).",
)
@click.option(
    "--scope",
    type=click.Choice(["user", "project"]),
    default=None,
    help="Only the user-wide or this project's files (default: user-wide plus every project "
    "init wrote).",
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Project directory for --scope project (default: current directory).",
)
@click.option("-y", "--yes", is_flag=True, help="Remove without asking.")
@click.option("--dry-run", is_flag=True, help="Print a unified diff of every file; write nothing.")
@click.option("--delete-key", is_flag=True, help="Also delete the kept key file.")
def remove(
    base_url: str,
    key_env: str,
    fmt: str,
    clients: tuple[str, ...],
    scope: str | None,
    project_dir: str | None,
    yes: bool,
    dry_run: bool,
    delete_key: bool,
) -> int:
    """Take AIGate out of the clients again, leaving everything else as it was."""
    from aigate_setup.options import RemoveOptions

    opts = RemoveOptions(
        common=_common(base_url, key_env, fmt, "remove"),
        clients=tuple(dict.fromkeys(clients)),
        scope=scope,
        project_dir=_project_dir(project_dir),
        yes=yes,
        dry_run=dry_run,
        delete_key=delete_key,
    )
    from aigate_setup.commands import remove as remove_cmd
    from aigate_setup.render import remove as remove_view

    ask = None if yes or dry_run else remove_view.asker(fmt)
    return remove_view.show(remove_cmd.run(opts, ask), fmt)


def entry() -> NoReturn:
    """Console-script entry point."""
    main.main()
