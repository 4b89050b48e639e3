"""Alembic environment: the URL comes from forum's settings, the target from forum's models."""

from __future__ import annotations

from alembic import context

from forum import models  # noqa: F401  (registers every table on the metadata)
from forum.db import make_null_pool_engine, metadata
from forum.schema import include_name
from forum.settings import Settings

config = context.config

settings: Settings = config.attributes.get("settings") or Settings.from_env()


def run_migrations_offline() -> None:
    context.configure(
        url=settings.effective_database_url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or make_null_pool_engine(
        settings.effective_database_url
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    if "engine" not in config.attributes:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
