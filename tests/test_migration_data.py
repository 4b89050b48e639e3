"""Every migration keeps the data: with realistic rows in every table, each step up and each
step down keeps the row count of every table it does not drop, every foreign-key link and the
languages of readers and articles, on SQLite (where a table rebuild could fire ``ON DELETE``
rules) and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from forum import schema
from forum.db import make_null_pool_engine
from forum.settings import Settings
from tests.conftest import (
    DATABASES,
    create_postgres_database,
    drop_postgres_database,
    make_settings,
)
from tests.migration_data import fill_empty_tables, fill_languages, snapshot


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = create_postgres_database("forum_migration_data")
    yield url
    drop_postgres_database(url)


class Site:
    """A database moved one revision at a time, filled with rows as tables appear."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.config: Config = schema.alembic_config(settings)
        self.config.attributes["allow_data_loss"] = True
        self.script = ScriptDirectory.from_config(self.config)
        self.engine = make_null_pool_engine(settings.effective_database_url)

    def revisions(self) -> list[str]:
        """Every revision, parents before children (branches included)."""
        return [r.revision for r in self.script.walk_revisions("base", "heads")][::-1]

    def snapshot(self) -> dict[str, Any]:
        with self.engine.connect() as connection:
            return snapshot(connection)

    def fill(self) -> dict[str, int]:
        with self.engine.begin() as connection:
            filled = fill_empty_tables(connection)
            fill_languages(connection)
            return filled

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql)).all()]

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def filled_at(database_url: str, tmp_path: Path, revision: str) -> Iterator[Site]:
    """A site moved up to ``revision`` with rows in every table it has there (closed after)."""
    site = Site(make_settings(database_url, tmp_path))
    try:
        command.upgrade(site.config, revision)
        site.fill()
        yield site
    finally:
        site.close()


def assert_kept(before: dict[str, Any], after: dict[str, Any], step: str) -> None:
    """Tables, links and languages present on both sides are unchanged."""
    for table, count in before["counts"].items():
        if table in after["counts"]:
            assert after["counts"][table] == count, f"{step}: rows of {table}"
    for link, pairs in before["links"].items():
        if link in after["links"]:
            assert after["links"][link] == pairs, f"{step}: links {link}"
    for column, values in before["languages"].items():
        if column in after["languages"]:
            assert after["languages"][column] == values, f"{step}: values of {column}"


def climb(site: Site) -> list[str]:
    filled_tables: list[str] = []
    for revision in site.revisions():
        before = site.snapshot()
        command.upgrade(site.config, revision)
        assert_kept(before, site.snapshot(), f"upgrade to {revision}")
        filled_tables.extend(site.fill())
    return filled_tables


def test_every_step_up_and_down_keeps_rows_and_links(empty_database_url: str, tmp_path: Path):
    site = Site(make_settings(empty_database_url, tmp_path))
    try:
        climb(site)
        top = site.snapshot()
        # The fixture is realistic only if it reached every table, links included.
        assert [t for t, n in top["counts"].items() if n == 0] == [], "every table has rows"
        assert top["links"].get("comments.author_id->users"), "comments have authors"
        # …and readers and articles have languages when search_0002 (by language) moves them.
        spoken = {column: {r[-1] for r in rows} for column, rows in top["languages"].items()}
        assert spoken == {
            "users.language": {"de", "ar", None},
            "articles.language": {"pt-BR", "fr", "de", None},
        }
        for revision in reversed(site.revisions()):
            before = site.snapshot()
            command.downgrade(site.config, f"{revision}@-1")
            assert_kept(before, site.snapshot(), f"downgrade of {revision}")
        assert site.snapshot()["counts"] == {}
        climb(site)
        again = site.snapshot()
        assert again["counts"].keys() == top["counts"].keys()
        assert again["languages"] == top["languages"], "languages given again on the way up"
        authors = "comments.author_id->users"
        assert again["links"][authors] == top["links"][authors], "comments keep their authors"
    finally:
        site.close()


def test_the_privacy_downgrade_refuses_to_make_hidden_profiles_public(
    empty_database_url: str, tmp_path: Path
):
    with filled_at(empty_database_url, tmp_path, "0008") as site:
        settings = site.settings
        with site.engine.begin() as connection:
            connection.execute(text("UPDATE users SET profile_visibility = 'everyone'"))
            connection.execute(text("DELETE FROM erasure_requests"))
            connection.execute(
                text(
                    "UPDATE users SET profile_visibility = 'nobody' "
                    "WHERE id = (SELECT MIN(id) FROM users)"
                )
            )
        with pytest.raises(RuntimeError, match="allow-data-loss"):
            schema.downgrade(settings, "0007")
        assert schema.current_revision(settings) == "0008"
        users_before = site.snapshot()["counts"]["users"]
        schema.downgrade(settings, "0007", allow_data_loss=True)
        assert site.snapshot()["counts"]["users"] == users_before


def test_a_default_site_downgrades_without_confirmation(empty_database_url: str, tmp_path: Path):
    settings = make_settings(empty_database_url, tmp_path)
    schema.upgrade(settings)
    schema.downgrade(settings, "0007")
    assert schema.current_revision(settings) is not None


def test_the_languages_of_readers_and_articles_come_and_go_without_losing_rows(
    empty_database_url: str, tmp_path: Path
):
    with filled_at(empty_database_url, tmp_path, "0012") as site:
        command.upgrade(site.config, "i18n_0001")
        with site.engine.begin() as connection:
            connection.execute(text("UPDATE users SET language = 'de' WHERE id % 2 = 0"))
            connection.execute(text("UPDATE articles SET language = 'pt-BR'"))
        before = site.snapshot()
        command.downgrade(site.config, "i18n@-1")
        assert_kept(before, site.snapshot(), "downgrade of i18n_0001")
        command.upgrade(site.config, "i18n_0001")
        with site.engine.connect() as connection:
            languages = connection.execute(text("SELECT DISTINCT language FROM users")).all()
        assert languages == [(None,)], "a new column starts empty: the browser decides"
        with site.engine.begin() as connection:
            connection.execute(text("UPDATE users SET language = 'ar'"))
            stored = connection.execute(text("SELECT language FROM users")).scalars().all()
        assert stored and set(stored) == {"ar"}


def _comment_languages(site: Site) -> set[tuple[Any, Any]]:
    """(comment's search language, its article's language) of every comment."""
    return set(
        site.rows(
            "SELECT c.fts_language, a.language FROM comments c"
            " JOIN articles a ON a.id = c.article_id"
        )
    )


def test_comments_are_searched_in_their_threads_language_from_search_0003_on(
    empty_database_url: str, tmp_path: Path
):
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("SQLite's FTS5 stems English only: search_0003 changes nothing there")
    with filled_at(empty_database_url, tmp_path, "search_0002") as site:
        with site.engine.begin() as connection:
            connection.execute(text("UPDATE articles SET language = 'de' WHERE id % 2 = 0"))
        before = site.snapshot()
        command.upgrade(site.config, "search_0003")
        assert_kept(before, site.snapshot(), "upgrade to search_0003")
        pairs = _comment_languages(site)
        assert pairs and all(mine == thread for mine, thread in pairs), "filled from the thread"
        assert {mine for mine, _ in pairs} >= {"de"}
        with site.engine.begin() as connection:
            connection.execute(text("UPDATE articles SET language = 'fr'"))
            connection.execute(
                text(
                    "INSERT INTO comments (article_id, body_source, body_html, status, depth,"
                    " root_seq, path, created_at, updated_at, author_name)"
                    " SELECT article_id, 'Nouveau', '<p>Nouveau</p>', 'published', 0,"
                    " root_seq + 1000, path || 'x', created_at, updated_at, author_name"
                    " FROM comments LIMIT 1"
                )
            )
        assert _comment_languages(site) == {("fr", "fr")}, "follows the thread; new ones too"
        before = site.snapshot()
        command.downgrade(site.config, "search_0002")
        assert_kept(before, site.snapshot(), "downgrade of search_0003")
        assert not site.rows(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'comments' AND column_name = 'fts_language'"
        )
