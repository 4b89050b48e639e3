"""Accounts let higher modules react to logins and registrations through hooks that the app
wires; accounts itself knows nothing of them."""

import pytest

from forum.app import create_app
from forum.app import factory as forum_app
from tests.conftest import DEFAULT_PASSWORD


@pytest.fixture
def calls(monkeypatch):
    """Register recording hooks beside the app's own, as ``create_app`` registers privacy's."""
    seen: list[tuple[str, str, bool]] = []

    def hook(kind):
        def record(request, db, user):
            seen.append((kind, user.username, db.is_active))

        return record

    original = forum_app.account_hooks

    def with_recorders(*args):
        hooks = original(*args)
        hooks.on_login.append(hook("login"))
        hooks.on_register.append(hook("register"))
        return hooks

    monkeypatch.setattr(forum_app, "account_hooks", with_recorders)
    return seen


@pytest.fixture
def app(settings, calls):
    return create_app(settings)


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


def test_registration_runs_the_register_hooks_and_the_first_login_the_login_hooks(auth, calls):
    auth.post(
        "/register",
        {"username": "newbie", "email": "newbie@example.org", "password": DEFAULT_PASSWORD},
    )
    assert calls == [("register", "newbie", True)]
    auth.login("newbie")
    assert calls == [("register", "newbie", True), ("login", "newbie", True)]


def test_registering_with_a_taken_address_runs_no_hook(make_user, auth, calls):
    make_user("janine")
    auth.post(
        "/register",
        {"username": "newbie", "email": "janine@example.org", "password": DEFAULT_PASSWORD},
    )
    assert calls == []
