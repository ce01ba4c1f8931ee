"""The click layer: options -> core call -> exit code. Heavy modules are imported lazily
inside each command so `--help` and `--version` stay fast (no httpx, jinja2, tomlkit...)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, overload

import click

from aigate_setup import __version__, cli_help
from aigate_setup.cli_group import AigateGroup, _running
from aigate_setup.cli_group import execute as execute  # the entry point tests call
from aigate_setup.constants import CLIENTS, DEFAULT_BASE_URL, DEFAULT_KEY_ENV, KINDS
from aigate_setup.errors import (
    AigateError,
)

if TYPE_CHECKING:
    from pathlib import Path

    from aigate_setup.options import Common

# The options dataclasses, report (json) and traceback are imported where they are used:
# `--help` and `--version` must stay close to the cost of importing click alone.

F = TypeVar("F", bound=Callable[..., Any])

COMMANDS = ("init", "doctor", "check", "models", "restore", "status", "remove")


# Commands that send the key themselves: a key that cannot be sent is refused up front.
_KEY_COMMANDS = ("init", "models")


# Commands that take the gateway of the last init (the state file) when neither --base-url nor
# AIGATE_BASE_URL is given; init and check keep flag > variable > default.
_REMEMBERING = ("doctor", "models", "status")


def _base_url(base_url: str | None, command: str) -> tuple[str, str]:
    """The base URL and where it came from: flag > AIGATE_BASE_URL > state (doctor, models,
    status) > the default."""
    from aigate_setup.options import normalize_base_url

    if base_url is not None:
        ctx = click.get_current_context(silent=True)
        source = ctx.get_parameter_source("base_url") if ctx is not None else None
        origin = "env" if source == click.core.ParameterSource.ENVIRONMENT else "flag"
        return normalize_base_url(base_url), origin
    if command in _REMEMBERING:
        from aigate_setup import report, state

        remembered = state.remembered_base_url(report.info)
        if remembered is not None:
            return remembered, "state"
    return DEFAULT_BASE_URL, "default"


def _common(base_url: str | None, key_env: str, fmt: str, command: str) -> Common:
    _running.update(command=command, fmt=fmt, key_env=key_env)
    from aigate_setup import settings
    from aigate_setup.options import Common, check_key_env

    settings.load()  # a bad AIGATE_* value is the same usage error in every command
    check_key_env(key_env)
    url, origin = _base_url(base_url, command)
    common = Common(base_url=url, key_env=key_env, fmt=fmt, base_url_origin=origin)
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


def common_options(
    formats: Sequence[str] = ("text", "json"), *, gateway: bool = True
) -> Callable[[F], F]:
    """--format, and (`gateway`) --key-env and --base-url for commands that use them."""

    def decorate(f: F) -> F:
        f = click.option(
            "--format",
            "fmt",
            type=click.Choice(list(formats)),
            default="text",
            show_default=True,
            help="Output format; json prints exactly one JSON document on stdout.",
        )(f)
        if not gateway:
            return f
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
            default=None,
            metavar="URL",
            help=f"Gateway base URL ending in /v1 (env AIGATE_BASE_URL; default: {DEFAULT_BASE_URL}"
            "; doctor, models and status: the one the last init used).",
        )(f)
        return f

    return decorate


CLIENT_CHOICE = click.Choice(list(CLIENTS))


def client_option(help: str) -> Callable[[F], F]:
    """--client NAME (repeatable), one of the known clients."""
    return click.option("--client", "clients", multiple=True, type=CLIENT_CHOICE, help=help)


def project_dir_option(help: str) -> Callable[[F], F]:
    """--project-dir DIR (default: the current directory, made absolute by `_project_dir`)."""
    return click.option("--project-dir", type=click.Path(file_okay=False), default=None, help=help)


@click.group(
    cls=AigateGroup,
    help=cli_help.MAIN,
    epilog=cli_help.MAIN_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(
    __version__, "-V", "--version", prog_name="aigate-setup", message="%(prog)s %(version)s"
)
def main() -> None:
    pass


@main.command(**cli_help.command("init"))
@common_options()
@client_option("Client to configure (repeatable; default with --yes: all four).")
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
@project_dir_option("Project directory for --scope project (default: current directory).")
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
@click.option(
    "--save-key/--no-save-key",
    "save_key",
    default=None,
    help="Keep the key (from the key variable or the prompt) in the 0600 file "
    "~/.config/aigate/key, for new terminals and IDEs (default: the wizard asks; --yes: no).",
)
@click.option(
    "--shell-profile/--no-shell-profile",
    "shell_profile",
    default=None,
    help="Add a block to each shell's startup file that sets the key variable from the key "
    "file (default: the wizard asks; --yes: no).",
)
def init(
    base_url: str | None,
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
    save_key: bool | None,
    shell_profile: bool | None,
) -> int:
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
        save_key=save_key,
        shell_profile=shell_profile,
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


@main.command(**cli_help.command("doctor"))
@common_options()
@client_option("Only check this client (repeatable).")
@project_dir_option("Project whose configs to check too (default: current directory).")
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
@click.option("-v", "--verbose", is_flag=True, help="Show every check, not only the problems.")
def doctor(
    base_url: str | None,
    key_env: str,
    fmt: str,
    clients: tuple[str, ...],
    project_dir: str | None,
    offline: bool,
    with_clients: bool,
    fix: bool,
    yes: bool,
    verbose: bool,
) -> int:
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
    render.emit(result, opts.common.fmt, verbose)
    if opts.fix:
        from aigate_setup.doctor.fix import run_fix

        return run_fix(opts, result, render.fix_stream(opts.common.fmt))
    return result.exit_code


@main.command(**cli_help.command("check"))
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
    base_url: str | None,
    key_env: str,
    fmt: str,
    paths: tuple[str, ...],
    catalog: str | None,
    live: bool,
    gateway_host: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
) -> int:

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


@main.command(**cli_help.command("models"))
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
    base_url: str | None,
    key_env: str,
    fmt: str,
    kind: str | None,
    client: str | None,
    refresh: bool,
) -> int:
    from aigate_setup.options import ModelsOptions

    opts = ModelsOptions(
        common=_common(base_url, key_env, fmt, "models"), kind=kind, client=client, refresh=refresh
    )
    from aigate_setup.commands import models as models_command
    from aigate_setup.render import models as models_render

    models_render.show(models_command.run(opts), fmt)
    return 0


@main.command(**cli_help.command("restore"))
@common_options(gateway=False)
@click.argument("run_id", required=False)
@click.option("--list", "list_runs", is_flag=True, help="Show the runs that can be restored.")
@click.option("--dry-run", is_flag=True, help="Show what would be restored; change nothing.")
@click.option("-y", "--yes", is_flag=True, help="Restore without asking (for scripts).")
def restore(fmt: str, run_id: str | None, list_runs: bool, dry_run: bool, yes: bool) -> int:
    from aigate_setup.options import RestoreOptions

    opts = RestoreOptions(
        common=_common(DEFAULT_BASE_URL, DEFAULT_KEY_ENV, fmt, "restore"),
        run_id=run_id,
        list_runs=list_runs,
        dry_run=dry_run,
        yes=yes,
    )
    from aigate_setup.commands import restore as restore_cmd
    from aigate_setup.render import restore as restore_view

    ask = restore_view.asker(fmt) if _has_tty(fmt) else None
    return restore_view.show(restore_cmd.run(opts, ask), fmt)


def _has_tty(fmt: str) -> bool:
    """Questions need a terminal on stdin and where they are drawn (stderr in JSON mode)."""
    screen = sys.stderr if fmt == "json" else sys.stdout
    try:
        return sys.stdin.isatty() and screen.isatty()
    except (AttributeError, ValueError):
        return False


@main.command(**cli_help.command("status"))
@common_options()
@client_option("Only this client (repeatable).")
@project_dir_option("Where the clients would start (default: current directory).")
def status(
    base_url: str | None, key_env: str, fmt: str, clients: tuple[str, ...], project_dir: str | None
) -> int:
    from aigate_setup.options import StatusOptions

    opts = StatusOptions(
        common=_common(base_url, key_env, fmt, "status"),
        clients=tuple(dict.fromkeys(clients)),
        project_dir=_project_dir(project_dir),
    )
    from aigate_setup.commands import status as status_command
    from aigate_setup.render import status as status_render

    return status_render.show(status_command.run(opts), fmt)


@main.command(**cli_help.command("remove"))
@common_options()
@client_option("Client to take AIGate out of (repeatable; default: all).")
@click.option(
    "--scope",
    type=click.Choice(["user", "project"]),
    default=None,
    help="Only the user-wide or this project's files (default: user-wide plus every project "
    "init wrote).",
)
@project_dir_option("Project directory for --scope project (default: current directory).")
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
