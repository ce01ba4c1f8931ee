"""`aigate-setup check`: static validation of checked-in configs. Never writes.

Discover files -> read + parse each once -> rules.validate_text -> text/json/github/sarif.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigate_setup import __version__, paths, report, rules
from aigate_setup.catalog import Catalog
from aigate_setup.errors import UsageError
from aigate_setup.findings import Finding
from aigate_setup.options import CheckOptions

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
        ".mypy_cache", ".ruff_cache", ".pytest_cache",
    }
)  # fmt: skip
INFORMATION_URI = "https://pypi.org/project/aigate-setup/"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass(frozen=True)
class Target:
    path: Path  # absolute
    kind: rules.FileKind | None  # None: explicit file, infer from its text
    root: Path | None  # the directory argument it was discovered under


def run_check(opts: CheckOptions) -> int:
    active = _active_rules(opts.select, opts.ignore)
    ctx = rules.RuleContext(
        gateway_host=opts.gateway_host,
        catalog=_load_catalog(opts),
        key_env=opts.common.key_env,
    )
    targets = discover(opts.paths or (Path("."),))
    findings: list[Finding] = []
    for target in targets:
        findings.extend(check_file(target, ctx))
    findings = [f for f in findings if f.rule in active]
    findings.sort(key=lambda f: (f.path, f.line or 0, f.column or 0, f.rule))
    _emit(opts.common.fmt, findings, len(targets), active)
    return 1 if any(f.severity == "error" for f in findings) else 0


def _active_rules(select: Sequence[str], ignore: Sequence[str]) -> list[str]:
    unknown = rules.unknown_rule_ids([*select, *ignore])
    if unknown:
        raise UsageError(
            f"unknown rule id {', '.join(sorted(set(unknown)))}",
            f"rule ids are {next(iter(rules.RULES))}...{list(rules.RULES)[-1]}; see `aigate-setup check --help` and the README",
        )
    chosen = [r for r in rules.RULES if not select or r in select]
    return [r for r in chosen if r not in ignore]


def _load_catalog(opts: CheckOptions) -> Catalog | None:
    from aigate_setup import catalog

    if opts.catalog is not None:
        return catalog.load_catalog_file(opts.catalog)
    if opts.live:
        return catalog.fetch_catalog(opts.common)
    return None


# --- discovery ---------------------------------------------------------------------------


def discover(paths: Iterable[Path]) -> list[Target]:
    """Explicit files as given; in directories, the files agents read (minus ignored ones)."""
    seen: set[Path] = set()
    out: list[Target] = []
    for given in paths:
        path = given if given.is_absolute() else Path.cwd() / given
        if path.is_file():
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(Target(path, None, None))
        elif path.is_dir():
            # Resolve each file once: realpath costs a syscall per path component.
            found = {p: (kind, p.resolve()) for p, kind in _walk(path)}
            found = {p: v for p, v in found.items() if v[1] not in seen}
            for p in _drop_gitignored(path, list(found)):
                kind, key = found[p]
                seen.add(key)
                out.append(Target(p, kind, path))
        else:
            raise UsageError(
                f"{given}: no such file or directory",
                "pass a config file or a directory (default: the current directory)",
            )
    return out


def _walk(root: Path) -> list[tuple[Path, rules.FileKind]]:
    found: list[tuple[Path, rules.FileKind]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        )
        for name in sorted(filenames):
            if name not in _NAMES:
                continue
            p = Path(dirpath, name)
            kind = rules.kind_for(p, project_root=root)
            if kind is not None:
                found.append((p, kind))
    return found


_NAMES = frozenset(
    (*rules.OPENCODE_NAMES, *rules.KILO_NAMES, "config.toml", *rules.CLAUDE_SETTINGS_NAMES,
     "aigate-claude.sh", "aigate-claude.ps1")
)  # fmt: skip


def _drop_gitignored(root: Path, files: list[Path]) -> list[Path]:
    """One `git check-ignore --stdin` call for the batch; no git or no repo: keep all."""
    if not files:
        return files
    payload = "\0".join(str(p) for p in files) + "\0"
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "-z", "--stdin"],
            input=payload.encode(),
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return files
    if proc.returncode not in (0, 1):  # 128: not a repository (or git trouble)
        return files
    ignored = {os.path.normpath(p) for p in proc.stdout.decode(errors="replace").split("\0") if p}
    return [p for p in files if os.path.normpath(str(p)) not in ignored]


# --- one file ----------------------------------------------------------------------------


def check_file(target: Target, ctx: rules.RuleContext) -> list[Finding]:
    shown = paths.relative(target.path)
    try:
        data = target.path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return [_finding(shown, None, None, "AIG001", f"cannot read the file: {reason}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [_finding(shown, line, None, "AIG001", "the file is not UTF-8 text")]
    kind = target.kind or rules.infer_kind(target.path, text, project_root=Path.cwd())
    return rules.validate_text(Path(shown), text, kind, ctx)


def _finding(path: str, line: int | None, col: int | None, rule_id: str, msg: str) -> Finding:
    rule = rules.RULES[rule_id]
    return Finding(path, line, col, rule_id, rule.severity, msg, rule.hint)


# --- output ------------------------------------------------------------------------------


def _emit(fmt: str, findings: list[Finding], files: int, active: list[str]) -> None:
    if fmt == "json":
        status = "fail" if any(f.severity == "error" for f in findings) else "ok"
        report.print_json(
            report.envelope(
                "check", status, findings=[f.to_json() for f in findings], files_checked=files
            )
        )
    elif fmt == "github":
        for f in findings:
            sys.stdout.write(github_line(f) + "\n")
    elif fmt == "sarif":
        report.print_json(sarif_document(findings, active))
    else:
        for f in findings:
            sys.stdout.write(text_lines(f))
    sys.stdout.flush()
    report.info(summary(findings, files))


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
    loc = f.path
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
    props = [f"file={_gh_prop(Path(f.path).as_posix())}"]
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


def sarif_document(findings: Sequence[Finding], active: Sequence[str]) -> dict[str, Any]:
    """SARIF 2.1.0 with one rule entry per active rule id (for code-scanning upload)."""
    ids = list(active)
    for f in findings:  # a finding of a filtered rule cannot occur, but keep the index valid
        if f.rule not in ids:
            ids.append(f.rule)
    sarif_rules = []
    for rule_id in ids:
        rule = rules.RULES[rule_id]
        sarif_rules.append(
            {
                "id": rule.id,
                "name": rule.name or rule.id,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": f"{rule.title}. Fix: {rule.hint}"},
                "help": {"text": rule.hint},
                "defaultConfiguration": {"level": rule.severity},
            }
        )
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    results = []
    for f in findings:
        region: dict[str, int] = {}
        if f.line is not None:
            region["startLine"] = f.line
            if f.column is not None:
                region["startColumn"] = f.column
        physical: dict[str, Any] = {"artifactLocation": {"uri": _sarif_uri(f.path)}}
        if region:
            physical["region"] = region
        text = f.message + (f" (hint: {f.hint})" if f.hint else "")
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": "error" if f.severity == "error" else "warning",
                "message": {"text": text},
                "locations": [{"physicalLocation": physical}],
            }
        )
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
                        "rules": sarif_rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
