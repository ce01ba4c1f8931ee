"""Write docs/rules.md from the rule registry; `--check` only says whether it is up to date.

Usage: python scripts/gen_rules_doc.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aigate_setup.rules.docs import markdown  # noqa: E402

DOC = ROOT / "docs" / "rules.md"


def main(argv: list[str]) -> int:
    text = markdown()
    current = DOC.read_text(encoding="utf-8") if DOC.is_file() else None
    if "--check" in argv:
        if current != text:
            print(f"{DOC} is stale: run python scripts/gen_rules_doc.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
