"""Backups that restore: an online SQLite copy, and a restore that refuses while a server
holds the database and never leaves a stale WAL beside the restored file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from forum import backup, schema
from forum.errors import Conflict, Invalid
from forum.settings import Settings


def _articles(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    finally:
        connection.close()


def _add_article(connection: sqlite3.Connection, n: int) -> None:
    connection.execute(
        "INSERT INTO articles (slug, title, author_name, submitted_at, body_source, body_html,"
        " teaser, published, comment_mode, comment_count, created_at, updated_at) VALUES"
        " (?, ?, 'Janine', '2003-04-15 09:12:00', 'x', '<p>x</p>', 'x', 1, 'open', 0,"
        " '2003-04-15 09:12:00', '2003-04-15 09:12:00')",
        (f"slug-{n}", f"Article {n}"),
    )
    connection.commit()


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A migrated forum database with two articles, as a running site has."""
    path = tmp_path / "var" / "forum.db"
    schema.upgrade(
        Settings(var_dir=tmp_path / "var", database_url=f"sqlite:///{path}", secret_key="k" * 40)
    )
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    _add_article(connection, 1)
    _add_article(connection, 2)
    connection.close()
    return path


def test_a_backup_taken_while_the_site_writes_restores_whole(live: Path, tmp_path: Path):
    server = sqlite3.connect(live)  # a server's open connection, WAL in use
    _add_article(server, 3)
    target = tmp_path / "backup.db"
    assert backup.backup_sqlite(live, target) > 0
    _add_article(server, 4)  # written after the backup: in the WAL, not in the copy
    stale_wal = (live.parent / "forum.db-wal").read_bytes()
    server.close()
    # A crash left a WAL beside the database: copied over naively, the file is malformed.
    (live.parent / "forum.db-wal").write_bytes(stale_wal)

    kept = backup.restore_sqlite(live, target)

    assert not (live.parent / "forum.db-wal").exists()
    assert _articles(live) == 3
    assert kept is not None and _articles(kept) == 4, "the replaced database is kept aside"


def test_a_restore_refuses_while_a_server_holds_the_database(live: Path, tmp_path: Path):
    target = tmp_path / "backup.db"
    backup.backup_sqlite(live, target)
    with backup.serving(live), pytest.raises(Conflict, match="stop it"):
        backup.restore_sqlite(live, target)
    assert _articles(live) == 2


def test_a_file_that_is_not_a_forum_database_is_refused(live: Path, tmp_path: Path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(Invalid, match="not a SQLite database"):
        backup.restore_sqlite(live, junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(Invalid, match="not a forum database"):
        backup.restore_sqlite(live, other)
    assert _articles(live) == 2


def test_a_backup_never_overwrites_a_file(live: Path, tmp_path: Path):
    target = tmp_path / "backup.db"
    shutil.copyfile(live, target)
    with pytest.raises(Invalid, match="already exists"):
        backup.backup_sqlite(live, target)
    with pytest.raises(Invalid, match="does not exist"):
        backup.backup_sqlite(live, tmp_path / "missing" / "backup.db")


def test_postgresql_gets_the_exact_pg_dump_line():
    line = backup.postgres_hint("postgresql://forum:secret@db.example:5432/forum", "forum.dump")
    assert line.startswith("pg_dump --format=custom")
    assert "secret" not in line and "forum.dump" in line
