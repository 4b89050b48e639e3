"""Everything that costs or mails is rate limited: after its burst each route answers 429 with
``Retry-After`` and when to try again, as an HTML page or a problem; others keep going."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.mail.models import OutgoingMail

LOW = {
    "limit_comments_burst": 2,
    "limit_reports_burst": 1,
    "limit_registrations_burst": 2,
    "limit_mails_burst": 2,
    "limit_tokens_burst": 2,
    "mail_worker": False,  # mail stays in the outbox, to be counted
}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return dict(LOW)


@pytest.fixture
def article(make_article):
    return make_article(slug="a")


def assert_limited_page(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("text/html")
    assert "Please try again in" in response.text


def assert_limited_problem(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 429
    assert "Please try again in" in problem["detail"]


def comment(auth: Any, body: str, **extra: str) -> Any:
    return auth.post("/articles/a/comments", {"body": body, **extra})


def api_comment(auth: Any, body: str) -> Any:
    return auth.client.post(
        "/api/articles/a/comments", json={"body": body}, headers=auth.api_headers()
    )


def test_comments_and_replies_are_limited_per_user_in_html(article, make_user, auth):
    make_user("ann")
    auth.login("ann")
    first = comment(auth, "one")
    assert first.status_code == 303
    parent_id = first.headers["location"].split("#comment-")[-1]
    assert comment(auth, "a reply", parent_id=parent_id).status_code == 303
    refused = comment(auth, "three")
    assert_limited_page(refused)
    # a token a minute: the wait is under a minute, a minute when the posts were quick
    assert re.search(r"Please try again in (1 minute|[1-5]?[0-9] seconds)\.", refused.text)
    assert_limited_page(comment(auth, "a reply again", parent_id=parent_id))


def test_comments_are_limited_per_user_in_json(article, make_user, auth):
    make_user("ann")
    auth.login("ann")
    assert api_comment(auth, "one").status_code == 201
    assert api_comment(auth, "two").status_code == 201
    assert_limited_problem(api_comment(auth, "three"))


def test_others_keep_posting_when_one_user_is_limited(article, make_user, auth):
    make_user("ann")
    make_user("bob")
    auth.login("ann")
    for body in ("one", "two"):
        assert comment(auth, body).status_code == 303
    assert comment(auth, "three").status_code == 429
    auth.logout()
    auth.login("bob")
    assert comment(auth, "bob's turn").status_code == 303
    assert api_comment(auth, "and again").status_code == 201


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_moderators_are_exempt_from_comment_limits(article, make_user, auth, role):
    make_user("maria", role=role)
    auth.login("maria")
    for n in range(4):
        assert comment(auth, f"moderating {n}").status_code == 303
        assert api_comment(auth, f"moderating by api {n}").status_code == 201


@pytest.mark.parametrize("settings_overrides", [{**LOW, "limit_address_factor": 1}])
def test_comments_are_limited_per_client_address(article, make_user, auth):
    make_user("ann")
    make_user("bob")
    auth.login("ann")
    for body in ("one", "two"):
        assert comment(auth, body).status_code == 303
    auth.logout()
    auth.login("bob")  # another account from the same address
    assert_limited_page(comment(auth, "bob's turn"))


@pytest.fixture
def comments(article, make_user, post):
    carl = make_user("carl")
    make_user("ann")
    return [post(article, carl, f"comment {n}") for n in range(3)]


def test_reports_are_limited_in_html(comments, auth):
    auth.login("ann")
    first = auth.post(f"/comments/{comments[0].id}/report", {"reason": "spam"})
    assert first.status_code == 303
    assert_limited_page(auth.post(f"/comments/{comments[1].id}/report", {"reason": "spam"}))


def test_reports_are_limited_in_json(comments, auth):
    auth.login("ann")

    def report(comment: Any) -> Any:
        return auth.client.post(
            f"/api/comments/{comment.id}/reports",
            json={"reason": "spam"},
            headers=auth.api_headers(),
        )

    assert report(comments[0]).status_code == 201
    assert_limited_problem(report(comments[1]))


def register(auth: Any, name: str) -> Any:
    auth.logout()
    return auth.post(
        "/register",
        {"username": name, "email": f"{name}@example.org", "password": "a long enough passphrase"},
    )


def test_registrations_are_limited_per_client_address(auth, database):
    assert register(auth, "first").status_code == 303
    assert register(auth, "second").status_code == 303
    assert_limited_page(register(auth, "third"))


def mails_to(database: Any, address: str) -> int:
    with database.session() as session:
        return session.scalar(
            select(func.count()).select_from(OutgoingMail).where(OutgoingMail.to_address == address)
        )


def test_reset_mails_are_limited_per_target_address(make_user, auth, database):
    make_user("janine")
    for _ in range(2):
        assert auth.post("/password/forgot", {"email": "janine@example.org"}).status_code == 200
    for spelling in ("janine@example.org", " JANINE@example.org "):
        assert_limited_page(auth.post("/password/forgot", {"email": spelling}))
    assert mails_to(database, "janine@example.org") == 2
    # an address without an account answers the same way
    for _ in range(2):
        assert auth.post("/password/forgot", {"email": "nobody@example.org"}).status_code == 200
    assert_limited_page(auth.post("/password/forgot", {"email": "nobody@example.org"}))


@pytest.mark.parametrize("settings_overrides", [{**LOW, "limit_address_factor": 1}])
def test_reset_mails_are_limited_per_client_address(make_user, auth):
    for name in ("a", "b"):
        assert auth.post("/password/forgot", {"email": f"{name}@example.org"}).status_code == 200
    assert_limited_page(auth.post("/password/forgot", {"email": "c@example.org"}))


def test_verification_mails_are_limited(make_user, auth, database):
    make_user("ann", verified=False)
    auth.login("ann")
    for _ in range(2):
        assert auth.post("/verify/resend").status_code == 303
    assert_limited_page(auth.post("/verify/resend"))
    assert mails_to(database, "ann@example.org") == 2


def test_verification_mails_to_a_new_address_are_limited(make_user, auth):
    make_user("ann")
    make_user("bob")
    password = "a long enough passphrase"
    for name in ("ann", "bob"):
        auth.logout()
        auth.login(name)
        changed = auth.post(
            "/account/email", {"email": "victim@example.net", "current_password": password}
        )
        assert changed.status_code in (303, 400), changed.text  # 400: taken, for bob
    assert_limited_page(
        auth.post("/account/email", {"email": "victim@example.net", "current_password": password})
    )


def test_access_token_creation_is_limited(make_user, auth):
    make_user("ann")
    auth.login("ann")
    for n in range(2):
        assert auth.post("/account/tokens", {"name": f"script {n}"}).status_code == 200
    assert_limited_page(auth.post("/account/tokens", {"name": "one more"}))
