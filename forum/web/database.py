"""The per-request database session: one unit of work per request, committed when it succeeds.

Handlers run in a worker thread (``sync_to_thread=True``) and receive the session as ``db``.
A request that may write (anything but GET/HEAD/OPTIONS) takes SQLite's write lock up front.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from anyio import to_thread
from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.orm import Session

from forum.db import Database

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

DbSession = NamedDependency[Session]
"""How a handler asks for the request's session: ``db: DbSession``."""


async def provide_db(request: Request[Any, Any, Any]) -> AsyncGenerator[Session, None]:
    """Yield a session; commit after the handler returns, roll back if it raised."""
    database: Database = request.app.state.database
    session = database.new_session(write=request.method not in SAFE_METHODS)
    try:
        yield session
    except BaseException:
        await to_thread.run_sync(_rollback_and_close, session)
        raise
    else:
        await to_thread.run_sync(_commit_and_close, session)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()
