"""Alembic environment: the URL comes from forum's settings, the target from forum's models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

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


class ForeignKeysBroken(RuntimeError):
    """A migration left rows pointing at rows that do not exist (SQLite's foreign_key_check)."""


def _foreign_keys(connection: Connection, on: bool) -> None:
    """SQLite rebuilds a table to alter it (copy, drop, rename): with foreign keys on, the
    drop fires every ``ON DELETE`` rule of the tables pointing at it and erases their links.
    So they are off while migrations run (the pragma only works outside a transaction)."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise ForeignKeysBroken(
            f"the migration left {len(broken)} broken foreign keys in {', '.join(tables)}"
        )


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or make_null_pool_engine(
        settings.effective_database_url
    )
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys(connection, on=False)
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_name=include_name,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                _foreign_keys(connection, on=True)
    if "engine" not in config.attributes:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
