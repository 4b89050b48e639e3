"""The one metadata, the engine and the one session factory, shared by every module.

SQLite (the embedded default) is opened with WAL, foreign keys on and a busy timeout, and one
process's writers take turns (``WriteTurns``) instead of all spinning on SQLite's busy handler;
PostgreSQL URLs are given the psycopg driver, a connect and a statement timeout. Every wait is
bounded (``Timeouts``). Models subclass ``Base``; times are stored as UTC.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool, Pool
from sqlalchemy.types import TypeDecorator

from forum.sqlite import WriteQueueTimeout, WriteTurns, null_pool_engine, sqlite_engine

__all__ = ["WriteQueueTimeout", "WriteTurns"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

log = logging.getLogger("forum.db")


class Base(DeclarativeBase):
    """Base class of every model; all tables share one metadata."""

    metadata = metadata


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (what every column stores)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no time zones; PostgreSQL gets ``timestamptz``. Naive values are refused so that
    no local time is ever stored by accident.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A StrEnum stored as its values in a VARCHAR with a CHECK constraint, on every database.

    Lives here, below every module, so that each can give its status values the same shape.
    """
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def normalize_url(url: str) -> URL:
    """Pick our drivers: ``postgresql://`` becomes psycopg 3; SQLite keeps the standard module."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@dataclass(frozen=True)
class Timeouts:
    """How long the database may keep a request waiting, in seconds (``statement`` 0: no limit).

    These defaults are for one-off work (the CLI, tests); the app passes its settings
    (``FORUM_DATABASE_*_TIMEOUT_SECONDS``, ``FORUM_SQLITE_BUSY_TIMEOUT_SECONDS``).
    """

    connect: int = 5
    """PostgreSQL: establishing a connection (libpq waits at least 2 s)."""
    statement: int = 0
    """PostgreSQL: one statement, enforced by the server (``statement_timeout``)."""
    pool: int = 30
    """Waiting for a free connection of the pool."""
    busy: int = 5
    """SQLite: waiting for the write turn in this process, and again for the file's lock."""


def make_engine(
    url: str, *, pool_size: int = 10, echo: bool = False, timeouts: Timeouts = Timeouts()
) -> Engine:
    """An engine for ``url`` with the settings each database needs."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return sqlite_engine(
            parsed,
            pool_size=pool_size,
            echo=echo,
            busy_timeout=timeouts.busy,
            pool_timeout=timeouts.pool,
        )
    options = f"-c statement_timeout={timeouts.statement * 1000}" if timeouts.statement else ""
    return create_engine(
        parsed,
        echo=echo,
        pool_size=pool_size,
        max_overflow=20,
        pool_timeout=timeouts.pool,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={
            "connect_timeout": timeouts.connect,
            **({"options": options} if options else {}),
        },
    )


def make_null_pool_engine(url: str) -> Engine:
    """An engine without a pool, for one-off work such as migrations."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return null_pool_engine(parsed, busy_timeout=Timeouts.busy)
    return create_engine(
        parsed, poolclass=NullPool, connect_args={"connect_timeout": Timeouts.connect}
    )


class Database:
    """The engine and the session factory of one running forum."""

    def __init__(self, url: str, *, echo: bool = False, timeouts: Timeouts = Timeouts()) -> None:
        self.engine = make_engine(url, echo=echo, timeouts=timeouts)
        # Sessions that will write bind to this variant so that SQLite begins them IMMEDIATE.
        self.write_engine = self.engine.execution_options(forum_write=True)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error.

        ``write=True`` takes SQLite's write lock at the start of the transaction, so concurrent
        writers queue on the busy timeout instead of failing with "database is locked".
        """
        with self.new_session(write=write) as session, session.begin():
            yield session

    def new_session(self, *, write: bool = False) -> Session:
        """A fresh session; the caller commits and closes it."""
        return self.session_factory(bind=self.write_engine if write else self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


AfterWork = Callable[[Session], None]
"""Bookkeeping done after the response is decided, each in its own short write."""


class UnitOfWork:
    """One request's database work: one session, opened on first use, finished once.

    Reads go through ``read()`` (a deferred transaction: never SQLite's write lock). A request
    that writes calls ``write()`` before its first write: on SQLite a read transaction already
    open (authentication, consent) is ended first, then the write begins ``IMMEDIATE`` so that
    writers queue on the busy timeout instead of failing. ``release()`` ends a read before slow
    work (password hashing) so no transaction is held meanwhile. ``finish()`` commits or rolls
    back once; ``after()`` queues bookkeeping (``last_seen_at``…) that must never make a read
    request a writer: it runs later, only when there is something to do.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._session: Session | None = None
        self._writing = False
        self._after: list[AfterWork] = []

    @property
    def opened(self) -> bool:
        return self._session is not None

    @property
    def writing(self) -> bool:
        return self._writing

    @property
    def has_after_work(self) -> bool:
        """Bookkeeping is queued (most requests queue none: no thread needed to run it)."""
        return bool(self._after)

    def read(self) -> Session:
        """The request's session (its transaction begins on first use)."""
        if self._session is None:
            self._session = self.database.session_factory()
        return self._session

    def write(self) -> Session:
        """The request's session in a write transaction; call before the first write."""
        session = self.read()
        if self._writing:
            return session
        if self.database.dialect == "sqlite":
            if session.in_transaction():
                session.commit()  # only reads so far: end them, keep the loaded objects
            session.connection(execution_options={"forum_write": True})
        self._writing = True
        return session

    def release(self) -> None:
        """End a read-only transaction before slow work; the session stays usable."""
        if self._session is not None and not self._writing and self._session.in_transaction():
            self._session.commit()

    def after(self, work: AfterWork) -> None:
        """Queue ``work(session)`` to run after the response, in its own short transaction."""
        self._after.append(work)

    def finish(self, *, ok: bool) -> None:
        """Commit (``ok``) or roll back what the request did; the session is closed after."""
        session, self._session = self._session, None
        self._writing = False
        if session is None:
            return
        try:
            if ok:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()

    def run_after_work(self) -> None:
        """Run the queued bookkeeping; a failure is logged and never reaches the reader."""
        work, self._after = self._after, []
        for item in work:
            try:
                with self.database.session(write=True) as session:
                    item(session)
            except Exception:
                log.warning("bookkeeping after a request failed", exc_info=True)


class WriteGeneration:
    """A number that moves after every committed transaction that changed data in this
    process: caches of what many readers see alike note it and are stale once it moved.

    Counted where no write path can forget it, below sessions and units of work: a connection
    that ran a data-changing statement is marked, its COMMIT keeps the mark and a ROLLBACK
    drops it, and a connection with a kept mark moves the number when it goes back to the
    pool, after the COMMIT has run (a reader that began after the move sees the new data).
    """

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()
        self.quiet_tables: set[str] = set()
        """Tables whose writes change nothing that pages for everyone show (bookkeeping such
        as page-view counts and login touches): ``create_app`` names them."""

    def bump(self) -> None:
        with self._lock:
            self.value += 1


generation = WriteGeneration()
"""The process's write generation (the front cache, ``forum.web.front_cache``, reads it)."""
_WROTE = "forum_wrote"
_COMMITTED = "forum_committed_write"
_READS = ("SELECT", "BEGIN", "PRAGMA", "WITH", "SAVEPOINT", "RELEASE", "ANALYZE", "SHOW")


def _note_write(
    conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        if getattr(table, "name", None) not in generation.quiet_tables:
            conn.info[_WROTE] = True
    elif not statement.lstrip()[:9].upper().startswith(_READS):
        conn.info[_WROTE] = True


def _keep_write(conn: Any) -> None:
    if conn.info.pop(_WROTE, False):
        conn.info[_COMMITTED] = True


def _drop_write(conn: Any) -> None:
    conn.info.pop(_WROTE, None)


def _bump_after_commit(_dbapi_connection: Any, record: Any) -> None:
    if record is not None and record.info.pop(_COMMITTED, False):
        generation.bump()


event.listen(Engine, "before_cursor_execute", _note_write)
event.listen(Engine, "commit", _keep_write)
event.listen(Engine, "rollback", _drop_write)
event.listen(Pool, "checkin", _bump_after_commit)
