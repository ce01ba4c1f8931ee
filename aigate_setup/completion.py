"""Shell completion for PowerShell (click brings bash, zsh and fish).

Loaded only while a shell asks for completions (`_AIGATE_SETUP_COMPLETE` set), so `--help`
never pays for it. Install, in the PowerShell profile:

    $env:_AIGATE_SETUP_COMPLETE='powershell_source'; aigate-setup | Out-String | Invoke-Expression; Remove-Item Env:_AIGATE_SETUP_COMPLETE
"""

from __future__ import annotations

import os

from click.shell_completion import (
    CompletionItem,
    ShellComplete,
    add_completion_class,
    split_arg_string,
)

_SOURCE = r"""
Register-ArgumentCompleter -Native -CommandName '%(prog_name)s' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $line = $commandAst.ToString()
    if ($cursorPosition -lt $line.Length) { $line = $line.Substring(0, $cursorPosition) }
    if ($wordToComplete -eq '' -and -not $line.EndsWith(' ')) { $line = $line + ' ' }
    $env:COMP_LINE = $line
    $env:%(complete_var)s = 'powershell_complete'
    try {
        & '%(prog_name)s' | ForEach-Object {
            $value, $help = $_ -split "`t", 2
            if (-not $help) { $help = $value }
            [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $help)
        }
    } finally {
        Remove-Item "Env:%(complete_var)s", Env:COMP_LINE -ErrorAction SilentlyContinue
    }
}
"""


class PowerShellComplete(ShellComplete):
    """`value<TAB>help` per line; the script above turns them into CompletionResults."""

    name = "powershell"
    source_template = _SOURCE

    def get_completion_args(self) -> tuple[list[str], str]:
        line = os.environ.get("COMP_LINE", "")
        words = split_arg_string(line)
        if not line or line.endswith(" "):
            return words[1:], ""
        return words[1:-1], words[-1] if len(words) > 1 else ""

    def format_completion(self, item: CompletionItem) -> str:
        help_text = " ".join((item.help or "").split())
        return f"{item.value}\t{help_text}" if help_text else str(item.value)


def register() -> None:
    add_completion_class(PowerShellComplete)
