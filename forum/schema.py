"""Running Alembic from code: upgrade, downgrade and current revision, for CLI and tests."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from forum.db import make_null_pool_engine
from forum.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(settings: Settings, *, engine: Engine | None = None) -> Config:
    """An Alembic config for ``settings``; env.py reads the database URL from it."""
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["settings"] = settings
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config(Settings())).get_current_head()


def current_revision(settings: Settings) -> str | None:
    engine = make_null_pool_engine(settings.effective_database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
