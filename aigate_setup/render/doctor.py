"""Doctor's output: text (one section per area, a symbol per check, hints, a summary line) or
the JSON document (`checks` list of the contract)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from aigate_setup import report
from aigate_setup.findings import Check

if TYPE_CHECKING:
    from aigate_setup.commands.doctor import DoctorResult
    from aigate_setup.options import DoctorOptions


def announce(opts: DoctorOptions) -> None:
    """What the user should know before the checks start (stderr)."""
    if opts.with_clients and not opts.offline:
        report.info(
            'note: --with-clients runs each installed client once ("Say OK."): '
            "this costs a few tokens"
        )


# How the text report says where the gateway URL came from (nothing for --base-url).
_ORIGINS = {
    "env": ", from AIGATE_BASE_URL",
    "state": ", from the last init",
    "configs": ", from the clients' configs",
    "default": ", the default",
}


def _section(chk: Check) -> str:
    if chk.client:
        return chk.client
    return chk.id.split(".", 1)[0]


def _section_names(result: DoctorResult) -> dict[str, str]:
    from aigate_setup.clients import CLIENT_MODULES
    from aigate_setup.secrets import mask_url

    where = _ORIGINS.get(result.base_url_origin, "")
    gateway = f"Gateway ({mask_url(result.base_url)}{where})"
    names = {"env": "Environment", "gateway": gateway}
    names.update({name: module.TITLE for name, module in CLIENT_MODULES.items()})
    return names


def _check_lines(chk: Check, stream: TextIO) -> list[str]:
    symbol = report.status_symbol(chk.status, stream)
    detail = f": {chk.detail}" if chk.detail else ""
    out = [f"  {symbol} {chk.title}{detail}  " + report.paint(f"[{chk.id}]", "dim", stream)]
    if chk.hint and chk.status in ("warn", "fail"):
        out.append("      " + report.paint("hint:", "cyan", stream) + f" {chk.hint}")
    return out


def _collapsed(name: str, checks: Sequence[Check], stream: TextIO) -> list[str]:
    """A section in one line when all is well: its name and how many checks passed or were
    skipped; then only the checks that warn or fail."""
    passed = sum(1 for c in checks if c.status == "pass")
    skipped = sum(1 for c in checks if c.status == "skip")
    counts = [f"{passed} passed"] if passed else []
    counts += [f"{skipped} skipped"] if skipped else []
    symbol = report.status_symbol("pass" if passed else "skip", stream)
    head = report.paint(name, "bold", stream)
    lines = [f"{head}  {symbol} " + ", ".join(counts) if counts else head]
    for chk in checks:
        if chk.status in ("warn", "fail"):
            lines += _check_lines(chk, stream)
    return lines


def render_text(result: DoctorResult, stream: TextIO | None = None, verbose: bool = False) -> str:
    """Every check with -v; by default one line per section plus what warns or fails."""
    stream = stream or sys.stdout
    order: list[str] = []
    groups: dict[str, list[Check]] = {}
    for chk in result.checks:
        sec = _section(chk)
        if sec not in groups:
            groups[sec] = []
            order.append(sec)
        groups[sec].append(chk)
    names = _section_names(result)
    lines: list[str] = []
    for sec in order:
        name = names.get(sec, sec)
        if not verbose:
            lines += _collapsed(name, groups[sec], stream)
            continue
        lines.append(report.paint(name, "bold", stream))
        for chk in groups[sec]:
            lines += _check_lines(chk, stream)
        lines.append("")
    if not verbose:
        lines.append("")
    lines.append(summary_line(result.checks) + ("" if verbose else " (-v shows every check)"))
    return "\n".join(lines) + "\n"


def summary_line(checks: Sequence[Check]) -> str:
    count = {s: sum(1 for c in checks if c.status == s) for s in ("pass", "warn", "fail", "skip")}
    parts = [
        f"{count['pass']} passed",
        f"{count['warn']} warning{'s' * (count['warn'] != 1)}",
        f"{count['fail']} failed",
        f"{count['skip']} skipped",
    ]
    verdict = "problems found" if count["fail"] else "ok"
    return f"doctor: {verdict}: " + ", ".join(parts)


def json_document(result: DoctorResult) -> dict[str, Any]:
    from aigate_setup.secrets import mask_url

    gateway = {"base_url": mask_url(result.base_url), "origin": result.base_url_origin}
    checks = [c.to_json() for c in result.checks]
    return report.envelope("doctor", result.status, gateway=gateway, checks=checks)


def emit(result: DoctorResult, fmt: str, verbose: bool = False) -> None:
    """The report on stdout, as text or as the one JSON document (always every check)."""
    if fmt == "json":
        report.print_json(json_document(result))
        return
    sys.stdout.write(render_text(result, sys.stdout, verbose))
    sys.stdout.flush()


def fix_stream(fmt: str) -> TextIO:
    """Where `--fix` talks: stderr in JSON mode (stdout holds the one document)."""
    return sys.stderr if fmt == "json" else sys.stdout
