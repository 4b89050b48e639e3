"""Backups that restore: an online copy of the SQLite database, and a restore that cannot
corrupt it.

Copying ``forum.db`` while the server runs, or copying a backup over it while a ``-wal`` file
is left beside it, gives "database disk image is malformed". So a backup is SQLite's own
``VACUUM INTO`` (a consistent copy taken while the site keeps serving), and a restore refuses
while a server holds the database (``forum serve`` holds a shared lock on ``forum.db.lock``),
checks the backup, keeps the current file aside, and removes stale ``-wal``/``-shm`` files.
PostgreSQL has its own tools (``pg_dump``/``pg_restore``): we say the exact line.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from forum.errors import Conflict, Invalid


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases (and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def postgres_hint(url: str, target: str, *, restore: bool = False) -> str:
    """The exact ``pg_dump`` (or ``pg_restore``) line for this database, password hidden."""
    parsed = make_url(url).set(drivername="postgresql")
    shown = parsed.render_as_string(hide_password=True)
    if restore:
        return f"pg_restore --clean --if-exists --no-owner --dbname '{shown}' '{target}'"
    return f"pg_dump --format=custom --no-owner --file '{target}' '{shown}'"


def _lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def serving(database: Path) -> Iterator[None]:
    """Held by ``forum serve`` while it runs: a shared lock that makes restores refuse."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(database), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _exclusive(database: Path) -> Iterator[IO[str]]:
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(database), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                f"a server is using {database}: stop it (forum serve) before restoring"
            ) from None
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def backup_sqlite(database: Path, target: Path) -> int:
    """Copy the live database into ``target`` (which must not exist); returns its size."""
    if not database.exists():
        raise Invalid({"database": f"there is no database at {database}"})
    if target.exists():
        raise Invalid({"file": f"{target} already exists: choose a new file name"})
    if not target.parent.is_dir():
        raise Invalid({"file": f"the folder {target.parent} does not exist"})
    connection = sqlite3.connect(database, timeout=10)
    try:
        connection.execute("VACUUM INTO ?", (str(target),))
    finally:
        connection.close()
    return target.stat().st_size


def check_backup(source: Path) -> None:
    """Refuse a file that is not a sound forum database."""
    if not source.is_file():
        raise Invalid({"file": f"there is no file at {source}"})
    try:
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()
            has_version = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise Invalid({"file": f"{source} is not a SQLite database ({exc})"}) from None
    if not verdict or verdict[0] != "ok":
        raise Invalid({"file": f"{source} is damaged: {verdict[0] if verdict else 'unknown'}"})
    if not has_version:
        raise Invalid({"file": f"{source} is not a forum database (no alembic_version)"})


def restore_sqlite(database: Path, source: Path) -> Path | None:
    """Put ``source`` in place of the database; returns where the old file was kept."""
    check_backup(source)
    with _exclusive(database):
        kept: Path | None = None
        if database.exists():
            _checkpoint(database)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = database.with_name(f"{database.name}.before-restore-{stamp}")
            os.replace(database, kept)
        for suffix in ("-wal", "-shm", "-journal"):
            stale = database.with_name(database.name + suffix)
            stale.unlink(missing_ok=True)
        partial = database.with_name(database.name + ".restoring")
        shutil.copyfile(source, partial)
        os.replace(partial, database)
        return kept


def _checkpoint(database: Path) -> None:
    """Fold the current WAL into the file being kept aside, so it is whole on its own."""
    connection = sqlite3.connect(database, timeout=10)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
