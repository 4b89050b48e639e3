"""The request's unit of work: created for every request, shared by everything in it.

``UnitOfWorkMiddleware`` (outermost of everything that reads the database) puts one
``UnitOfWork`` in the scope. Authentication, consent and handlers all use it; the ``db``
dependency commits it when the handler succeeds and rolls it back when it raises; after the
response has been sent, whatever is still open is rolled back and queued bookkeeping runs.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from anyio import to_thread
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.orm import Session

from forum.db import Database, UnitOfWork
from forum.web.types import AnyRequest

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATE_KEY = "forum_unit_of_work"

DbSession = NamedDependency[Session]
"""How a handler asks for the request's session: ``db: DbSession``."""
Work = NamedDependency[UnitOfWork]
"""How a handler that must order its transactions asks for them: ``uow: Work`` (login: read,
verify the password with no transaction open, then write)."""


def unit_of_work(scope: Scope) -> UnitOfWork:
    """The unit of work of the request this scope belongs to."""
    uow: UnitOfWork = scope["state"][STATE_KEY]
    return uow


class UnitOfWorkMiddleware(ASGIMiddleware):
    """One ``UnitOfWork`` per request; closed (and bookkeeping done) after the response."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, database: Database) -> None:
        self.database = database

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        uow = UnitOfWork(self.database)
        scope.setdefault("state", {})[STATE_KEY] = uow
        try:
            await next_app(scope, receive, send)
        finally:
            if uow.opened:
                await to_thread.run_sync(lambda: uow.finish(ok=False))
            if uow.has_after_work:
                await to_thread.run_sync(uow.run_after_work)


async def provide_uow(request: AnyRequest) -> AsyncGenerator[UnitOfWork, None]:
    """The request's unit of work, committed once when the handler returns."""
    uow = unit_of_work(request.scope)
    try:
        yield uow
    except BaseException:
        await to_thread.run_sync(lambda: uow.finish(ok=False))
        raise
    else:
        await to_thread.run_sync(lambda: uow.finish(ok=True))


async def provide_db(request: AnyRequest) -> AsyncGenerator[Session, None]:
    """The request's session: a write transaction for methods that change things, a read
    transaction otherwise; committed when the handler returns, rolled back if it raised."""
    uow = unit_of_work(request.scope)
    writes = request.method not in SAFE_METHODS
    session = await to_thread.run_sync(uow.write) if writes else uow.read()
    try:
        yield session
    except BaseException:
        await to_thread.run_sync(lambda: uow.finish(ok=False))
        raise
    else:
        await to_thread.run_sync(lambda: uow.finish(ok=True))


def provide_readonly_db(request: AnyRequest) -> Session:
    """For code that only reads whatever the method (closed with the request)."""
    return unit_of_work(request.scope).read()
