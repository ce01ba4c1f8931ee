"""Findings (from `check` and the static part of `doctor`) and doctor checks.

Both commands produce the same Finding records from the same rules, so they always agree.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning"]
CheckStatus = Literal["pass", "warn", "fail", "skip"]


# NamedTuples (not dataclasses): cheap to create for `check`, which runs on every commit;
# findings sort by their fields in order (path, line, column, ...). Change one with _replace.
class Finding(NamedTuple):
    """One problem in one file. line/column are 1-based; None when not applicable."""

    path: str
    line: int | None
    column: int | None
    rule: str
    severity: Severity
    message: str
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        d = self._asdict()
        return {k: d[k] for k in ("rule", "severity", "path", "line", "column", "message", "hint")}


class Check(NamedTuple):
    """One doctor check result (docs/json-output.md: id, status, title, detail, hint)."""

    id: str
    status: CheckStatus
    title: str
    detail: str = ""
    hint: str = ""
    client: str | None = None  # grouping in text output; not part of the JSON contract

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "title": self.title,
            "detail": self.detail,
            "hint": self.hint,
        }
