"""Email verification, password reset and address changes, followed through the mail."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum.accounts.models import Login, PasswordResetToken, User
from forum.db import utcnow
from tests.accounts.conftest import body_of, link_in
from tests.conftest import DEFAULT_PASSWORD

NEW_PASSWORD = "an entirely new passphrase"


def register(auth, username="newbie"):
    return auth.post(
        "/register",
        {"username": username, "email": f"{username}@example.org", "password": DEFAULT_PASSWORD},
    )


def user_named(database, username) -> User:
    with database.session() as session:
        return session.scalar(select(User).where(User.username_key == username))


def test_registration_mails_a_link_that_verifies_the_address(auth, sent_mail, database):
    register(auth)
    (mail,) = sent_mail()
    assert mail["To"] == "newbie@example.org"
    assert not user_named(database, "newbie").email_verified
    page = auth.client.get(link_in(mail, "/verify/"))
    assert page.status_code == 200
    assert "Your email address is confirmed" in page.text
    assert user_named(database, "newbie").email_verified


def test_a_tampered_or_expired_verification_link_is_refused(auth, sent_mail, database, settings):
    register(auth)
    link = link_in(sent_mail()[0], "/verify/")
    assert auth.client.get(link[:-3] + "abc").status_code == 400
    from forum.accounts.mails import verification_signer

    user = user_named(database, "newbie")
    expired = verification_signer(settings).sign(
        {"u": user.id, "e": user.email}, max_age_seconds=-1
    )
    assert auth.client.get(f"/verify/{expired}").status_code == 400
    assert not user_named(database, "newbie").email_verified


def test_resend_sends_a_new_verification_link(auth, sent_mail):
    register(auth)
    assert len(sent_mail()) == 1
    auth.login("newbie")  # registering does not log in (issue 12, point 9)
    assert auth.post("/verify/resend").status_code == 303
    assert len(sent_mail()) == 2


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(
    make_user, auth, sent_mail
):
    make_user("janine")
    known = auth.post("/password/forgot", {"email": "janine@example.org"})
    unknown = auth.post("/password/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    mails = sent_mail()
    assert [m["To"] for m in mails] == ["janine@example.org"]


def test_reset_tokens_are_stored_hashed(make_user, auth, sent_mail, database):
    make_user("janine")
    auth.post("/password/forgot", {"email": "janine@example.org"})
    token = link_in(sent_mail()[0], "/password/reset/").rsplit("/", 1)[1]
    with database.session() as session:
        stored = session.scalar(select(PasswordResetToken.token_hash))
    assert stored != token and len(stored) == 64


def test_a_reset_link_works_once_and_ends_other_sessions(make_user, auth, sent_mail, database):
    make_user("janine")
    auth.login("janine")
    auth.logout()
    auth.login("janine")  # a session elsewhere
    auth.client.cookies.delete("forum_session")
    auth.post("/password/forgot", {"email": "janine@example.org"})
    link = link_in(sent_mail()[0], "/password/reset/")
    assert auth.client.get(link).status_code == 200
    done = auth.post(link, {"password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/login"
    with database.session() as session:
        assert session.scalar(select(Login)) is None
    again = auth.post(link, {"password": "yet another passphrase"})
    assert again.status_code == 400
    assert auth.login("janine", NEW_PASSWORD).status_code == 303


def test_a_reset_link_does_not_work_after_an_hour(make_user, auth, sent_mail, database):
    make_user("janine")
    auth.post("/password/forgot", {"email": "janine@example.org"})
    link = link_in(sent_mail()[0], "/password/reset/")
    with database.session(write=True) as session:
        session.execute(
            update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert auth.client.get(link).status_code == 400
    assert auth.post(link, {"password": NEW_PASSWORD}).status_code == 400
    assert auth.login("janine", NEW_PASSWORD).status_code == 400


def test_a_reset_refuses_a_weak_password_and_keeps_the_link_usable(make_user, auth, sent_mail):
    make_user("janine")
    auth.post("/password/forgot", {"email": "janine@example.org"})
    link = link_in(sent_mail()[0], "/password/reset/")
    weak = auth.post(link, {"password": "short"})
    assert weak.status_code == 400 and "at least 10" in weak.text
    assert auth.post(link, {"password": NEW_PASSWORD}).status_code == 303


def test_changing_the_email_asks_to_verify_it_and_tells_the_old_address(
    make_user, auth, sent_mail, database
):
    make_user("janine")
    auth.login("janine")
    response = auth.post(
        "/account/email", {"email": "new@example.org", "current_password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 303
    # The address changes once the new one is confirmed (issue 12, point 9: the answer must
    # not tell whether the new address has an account).
    assert user_named(database, "janine").email == "janine@example.org"
    (confirm,) = sent_mail()
    assert confirm["To"] == "new@example.org"
    assert auth.client.get(link_in(confirm, "/verify/")).status_code == 200
    user = user_named(database, "janine")
    assert user.email == "new@example.org" and user.email_verified
    mails = {m["To"]: m for m in sent_mail()}
    assert "changed" in body_of(mails["janine@example.org"])
    assert "new@example.org" not in body_of(mails["janine@example.org"])


def test_changing_the_email_needs_the_current_password(make_user, auth, database):
    make_user("janine")
    auth.login("janine")
    response = auth.post("/account/email", {"email": "new@example.org", "current_password": "nope"})
    assert response.status_code == 400
    assert user_named(database, "janine").email == "janine@example.org"


@pytest.mark.parametrize("settings_overrides", [{"mail_worker": False}])
def test_mail_reaches_a_real_smtp_server(make_user, app, auth, smtp_server, database, settings):
    from forum.mail.outbox import Outbox
    from forum.settings import Settings

    make_user("janine")
    auth.post("/password/forgot", {"email": "janine@example.org"})
    smtp_settings = Settings(**{**settings.__dict__, "smtp_url": smtp_server.url})
    Outbox.from_settings(smtp_settings).deliver_due(database, limit=None)
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "janine@example.org"
    assert "/password/reset/" in body_of(received)
