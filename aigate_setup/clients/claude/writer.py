"""What aigate-setup writes for this client: its files, the owned values, render and merge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup.clients.base import Auth, Route
from aigate_setup.clients.claude import PS1_NAME, SH_NAME, settings
from aigate_setup.clients.claude.quoting import ps_quote, sh_quote
from aigate_setup.clients.claude.state import script_dir
from aigate_setup.errors import ConfigError
from aigate_setup.options import gateway_root

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.plan import Selection


INSTALL_HINT = "npm install -g @anthropic-ai/claude-code@2.1.197"
# The smoke probe: the route this client really calls, with the auth header it sends.
PROBE_ROUTE: Route = "messages"
PROBE_AUTH: Auth = "bearer"
# The endpoint type a catalog entry must list for this client to use the model.
CATALOG_ENDPOINT = "anthropic"
ENDPOINT_MISSING = "no Anthropic Messages route (/v1/messages), which Claude Code needs"


def target_paths(scope: str, project_dir: Path) -> list[Path]:
    d = script_dir(scope, project_dir)
    return [d / SH_NAME, d / PS1_NAME]


def targets(sel: Selection) -> list[Path]:
    """The two scripts; with --default also settings.json and its key helper (settings.py)."""
    return target_paths(sel.scope, sel.project_dir) + settings.targets(sel)


# --- quoting ----------------------------------------------------------------------------------


# --- values -----------------------------------------------------------------------------------


def main_model(sel: Selection, catalog: Catalog | None) -> str:
    """ANTHROPIC_MODEL: the main model if Claude Code can use it, else the sonnet slot."""
    return anthropic_model(sel.model, sel.claude.sonnet, catalog)


def anthropic_model(model_id: str, sonnet: str, catalog: Catalog | None) -> str:
    """`model_id` if Claude Code can use it (per the catalog, else by its name), else `sonnet`."""
    model = catalog.get(model_id) if catalog is not None else None
    if model is not None:
        usable = "claude" in model.clients
    else:
        head = model_id.split("/", 1)[0].lower()
        usable = head == "anthropic" or model_id.lower().startswith("claude")
    return model_id if usable else sonnet


def env_values(sel: Selection, catalog: Catalog | None) -> list[tuple[str, str]]:
    """The model variables in the order they are written (every id checked: UsageError)."""
    from aigate_setup.clients.common import check_model_id

    values = [
        ("ANTHROPIC_MODEL", main_model(sel, catalog), "--model"),
        ("ANTHROPIC_DEFAULT_OPUS_MODEL", sel.claude.opus, "--claude-opus"),
        ("ANTHROPIC_DEFAULT_SONNET_MODEL", sel.claude.sonnet, "--claude-sonnet"),
        ("ANTHROPIC_DEFAULT_HAIKU_MODEL", sel.claude.haiku, "--claude-haiku"),
    ]
    return [(name, check_model_id(flag, value)) for name, value, flag in values]


def _empty_message(sel: Selection, ps1: bool) -> str:
    how = f"$env:{sel.key_env} = 'sk-...'" if ps1 else f"export {sel.key_env}=sk-..."
    where = f" (or put it in {sel.key_file})" if sel.key_file is not None else ""
    return (
        f"aigate-claude: {sel.key_env} is empty, nothing was set; "
        f"hint: {how}{where}, then load this script again"
    )


def context(sel: Selection, catalog: Catalog | None, *, ps1: bool) -> dict[str, Any]:
    from aigate_setup.clients.common import check_env_name

    check_env_name(sel.key_env)  # spliced into shell code unquoted: an identifier only
    quote = ps_quote if ps1 else sh_quote
    return {
        "key_from_env": ("${env:" + sel.key_env + "}") if ps1 else ('"${' + sel.key_env + ':-}"'),
        "key_file": quote(str(sel.key_file)) if sel.key_file is not None else None,
        "empty_message": quote(_empty_message(sel, ps1)),
        "base_url": quote(gateway_root(sel.base_url)),
        "models": [(name, quote(value)) for name, value in env_values(sel, catalog)],
    }


def block_body(sel: Selection, catalog: Catalog | None, *, ps1: bool) -> str:
    from aigate_setup import templates

    name = "claude/block.ps1.j2" if ps1 else "claude/block.sh.j2"
    return templates.render(name, **context(sel, catalog, ps1=ps1))


def header(path: Path, *, ps1: bool) -> str:
    from aigate_setup import templates

    name = "claude/header.ps1.j2" if ps1 else "claude/header.sh.j2"
    return templates.render(name, source_path=(ps_quote if ps1 else sh_quote)(str(path)))


# --- plan hooks -------------------------------------------------------------------------------


def parse_problem(sel: Selection, path: Path, text: str) -> ConfigError | None:
    from aigate_setup.errors import ParseError
    from aigate_setup.merge.block import extract_block

    if path in settings.targets(sel):
        return settings.parse_problem(path, text)

    try:
        extract_block(text)
    except ParseError as exc:
        return ConfigError.from_parse(
            exc, path, "keep exactly one pair of aigate-setup markers (or delete both)"
        )
    return None


def render(sel: Selection, catalog: Catalog | None, path: Path, old_text: str | None) -> str:
    """Replace (or append) the managed block; a new file starts with a short usage header."""
    from aigate_setup.merge.block import merge_block

    if path in settings.targets(sel):
        return settings.render(sel, path, old_text, env_values(sel, catalog))
    ps1 = path.suffix.lower() == ".ps1"
    base = old_text if old_text is not None else header(path, ps1=ps1)
    return merge_block(base, block_body(sel, catalog, ps1=ps1))


def file_mode(path: Path) -> int | None:
    """The mode a written file must have (the key helper: 0700), else None."""
    return settings.file_mode(path)
