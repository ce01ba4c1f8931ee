#!/usr/bin/env python3
"""Run the fake AIGate gateway: `python scripts/fake_gateway.py --port 8787 [--catalog newapi]`.

Same as `python -m aigate_setup.testing`; see `--help`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Let the script run from a checkout even when the package is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigate_setup.testing import main

if __name__ == "__main__":
    sys.exit(main())
