"""Claude Code: two scripts to load into a shell, because Claude Code takes its gateway from
environment variables. User scope: `$XDG_CONFIG_HOME/aigate/aigate-claude.sh` and `.ps1`;
project scope: `<dir>/.aigate/`.

Owned: the lines between `# >>> aigate-setup >>>` and `# <<< aigate-setup <<<`; lines outside
are the user's. The block sets ANTHROPIC_BASE_URL to the gateway root without /v1 (Claude Code
appends /v1/messages), ANTHROPIC_AUTH_TOKEN from the key variable at the moment the script is
loaded (or from the kept key file), unsets ANTHROPIC_API_KEY (one credential only), and sets
ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL. An empty key: a message on
stderr, `return 1` (sourced) / `exit 1` (executed), nothing exported.

ANTHROPIC_MODEL is the main model when Claude Code can use it (the catalog says so, or without a
catalog its id is an Anthropic one), else the sonnet slot: Claude Code speaks only the
Anthropic Messages API, so a chat-completions-only main model would fail on every request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aigate_setup import lazy

NAME = "claude"
TITLE = "Claude Code"
BINARY = "claude"
SH_NAME = "aigate-claude.sh"
PS1_NAME = "aigate-claude.ps1"

if TYPE_CHECKING:
    from aigate_setup.clients.claude.quoting import ps_quote, sh_quote
    from aigate_setup.clients.claude.remove import (
        DEFAULT_KEYS,
        FALLBACK,
        USE_AIGATE,
        default_of,
        is_ours,
        owned_values,
        put_back,
        unrender,
    )
    from aigate_setup.clients.claude.resolve import resolve
    from aigate_setup.clients.claude.rules import (
        MODEL_VARS,
        READERS,
        SETTINGS_NAMES,
        STATIC_RULES,
        base_v1,
        both_credentials,
        file_kind,
        guess_kind,
        missing_slots,
        script_token,
        settings_token,
    )
    from aigate_setup.clients.claude.settings import CREDENTIALS, SLOTS, settings_dir
    from aigate_setup.clients.claude.state import (
        ONE_SHOT,
        ONE_SHOT_ENV,
        config_paths,
        doctor_checks,
        read_state,
        script_dir,
    )
    from aigate_setup.clients.claude.writer import (
        CATALOG_ENDPOINT,
        ENDPOINT_MISSING,
        INSTALL_HINT,
        PROBE_AUTH,
        PROBE_ROUTE,
        anthropic_model,
        block_body,
        context,
        env_values,
        file_mode,
        header,
        main_model,
        parse_problem,
        render,
        target_paths,
        targets,
    )

_LAZY = lazy.table(
    {
        "aigate_setup.clients.claude.quoting": ("ps_quote", "sh_quote"),
        "aigate_setup.clients.claude.remove": (
            "DEFAULT_KEYS",
            "FALLBACK",
            "USE_AIGATE",
            "default_of",
            "is_ours",
            "owned_values",
            "put_back",
            "unrender",
        ),
        "aigate_setup.clients.claude.resolve": ("resolve",),
        "aigate_setup.clients.claude.rules": (
            "MODEL_VARS",
            "READERS",
            "SETTINGS_NAMES",
            "STATIC_RULES",
            "base_v1",
            "both_credentials",
            "file_kind",
            "guess_kind",
            "missing_slots",
            "script_token",
            "settings_token",
        ),
        "aigate_setup.clients.claude.settings": ("CREDENTIALS", "SLOTS", "settings_dir"),
        "aigate_setup.clients.claude.state": (
            "ONE_SHOT",
            "ONE_SHOT_ENV",
            "config_paths",
            "doctor_checks",
            "read_state",
            "script_dir",
        ),
        "aigate_setup.clients.claude.writer": (
            "CATALOG_ENDPOINT",
            "ENDPOINT_MISSING",
            "INSTALL_HINT",
            "PROBE_AUTH",
            "PROBE_ROUTE",
            "anthropic_model",
            "block_body",
            "context",
            "env_values",
            "file_mode",
            "header",
            "main_model",
            "parse_problem",
            "render",
            "target_paths",
            "targets",
        ),
    }
)


def __getattr__(name: str) -> Any:
    return lazy.load(__name__, _LAZY, name)


__all__ = [
    "BINARY",
    "CATALOG_ENDPOINT",
    "CREDENTIALS",
    "DEFAULT_KEYS",
    "ENDPOINT_MISSING",
    "FALLBACK",
    "INSTALL_HINT",
    "MODEL_VARS",
    "NAME",
    "ONE_SHOT",
    "ONE_SHOT_ENV",
    "PROBE_AUTH",
    "PROBE_ROUTE",
    "PS1_NAME",
    "READERS",
    "SETTINGS_NAMES",
    "SH_NAME",
    "SLOTS",
    "STATIC_RULES",
    "TITLE",
    "USE_AIGATE",
    "anthropic_model",
    "base_v1",
    "block_body",
    "both_credentials",
    "config_paths",
    "context",
    "default_of",
    "doctor_checks",
    "env_values",
    "file_kind",
    "file_mode",
    "guess_kind",
    "header",
    "is_ours",
    "main_model",
    "missing_slots",
    "owned_values",
    "parse_problem",
    "ps_quote",
    "put_back",
    "read_state",
    "render",
    "resolve",
    "script_dir",
    "script_token",
    "settings_dir",
    "settings_token",
    "sh_quote",
    "target_paths",
    "targets",
    "unrender",
]
