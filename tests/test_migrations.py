"""Migrations are the only way the schema changes: they must agree with the models and
run up, down to base, and up again, on SQLite and on PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from forum import (
    models,  # noqa: F401
    schema,
)
from forum.db import make_null_pool_engine, metadata
from tests.conftest import (
    DATABASES,
    create_postgres_database,
    drop_postgres_database,
    make_settings,
)


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = create_postgres_database("forum_migrations")
    yield url
    drop_postgres_database(url)


def _differences(url: str) -> list:
    engine = make_null_pool_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": schema.include_name}
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return diff


def _tables(url: str) -> set[str]:
    engine = make_null_pool_engine(url)
    names = {n for n in inspect(engine).get_table_names() if schema.include_name(n, "table", {})}
    engine.dispose()
    return names - {"alembic_version"}


def test_models_and_migrations_agree(empty_database_url: str, tmp_path: Path):
    settings = make_settings(empty_database_url, tmp_path)
    schema.upgrade(settings)
    assert _differences(empty_database_url) == []


def test_upgrade_downgrade_to_base_and_upgrade_again(empty_database_url: str, tmp_path: Path):
    settings = make_settings(empty_database_url, tmp_path)
    schema.upgrade(settings)
    assert schema.current_revision(settings) == schema.head_revision()
    assert _tables(empty_database_url) == set(metadata.tables)
    schema.downgrade(settings, "base")
    assert schema.current_revision(settings) is None
    assert _tables(empty_database_url) == set()
    schema.upgrade(settings)
    assert schema.current_revision(settings) == schema.head_revision()
    assert _differences(empty_database_url) == []


def test_every_migration_has_a_downgrade():
    versions = Path(schema.MIGRATIONS_DIR, "versions").glob("*.py")
    for path in versions:
        source = path.read_text()
        assert "def downgrade() -> None:\n    pass" not in source, f"{path.name} cannot go down"


def test_an_upgrade_gives_sqlite_planner_statistics(tmp_path: Path):
    """Without statistics SQLite chose a slow index for the thread count (9 s at 100,000
    comments); ``forum db upgrade`` (and the daily purge) run ANALYZE."""
    url = f"sqlite:///{tmp_path / 'stats.db'}"
    schema.upgrade(make_settings(url, tmp_path))
    engine = make_null_pool_engine(url)
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).scalar()
    engine.dispose()
    assert found == "sqlite_stat1"
