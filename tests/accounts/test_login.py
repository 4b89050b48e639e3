"""Logging in and out: sessions, 'remember me', throttling, CSRF, rehashing."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from forum.accounts.models import Login, User
from forum.db import utcnow
from tests.conftest import DEFAULT_PASSWORD


def is_logged_in(client) -> bool:
    return "Log out" in client.get("/").text


def test_register_form_creates_the_account_and_sends_the_reader_to_log_in(auth):
    # Not logged in by registering: that would tell whether the address had an account
    # already (issue 12, point 9).
    response = auth.post(
        "/register",
        {"username": "newbie", "email": "newbie@example.org", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert not is_logged_in(auth.client)
    assert auth.login("newbie").status_code == 303
    assert is_logged_in(auth.client)


def test_register_form_shows_errors_and_keeps_what_was_typed(auth):
    response = auth.post(
        "/register", {"username": "a", "email": "kept@example.org", "password": "short"}
    )
    assert response.status_code == 400
    assert 'value="kept@example.org"' in response.text
    assert "3 to 30" in response.text
    assert "at least 10" in response.text
    assert DEFAULT_PASSWORD not in response.text


def test_login_by_username_or_email(make_user, auth):
    make_user("janine")
    assert auth.login("janine").status_code == 303
    assert is_logged_in(auth.client)
    auth.logout()
    assert not is_logged_in(auth.client)
    assert auth.login("JANINE@example.org").status_code == 303
    assert is_logged_in(auth.client)


def test_wrong_password_and_unknown_account_get_the_same_answer(make_user, auth):
    make_user("janine")
    wrong = auth.login("janine", "not the password")
    unknown = auth.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong username, email or password." in wrong.text
    assert wrong.text.replace("janine", "nobody") == unknown.text


def test_the_session_id_changes_at_login_and_logout(make_user, auth):
    make_user("janine")
    auth.post("/register", {"username": "x"})  # gives this browser an anonymous session
    before = auth.client.cookies.get("forum_session")
    auth.login("janine")
    during = auth.client.cookies.get("forum_session")
    assert during and during != before
    auth.logout()
    assert auth.client.cookies.get("forum_session") in (None, "", "null")


def use_session(client, session_id: str) -> None:
    """Make the browser present ``session_id``, as a second device (or a thief) would."""
    client.cookies.delete("forum_session")
    client.cookies.set("forum_session", session_id)


def test_logout_ends_the_session_on_the_server(make_user, auth):
    make_user("janine")
    auth.login("janine")
    stolen = auth.client.cookies.get("forum_session")
    auth.logout()
    use_session(auth.client, stolen)
    assert not is_logged_in(auth.client)


def test_logout_needs_a_post_with_csrf(make_user, auth):
    make_user("janine")
    auth.login("janine")
    assert auth.client.get("/logout").status_code in (404, 405)
    assert auth.client.post("/logout", data={}).status_code == 403
    assert is_logged_in(auth.client)


def test_remember_me_sets_a_30_day_cookie_and_a_plain_login_a_browser_session(make_user, auth):
    make_user("janine")
    plain = auth.login("janine")
    assert (
        "max-age" not in plain.headers["set-cookie"].lower().split("forum_session")[1].split(",")[0]
    )
    auth.logout()
    remembered = auth.login("janine", remember=True)
    cookie = next(
        c for c in remembered.headers.get_list("set-cookie") if c.startswith("forum_session")
    )
    assert "Max-Age=2592000" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


@pytest.mark.parametrize(
    "settings_overrides", [{"mail_worker": False, "base_url": "https://f.example"}]
)
def test_cookies_are_secure_when_the_site_is_https(make_user, auth):
    make_user("janine")
    response = auth.login("janine")
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-forum_session")
    )
    assert "Secure" in cookie


def test_an_idle_session_ends(make_user, auth, database):
    make_user("janine")
    auth.login("janine")
    with database.session(write=True) as session:
        session.execute(update(Login).values(last_seen_at=utcnow() - timedelta(hours=3)))
    assert not is_logged_in(auth.client)


def test_a_remembered_session_survives_a_short_idle_time(make_user, auth, database):
    make_user("janine")
    auth.login("janine", remember=True)
    with database.session(write=True) as session:
        session.execute(update(Login).values(last_seen_at=utcnow() - timedelta(hours=3)))
    assert is_logged_in(auth.client)


def test_the_sixth_failed_login_in_a_row_gets_429_with_retry_after(make_user, auth):
    make_user("janine")
    for _ in range(5):
        assert auth.login("janine", "wrong password!").status_code == 400
    sixth = auth.login("janine", DEFAULT_PASSWORD)
    assert sixth.status_code == 429
    assert int(sixth.headers["retry-after"]) > 0
    assert "Too many failed attempts" in sixth.text


def test_throttling_per_client_address_covers_many_accounts(make_user, auth):
    for n in range(5):
        auth.login(f"someone{n}", "wrong password!")
    assert auth.login("yet-another", "wrong password!").status_code == 429


def test_a_successful_login_clears_the_account_count(make_user, auth):
    make_user("janine")
    for _ in range(3):
        auth.login("janine", "wrong password!")
    assert auth.login("janine").status_code == 303


def test_a_form_post_without_csrf_token_is_403_and_changes_nothing(client, database):
    client.get("/register")
    response = client.post(
        "/register",
        data={"username": "sneaky", "email": "s@example.org", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 403
    with database.session() as session:
        assert session.scalar(select(User).where(User.username_key == "sneaky")) is None


def test_a_forged_csrf_token_is_refused(client):
    client.get("/register")
    response = client.post("/login", data={"_csrf_token": "forged", "login": "x", "password": "y"})
    assert response.status_code == 403


def test_an_old_weak_hash_is_upgraded_at_the_next_login(make_user, auth, database):
    user = make_user("janine")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(DEFAULT_PASSWORD)
    with database.session(write=True) as session:
        session.execute(update(User).where(User.id == user.id).values(password_hash=weak))
    assert auth.login("janine").status_code == 303
    with database.session() as session:
        upgraded = session.get(User, user.id).password_hash
    assert upgraded != weak
    assert upgraded.startswith("$argon2id$")
    assert "m=1024" in upgraded


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example", "/\\evil.example", "http:/evil", "/ok\r\nX: y"],
)
def test_next_only_follows_local_paths(make_user, auth, target):
    make_user("janine")
    response = auth.post(
        "/login", {"login": "janine", "password": DEFAULT_PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_next_brings_you_back_where_you_were(make_user, auth):
    make_user("janine")
    response = auth.post(
        "/login", {"login": "janine", "password": DEFAULT_PASSWORD, "next": "/account?tab=1"}
    )
    assert response.headers["location"] == "/account?tab=1"


def test_log_out_everywhere_ends_every_session(make_user, auth):
    make_user("janine")
    auth.login("janine")
    phone = auth.client.cookies.get("forum_session")
    auth.client.cookies.delete("forum_session")
    auth.login("janine")
    laptop = auth.client.cookies.get("forum_session")
    assert phone != laptop
    use_session(auth.client, phone)
    assert is_logged_in(auth.client)
    use_session(auth.client, laptop)
    assert auth.post("/account/logout-everywhere").status_code == 303
    assert not is_logged_in(auth.client)
    use_session(auth.client, phone)
    assert not is_logged_in(auth.client)


def test_role_change_gives_the_user_a_new_session_id(make_user, auth, database):
    user = make_user("janine")
    auth.login("janine")
    before = auth.client.cookies.get("forum_session")
    from forum.accounts import service
    from forum.accounts.models import Role

    with database.session(write=True) as session:
        service.set_role(session, user.id, Role.MODERATOR)
    assert is_logged_in(auth.client)
    after = auth.client.cookies.get("forum_session")
    assert after and after != before
    assert is_logged_in(auth.client)


def test_a_second_message_in_one_session_is_not_lost(make_user, auth):
    make_user("janine")
    auth.login("janine")
    auth.post("/account/profile", {"display_name": "First"})  # queues a message, not yet shown
    auth.post("/account/profile", {"display_name": "Second"})  # appends to the same list
    page = auth.client.get("/account").text
    assert page.count("Your display name has been saved.") == 2
