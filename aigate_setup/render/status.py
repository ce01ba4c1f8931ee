"""`status` output: one line per client plus its overrides (text), or one JSON document."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from aigate_setup import report
from aigate_setup.sanitize import one_line
from aigate_setup.secrets import mask_url, scrub

if TYPE_CHECKING:
    from aigate_setup.clients.base import Override, Resolution, Value
    from aigate_setup.commands.status import StatusResult


def document(result: StatusResult) -> dict[str, Any]:
    return report.envelope(
        "status",
        result.status,
        gateway=result.gateway,
        clients=[client_json(r) for r in result.resolutions],
    )


def client_json(r: Resolution) -> dict[str, Any]:
    effective = r.effective()
    if effective["base_url"]:
        effective["base_url"] = mask_url(effective["base_url"])
    return {
        "client": r.client,
        "configured": r.configured,
        "reaches_aigate": r.reaches_aigate,
        "effective": effective,
        "origins": r.origins(json=True),
        "overrides": [
            {"what": o.what, "origin": o.origin.json(), "value": o.value} for o in r.overrides
        ],
        "why": scrub(r.why),
    }


def _part(label: str, v: Value) -> str:
    shown = one_line(scrub(mask_url(v.value)) if v.value else "(not set)", 100)
    return f"{label} {shown} ({v.origin.show()})"


def _override(o: Override) -> str:
    """`override:` for what keeps the client from AIGate; `note:` (with what it does) for the
    rest, e.g. a Codex profile used only with `codex -p`."""
    value = f" = {one_line(o.value, 100)!r}" if o.value else ""
    where = one_line(o.origin.show(), 300)
    line = f"    {'override' if o.blocking else 'note'}: {one_line(o.what, 100)}{value} at {where}"
    if not o.blocking and o.effect:
        line += f": {one_line(scrub(o.effect), 200)}"
    return line + (f"; fix: {one_line(o.fix, 200)}" if o.fix else "")


def lines(result: StatusResult) -> list[str]:
    out = [f"AIGate: {result.gateway}"]
    stream = sys.stdout
    width = max((len(r.client) for r in result.resolutions), default=0)
    for r in result.resolutions:
        if not r.configured:
            symbol = report.status_symbol("skip", stream)
            out.append(f"{symbol} {r.client:<{width}}  not configured: {one_line(r.why)}")
            continue
        symbol = report.status_symbol("pass" if r.reaches_aigate else "fail", stream)
        verdict = "reaches AIGate" if r.reaches_aigate else "does NOT reach AIGate"
        out.append(
            f"{symbol} {r.client:<{width}}  {verdict}: "
            + "; ".join(
                [
                    _part("model", r.model),
                    _part("url", r.base_url),
                    _part("key", r.credential),
                ]
            )
        )
        if r.why:
            out.append(f"    why: {one_line(scrub(r.why), 300)}")
        out += [_override(o) for o in r.overrides]
    return out


def show(result: StatusResult, fmt: str) -> int:
    if fmt == "json":
        report.print_json(document(result))
    else:
        print("\n".join(lines(result)), flush=True)
    return result.exit_code
