"""Search over published articles and comments: SQLite FTS5 embedded, PostgreSQL full text at scale.

The indexes are kept current by the database itself (FTS5 triggers on SQLite; expression GIN
indexes on PostgreSQL), so every write, edit, moderation decision and erasure is reflected
whichever code path made it.
"""
