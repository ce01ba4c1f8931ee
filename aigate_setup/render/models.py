"""`models` output: an aligned table (text) or one JSON document on stdout; the cache notice,
catalog warnings and the count line on stderr."""

from __future__ import annotations

import sys
import time
from typing import Any

from aigate_setup import report
from aigate_setup.catalog import Catalog, Model
from aigate_setup.commands.models import ModelsResult
from aigate_setup.options import KINDS


def _human_tokens(n: int | None) -> str:
    if not n:
        return "-"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if n >= 1000:
        return f"{round(n / 1000)}k"
    return str(n)


def _when(ts: float | None) -> str:
    if ts is None:
        return "an unknown time"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


def _iso(ts: float | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _clients_cell(model: Model) -> str:
    if model.kind != "chat":
        return "-"
    return ",".join(model.clients) if model.clients else "none"


def format_table(models: list[Model] | tuple[Model, ...]) -> str:
    """An aligned table: id, kind, context, clients."""
    header = ("ID", "KIND", "CONTEXT", "CLIENTS")
    rows = [header]
    for m in models:
        rows.append((m.id, m.kind, _human_tokens(m.context_length), _clients_cell(m)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip()
        for r in rows
    ]
    return "\n".join(lines)


def count_line(result: ModelsResult) -> str:
    """`N models (a chat, b image) [matching --kind K (of M)] from SOURCE[; skipped ...]`."""
    shown, catalog = result.shown, result.catalog
    counts = {k: sum(1 for m in shown if m.kind == k) for k in KINDS}
    parts = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    noun = "model" if len(shown) == 1 else "models"
    line = f"{len(shown)} {noun}" + (f" ({parts})" if parts else "")
    filters = [
        f"--{flag} {value}"
        for flag, value in (("kind", result.kind), ("client", result.client))
        if value
    ]
    if filters:
        line += f" matching {' '.join(filters)} (of {len(catalog.models)})"
    line += f" from {catalog.source}"
    if catalog.skipped:
        line += (
            f"; skipped {catalog.skipped} malformed entr{'y' if catalog.skipped == 1 else 'ies'}"
        )
    return line


def document(result: ModelsResult) -> dict[str, Any]:
    """The `--format json` document."""
    catalog: Catalog = result.catalog
    return report.envelope(
        "models",
        "ok",
        source=catalog.source,
        from_cache=catalog.from_cache,
        fetched_at=_iso(catalog.fetched_at),
        count=len(result.shown),
        skipped=catalog.skipped,
        models=[m.to_json() for m in result.shown],
    )


def show(result: ModelsResult, fmt: str) -> None:
    """Print the result: notices on stderr, the table or JSON on stdout, the count on stderr."""
    catalog = result.catalog
    if catalog.from_cache:
        report.info(f"warning: {catalog.fetch_error}")
        report.info(f"using cached catalog from {_when(catalog.fetched_at)}")
    for warning in catalog.warnings:
        report.info(f"warning: {warning}")
    if fmt == "json":
        report.print_json(document(result))
    elif result.shown:
        sys.stdout.write(format_table(result.shown) + "\n")
        sys.stdout.flush()
    report.info(count_line(result))
