"""search: an article is indexed with its own language's stemmer (PostgreSQL)

Revision ID: search_0002
Revises: search_0001
Create Date: 2026-12-05

``fts_config(language)`` turns an article's BCP 47 tag into a text search configuration:
en → english, de → german, fr → french, es → spanish, ar → arabic; NULL (not said: every
article written before languages, which was always searched as English) → english; any other
tag → simple (words as written, no stemming). The articles' GIN index is rebuilt over
``to_tsvector(fts_config(language), …)``; the search asks with the query stemmed in each of
those configurations at once (``forum.search.service``). The function is IMMUTABLE so that it
may be indexed: a new language means a new migration that replaces it and rebuilds the index.
It depends on i18n_0001 (it needs ``articles.language``), which a fully upgraded database
then no longer lists as a head of its own.

SQLite needs nothing: FTS5 has one tokenizer per table (porter, English, with diacritics
folded), so other languages are found by their words as written. Comments keep their English
index on both: a comment does not hold its article's language, and an index cannot look it up.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "search_0002"
down_revision: str | None = "search_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "i18n_0001"

FUNCTION = """CREATE OR REPLACE FUNCTION fts_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(split_part(replace(language, '_', '-'), '-', 1))
        WHEN 'en' THEN 'english'
        WHEN 'de' THEN 'german'
        WHEN 'fr' THEN 'french'
        WHEN 'es' THEN 'spanish'
        WHEN 'ar' THEN 'arabic'
        ELSE CASE WHEN language IS NULL THEN 'english' ELSE 'simple' END
    END::regconfig
$$"""
UP = [
    FUNCTION,
    "DROP INDEX IF EXISTS fts_articles_gin",
    """CREATE INDEX fts_articles_gin ON articles
        USING gin (to_tsvector(fts_config(language), title || ' ' || body_source))""",
]
DOWN = [
    "DROP INDEX IF EXISTS fts_articles_gin",
    """CREATE INDEX fts_articles_gin ON articles
        USING gin (to_tsvector('english', title || ' ' || body_source))""",
    "DROP FUNCTION IF EXISTS fts_config(text)",
]


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in DOWN:
            op.execute(statement)
