"""Bans stick: a banned reader who erases their account cannot register again under the same
username or address while the ban runs; only keyed hashes are kept, and they go when the ban
is lifted or ends."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from forum.db import utcnow
from forum.moderation.banned import EMAIL_REFUSED
from forum.moderation.models import Ban, BannedIdentity
from tests.conftest import DEFAULT_PASSWORD, provided


@pytest.fixture
def carl(make_article, make_regular, moderator):
    make_article(slug="a")
    return make_regular("carl")


def ban(auth, username="carl", duration="7"):
    auth.login("modo")
    form = {"reason": "Insulting other readers", "duration": duration, "confirmed": "1"}
    assert auth.post(f"/moderation/users/{username}/ban", form).status_code == 303
    auth.logout()


def erase(app, database, user):
    """Erase the account through the app's user-data registry (what privacy's erasure does)."""
    with database.session(write=True) as session:
        provided(app, "user_data").forget(session, user.id, keep_comments=True)


def register(auth, username="carl", email="carl@example.org"):
    auth.logout()
    form = {"username": username, "email": email, "password": DEFAULT_PASSWORD}
    return auth.post("/register", form)


def identities(database):
    with database.session() as session:
        return list(session.scalars(select(BannedIdentity)))


def test_an_erased_banned_reader_cannot_register_again_with_the_name(carl, auth, app, database):
    ban(auth)
    erase(app, database, carl)
    refused = register(auth, email="fresh@example.org")
    assert refused.status_code == 400
    assert "That username is already taken." in refused.text


def test_an_erased_banned_reader_cannot_register_again_with_the_address(carl, auth, app, database):
    ban(auth)
    erase(app, database, carl)
    refused = register(auth, username="Carl2", email="CARL@example.org")
    assert refused.status_code == 400
    assert EMAIL_REFUSED in refused.text


def test_the_name_is_compared_normalized(carl, auth, app, database):
    ban(auth)
    erase(app, database, carl)
    assert register(auth, username="ＣＡＲＬ", email="fresh@example.org").status_code == 400


def test_nobody_changes_their_address_to_a_banned_one(
    carl, auth, app, database, make_user, settings
):
    ban(auth)
    erase(app, database, carl)
    make_user("dora")
    auth.login("dora")
    refused = auth.post(
        "/account/email", {"email": "carl@example.org", "current_password": DEFAULT_PASSWORD}
    )
    assert refused.status_code == 400 and EMAIL_REFUSED in refused.text
    changed = auth.post(
        "/account/email", {"email": "dora2@example.org", "current_password": DEFAULT_PASSWORD}
    )
    assert changed.status_code == 303


def test_only_keyed_hashes_are_kept_and_they_outlive_the_account(carl, auth, app, database):
    ban(auth)
    with database.session(write=True) as session:  # the address changed after the ban
        session.execute(
            update(type(carl))
            .where(type(carl).id == carl.id)
            .values(email="other@example.org", email_key="other@example.org")
        )
    erase(app, database, carl)
    rows = identities(database)
    assert len(rows) == 3  # the name, the address at the ban, the address at the erasure
    for row in rows:
        assert row.user_id is None and row.expires_at is not None
        assert len(row.digest) == 64 and "carl" not in row.digest and "@" not in row.digest
    for email in ("carl@example.org", "other@example.org"):
        assert register(auth, username="newname", email=email).status_code == 400


def test_a_banned_live_account_is_answered_like_any_taken_one(carl, auth, make_user):
    make_user("dora")
    ban(auth)
    banned = register(auth, username="x-carl", email="carl@example.org")
    taken = register(auth, username="x-dora", email="dora@example.org")
    assert banned.status_code == taken.status_code
    assert EMAIL_REFUSED not in banned.text
    assert banned.text.replace("carl", "dora") == taken.text.replace("carl", "dora")


def test_lifting_the_ban_removes_the_hashes(carl, auth, app, database):
    ban(auth)
    assert identities(database)
    auth.login("modo")
    assert auth.post("/moderation/users/carl/unban", {"reason": ""}).status_code == 303
    auth.logout()
    assert identities(database) == []
    erase(app, database, carl)
    assert register(auth).status_code == 303


def test_an_ended_ban_lets_them_back_and_the_purge_removes_the_hashes(carl, auth, app, database):
    ban(auth, duration="1")
    erase(app, database, carl)
    past = utcnow() - timedelta(minutes=1)
    with database.session(write=True) as session:
        session.execute(update(BannedIdentity).values(expires_at=past))
    with database.session(write=True) as session:
        removed = provided(app, "user_data").expire(session, now=utcnow())
    assert removed["moderation"] == 2
    assert identities(database) == []
    assert register(auth).status_code == 303


def test_an_unbanned_reader_who_leaves_leaves_no_hash(carl, auth, app, database):
    erase(app, database, carl)
    assert identities(database) == []
    assert register(auth).status_code == 303


def test_a_ban_for_good_is_kept_for_good(carl, auth, app, database):
    ban(auth, duration="forever")
    erase(app, database, carl)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Ban)) == 0
    assert all(row.expires_at is None for row in identities(database))
    assert register(auth, username="someone", email="carl@example.org").status_code == 400
