"""Liveness and readiness probes for process managers and load balancers."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from sqlalchemy import text

from forum.db import Database
from forum.web.stores import StoreCheck


def _database_ready(database: Database) -> bool:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


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
        checks = {"database": await to_thread.run_sync(_database_ready, database)}
        if store_check is not None:
            checks["store"] = await store_check()
        ready = all(checks.values())
        return Response(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )
