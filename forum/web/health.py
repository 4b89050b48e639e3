"""Liveness and readiness probes for process managers and load balancers.

Readiness answers within ``READY_TIMEOUT`` seconds whatever the database and Redis do: a check
that has not answered by then counts as failed (a hung PostgreSQL makes it 503, not a hang).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from anyio import to_thread
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from sqlalchemy import text

from forum.db import Database
from forum.web.stores import StoreCheck

READY_TIMEOUT = 1.5
"""Seconds each readiness check may take; probes usually give up after 2 s."""


def _database_ready(database: Database) -> bool:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


async def _within(check: Callable[[], Awaitable[bool]], timeout: float) -> bool:
    """``check()``, or False when it has not answered within ``timeout`` seconds."""
    with anyio.move_on_after(timeout):
        return await check()
    return False


async def _checks(database: Database, store_check: StoreCheck | None) -> dict[str, bool]:
    """Every check at once, each within ``READY_TIMEOUT``."""
    checks: dict[str, bool] = {}

    async def database_check() -> bool:
        # Abandoned on timeout: the thread ends on its own at the connect or statement timeout.
        return await to_thread.run_sync(_database_ready, database, abandon_on_cancel=True)

    async def run(name: str, check: Callable[[], Awaitable[bool]]) -> None:
        checks[name] = await _within(check, READY_TIMEOUT)

    async with anyio.create_task_group() as group:
        group.start_soon(run, "database", database_check)
        if store_check is not None:
            group.start_soon(run, "store", store_check)
    return {name: checks[name] for name in ("database", "store") if name in checks}


class HealthController(Controller):
    include_in_schema = False

    @get("/healthz", name="healthz", cache_control=None)
    async def healthz(self) -> dict[str, str]:
        """The process is up and answering."""
        return {"status": "ok"}

    @get("/readyz", name="readyz")
    async def readyz(
        self,
        database: NamedDependency[Database],
        store_check: NamedDependency[StoreCheck | None],
    ) -> Response[dict[str, Any]]:
        """The database (and the shared store, when configured) can be reached."""
        checks = await _checks(database, store_check)
        ready = all(checks.values())
        return Response(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )
