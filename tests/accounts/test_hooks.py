"""Accounts let higher modules react to logins and registrations through hooks that the app
wires; accounts itself knows nothing of them."""

from dataclasses import replace

import pytest

from tests.conftest import DEFAULT_PASSWORD


@pytest.fixture
def calls(app):
    seen: list[tuple[str, str, bool]] = []

    def hook(kind):
        def record(request, db, user):
            seen.append((kind, user.username, db.is_active))

        return record

    accounts = app.state.accounts
    app.state.accounts = replace(
        accounts,
        on_login=(*accounts.on_login, hook("login")),
        on_register=(*accounts.on_register, hook("register")),
    )
    return seen


def test_each_login_runs_the_login_hooks(make_user, auth, calls):
    make_user("janine")
    auth.login("janine")
    auth.client.post(
        "/api/session",
        json={"login": "janine", "password": DEFAULT_PASSWORD},
        headers=auth.api_headers(),
    )
    assert calls == [("login", "janine", True), ("login", "janine", True)]


def test_a_failed_login_runs_no_hook(make_user, auth, calls):
    make_user("janine")
    auth.login("janine", "wrong password!")
    assert calls == []


def test_registration_runs_the_register_hooks_then_the_login_hooks(auth, calls):
    auth.post(
        "/register",
        {"username": "newbie", "email": "newbie@example.org", "password": DEFAULT_PASSWORD},
    )
    assert calls == [("register", "newbie", True), ("login", "newbie", True)]
