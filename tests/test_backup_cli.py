"""``forum db backup`` / ``forum db restore`` / ``forum db downgrade --allow-data-loss``, and a
restore followed by ``forum privacy purge`` erasing again who was erased since the backup."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from forum import backup
from forum.accounts.models import ProfileVisibility, User
from forum.app import user_data_registry
from forum.cli import main
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment
from forum.mail.outbox import Outbox
from forum.privacy import erasure


@pytest.fixture
def run(settings):
    def invoke(*args: str, database_url: str | None = None, catch: bool = False):
        env = {
            "FORUM_DATABASE_URL": database_url or settings.effective_database_url,
            "FORUM_VAR_DIR": str(settings.var_dir),
            "FORUM_SECRET_KEY": settings.secret_key,
            "FORUM_MAIL_WORKER": "off",
        }
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=catch)

    return invoke


@pytest.fixture
def sqlite_file(database) -> Path:
    path = backup.sqlite_path(str(database.engine.url))
    if path is None:
        pytest.skip("backup and restore of a file are SQLite's")
    return path


def usernames(database) -> set[str]:
    with database.session() as session:
        return set(session.scalars(select(User.username)))


def test_backup_erase_restore_purge_leaves_the_erased_account_gone(
    run, database, settings, sqlite_file, make_user, make_article, post, tmp_path
):
    ann, bob = make_user("ann"), make_user("bob")
    article = make_article()
    post(article, ann, "Ann's words.")
    post(article, bob, "Bob's words.")
    saved = tmp_path / "site-backup.db"
    made = run("db", "backup", str(saved))
    assert made.exit_code == 0, made.output
    assert saved.exists()

    with database.session(write=True) as session:
        erasure.erase_account(
            session,
            ann.id,
            delete_comments=True,
            user_data=user_data_registry(settings, CommentHooks()),
            outbox=Outbox.from_settings(settings),
            settings=settings,
        )
    database.dispose()  # the site is stopped for the restore

    restored = run("db", "restore", str(saved))
    assert restored.exit_code == 0, restored.output
    assert "forum privacy purge" in restored.output
    assert usernames(database) == {"ann", "bob"}, "the backup brought Ann back"

    purged = run("privacy", "purge")
    assert purged.exit_code == 0, purged.output
    assert "1 erased again" in purged.output
    assert usernames(database) == {"bob"}
    with database.session() as session:
        bodies = set(session.scalars(select(Comment.body_source)))
    assert bodies == {"", "Bob's words."}
    assert "0 erased again" in run("privacy", "purge").output


def test_restore_refuses_while_forum_serve_holds_the_database(run, database, sqlite_file, tmp_path):
    saved = tmp_path / "b.db"
    assert run("db", "backup", str(saved)).exit_code == 0
    with backup.serving(sqlite_file):
        refused = run("db", "restore", str(saved))
    assert refused.exit_code == 1
    assert "stop it" in refused.output and "Traceback" not in refused.output


def test_backup_and_restore_refuse_bad_files_in_one_line(run, sqlite_file, tmp_path):
    saved = tmp_path / "b.db"
    assert run("db", "backup", str(saved)).exit_code == 0
    again = run("db", "backup", str(saved))
    assert again.exit_code == 1 and "already exists" in again.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"no database here" * 64)
    restore = run("db", "restore", str(junk))
    assert restore.exit_code == 1 and "not a SQLite database" in restore.output


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_postgresql_gets_the_exact_line_and_a_failure(run, command, tmp_path):
    url = "postgresql://forum:secret@db.example:5432/forum"
    result = run("db", command, str(tmp_path / "forum.dump"), database_url=url)
    assert result.exit_code != 0
    tool = "pg_dump --format=custom" if command == "backup" else "pg_restore --clean"
    assert tool in result.output
    assert "forum.dump" in result.output and "db.example:5432/forum" in result.output
    assert "secret" not in result.output


def test_downgrade_that_drops_privacy_choices_needs_allow_data_loss(run, database, make_user):
    ann = make_user("ann")
    with database.session(write=True) as session:
        session.get(User, ann.id).profile_visibility = ProfileVisibility.NOBODY
    refused = run("db", "downgrade", "0007", catch=True)
    assert refused.exit_code != 0
    assert "allow-data-loss" in refused.output + str(refused.exception)
    result = run("db", "downgrade", "0007", "--allow-data-loss")
    assert result.exit_code == 0, result.output
    assert "database at" in result.output and "0007" in result.output
    assert run("db", "upgrade").exit_code == 0
