"""Inline suppressions: `# aigate: ignore[AIG020]` (or `// ...` in JSONC) on the reported line.

Without a list (`# aigate: ignore`) every finding on that line is suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aigate_setup.findings import Finding

_IGNORE_RE = re.compile(r"(?:#|//)[^\n]*?aigate:\s*ignore(?:\[([^\]]*)\])?")


def ignored_lines(lines: Sequence[str]) -> dict[int, set[str] | None]:
    """Line number -> the rule ids ignored there (None: every rule)."""
    ignored: dict[int, set[str] | None] = {}
    for i, line in enumerate(lines, 1):
        if "aigate:" not in line:
            continue
        m = _IGNORE_RE.search(line)
        if m:
            ids = m.group(1)
            ignored[i] = None if ids is None else {x.strip().upper() for x in ids.split(",")}
    return ignored


def apply_inline_ignores(text: str, lines: Sequence[str], findings: list[Finding]) -> list[Finding]:
    """`findings` without those an inline comment suppresses."""
    if not findings or "aigate:" not in text:
        return findings
    ignored = ignored_lines(lines)
    if not ignored:
        return findings
    kept = []
    for f in findings:
        if f.line is not None and f.line in ignored:
            ids = ignored[f.line]
            if ids is None or f.rule in ids:
                continue
        kept.append(f)
    return kept
