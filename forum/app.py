"""``create_app``: the one place that lists routers, plugins, middleware and stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router
from sqlalchemy.exc import SQLAlchemyError

from forum.articles.routes import ArticleApi, ArticlePages
from forum.db import Database
from forum.mail.outbox import Outbox
from forum.mail.worker import run_mail_worker
from forum.privacy.routes import PolicyPages
from forum.settings import Settings
from forum.web.database import provide_db
from forum.web.errors import (
    http_exception_handler,
    make_database_error_handler,
    make_unexpected_handler,
)
from forum.web.headers import make_security_headers_hook
from forum.web.health import HealthController
from forum.web.templating import make_template_config

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the forum for ``settings`` (read from the environment when not given)."""
    settings = settings or Settings.from_env()
    database = Database(settings.effective_database_url)
    outbox = Outbox.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            async with run_mail_worker(outbox, database, enabled=settings.mail_worker):
                yield
        finally:
            database.dispose()

    return Litestar(
        route_handlers=[
            ArticlePages,
            ArticleApi,
            PolicyPages,
            HealthController,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
        ],
        dependencies={
            "db": Provide(provide_db),
            "outbox": Provide(lambda: outbox, sync_to_thread=False),
        },
        state=State({"settings": settings, "database": database, "outbox": outbox}),
        template_config=make_template_config(settings),
        exception_handlers={
            HTTPException: http_exception_handler,
            SQLAlchemyError: make_database_error_handler(),
            Exception: make_unexpected_handler(settings.debug),
        },
        before_send=[make_security_headers_hook(https=settings.https)],
        openapi_config=OpenAPIConfig(
            title=f"{settings.site_name} API", version="1", path="/schema"
        ),
        lifespan=[lifespan],
        debug=False,
    )
