"""The erasure ledger: which accounts were erased, kept outside the database.

A backup restored after someone erased their account brings the account back. So every
erasure appends one line to ``var/erasure-ledger.jsonl`` once its transaction has committed
(fsynced: it must survive a crash as the erasure does), and ``forum privacy purge`` erases
again every account of the ledger that exists once more. A line holds no personal data: the
account id, its creation time (SQLite reuses the highest id after a delete, and a new person
who got it must not be erased) and whether the comments went too.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from forum.settings import Settings

log = logging.getLogger("forum.privacy")

LEDGER_NAME = "erasure-ledger.jsonl"


@dataclass(frozen=True)
class Entry:
    """One erased account."""

    user_id: int
    created_at: datetime
    delete_comments: bool

    def line(self) -> bytes:
        values = {
            "user_id": self.user_id,
            "created_at": self.created_at.isoformat(),
            "delete_comments": self.delete_comments,
        }
        return (json.dumps(values, separators=(",", ":")) + "\n").encode()

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Entry:
        return cls(
            user_id=int(raw["user_id"]),
            created_at=datetime.fromisoformat(raw["created_at"]),
            delete_comments=bool(raw["delete_comments"]),
        )


def ledger_path(settings: Settings) -> Path:
    return settings.var_dir / LEDGER_NAME


def append(path: Path, entry: Entry) -> None:
    """Add one line, durably (file and, when new, its folder are fsynced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, entry.line())
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def entries(path: Path) -> Iterator[Entry]:
    """Every entry, oldest first; a damaged line (a crash mid-write) is skipped and logged."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                yield Entry.parse(json.loads(text))
            except (ValueError, KeyError, TypeError):
                log.warning("erasure ledger %s: line %d is damaged, skipped", path, number)
