"""SQLite as the forum opens it: WAL, foreign keys, a busy timeout, and writers taking turns.

``forum.db`` builds every engine; what only SQLite needs lives here.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.pool import NullPool


class WriteQueueTimeout(SQLAlchemyTimeout):
    """A SQLite writer waited longer than the busy timeout for its turn (mapped to 503)."""


class WriteTurns:
    """The writers of one SQLite file take turns: first among the threads of this process,
    then among processes, on a lock file beside the database (``forum.db.writers``).

    SQLite lets one writer in at a time and makes the others poll with growing sleeps (up to
    100 ms), so under load a writer can keep missing its chance until the busy timeout says
    "database is locked". Here a process's writers queue on a lock, and only the first of
    them polls the file lock, every 2 ms at most, so processes alternate; BEGIN IMMEDIATE then
    rarely waits at all (it still does for writers outside the forum, e.g. the sqlite3 shell).
    Waiting ends with ``WriteQueueTimeout`` after ``timeout`` seconds.
    """

    def __init__(self, timeout: float, lock_file: Path | None) -> None:
        self.timeout = timeout
        self.lock_file = lock_file
        self._lock = threading.Lock()
        self._fd: int | None = None

    def take(self) -> None:
        deadline = time.monotonic() + self.timeout
        if not self._lock.acquire(timeout=self.timeout):
            raise WriteQueueTimeout(f"no write turn within {self.timeout:g} s")
        try:
            self._take_file(deadline)
        except BaseException:
            self._lock.release()
            raise

    def _take_file(self, deadline: float) -> None:
        if self.lock_file is None:
            return
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WriteQueueTimeout(f"no write turn within {self.timeout:g} s") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
            else:
                self._fd = fd
                return

    def give_back(self) -> None:
        """Other processes first (their waiter is polling), then this process's next writer."""
        fd, self._fd = self._fd, None
        try:
            if fd is not None:
                os.close(fd)  # closing releases the file lock
        finally:
            self._lock.release()


class SQLiteConnection(sqlite3.Connection):
    """sqlite3's connection that gives its write turn back once its transaction has ended
    (after COMMIT or ROLLBACK has run, so the next writer never finds the file locked)."""

    turns: WriteTurns | None = None
    holds_turn = False

    def begin_write(self) -> None:
        assert self.turns is not None
        self.turns.take()
        self.holds_turn = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._give_back()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        if self.holds_turn and self.turns is not None:
            self.holds_turn = False
            self.turns.give_back()


PAGE_CACHE_KIB = 512
"""Each connection's own page cache (SQLite's default is 2,000 KiB). The file's pages are in
the operating system's cache already; a worker holds a connection per busy thread, so at 16
requests at once the default cost some 30 MiB of a worker's memory and bought no speed."""


def pragmas(busy_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        cursor.close()

    return on_connect


def sqlite_engine(
    parsed: URL, *, pool_size: int, echo: bool, busy_timeout: int, pool_timeout: int
) -> Engine:
    """A pooled engine whose write transactions (``forum_write``) take their turn first."""
    ensure_folder(parsed)
    engine = create_engine(
        parsed,
        echo=echo,
        connect_args={
            "check_same_thread": False,
            "timeout": busy_timeout,
            "factory": SQLiteConnection,
        },
        pool_size=pool_size,
        max_overflow=20,
        pool_timeout=pool_timeout,
        hide_parameters=True,
    )
    turns = WriteTurns(busy_timeout, _lock_file(parsed))

    def join_turns(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.turns = turns

    event.listen(engine, "connect", pragmas(busy_timeout * 1000))
    event.listen(engine, "connect", join_turns)
    # pysqlite's own transaction handling defers BEGIN; emit it ourselves so a write
    # transaction takes its lock up front and waits its turn instead of failing.
    event.listen(engine, "connect", _disable_pysqlite_transactions)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _disable_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get("forum_write"):
        conn.connection.dbapi_connection.begin_write()
    else:
        conn.exec_driver_sql("BEGIN DEFERRED")


def _lock_file(parsed: URL) -> Path | None:
    """Where the processes writing one SQLite file take turns (None: in memory, one process)."""
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    path = Path(parsed.database)
    return path.with_name(path.name + ".writers")


def ensure_folder(parsed: URL) -> None:
    """SQLite creates the file but not its folder (``var/`` on a fresh clone)."""
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def null_pool_engine(parsed: URL, *, busy_timeout: int) -> Engine:
    """An engine without a pool, for one-off work such as migrations."""
    ensure_folder(parsed)
    engine = create_engine(parsed, poolclass=NullPool)
    event.listen(engine, "connect", pragmas(busy_timeout * 1000))
    return engine
