"""`python -m aigate_setup.testing`: run the fake AIGate gateway (see `--help`)."""

from __future__ import annotations

import sys

from aigate_setup.testing.cli import main

if __name__ == "__main__":
    sys.exit(main())
