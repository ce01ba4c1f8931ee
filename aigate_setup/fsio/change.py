"""What a run is asked to write (`FileChange`) and what it did (`ApplyResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Status = Literal["created", "updated", "unchanged", "deleted"]


@dataclass(frozen=True)
class FileChange:
    """One planned file: its bytes as read (`old`, None if missing) and as they should be."""

    client: str
    path: Path
    old: bytes | None
    new: bytes
    # Holds a key: a new file gets 0600 instead of 0644, an existing one loses its group and
    # other permission bits before the new bytes go in, and its diff is never shown.
    sensitive: bool = False
    # The mode the file ends with (a helper script 0700, the key file 0600); None keeps an
    # existing file's mode and gives a new one 0644 (0600 when sensitive).
    mode: int | None = None
    # Delete the file (`new` is ignored): `remove` takes out a file aigate-setup created.
    delete: bool = False

    @property
    def status(self) -> Status:
        if self.delete:
            return "unchanged" if self.old is None else "deleted"
        if self.old is None:
            return "created"
        return "unchanged" if self.old == self.new else "updated"


@dataclass(frozen=True)
class ApplyResult:
    """What a run did. `run_id` is None when nothing was written (everything unchanged).

    For `apply` the statuses are created/updated/unchanged/deleted; for `restore` they are
    restored/deleted/unchanged/skipped (a deleted file's change has `new == b""`).
    """

    run_id: str | None
    statuses: list[tuple[FileChange, str]]
    warnings: tuple[str, ...] = ()
    restored_run: str | None = None
