"""`check` results as text, JSON, GitHub workflow commands or SARIF.

Findings go to stdout; the one-line summary always goes to stderr (stdout stays pure in the
machine formats).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigate_setup import __version__, report, sanitize
from aigate_setup.findings import Finding

if TYPE_CHECKING:
    from aigate_setup.commands.check import CheckResult
    from aigate_setup.rules import Rule

INFORMATION_URI = "https://pypi.org/project/aigate-setup/"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def emit(result: CheckResult, fmt: str) -> None:
    """Print `result` in `fmt` (text, json, github, sarif), then the summary on stderr."""
    findings = result.findings
    if fmt == "json":
        report.print_json(
            report.envelope(
                "check",
                "fail" if result.failed else "ok",
                findings=[f.to_json() for f in findings],
                files_checked=len(result.files),
            )
        )
    elif fmt == "github":
        for f in findings:
            sys.stdout.write(github_line(f) + "\n")
    elif fmt == "sarif":
        report.print_json(sarif_document(findings, result.rules))
    else:
        for f in findings:
            sys.stdout.write(text_lines(f))
    sys.stdout.flush()
    report.info(summary(findings, len(result.files)))


def summary(findings: Sequence[Finding], files: int) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    noun = "file" if files == 1 else "files"
    if not findings:
        return f"aigate-setup check: no problems in {files} {noun}"
    return (
        f"aigate-setup check: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)} in {files} {noun}"
    )


def _location(f: Finding) -> str:
    loc = sanitize.clean(f.path)  # a directory name in a checked repository may be hostile
    if f.line is not None:
        loc += f":{f.line}"
        if f.column is not None:
            loc += f":{f.column}"
    return loc


def text_lines(f: Finding) -> str:
    color = "red" if f.severity == "error" else "yellow"
    sev = report.paint(f.severity, color, sys.stdout)
    out = f"{_location(f)}: {f.rule} {sev}: {f.message}\n"
    if f.hint:
        out += f"    {report.paint('hint:', 'cyan', sys.stdout)} {f.hint}\n"
    return out


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding) -> str:
    """A GitHub Actions workflow command, so the finding shows inline on the pull request."""
    level = "error" if f.severity == "error" else "warning"
    props = [f"file={_gh_prop(Path(sanitize.clean(f.path)).as_posix())}"]
    if f.line is not None:
        props.append(f"line={f.line}")
        if f.column is not None:
            props.append(f"col={f.column}")
    props.append(f"title={_gh_prop(f.rule)}")
    message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
    return f"::{level} {','.join(props)}::{_gh_data(message)}"


def _sarif_uri(path: str) -> str:
    p = Path(path)
    return p.as_uri() if p.is_absolute() else p.as_posix()


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name or rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{rule.title}. Fix: {rule.fix}"},
        "help": {"text": rule.fix},
        "defaultConfiguration": {"level": rule.severity},
    }


def _sarif_result(f: Finding, index: int) -> dict[str, Any]:
    region: dict[str, int] = {}
    if f.line is not None:
        region["startLine"] = f.line
        if f.column is not None:
            region["startColumn"] = f.column
    physical: dict[str, Any] = {"artifactLocation": {"uri": _sarif_uri(f.path)}}
    if region:
        physical["region"] = region
    return {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": "error" if f.severity == "error" else "warning",
        "message": {"text": f.message + (f" (hint: {f.hint})" if f.hint else "")},
        "locations": [{"physicalLocation": physical}],
    }


def sarif_document(findings: Sequence[Finding], active: Sequence[Rule]) -> dict[str, Any]:
    """SARIF 2.1.0 with one rule entry per rule that ran (for code-scanning upload)."""
    from aigate_setup.rules import RULES

    listed = list(active)
    for f in findings:  # only rules that ran report, but keep every index valid
        if all(r.id != f.rule for r in listed):
            listed.append(RULES[f.rule])
    index = {rule.id: i for i, rule in enumerate(listed)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aigate-setup",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_sarif_rule(r) for r in listed],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_sarif_result(f, index[f.rule]) for f in findings],
            }
        ],
    }
