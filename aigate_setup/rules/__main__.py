"""`python -m aigate_setup.rules --markdown`: print docs/rules.md (generated from the rules)."""

from __future__ import annotations

import sys

from aigate_setup.rules.docs import markdown


def main(argv: list[str]) -> int:
    if argv != ["--markdown"]:
        print("usage: python -m aigate_setup.rules --markdown", file=sys.stderr)
        return 2
    sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
