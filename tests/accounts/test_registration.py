"""Registering: what a username, an address and a password may be, and who wins a race."""

import pytest
from sqlalchemy import select

from forum.accounts import service
from forum.accounts.models import User
from forum.accounts.passwords import Passwords, make_hasher
from forum.accounts.service import Registration
from forum.errors import Invalid
from tests.conftest import DEFAULT_PASSWORD


@pytest.fixture
def passwords() -> Passwords:
    return Passwords(make_hasher(1, 1024, 1))


def reg(**fields) -> Registration:
    values = {"username": "janine", "email": "janine@example.org", "password": DEFAULT_PASSWORD}
    values.update(fields)
    return Registration(**values)


def test_a_new_account_is_a_reader_with_an_argon2id_hash(db, passwords):
    user = service.register(db, passwords, reg(display_name="Janine R."))
    assert user.role.value == "reader"
    assert user.password_hash.startswith("$argon2id$")
    assert user.display_name == "Janine R."
    assert not user.email_verified


def test_display_name_defaults_to_the_username(db, passwords):
    assert service.register(db, passwords, reg()).display_name == "janine"


@pytest.mark.parametrize(
    ("username", "problem"),
    [
        ("ab", "3 to 30"),
        ("x" * 31, "3 to 30"),
        ("jan ine", "letters"),
        ("jаnine", "letters"),  # Cyrillic а: a look-alike
        ("admın", "letters"),  # dotless i
        ("bob\u200b", "letters"),
        ("\u202eadmin", "letters"),
        ("admin", "reserved"),
        ("Moderator", "reserved"),
        ("", "required"),
    ],
)
def test_usernames_that_are_refused(db, passwords, username, problem):
    with pytest.raises(Invalid) as info:
        service.register(db, passwords, reg(username=username))
    assert problem in info.value.errors["username"]


def test_usernames_are_nfkc_normalized_so_fullwidth_cannot_pose_as_another(db, passwords):
    user = service.register(db, passwords, reg(username="ｊａｎｉｎｅ"))
    assert user.username == "janine"
    with pytest.raises(Invalid):
        service.register(db, passwords, reg(username="𝐚𝐝𝐦𝐢𝐧", email="x@example.org"))


def test_usernames_and_emails_are_unique_whatever_their_case(db, passwords):
    service.register(db, passwords, reg())
    with pytest.raises(Invalid) as info:
        service.register(db, passwords, reg(username="JANINE", email="JANINE@Example.ORG"))
    assert "taken" in info.value.errors["username"]
    assert "already has an account" in info.value.errors["email"]


@pytest.mark.parametrize(
    "email", ["not-an-email", "a@b", "a b@example.org", "@example.org", "x" * 250 + "@e.org"]
)
def test_invalid_email_addresses_are_refused(db, passwords, email):
    with pytest.raises(Invalid) as info:
        service.register(db, passwords, reg(email=email))
    assert "email" in info.value.errors


def test_email_domains_are_normalized(db, passwords):
    user = service.register(db, passwords, reg(email="Janine@EXAMPLE.org"))
    assert user.email == "Janine@example.org"
    assert user.email_key == "janine@example.org"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10"),
        ("janine-is-my-name", "username"),
        ("janine@example.org!", "username or email"),
        ("1234567890", "too common"),
        ("qwertyuiop", "too common"),
    ],
)
def test_weak_passwords_are_refused(db, passwords, password, problem):
    with pytest.raises(Invalid) as info:
        service.register(db, passwords, reg(password=password))
    assert problem in info.value.errors["password"]


def test_two_people_racing_for_one_username_one_wins_and_the_other_gets_a_form_error(
    database, passwords, monkeypatch
):
    with database.session(write=True) as first:
        service.register(first, passwords, reg())
    # The second registration passed its "is it free?" check before the first committed.
    monkeypatch.setattr(service, "taken", lambda *_: {})
    with database.session(write=True) as second:
        with pytest.raises(Invalid) as info:
            service.register(second, passwords, reg(email="other@example.org"))
        assert "username" in info.value.errors
    with database.session() as check:
        assert len(check.scalars(select(User)).all()) == 1


def test_an_unknown_account_costs_a_hash_verification_too(passwords):
    class CountingHasher:
        def __init__(self, inner):
            self.inner, self.calls = inner, 0

        def verify(self, stored, password):
            self.calls += 1
            return self.inner.verify(stored, password)

    counting = CountingHasher(passwords.hasher)
    passwords.hasher = counting
    assert passwords.verify(None, "whatever password") is False
    assert counting.calls == 1
