"""full-text search: FTS5 tables kept by triggers (SQLite), GIN expression indexes (PostgreSQL)

Revision ID: search_0001
Revises: 0004
Create Date: 2026-11-29

The search module's own branch: it needs articles and comments, and nothing else needs it.
Every object is named ``fts_*`` so that env.py leaves them out of autogenerate comparisons.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "search_0001"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = ("search",)
depends_on: str | Sequence[str] | None = None

TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
SQLITE_UP = [
    # External-content FTS5 tables: the text stays in articles/comments, the index beside it.
    f"""CREATE VIRTUAL TABLE fts_articles USING fts5(
        title, body_source, content='articles', content_rowid='id', {TOKENIZE})""",
    """CREATE TRIGGER fts_articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO fts_articles(rowid, title, body_source)
            VALUES (new.id, new.title, new.body_source);
    END""",
    """CREATE TRIGGER fts_articles_au AFTER UPDATE OF title, body_source ON articles BEGIN
        INSERT INTO fts_articles(fts_articles, rowid, title, body_source)
            VALUES ('delete', old.id, old.title, old.body_source);
        INSERT INTO fts_articles(rowid, title, body_source)
            VALUES (new.id, new.title, new.body_source);
    END""",
    """CREATE TRIGGER fts_articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO fts_articles(fts_articles, rowid, title, body_source)
            VALUES ('delete', old.id, old.title, old.body_source);
    END""",
    "INSERT INTO fts_articles(rowid, title, body_source) SELECT id, title, body_source FROM articles",
    # Comments: only published text is ever in the index.
    f"""CREATE VIRTUAL TABLE fts_comments USING fts5(
        body_source, content='comments', content_rowid='id', {TOKENIZE})""",
    """CREATE TRIGGER fts_comments_ai AFTER INSERT ON comments WHEN new.status = 'published' BEGIN
        INSERT INTO fts_comments(rowid, body_source) VALUES (new.id, new.body_source);
    END""",
    """CREATE TRIGGER fts_comments_au AFTER UPDATE OF status, body_source ON comments BEGIN
        INSERT INTO fts_comments(fts_comments, rowid, body_source)
            SELECT 'delete', old.id, old.body_source WHERE old.status = 'published';
        INSERT INTO fts_comments(rowid, body_source)
            SELECT new.id, new.body_source WHERE new.status = 'published';
    END""",
    """CREATE TRIGGER fts_comments_ad AFTER DELETE ON comments WHEN old.status = 'published' BEGIN
        INSERT INTO fts_comments(fts_comments, rowid, body_source)
            VALUES ('delete', old.id, old.body_source);
    END""",
    """INSERT INTO fts_comments(rowid, body_source)
        SELECT id, body_source FROM comments WHERE status = 'published'""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS fts_comments_ad",
    "DROP TRIGGER IF EXISTS fts_comments_au",
    "DROP TRIGGER IF EXISTS fts_comments_ai",
    "DROP TABLE IF EXISTS fts_comments",
    "DROP TRIGGER IF EXISTS fts_articles_ad",
    "DROP TRIGGER IF EXISTS fts_articles_au",
    "DROP TRIGGER IF EXISTS fts_articles_ai",
    "DROP TABLE IF EXISTS fts_articles",
]
POSTGRES_UP = [
    """CREATE INDEX fts_articles_gin ON articles
        USING gin (to_tsvector('english', title || ' ' || body_source))""",
    """CREATE INDEX fts_comments_gin ON comments
        USING gin (to_tsvector('english', body_source)) WHERE status = 'published'""",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS fts_comments_gin", "DROP INDEX IF EXISTS fts_articles_gin"]


def _statements(sqlite: list[str], postgres: list[str]) -> list[str]:
    return sqlite if op.get_context().dialect.name == "sqlite" else postgres


def upgrade() -> None:
    for statement in _statements(SQLITE_UP, POSTGRES_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(SQLITE_DOWN, POSTGRES_DOWN):
        op.execute(statement)
