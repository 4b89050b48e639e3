"""The account page, access tokens, the session API, roles, profiles, the admin CLI."""

import json
import logging

from click.testing import CliRunner
from sqlalchemy import select

from forum.accounts.models import AccessToken, Role, User
from forum.cli import main
from tests.conftest import DEFAULT_PASSWORD

NEW_PASSWORD = "an entirely new passphrase"


def test_the_account_page_needs_a_login(client):
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


def test_the_account_page_is_never_cached(make_user, auth):
    make_user("janine")
    auth.login("janine")
    response = auth.client.get("/account")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "janine@example.org" in response.text


def test_change_display_name(make_user, auth, database):
    user = make_user("janine")
    auth.login("janine")
    assert auth.post("/account/profile", {"display_name": "Janine R."}).status_code == 303
    with database.session() as session:
        assert session.get(User, user.id).display_name == "Janine R."
    bad = auth.post("/account/profile", {"display_name": "x\u202eevil"})
    assert bad.status_code == 400


def test_change_password_needs_the_current_one_and_ends_other_sessions(make_user, auth):
    make_user("janine")
    auth.login("janine")
    other = auth.client.cookies.get("forum_session")
    auth.client.cookies.delete("forum_session")
    auth.login("janine")
    wrong = auth.post(
        "/account/password", {"current_password": "nope", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 400
    done = auth.post(
        "/account/password", {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert done.status_code == 303
    assert "Log out" in auth.client.get("/").text  # this session goes on
    auth.client.cookies.delete("forum_session")
    auth.client.cookies.set("forum_session", other)
    assert "Log out" not in auth.client.get("/").text


def test_access_tokens_are_shown_once_stored_hashed_and_work_without_csrf(
    make_user, auth, database
):
    make_user("janine")
    auth.login("janine")
    page = auth.post("/account/tokens", {"name": "backup script"})
    assert page.status_code == 200
    secret = page.text.split('<code class="token">')[1].split("<")[0]
    assert secret.startswith("fat_")
    with database.session() as session:
        stored = session.scalar(select(AccessToken))
        assert stored.token_hash != secret and secret not in stored.token_hash
    assert secret not in auth.client.get("/account").text

    auth.logout()
    auth.client.cookies.clear()
    me = auth.client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["username"] == "janine"
    # A script's POST needs no CSRF token: the header cannot be forged cross-site.
    logout = auth.client.delete("/api/session", headers={"Authorization": f"Bearer {secret}"})
    assert logout.status_code == 204


def test_a_revoked_or_made_up_token_is_refused(make_user, auth, database):
    make_user("janine")
    auth.login("janine")
    page = auth.post("/account/tokens", {"name": "t"})
    secret = page.text.split('<code class="token">')[1].split("<")[0]
    with database.session() as session:
        token_id = session.scalar(select(AccessToken.id))
    assert auth.post(f"/account/tokens/{token_id}/revoke").status_code == 303
    auth.client.cookies.clear()
    for candidate in [secret, "fat_made-up", "garbage"]:
        response = auth.client.get("/api/me", headers={"Authorization": f"Bearer {candidate}"})
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


def test_someone_elses_token_cannot_be_revoked(make_user, auth, database):
    make_user("janine")
    make_user("mallory")
    auth.login("janine")
    auth.post("/account/tokens", {"name": "mine"})
    with database.session() as session:
        token_id = session.scalar(select(AccessToken.id))
    auth.logout()
    auth.login("mallory")
    assert auth.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    with database.session() as session:
        assert session.get(AccessToken, token_id) is not None


def test_session_api_logs_in_and_out(make_user, auth):
    make_user("janine")
    headers = auth.api_headers()
    me = auth.client.post(
        "/api/session", json={"login": "janine", "password": DEFAULT_PASSWORD}, headers=headers
    )
    assert me.status_code == 200 and me.json()["username"] == "janine"
    assert auth.client.get("/api/me").json()["email"] == "janine@example.org"
    # The CSRF token changed at login: the one from before no longer works.
    assert auth.client.delete("/api/session", headers=headers).status_code == 403
    assert auth.client.delete("/api/session", headers=auth.api_headers()).status_code == 204
    assert auth.client.get("/api/me").status_code == 401


def test_session_api_needs_the_csrf_header_from_a_browser(make_user, auth):
    make_user("janine")
    auth.csrf_token()
    response = auth.client.post(
        "/api/session", json={"login": "janine", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403


def test_session_api_refuses_fields_a_client_may_not_set(make_user, auth):
    make_user("janine")
    response = auth.client.post(
        "/api/session",
        json={"login": "janine", "password": DEFAULT_PASSWORD, "role": "admin"},
        headers=auth.api_headers(),
    )
    assert response.status_code == 400


def test_session_api_wrong_password_is_401_then_429(make_user, auth):
    make_user("janine")
    headers = auth.api_headers()
    for _ in range(5):
        response = auth.client.post(
            "/api/session", json={"login": "janine", "password": "wrong password"}, headers=headers
        )
        assert response.status_code == 401
    response = auth.client.post(
        "/api/session", json={"login": "janine", "password": DEFAULT_PASSWORD}, headers=headers
    )
    assert response.status_code == 429 and "retry-after" in response.headers


def test_session_api_is_in_the_openapi_schema(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert {"post", "delete"} <= set(paths["/api/session"])
    assert "get" in paths["/api/me"]


def test_a_reader_gets_403_on_admin_users_and_a_visitor_is_sent_to_log_in(make_user, auth):
    anonymous = auth.client.get("/admin/users", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/users"
    make_user("janine")
    auth.login("janine")
    assert auth.client.get("/admin/users").status_code == 403
    assert auth.post("/admin/users/1/role", {"role": "moderator"}).status_code == 403


def test_an_api_visitor_gets_401_not_a_redirect(client):
    response = client.get("/api/me", follow_redirects=False)
    assert response.status_code == 401


def test_admins_search_users_and_grant_and_revoke_moderator(make_user, auth, database):
    make_user("boss", role=Role.ADMIN)
    janine = make_user("janine", display_name="Janine R.")
    make_user("other")
    auth.login("boss")
    listing = auth.client.get("/admin/users?q=jan")
    assert "janine" in listing.text and ">other<" not in listing.text
    assert auth.client.get("/admin/users?q=%25").status_code == 200  # % is literal
    assert auth.post(f"/admin/users/{janine.id}/role", {"role": "moderator"}).status_code == 303
    with database.session() as session:
        assert session.get(User, janine.id).role is Role.MODERATOR
    auth.post(f"/admin/users/{janine.id}/role", {"role": "reader"})
    with database.session() as session:
        assert session.get(User, janine.id).role is Role.READER
    assert auth.post(f"/admin/users/{janine.id}/role", {"role": "admin"}).status_code == 403
    assert auth.post(f"/admin/users/{janine.id}/role", {"role": "emperor"}).status_code == 403


def test_public_profile_shows_name_join_date_and_comment_count(make_user, client):
    make_user("janine", display_name="Janine R.")
    page = client.get("/users/janine")
    assert page.status_code == 200
    assert "Janine R." in page.text and "0 comments" in page.text
    assert "janine@example.org" not in page.text
    assert client.get("/users/JANINE").status_code == 200
    assert client.get("/users/nobody").status_code == 404


def test_create_admin_reads_the_password_from_stdin(settings, database):
    env = {
        "FORUM_DATABASE_URL": settings.effective_database_url,
        "FORUM_VAR_DIR": str(settings.var_dir),
        "FORUM_SECRET_KEY": settings.secret_key,
        "FORUM_ARGON2_MEMORY_COST": "1024",
        "FORUM_ARGON2_TIME_COST": "1",
        "FORUM_ARGON2_PARALLELISM": "1",
    }
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["users", "create-admin", "boss", "boss@example.org"],
        env=env,
        input=DEFAULT_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with database.session() as session:
        boss = session.scalar(select(User).where(User.username_key == "boss"))
        assert boss.role is Role.ADMIN and boss.email_verified
    weak = runner.invoke(
        main, ["users", "create-admin", "boss2", "b2@example.org"], env=env, input="short\n"
    )
    assert weak.exit_code == 1 and "at least 10" in weak.output


def test_no_password_token_or_address_reaches_the_logs(make_user, auth, caplog, sent_mail):
    caplog.set_level(logging.DEBUG)
    auth.post(
        "/register",
        {"username": "newbie", "email": "secret-address@example.org", "password": DEFAULT_PASSWORD},
    )
    auth.logout()
    auth.login("newbie", "a wrong passphrase")
    auth.post("/password/forgot", {"email": "secret-address@example.org"})
    mails = sent_mail()
    token = mails[-1].get_body(("plain",)).get_content().split("/password/reset/")[1].split()[0]
    logged = "\n".join(r.getMessage() + json.dumps(r.args, default=str) for r in caplog.records)
    for secret in [DEFAULT_PASSWORD, "a wrong passphrase", "secret-address", token]:
        assert secret not in logged
