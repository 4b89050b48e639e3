"""Shared fixtures: a clean database per test on SQLite, and again on PostgreSQL when
``FORUM_TEST_POSTGRES_URL`` is set; the app and a test client over it.

A set ``FORUM_TEST_POSTGRES_URL`` / ``FORUM_TEST_REDIS_URL`` whose server cannot be reached
stops the run with an error: it never skips.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from forum import schema
from forum.app import create_app
from forum.articles.models import Article
from forum.articles.service import ArticleInput, save_article
from forum.db import Database, metadata, normalize_url
from forum.settings import Settings

POSTGRES_URL = os.environ.get("FORUM_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
SHARED_DIR = Path(
    os.environ.get("FORUM_TEST_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared"
)
TEST_SECRET = "test-secret-key-" + "x" * 32


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the run at once when a configured test server cannot be reached."""
    if POSTGRES_URL:
        try:
            engine = create_engine(normalize_url(POSTGRES_URL))
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as exc:
            pytest.exit(f"FORUM_TEST_POSTGRES_URL is set but unreachable: {exc}", returncode=3)
    if REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as exc:
            pytest.exit(f"FORUM_TEST_REDIS_URL is set but unreachable: {exc}", returncode=3)


def make_settings(database_url: str, var_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test: its own var dir, a fixed secret, everything else default."""
    return Settings(var_dir=var_dir, database_url=database_url, secret_key=TEST_SECRET, **overrides)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    directory = tmp_path_factory.mktemp("sqlite-template")
    path = directory / "forum.db"
    schema.upgrade(make_settings(f"sqlite:///{path}", directory))
    return path


def create_postgres_database(prefix: str = "forum_test") -> str:
    """A new, empty PostgreSQL database on the test server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(normalize_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL database for this run, migrated once; tests truncate it."""
    url = create_postgres_database()
    schema.upgrade(make_settings(url, tmp_path_factory.mktemp("pg")))
    yield url
    drop_postgres_database(url)


def _truncate_postgres(url: str) -> None:
    engine = create_engine(normalize_url(url))
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean, migrated database for one test (parametrized: SQLite, PostgreSQL)."""
    if request.param == "sqlite":
        path = tmp_path / "forum.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_template")
    _truncate_postgres(url)
    return url


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or with ``@pytest.mark.parametrize``) to change settings."""
    return {}


@pytest.fixture
def settings(database_url: str, tmp_path: Path, settings_overrides: dict[str, Any]) -> Settings:
    return make_settings(database_url, tmp_path / "var", **settings_overrides)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings.effective_database_url)
    yield database
    database.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    """A session for arranging and checking data; commit explicitly to make writes visible."""
    session = database.new_session()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.fixture
def make_article(database: Database) -> Callable[..., Article]:
    """Create (and commit) an article; keyword arguments override the defaults."""
    counter = iter(range(1, 1_000_000))

    def factory(**fields: Any) -> Article:
        n = next(counter)
        values: dict[str, Any] = {
            "title": f"Article number {n}",
            "author_name": "Janine",
            "submitted_at": datetime(2003, 4, 15, 9, 12, tzinfo=UTC),
            "body": f"Body of article {n}.",
        }
        values.update(fields)
        with database.session(write=True) as session:
            article, _ = save_article(session, ArticleInput(**values))
        return article

    return factory


def shared_corpus(name: str) -> Path:
    """A file of ``../shared/corpus``. Absent in CI is an error; elsewhere the test skips."""
    path = SHARED_DIR / "corpus" / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"corpus file {path} is missing")
        pytest.skip(f"corpus file {name} is not beside the project")
    return path
