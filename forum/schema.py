"""Running Alembic from code: upgrade, downgrade and current revision, for CLI and tests."""

from __future__ import annotations

import io
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from forum.db import make_null_pool_engine
from forum.settings import Settings


def _package_directory(package: str) -> Path:
    """Where an installed (or editable) package's files are; Alembic reads them by path."""
    location = resources.files(package)
    if not isinstance(location, Path):  # pragma: no cover - pip installs packages unzipped
        raise RuntimeError(f"{package} must be installed as files, not in an archive")
    return location


MIGRATIONS_DIR = _package_directory("forum.migrations")
"""``migrations/`` of a checkout, installed as the package ``forum.migrations``."""
SEARCH_PREFIX = "fts_"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the full-text objects (FTS5 tables, GIN expression indexes), which the search
    migration creates by hand and no model describes, out of autogenerate comparisons."""
    return not (name or "").startswith(SEARCH_PREFIX)


def alembic_config(settings: Settings, *, engine: Engine | None = None) -> Config:
    """An Alembic config for ``settings``; env.py reads the database URL from it."""
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["settings"] = settings
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(settings: Settings, revision: str = "heads") -> None:
    """Upgrade to ``revision``; by default every branch to its newest migration. On SQLite,
    then refresh the query planner's statistics (``ANALYZE``)."""
    command.upgrade(alembic_config(settings), revision)
    analyze(settings)


def analyze(settings: Settings) -> None:
    """Give SQLite's planner statistics. Without them it guesses, and on a large thread it
    picked the (article, status, depth) index over (article, root_seq) for the thread count:
    9 s instead of 2 ms for 100,000 comments. PostgreSQL keeps its own (autovacuum)."""
    engine = make_null_pool_engine(settings.effective_database_url)
    try:
        if engine.dialect.name == "sqlite":
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()


def downgrade(settings: Settings, revision: str, *, allow_data_loss: bool = False) -> None:
    """Downgrade to ``revision``. A migration whose downgrade must drop data people chose
    (privacy settings) refuses unless ``allow_data_loss`` confirms it."""
    config = alembic_config(settings)
    config.attributes["allow_data_loss"] = allow_data_loss
    command.downgrade(config, revision)


def head_revision() -> str | None:
    """The newest revision ('a+b' when independent modules' migrations form branches).

    A head that another revision depends on (``depends_on``) is left out, as Alembic leaves it
    out of the version table once the revision that depends on it is applied.
    """
    script = ScriptDirectory.from_config(alembic_config(Settings()))
    needed = {
        dependency
        for revision in script.walk_revisions()
        for dependency in _tuple(revision.dependencies)
    }
    heads = [head for head in script.get_heads() if head not in needed]
    return "+".join(sorted(heads)) or None


def _tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def current_revision(settings: Settings) -> str | None:
    engine = make_null_pool_engine(settings.effective_database_url)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
            return "+".join(sorted(heads)) or None
    finally:
        engine.dispose()
