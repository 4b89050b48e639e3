"""No account enumeration: the same answer (and time) whether an address or account exists,
reset links that replace each other, and cookies that cannot be planted or outlive a login."""

import statistics
import time

import anyio
import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.accounts.passwords import Passwords, make_hasher
from tests.accounts.conftest import body_of, link_in
from tests.conftest import DEFAULT_PASSWORD


def is_logged_in(client) -> bool:
    return "Log out" in client.get("/").text


def user_named(database, username) -> User | None:
    with database.session() as session:
        return session.scalar(select(User).where(User.username_key == username))


def register(auth, username, email):
    return auth.post(
        "/register", {"username": username, "email": email, "password": DEFAULT_PASSWORD}
    )


def test_registration_answers_the_same_whether_the_address_is_taken(
    make_user, auth, client, sent_mail, database
):
    make_user("janine")
    fresh = register(auth, "newbie", "newbie@example.org")
    fresh_page = auth.client.get(fresh.headers["location"]).text
    taken = register(auth, "prober", "JANINE@example.org")
    taken_page = auth.client.get(taken.headers["location"]).text
    assert fresh.status_code == taken.status_code == 303
    assert fresh.headers["location"] == taken.headers["location"]
    assert fresh_page == taken_page and "We have sent a mail" in fresh_page
    assert not is_logged_in(auth.client)
    assert user_named(database, "newbie") is not None and user_named(database, "prober") is None
    mails = {m["To"]: m for m in sent_mail()}
    assert "/verify/" in body_of(mails["newbie@example.org"])
    notice = body_of(mails["janine@example.org"])
    assert "tried to register" in notice and "/verify/" not in notice


def test_a_taken_username_is_still_said(make_user, auth):
    # Usernames are public (every profile and comment shows one): saying so reveals nothing.
    make_user("janine")
    response = register(auth, "JANINE", "someone-else@example.org")
    assert response.status_code == 400 and "already taken" in response.text


def change_email(auth, email):
    return auth.post("/account/email", {"email": email, "current_password": DEFAULT_PASSWORD})


def test_email_change_answers_the_same_whether_the_address_is_taken(
    make_user, auth, sent_mail, database
):
    make_user("janine")
    make_user("other")
    auth.login("janine")
    free = change_email(auth, "new@example.org")
    free_page = auth.client.get("/account").text
    taken = change_email(auth, "other@example.org")
    taken_page = auth.client.get("/account").text
    assert free.status_code == taken.status_code == 303
    assert free_page == taken_page and "janine@example.org" in free_page
    assert user_named(database, "janine").email == "janine@example.org"  # until confirmed
    mails = {m["To"]: m for m in sent_mail()}
    assert "/verify/" in body_of(mails["new@example.org"])
    assert "/verify/" not in body_of(mails["other@example.org"])
    assert "move another account" in body_of(mails["other@example.org"])


def test_a_confirmed_email_change_takes_effect_and_tells_the_old_address(
    make_user, auth, sent_mail, database
):
    make_user("janine")
    auth.login("janine")
    change_email(auth, "new@example.org")
    (confirm,) = sent_mail()
    page = auth.client.get(link_in(confirm, "/verify/"))
    assert page.status_code == 200
    user = user_named(database, "janine")
    assert user.email == "new@example.org" and user.email_verified
    told = [m for m in sent_mail() if m["To"] == "janine@example.org"]
    assert told and "changed" in body_of(told[0])
    assert "new@example.org" not in body_of(told[0])


def test_an_old_registration_link_does_not_undo_an_email_change(
    make_user, auth, sent_mail, database
):
    register(auth, "newbie", "newbie@example.org")
    (welcome,) = sent_mail()
    auth.login("newbie")
    change_email(auth, "moved@example.org")
    confirm = next(m for m in sent_mail() if m["To"] == "moved@example.org")
    assert auth.client.get(link_in(confirm, "/verify/")).status_code == 200
    assert auth.client.get(link_in(welcome, "/verify/")).status_code == 400
    assert user_named(database, "newbie").email == "moved@example.org"


def test_a_newer_reset_link_invalidates_the_older_unused_one(make_user, auth, sent_mail):
    make_user("janine")
    auth.post("/password/forgot", {"email": "janine@example.org"})
    auth.post("/password/forgot", {"email": "janine@example.org"})
    older, newer = [link_in(m, "/password/reset/") for m in sent_mail()]
    assert auth.client.get(older).status_code == 400
    assert auth.client.get(newer).status_code == 200


def timed_verify(passwords: Passwords, stored: str | None) -> float:
    async def run() -> float:
        started = time.perf_counter()
        assert await passwords.verify_async(stored, "a wrong passphrase") is False
        return time.perf_counter() - started

    return min(anyio.run(run) for _ in range(3))


@pytest.mark.parametrize(
    ("current", "older"),
    [((1, 8192, 1), (3, 32768, 1)), ((3, 32768, 1), (1, 8192, 1))],
    ids=["older-costs-more", "older-costs-less"],
)
def test_an_unknown_account_takes_as_long_as_a_hash_with_older_parameters(current, older):
    passwords = Passwords(make_hasher(*current))
    old_hash = make_hasher(*older).hash("the real passphrase")
    for _ in range(3):  # the site has seen both kinds of hash
        timed_verify(passwords, old_hash)
        timed_verify(passwords, None)
    # Medians, as the padding itself aims at the median cost seen (a least time would set a
    # quiet moment of the real hash against a padding that includes the busy ones). The two
    # parameter sets differ about tenfold: half of it either way still tells a padded answer
    # from one that is not, and leaves room for a busy machine's jitter.
    unknown = statistics.median(timed_verify(passwords, None) for _ in range(7))
    old = statistics.median(timed_verify(passwords, old_hash) for _ in range(7))
    assert unknown == pytest.approx(old, rel=0.5), (unknown, old)


@pytest.mark.parametrize(
    "settings_overrides", [{"mail_worker": False, "base_url": "https://f.example"}]
)
def test_over_https_the_cookies_carry_the_host_prefix(make_user, auth):
    make_user("janine")
    csrf = next(c for c in auth.client.get("/login").headers.get_list("set-cookie") if "csrf" in c)
    response = auth.login("janine")
    session = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-forum_session")
    )
    for cookie in (csrf, session):
        assert cookie.startswith("__Host-forum_")
        assert "Secure" in cookie and "Path=/" in cookie and "domain" not in cookie.lower()
    assert response.status_code == 303 and is_logged_in(auth.client)


def test_over_http_the_cookies_keep_their_plain_names(make_user, auth):
    make_user("janine")
    response = auth.login("janine")
    names = {c.split("=", 1)[0] for c in response.headers.get_list("set-cookie")}
    assert "forum_session" in names and not any(n.startswith("__Host-") for n in names)


def test_the_csrf_token_rotates_at_login(make_user, auth):
    make_user("janine")
    before = auth.csrf_token()
    assert auth.login("janine").status_code == 303
    after = auth.client.cookies.get("forum_csrf")
    assert after and after != before
    forged = auth.client.post("/logout", data={"_csrf_token": before}, follow_redirects=False)
    assert forged.status_code == 403 and is_logged_in(auth.client)
    assert auth.logout().status_code == 303


def test_a_failed_login_keeps_the_csrf_token(make_user, auth):
    make_user("janine")
    before = auth.csrf_token()
    assert auth.login("janine", "wrong password!").status_code == 400
    assert auth.client.cookies.get("forum_csrf") == before
