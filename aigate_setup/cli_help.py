"""Every command's help: a short line for the command list, the full text, and an Examples
epilog. Plain strings only, so `--help` stays as cheap as importing click. (`\\b` keeps click
from re-wrapping the examples.)"""

from __future__ import annotations

from typing import TypedDict

MAIN = """Connect Codex, OpenCode, Claude Code and Kilo Code to the AIGate gateway.

Run `aigate-setup` with no command to start the setup wizard (same as `aigate-setup init`).
It checks your key, fetches the model catalog, lets you pick models, checks them with a tiny
"Say OK." request, and merges AIGate into each client's config without touching the rest of
your settings (backups are kept; `aigate-setup restore` undoes a run).

Your key is read from $AIGATE_API_KEY and is never written into a config file.
"""

MAIN_EPILOG = """\b
Examples:
  aigate-setup                                   the wizard
  aigate-setup init --yes --model openai/gpt-5.5 the same without questions
  aigate-setup doctor                            is everything working?
  aigate-setup check .                           validate configs in a repository (CI)
  aigate-setup restore                           undo the last run

\b
Shell completion (one line in your shell's startup file):
  bash:  eval "$(_AIGATE_SETUP_COMPLETE=bash_source aigate-setup)"
  zsh:   eval "$(_AIGATE_SETUP_COMPLETE=zsh_source aigate-setup)"
  fish:  _AIGATE_SETUP_COMPLETE=fish_source aigate-setup | source
  PowerShell:  $env:_AIGATE_SETUP_COMPLETE='powershell_source'; aigate-setup | Out-String |
               Invoke-Expression; Remove-Item Env:_AIGATE_SETUP_COMPLETE
"""


class Help(TypedDict):
    short_help: str
    help: str
    epilog: str


def _examples(*lines: str) -> str:
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


COMMANDS: dict[str, Help] = {
    "init": {
        "short_help": "Set up the coding clients (the wizard)",
        "help": "Set up the coding clients: the wizard, fully scriptable with --yes and flags.\n\n"
        'Nothing is written until the plan is confirmed and the live "Say OK." test has '
        "passed for every selected client; every changed file is backed up first.",
        "epilog": _examples(
            "aigate-setup init",
            "aigate-setup init --yes --model openai/gpt-5.5",
            "aigate-setup init --yes --model openai/gpt-5.5 --client codex --client claude",
            "aigate-setup init --yes --model openai/gpt-5.5 --scope project --project-dir .",
            "aigate-setup init --yes --model openai/gpt-5.5 --dry-run",
        ),
    },
    "doctor": {
        "short_help": "Diagnose the key, network, gateway and clients",
        "help": "Diagnose this machine: key, network, gateway and every client's config, "
        "with live probes. Exit 1 when a check fails.",
        "epilog": _examples(
            "aigate-setup doctor",
            "aigate-setup doctor --client codex --offline",
            "aigate-setup doctor --with-clients",
            "aigate-setup doctor --fix",
            "aigate-setup doctor --format json",
        ),
    },
    "check": {
        "short_help": "Validate checked-in agent configs (CI, pre-commit)",
        "help": "Validate checked-in agent configs (for CI and pre-commit). No network "
        "unless --live. Exit 1 on an error finding, 0 with warnings only.",
        "epilog": _examples(
            "aigate-setup check",
            "aigate-setup check opencode.json .codex/config.toml",
            "aigate-setup check --format github",
            "aigate-setup check --catalog models.json --ignore AIG034",
        ),
    },
    "models": {
        "short_help": "List the gateway's models by kind and client",
        "help": "List the gateway's models (GET /v1/models), classified by kind "
        "(chat, embedding, image, video) and by the clients that can use them.",
        "epilog": _examples(
            "aigate-setup models --kind chat",
            "aigate-setup models --client codex",
            "aigate-setup models --format json > models.json",
        ),
    },
    "restore": {
        "short_help": "Undo a run from its backups",
        "help": "Undo a run from its backups: the latest by default, RUN_ID for another. "
        "In a terminal it shows the files and asks first; --yes skips the question "
        "(needed without a terminal). A restore is itself a run, so it can be undone too.",
        "epilog": _examples(
            "aigate-setup restore --list",
            "aigate-setup restore --dry-run",
            "aigate-setup restore",
            "aigate-setup restore 20261121T231605Z-cfe1 --yes",
        ),
    },
    "status": {
        "short_help": "Show what each client will really use",
        "help": "Show what each client will really use, and which file or variable says so.",
        "epilog": _examples(
            "aigate-setup status",
            "aigate-setup status --client opencode --project-dir ~/src/app",
            "aigate-setup status --format json",
        ),
    },
    "remove": {
        "short_help": "Take AIGate out of the clients again",
        "help": "Take AIGate out of the clients again, leaving everything else as it was.",
        "epilog": _examples(
            "aigate-setup remove --dry-run",
            "aigate-setup remove",
            "aigate-setup remove --client kilo --yes",
        ),
    },
}


def command(name: str) -> Help:
    """Keyword arguments for `@main.command(**cli_help.command(name))`."""
    return COMMANDS[name]
