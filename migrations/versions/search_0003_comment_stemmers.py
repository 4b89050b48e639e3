"""search: a comment is indexed with its thread's language's stemmer (PostgreSQL)

Revision ID: search_0003
Revises: search_0002
Create Date: 2026-12-05

A comment is written in its thread, so its language as far as we know is its article's. An
index cannot look that up, so comments get a column of the search module's own,
``comments.fts_language``, kept by two triggers: one fills it when a comment is written (or
moved to another article), one follows an article's language when an editor changes it. No
model maps the column (``fts_*`` objects are the search module's, left out of autogenerate
comparisons); nothing but the index and the search query reads it. The comments' GIN index is
rebuilt over ``to_tsvector(fts_config(fts_language), body_source)``: NULL (an article of
unknown language) stays English, as every comment was searched before.

SQLite needs nothing: FTS5 has one tokenizer per table (porter, English), so words in other
languages are found as written.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "search_0003"
down_revision: str | None = "search_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UP = [
    "ALTER TABLE comments ADD COLUMN fts_language varchar(35)",
    """UPDATE comments SET fts_language = articles.language
        FROM articles WHERE articles.id = comments.article_id""",
    """CREATE FUNCTION fts_comment_language() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.fts_language := (SELECT language FROM articles WHERE id = NEW.article_id);
            RETURN NEW;
        END
    $$""",
    """CREATE TRIGGER fts_comments_language BEFORE INSERT OR UPDATE OF article_id ON comments
        FOR EACH ROW EXECUTE FUNCTION fts_comment_language()""",
    """CREATE FUNCTION fts_article_language() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE comments SET fts_language = NEW.language WHERE article_id = NEW.id;
            RETURN NULL;
        END
    $$""",
    """CREATE TRIGGER fts_articles_language AFTER UPDATE OF language ON articles
        FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language)
        EXECUTE FUNCTION fts_article_language()""",
    "DROP INDEX IF EXISTS fts_comments_gin",
    """CREATE INDEX fts_comments_gin ON comments
        USING gin (to_tsvector(fts_config(fts_language), body_source))
        WHERE status = 'published'""",
]
DOWN = [
    "DROP INDEX IF EXISTS fts_comments_gin",
    """CREATE INDEX fts_comments_gin ON comments
        USING gin (to_tsvector('english', body_source)) WHERE status = 'published'""",
    "DROP TRIGGER IF EXISTS fts_articles_language ON articles",
    "DROP FUNCTION IF EXISTS fts_article_language()",
    "DROP TRIGGER IF EXISTS fts_comments_language ON comments",
    "DROP FUNCTION IF EXISTS fts_comment_language()",
    "ALTER TABLE comments DROP COLUMN IF EXISTS fts_language",
]


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in DOWN:
            op.execute(statement)
