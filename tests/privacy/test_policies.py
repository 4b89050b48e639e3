"""Versioned policies: the pages, publishing at /admin/policies, history, and accepting new
terms (at registration, and after a change before posting again)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.privacy import policies
from forum.privacy.models import PolicyAcceptance, PolicyKind, PolicyVersion
from tests.conftest import DEFAULT_PASSWORD
from tests.html_safety import dangers


@pytest.mark.parametrize(
    ("path", "title", "words"),
    [
        ("/privacy", "Privacy Policy", "Your rights"),
        ("/terms", "Terms &amp; Conditions", "What you post"),
        ("/cookies", "Cookie policy", "Strictly necessary"),
    ],
)
def test_each_policy_page_shows_the_version_in_effect(client, path, title, words):
    html = client.get(path).text
    assert title in html
    assert words in html
    assert "Version 1" in html


def test_publishing_at_admin_policies_makes_a_new_version(auth, admin, client, database):
    auth.login("boss")
    page = auth.client.get("/admin/policies").text
    assert page.count("<textarea") == 3
    today = policies.today_utc().isoformat()
    response = auth.post(
        "/admin/policies/privacy",
        {"source": "## New\n\nWe keep *less*.", "effective_on": today, "note": "Shorter"},
    )
    assert response.status_code == 303
    html = client.get("/privacy").text
    assert "<h2>New</h2>" in html and "<em>less</em>" in html
    assert "Version 2" in html
    assert 'href="/policies/privacy/1"' in html and "Shorter" in html
    old = client.get("/policies/privacy/1").text
    assert "Your rights" in old and "see the version in effect" in old
    with database.session() as session:
        rows = session.scalars(select(PolicyVersion).order_by(PolicyVersion.version)).all()
        assert [(r.kind, r.version) for r in rows] == [
            (PolicyKind.PRIVACY, 1),
            (PolicyKind.PRIVACY, 2),
        ]
        assert rows[1].created_by_id == admin.id


def test_policy_markdown_is_sanitized(auth, admin, client):
    auth.login("boss")
    auth.post(
        "/admin/policies/terms",
        {
            "source": '<script>alert(1)</script> [x](javascript:alert(1)) <img src="y">',
            "effective_on": policies.today_utc().isoformat(),
        },
    )
    html = client.get("/terms").text
    body = html[html.index('<div class="article-body">') : html.index("</article>")]
    assert not dangers(body.split(">", 1)[1].rsplit("</div>", 1)[0], {"p", "a", "em", "h2"})
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"source": "   ", "effective_on": "TODAY"}, "The text is required."),
        ({"source": "Text", "effective_on": "yesterday"}, "Choose the day"),
        ({"source": "Text", "effective_on": "PAST"}, "cannot apply from a day that has passed"),
        ({"source": "Text\x00", "effective_on": "TODAY"}, "not allowed"),
    ],
)
def test_a_bad_new_version_is_refused_with_a_reason(auth, admin, client, form, error):
    today = policies.today_utc()
    values = {
        "TODAY": today.isoformat(),
        "PAST": (today - timedelta(days=1)).isoformat(),
    }
    form = {k: values.get(v, v) for k, v in form.items()}
    auth.login("boss")
    response = auth.post("/admin/policies/terms", form)
    assert response.status_code == 400
    assert error in response.text
    assert "Version 2" not in client.get("/terms").text


def test_an_unknown_policy_is_not_found(auth, admin, client):
    auth.login("boss")
    assert auth.post("/admin/policies/ads", {"source": "x"}).status_code == 404
    assert client.get("/policies/ads/1").status_code == 404
    assert client.get("/policies/terms/9").status_code == 404


def test_a_version_for_a_later_day_waits_for_it(auth, admin, client, make_user, database):
    user = make_user("ann")
    auth.login("boss")
    tomorrow = (policies.today_utc() + timedelta(days=1)).isoformat()
    auth.post("/admin/policies/terms", {"source": "Tomorrow's terms.", "effective_on": tomorrow})
    html = client.get("/terms").text
    assert "Tomorrow's terms." not in html.replace("&#39;", "'")
    with database.session() as session:
        assert not policies.must_accept_terms(session, user.id)
        assert policies.must_accept_terms(
            session, user.id, today=policies.today_utc() + timedelta(days=1)
        )


def test_registration_records_acceptance_of_the_versions_in_effect(auth, database, publish):
    publish(PolicyKind.TERMS)
    auth.post(
        "/register",
        {"username": "newbie", "email": "newbie@example.org", "password": DEFAULT_PASSWORD},
    )
    with database.session() as session:
        accepted = {
            (a.kind, a.version)
            for a in session.scalars(select(PolicyAcceptance).where(PolicyAcceptance.user_id > 0))
        }
        user_id = session.scalar(select(PolicyAcceptance.user_id))
        assert accepted == {(PolicyKind.TERMS, 2), (PolicyKind.PRIVACY, 1)}
        assert not policies.must_accept_terms(session, user_id)


def test_changed_terms_must_be_accepted_before_posting_again(auth, make_user, publish, database):
    user = make_user("ann")
    with database.session() as session:
        assert not policies.must_accept_terms(session, user.id)
    publish(PolicyKind.TERMS, "Be *kind*.")
    with database.session() as session:
        assert policies.must_accept_terms(session, user.id)
    auth.login("ann")
    page = auth.client.get("/terms/accept?next=/articles/a").text
    assert "Our terms have changed" in page and "<em>kind</em>" in page
    assert 'name="version" value="2"' in page
    response = auth.post("/terms/accept", {"version": "2", "next": "/articles/a"})
    assert response.status_code == 303
    assert response.headers["location"] == "/articles/a"
    with database.session() as session:
        assert not policies.must_accept_terms(session, user.id)
        assert policies.accepted_version(session, user.id, PolicyKind.TERMS) == 2
    assert "You have accepted" in auth.client.get("/terms/accept").text


def test_accepting_terms_that_changed_meanwhile_asks_again(auth, make_user, publish, database):
    user = make_user("ann")
    publish(PolicyKind.TERMS)
    auth.login("ann")
    auth.client.get("/terms/accept")
    publish(PolicyKind.TERMS)
    response = auth.post("/terms/accept", {"version": "2", "next": "/"})
    assert response.headers["location"] == "/terms/accept?next=/"
    with database.session() as session:
        assert policies.must_accept_terms(session, user.id)


def test_accepting_terms_needs_a_login(client, auth):
    response = client.get("/terms/accept", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/terms/accept")
    assert auth.post("/terms/accept", {"version": "1"}).status_code == 303


@pytest.mark.parametrize("path", ["/admin/policies", "/admin/privacy"])
def test_admin_pages_are_for_admins_only(client, auth, make_user, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"
    make_user("ann")
    make_user("moddy", role=Role.MODERATOR)
    auth.login("ann")
    assert auth.client.get(path).status_code == 403
    auth.logout()
    auth.login("moddy")
    assert auth.client.get(path).status_code == 403


def test_readers_cannot_publish(auth, make_user, client):
    make_user("ann")
    auth.login("ann")
    today = policies.today_utc().isoformat()
    response = auth.post("/admin/policies/terms", {"source": "Mine now", "effective_on": today})
    assert response.status_code == 403
    assert "Mine now" not in client.get("/terms").text


def test_posting_waits_until_changed_terms_are_accepted(auth, make_user, make_article, publish):
    make_article(slug="a")
    make_user("ann")
    auth.login("ann")
    assert auth.post("/articles/a/comments", {"body": "Before the change"}).status_code == 303
    publish(PolicyKind.TERMS)
    refused = auth.post("/articles/a/comments", {"body": "Refused"})
    assert refused.status_code == 403
    assert "please accept them before you post again" in refused.text
    auth.post("/terms/accept", {"version": "2", "next": "/articles/a"})
    assert auth.post("/articles/a/comments", {"body": "Accepted"}).status_code == 303
