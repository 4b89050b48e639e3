"""The shared database layer: SQLite pragmas, driver choice, UTC timestamps."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from forum.db import Database, normalize_url


def test_postgresql_urls_get_the_psycopg_driver():
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///var/forum.db").drivername == "sqlite"


def test_sqlite_is_opened_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    database.dispose()


def test_timestamps_come_back_in_utc(database, make_article):
    moment = datetime(2003, 4, 15, 11, 12, tzinfo=timezone(timedelta(hours=2)))
    article = make_article(submitted_at=moment)
    with database.session() as session:
        stored = session.execute(
            text("SELECT id FROM articles WHERE id = :id"), {"id": article.id}
        ).scalar()
        assert stored == article.id
        from forum.articles.models import Article

        loaded = session.get(Article, article.id)
        assert loaded is not None
        assert loaded.submitted_at == moment
        assert loaded.submitted_at.tzinfo is not None
        assert loaded.submitted_at.astimezone(UTC).hour == 9


def test_naive_datetimes_are_refused_by_the_column(database):
    from forum.articles.models import Article

    article = Article(
        slug="naive",
        title="t",
        author_name="a",
        submitted_at=datetime(2003, 4, 15, 9, 12),
        body_source="",
        body_html="",
        teaser="",
    )
    with database.session() as session:
        session.add(article)
        with pytest.raises(Exception, match="naive"):
            session.flush()
        session.rollback()
