"""Erasure leaves nothing behind: the erasure ledger (outside the database) lets a purge erase
again an account a restored backup brought back; development mail files to the address go;
SQLite's WAL holds no old pages of the erased rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.comments.models import Comment
from forum.mail.outbox import Outbox
from forum.privacy import erasure, ledger
from forum.privacy.retention import purge

pytestmark = pytest.mark.parametrize("settings_overrides", [{"mail_worker": False}])


def erase(database: Any, settings: Any, user_data: Any, user_id: int, **kwargs: Any) -> None:
    with database.session(write=True) as session:
        erasure.erase_account(
            session,
            user_id,
            delete_comments=kwargs.get("delete_comments", False),
            user_data=user_data,
            outbox=Outbox.from_settings(settings),
            settings=settings,
        )


def user_ids(database: Any) -> set[int]:
    with database.session() as session:
        return set(session.scalars(select(User.id)))


def test_every_erasure_is_recorded_in_the_ledger_without_personal_data(
    database, settings, user_data, make_user
):
    ann = make_user("ann", email="ann@example.org")
    erase(database, settings, user_data, ann.id, delete_comments=True)
    text = ledger.ledger_path(settings).read_text()
    (line,) = [json.loads(row) for row in text.splitlines()]
    assert line == {
        "user_id": ann.id,
        "created_at": ann.created_at.isoformat(),
        "delete_comments": True,
    }
    assert "ann" not in text


def test_an_erasure_that_rolls_back_is_not_recorded(database, settings, user_data, make_user):
    ann = make_user("ann")

    def erase_then_fail() -> None:
        with database.session(write=True) as session:
            erasure.erase_account(
                session,
                ann.id,
                delete_comments=False,
                user_data=user_data,
                outbox=Outbox.from_settings(settings),
                settings=settings,
            )
            raise RuntimeError("the transaction fails after the erasure")

    with pytest.raises(RuntimeError):
        erase_then_fail()
    assert not ledger.ledger_path(settings).exists()
    assert ann.id in user_ids(database)


def test_the_purge_erases_again_an_account_that_came_back(
    database, settings, user_data, make_user, make_article, post
):
    """What a restore does to the database, the purge undoes: here the rows come back by hand
    (the restore itself is proven with the real files in tests/test_backup_cli.py)."""
    ann, bob = make_user("ann"), make_user("bob")
    post(make_article(), ann, "Ann's words.")
    erase(database, settings, user_data, ann.id)
    with database.session(write=True) as session:  # "restored": Ann is back
        session.add(User(**_columns_of(ann)))
    outbox = Outbox.from_settings(settings)
    report = purge(database, outbox, settings, user_data)
    assert report.erasures_reapplied == 1
    assert user_ids(database) == {bob.id}
    assert purge(database, outbox, settings, user_data).erasures_reapplied == 0


def test_an_id_given_to_someone_new_is_left_alone(database, settings, user_data, make_user):
    ann = make_user("ann")
    erase(database, settings, user_data, ann.id)
    with database.session(write=True) as session:  # SQLite reuses the highest id
        newcomer = User(**{**_columns_of(ann), "username": "newcomer", "email": "n@example.org"})
        newcomer.created_at = ann.created_at.replace(year=ann.created_at.year + 1)
        session.add(newcomer)
    report = purge(database, Outbox.from_settings(settings), settings, user_data)
    assert report.erasures_reapplied == 0
    assert ann.id in user_ids(database)


def _columns_of(user: User) -> dict[str, Any]:
    return {column.key: getattr(user, column.key) for column in User.__table__.columns}


# --- point 15: mail files and the WAL -----------------------------------------------------------


def mail_files(settings: Any) -> dict[str, str]:
    folder = Path(settings.var_dir) / "mail"
    return {p.name: p.read_text() for p in folder.glob("*.eml")} if folder.exists() else {}


def test_development_mail_files_to_the_erased_address_are_removed(
    database, settings, user_data, make_user
):
    ann = make_user("ann", email="Ann@Example.org")
    make_user("bob", email="bob@example.org")
    outbox = Outbox.from_settings(settings)
    with database.session(write=True) as session:
        for to in ("ann@example.org", "bob@example.org", "ann@example.org"):
            outbox.queue(session, to=to, subject="Hello", text="A mail.")
    outbox.deliver_due(database)
    assert len(mail_files(settings)) == 3
    erase(database, settings, user_data, ann.id)
    left = mail_files(settings)
    assert len(left) == 1 and "bob@example.org" in next(iter(left.values()))


def test_a_sqlite_erasure_leaves_no_old_pages_in_the_wal(
    database, settings, user_data, make_user, make_article, post
):
    if database.dialect != "sqlite":
        pytest.skip("the WAL is SQLite's")
    ann = make_user("ann", email="ann.trace@example.org")
    post(make_article(), ann, "A comment with a trace.")
    wal = Path(database.engine.url.database + "-wal")
    assert b"ann.trace@example.org" in wal.read_bytes(), "the WAL holds the address before"
    erase(database, settings, user_data, ann.id)
    assert wal.stat().st_size == 0
    with database.session() as session:
        assert session.scalar(select(Comment.author_id)) is None
