"""The console script `aigate-setup` and `python -m aigate_setup`."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    # A short-lived command loads ~150 modules, all of them kept to the end: with Python's
    # default threshold (700 new objects) the collector walks that growing heap hundreds of
    # times while they load, for nothing. It still runs, only far less often.
    gc.set_threshold(100_000, 50, 100)
    if sys.platform != "win32":
        # pathlib imports ntpath, which tries `import _winapi` and five `from nt import ...`:
        # on POSIX each searches every sys.path entry before failing (0.1 ms each, about 1/40
        # of what `status` adds to start-up). Recorded as absent, they fail at once, with the
        # same ImportError.
        for name in ("nt", "_winapi"):
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    from aigate_setup.cli import entry

    entry()


if __name__ == "__main__":
    main()
