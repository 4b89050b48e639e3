"""The right of access and portability: /account/export and GET /api/me/export hold everything
we keep about the user, and no secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from forum.accounts import service as accounts
from forum.accounts.current import CurrentUser
from forum.accounts.models import AccessToken, Login, User
from forum.comments import service as comments
from forum.comments.models import Comment, CommentStatus
from forum.moderation.models import Report, Violation


@pytest.fixture
def person(make_user: Any) -> Any:
    return make_user("exporter", email="exporter@example.net", display_name="Export Person")


@pytest.fixture
def history(
    database: Any, make_article: Any, make_user: Any, post: Any, hooks: Any, person: Any
) -> dict[str, Any]:
    """Comments in every state, an edit, a report, a token: what an export must show."""
    article = make_article(slug="garden", title="The garden")
    other = post(article, make_user("neighbour"), "Someone else's words.")
    published = post(article, person, "Published words.")
    edited = post(article, person, "First draft words.")
    pending = post(article, person, "Pending words.")
    deleted = post(article, person, "Deleted words.")
    with database.session(write=True) as session:
        me = CurrentUser.of(session.get(User, person.id), via="session")
        comments.edit_comment(
            session, hooks, edited.id, editor=me, body="Final words.", window=timedelta(hours=1)
        )
        comments.set_status(session, hooks, session.get(Comment, pending.id), CommentStatus.PENDING)
        comments.set_status(session, hooks, session.get(Comment, deleted.id), CommentStatus.DELETED)
        session.add(
            Report(comment_id=other.id, reporter_id=person.id, reason=Violation.SPAM, note="Ads!")
        )
        _, secret = accounts.create_access_token(session, session.get(User, person.id), "backup")
    return {
        "ids": {published.id, edited.id, pending.id, deleted.id},
        "other": other,
        "edited": edited,
        "token": secret,
    }


def download(client: Any, auth: Any) -> Any:
    auth.login("exporter")
    response = client.get("/account/export")
    assert response.status_code == 200, response.text
    return response


def test_the_export_requires_login(client):
    response = client.get("/account/export", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get("/api/me/export").status_code == 401


def test_the_export_is_a_json_download_that_is_never_cached(client, auth, person):
    response = download(client, auth)
    today = datetime.now(UTC).date().isoformat()
    assert response.headers["content-type"].startswith("application/json")
    assert (
        response.headers["content-disposition"]
        == f'attachment; filename="forum-export-exporter-{today}.json"'
    )
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert (data["format"], data["version"]) == ("forum-personal-data", 1)
    assert data["account"]["email"] == "exporter@example.net"
    assert data["account"]["display_name"] == "Export Person"


def test_the_export_holds_every_comment_of_the_user_whatever_its_status(client, auth, history):
    data = download(client, auth).json()
    exported = {c["id"]: c for c in data["comments"]}
    assert set(exported) == history["ids"]
    assert {c["status"] for c in exported.values()} == {"published", "pending", "deleted"}
    assert all(
        c["article"] == {"title": "The garden", "url": "http://127.0.0.1:8000/articles/garden"}
        for c in exported.values()
    )
    assert "Deleted words." in {c["text"] for c in exported.values()}
    assert history["other"].id not in exported


def test_the_export_holds_earlier_versions_of_edited_comments(client, auth, history):
    data = download(client, auth).json()
    edited = next(c for c in data["comments"] if c["id"] == history["edited"].id)
    assert edited["text"] == "Final words."
    assert [r["text"] for r in edited["revisions"]] == ["First draft words."]
    assert edited["revisions"][0]["replaced_by"] == "you"


def test_the_export_holds_reports_sessions_and_tokens_without_secrets(
    client, auth, history, database
):
    auth.login("exporter")
    auth.post("/cookies", {"choice": "accept_all", "source": "banner"})
    response = client.get("/account/export")
    data = response.json()
    assert data["reports"] == [
        {
            "comment": f"http://127.0.0.1:8000/comments/{history['other'].id}",
            "reason": "spam",
            "note": "Ads!",
            "created_at": data["reports"][0]["created_at"],
            "resolved_at": None,
        }
    ]
    assert len(data["sessions"]) == 1 and data["sessions"][0]["this_session"] is True
    assert [(t["name"], t["starts_with"]) for t in data["access_tokens"]] == [
        ("backup", history["token"][:10])
    ]
    assert data["consents"]["current"]["preferences"] is True
    assert len(data["consents"]["log"]) == 1
    with database.session() as session:
        user = session.get(User, data["account"]["id"])
        token_hash = session.scalar(select(AccessToken.token_hash))
        login_ids = list(session.scalars(select(Login.id).where(Login.user_id == user.id)))
    for secret in [history["token"], token_hash, user.password_hash, *login_ids]:
        assert secret not in response.text


def test_the_api_gives_the_same_document_to_a_token(client, history):
    response = client.get("/api/me/export", headers={"Authorization": f"Bearer {history['token']}"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert {c["id"] for c in data["comments"]} == history["ids"]
    assert data["sessions"] == []


def test_the_export_api_is_in_the_openapi_schema(client):
    schema = client.get("/schema/openapi.json").json()
    assert "get" in schema["paths"]["/api/me/export"]
