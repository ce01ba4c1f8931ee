"""The console script `aigate-setup` and `python -m aigate_setup`."""

from __future__ import annotations

import gc


def main() -> None:
    # A short-lived command loads ~150 modules, all of them kept to the end: with Python's
    # default threshold (700 new objects) the collector walks that growing heap hundreds of
    # times while they load, for nothing. It still runs, only far less often.
    gc.set_threshold(100_000, 50, 100)
    from aigate_setup.cli import entry

    entry()


if __name__ == "__main__":
    main()
