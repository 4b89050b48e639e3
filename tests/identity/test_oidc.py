"""Signing in with an OpenID Connect provider (a real one on loopback: tests/identity/provider)."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.identity.models import LinkedIdentity
from forum.identity.service import ADDRESS_HAS_ACCOUNT, LAST_WAY_IN
from forum.moderation.banned import EMAIL_REFUSED, USERNAME_REFUSED, BannedIdentities
from forum.privacy.models import PolicyAcceptance
from tests.conftest import provided


def whoami(client) -> str | None:
    page = client.get("/account", follow_redirects=False)
    if page.status_code != 200:
        return None
    user = page.text.split("Logged in as <strong>", 1)[1]
    return user.split("</strong>", 1)[0]


def users(database) -> list[User]:
    with database.session() as session:
        return list(session.scalars(select(User).order_by(User.id)))


def provided_user_id(database, username: str) -> int:
    with database.session() as session:
        return session.scalar(select(User.id).where(User.username == username))


def identities(database) -> list[LinkedIdentity]:
    with database.session() as session:
        return list(session.scalars(select(LinkedIdentity).order_by(LinkedIdentity.id)))


def test_first_sign_in_creates_the_account_with_the_chosen_username(
    provider, sign_in, client, database
):
    back = sign_in(next_path="/cookies")
    assert back.status_code == 303 and back.headers["location"] == "/login/welcome"
    form = client.get("/login/welcome")
    assert 'value="alice"' in form.text and "Test ID" in form.text
    done = sign_in.welcome("alice_w")
    assert done.status_code == 303 and done.headers["location"] == "/cookies"
    assert whoami(client) == "alice_w"
    (user,) = users(database)
    assert user.email == "alice@example.org" and user.email_verified and not user.has_password
    (identity,) = identities(database)
    assert (identity.issuer, identity.subject) == (provider.issuer, "alice-0001")
    with database.session() as session:  # terms accepted as registration does
        accepted = session.scalars(
            select(PolicyAcceptance).where(PolicyAcceptance.user_id == user.id)
        ).all()
    assert accepted


def test_the_username_form_validates_as_registration_does(provider, sign_in, client, make_user):
    make_user("taken")
    sign_in()
    for name, problem in [("x", "username"), ("admin", "username"), ("Taken", "username")]:
        refused = sign_in.welcome(name)
        assert refused.status_code == 400, name
        assert f'id="{problem}-error"' in refused.text
    assert whoami(client) is None


def test_a_later_sign_in_finds_the_account_by_subject(provider, sign_in, auth, client, database):
    sign_in()
    sign_in.welcome("alice_w")
    auth.logout()
    provider.person.email = "new-address@example.org"  # the provider's address changed
    back = sign_in(next_path="/cookies")
    assert back.status_code == 303 and back.headers["location"] == "/cookies"
    assert whoami(client) == "alice_w"
    assert len(users(database)) == 1


def test_the_session_id_changes_at_sign_in(provider, sign_in, client):
    sign_in.to_provider()
    before = client.cookies.get("forum_session")
    sign_in()
    sign_in.welcome("alice_w")
    assert client.cookies.get("forum_session") not in {None, before}


@pytest.mark.parametrize("said", [False, "true", None])
def test_the_address_is_not_confirmed_unless_the_provider_says_so(
    provider, sign_in, database, said
):
    provider.person.email_verified = said
    sign_in()
    assert sign_in.welcome("alice_w").status_code == 303
    (user,) = users(database)
    assert user.email == "alice@example.org" and not user.email_verified


def test_another_address_than_the_providers_is_not_confirmed(provider, sign_in, database):
    sign_in()
    assert sign_in.welcome("alice_w", email="elsewhere@example.org").status_code == 303
    (user,) = users(database)
    assert user.email == "elsewhere@example.org" and not user.email_verified


def test_the_same_address_under_another_subject_never_logs_into_the_existing_account(
    provider, sign_in, client, make_user, database
):
    make_user("alice", email="alice@example.org")
    back = sign_in()
    assert back.headers["location"] == "/login/welcome"
    assert whoami(client) is None
    refused = sign_in.welcome("alice2")
    assert refused.status_code == 400
    assert "already has an account here" in refused.text
    assert ADDRESS_HAS_ACCOUNT.startswith("That email address already has an account here")
    assert whoami(client) is None and identities(database) == []


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        ({"wrong_key": True}, "signature"),
        ({"overrides": {"aud": "someone-else"}}, "audience"),
        ({"overrides": {"aud": ["forum-test", "other"]}}, "azp missing"),
        ({"overrides": {"azp": "other"}}, "authorized party"),
        ({"overrides": {"exp": int(time.time()) - 3600}}, "expired"),
        ({"overrides": {"iat": int(time.time()) + 3600}}, "issued in the future"),
        ({"overrides": {"nonce": "not-the-one-we-sent"}}, "nonce"),
        ({"overrides": {"iss": "https://evil.example"}}, "issuer"),
    ],
)
def test_a_token_that_fails_a_check_is_refused(provider, sign_in, client, database, tamper, why):
    for name, value in tamper.items():
        setattr(provider, name, value)
    refused = sign_in()
    assert refused.status_code == 400, why
    assert "could not confirm who you are" in refused.text
    assert whoami(client) is None
    assert client.get("/login/welcome").status_code == 400
    assert users(database) == [] and identities(database) == []


def test_a_replayed_state_is_refused(provider, sign_in, auth, client):
    callback = sign_in.callback_url(sign_in.to_provider())
    assert client.get(callback, follow_redirects=False).status_code == 303
    again = client.get(callback, follow_redirects=False)
    assert again.status_code == 400 and "already used" in again.text


def test_a_state_from_another_browser_is_refused(provider, sign_in, client):
    callback = sign_in.callback_url(sign_in.to_provider())
    client.cookies.clear()  # another browser: none of this session's cookies
    stolen = client.get(callback, follow_redirects=False)
    assert stolen.status_code == 400 and whoami(client) is None


def test_cancelling_at_the_provider_leads_back_to_login(provider, sign_in, client):
    provider.deny = True
    back = sign_in()
    assert back.status_code == 303 and back.headers["location"] == "/login"
    assert "You cancelled signing in with Test ID" in client.get("/login").text


def test_a_provider_that_does_not_answer_gives_a_clear_503(provider, auth):
    answer = auth.post("/login/oidc/down", {"next": "/"})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] and "Down ID is not answering" in answer.text


def test_an_unknown_provider_is_not_found(provider, auth):
    assert auth.post("/login/oidc/nobody", {}).status_code == 404


def test_the_login_page_offers_the_providers(provider, client):
    page = client.get("/login").text
    assert "Sign in with Test ID" in page and 'action="/login/oidc/test"' in page


def _ban(database, settings, username: str, email: str, make_user) -> None:
    """A banned, since erased, reader: only the keyed hashes of name and address remain."""
    carl = make_user(username, email=email)
    with database.session(write=True) as session:
        user = session.get(User, carl.id)
        BannedIdentities.of(settings).remember(session, user, SimpleNamespace(expires_at=None))
        session.delete(user)


def test_a_banned_address_or_name_cannot_sign_up(
    provider, sign_in, client, database, settings, make_user
):
    _ban(database, settings, "carl", "alice@example.org", make_user)
    sign_in()
    refused = sign_in.welcome("alice_w")
    assert refused.status_code == 400 and EMAIL_REFUSED in refused.text
    refused = sign_in.welcome("carl", email="fresh@example.org")
    assert refused.status_code == 400 and USERNAME_REFUSED in refused.text
    assert whoami(client) is None and identities(database) == []


def test_a_logged_in_reader_links_and_unlinks_a_provider(
    provider, sign_in, auth, client, make_user, database
):
    bob = make_user("bob", email="bob@example.org")
    auth.login("bob")
    provider.person.subject = "bob-at-provider"
    back = sign_in("/account/identities/link/test")
    assert back.status_code == 303 and back.headers["location"] == "/account"
    page = client.get("/account").text
    assert "Test ID is now linked" in page and "Unlink Test ID" in page
    (identity,) = identities(database)
    assert identity.user_id == bob.id
    auth.logout()
    assert sign_in().status_code == 303 and whoami(client) == "bob"
    unlinked = auth.post(f"/account/identities/{identity.id}/unlink")
    assert unlinked.status_code == 303 and identities(database) == []
    auth.logout()
    assert sign_in().headers["location"] == "/login/welcome"  # no longer bob's


def test_unlinking_needs_the_form_token(provider, sign_in, auth, client, database):
    sign_in()
    sign_in.welcome("alice_w")
    (identity,) = identities(database)
    forged = client.post(f"/account/identities/{identity.id}/unlink", follow_redirects=False)
    assert forged.status_code == 403 and len(identities(database)) == 1


def test_the_last_way_in_cannot_be_unlinked(provider, sign_in, auth, client, database):
    sign_in()
    sign_in.welcome("alice_w")
    (identity,) = identities(database)
    assert "your only way in" in client.get("/account").text
    refused = auth.post(f"/account/identities/{identity.id}/unlink")
    assert refused.status_code == 303
    assert LAST_WAY_IN.split(".")[0] in client.get("/account").text
    assert len(identities(database)) == 1


def test_an_identity_linked_to_another_account_is_not_linked_again(
    provider, sign_in, auth, client, make_user, database
):
    sign_in()
    sign_in.welcome("alice_w")
    auth.logout()
    make_user("bob")
    auth.login("bob")
    back = sign_in("/account/identities/link/test")
    assert back.headers["location"] == "/account"
    assert "linked to another account" in client.get("/account").text
    (identity,) = identities(database)
    assert identity.user_id != provided_user_id(database, "bob")


def test_export_lists_and_erasure_removes_the_identities(provider, sign_in, app, database):
    sign_in()
    sign_in.welcome("alice_w")
    (user,) = users(database)
    registry = provided(app, "user_data")
    with database.session() as session:
        parts = [part.export(session, user.id) for part in registry]
    (linked,) = next(p["linked_sign_ins"] for p in parts if "linked_sign_ins" in p)
    assert linked["provider"] == "Test ID" and linked["subject"] == "alice-0001"
    with database.session(write=True) as session:
        registry.forget(session, user.id, keep_comments=True)
    assert identities(database) == []


def test_the_login_form_may_lead_to_the_provider_and_nowhere_else(provider, client):
    policy = client.get("/login").headers["content-security-policy"]
    directive = next(d.strip() for d in policy.split(";") if "form-action" in d)
    assert directive == f"form-action 'self' http://127.0.0.1:9 {provider.issuer}" or (
        directive == f"form-action 'self' {provider.issuer} http://127.0.0.1:9"
    )


def test_a_new_account_from_a_provider_is_screened_like_a_registered_one(
    provider, sign_in, auth, make_article, make_user, database
):
    from forum.comments.models import Comment, CommentStatus

    make_article(slug="a")
    make_user("bob", verified=True)  # a password account as new as alice's
    auth.login("bob")
    auth.post("/articles/a/comments", {"body": "Bob's first comment."})
    auth.logout()
    sign_in()
    sign_in.welcome("alice_w")
    auth.post("/articles/a/comments", {"body": "Alice's first comment."})
    with database.session() as session:
        statuses = {c.body_source: c.status for c in session.scalars(select(Comment))}
    assert statuses["Alice's first comment."] == statuses["Bob's first comment."]
    assert statuses["Alice's first comment."] is CommentStatus.PENDING


def test_sign_ins_are_throttled_per_client_address(provider, sign_in, client, app):
    from forum.identity.flows import SIGN_INS_PER_WINDOW

    throttle = provided(app, "throttle")

    async def use_up() -> None:
        for _ in range(SIGN_INS_PER_WINDOW):
            await throttle.take("external", "testclient", limit=SIGN_INS_PER_WINDOW)

    with client.portal() as portal:  # the app's own event loop (Redis clients belong to one)
        portal.call(use_up)
    refused = sign_in()
    assert refused.status_code == 429 and refused.headers["retry-after"]
    assert whoami(client) is None


def test_a_password_set_by_a_reset_link_makes_the_provider_unlinkable(
    provider, sign_in, auth, client, database, settings
):
    from forum.mail.outbox import Outbox

    sign_in()
    sign_in.welcome("alice_w")
    assert "Your account has no password" in client.get("/account").text
    auth.logout()
    auth.post("/password/forgot", {"email": "alice@example.org"})
    Outbox.from_settings(settings).deliver_due(database, limit=None)
    (path,) = (settings.var_dir / "mail").glob("*.eml")
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    token = text.split("/password/reset/", 1)[1].split()[0]
    new_password = "a long new password 42"
    assert auth.post(f"/password/reset/{token}", {"password": new_password}).status_code == 303
    assert auth.login("alice_w", new_password).status_code == 303
    (identity,) = identities(database)
    assert auth.post(f"/account/identities/{identity.id}/unlink").status_code == 303
    assert identities(database) == [] and whoami(client) == "alice_w"


def test_a_visitors_cookie_choice_becomes_the_accounts_as_at_a_password_login(
    provider, sign_in, auth, database
):
    from forum.privacy import service as privacy

    auth.client.get("/")
    auth.post("/cookies", {"choice": "save", "source": "settings", "analytics": "on"})
    sign_in()
    sign_in.welcome("alice_w")
    (user,) = users(database)
    with database.session() as session:
        stored = privacy.user_decision(session, user.id)
    assert stored is not None and (stored.preferences, stored.analytics) == (False, True)


def test_a_forum_without_sign_in_providers_does_not_load_their_libraries(tmp_path):
    """httpx, authlib and joserfc (about 15 MiB in every worker) load when a provider is
    first asked: a forum that configures none never carries them."""
    program = (
        "import sys\n"
        "from forum.app.served import served_app\n"
        "served_app()\n"
        "print(sorted(m for m in ('httpx', 'authlib', 'joserfc') if m in sys.modules))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "FORUM_VAR_DIR": str(tmp_path),
        "FORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'forum.db'}",
        "FORUM_ACCESS_LOG": "false",
    }
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
