"""A banned user can read but not post, edit or report, and is told why and until when."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.moderation.models import Ban, LogAction, LogEntry
from tests.moderation.conftest import text_of


@pytest.fixture
def carl(make_article, make_regular, moderator):
    make_article(slug="a")
    return make_regular("carl")


def ban(auth, username="carl", **fields):
    auth.login("modo")
    form = {"reason": "Insulting other readers", "duration": "7", **fields}
    response = auth.post(f"/moderation/users/{username}/ban", form)
    auth.logout()
    return response


def test_a_ban_stops_posting_and_says_why_and_until_when(carl, auth, database):
    assert ban(auth).status_code == 303
    auth.login("carl")
    page = auth.client.get("/articles/a").text
    assert "You are banned from commenting until" in page
    assert "Insulting other readers" in page
    assert 'action="/articles/a/comments' not in page
    refused = auth.post("/articles/a/comments", {"body": "let me in"})
    assert refused.status_code == 403 and "Insulting other readers" in refused.text
    api = auth.client.post(
        "/api/articles/a/comments", json={"body": "via api"}, headers=auth.api_headers()
    )
    assert api.status_code == 403 and "banned" in api.json()["detail"]
    with database.session() as s:
        assert s.scalar(select(Comment)) is None
        (entry,) = s.scalars(select(LogEntry))
        assert entry.action is LogAction.BAN and entry.target_user_id == carl.id
        assert entry.reason == "Insulting other readers" and entry.detail.startswith("until ")


def test_a_banned_user_can_still_read(carl, auth, post, make_article):
    post(make_article(slug="b"), carl, "an old comment")
    ban(auth)
    auth.login("carl")
    assert "an old comment" in auth.client.get("/articles/b").text


def test_a_banned_user_cannot_edit(carl, auth, submit, make_article):
    comment = submit(make_article(slug="b"), carl, "before the ban")
    ban(auth)
    auth.login("carl")
    response = auth.post(f"/comments/{comment.id}/edit", {"body": "after the ban"})
    assert response.status_code == 403 and "banned" in response.text
    api = auth.client.patch(
        f"/api/comments/{comment.id}", json={"body": "x"}, headers=auth.api_headers()
    )
    assert api.status_code == 403


def test_a_banned_user_cannot_report(carl, auth, make_regular, submit, make_article, database):
    other = submit(make_article(slug="b"), make_regular("dora"), "dora's words")
    ban(auth)
    auth.login("carl")
    assert "banned" in auth.client.get(f"/comments/{other.id}/report").text
    response = auth.post(f"/comments/{other.id}/report", {"reason": "spam"})
    assert response.status_code == 403 and "banned" in response.text


def test_a_ban_for_good_asks_first_and_says_so(carl, auth, database):
    confirm = ban(auth, duration="forever")
    assert confirm.status_code == 200 and "Ban carl for good?" in confirm.text
    with database.session() as s:
        assert s.scalar(select(Ban)) is None
    assert ban(auth, duration="forever", confirmed="1").status_code == 303
    auth.login("carl")
    assert "You are banned from commenting for good" in auth.client.get("/articles/a").text


def test_banning_can_reject_all_their_comments(carl, auth, submit, make_article, database):
    article = make_article(slug="b")
    comments = [submit(article, carl, f"comment {n}") for n in range(3)]
    confirm = ban(auth, reject_all="on")
    assert confirm.status_code == 200 and "reject all their comments" in confirm.text
    ban(auth, reject_all="on", confirmed="1", violation="spam")
    with database.session() as s:
        statuses = {s.get(Comment, c.id).status for c in comments}
        actions = [e.action for e in s.scalars(select(LogEntry).order_by(LogEntry.id))]
    assert statuses == {CommentStatus.REJECTED}
    assert actions == [LogAction.BAN] + [LogAction.REJECT] * 3


def test_lifting_a_ban_lets_them_post_again(carl, auth, database):
    ban(auth)
    auth.login("modo")
    assert auth.post("/moderation/users/carl/unban").status_code == 303
    auth.logout()
    auth.login("carl")
    assert auth.post("/articles/a/comments", {"body": "back again"}).status_code == 303
    with database.session() as s:
        actions = [e.action for e in s.scalars(select(LogEntry).order_by(LogEntry.id))]
    assert actions == [LogAction.BAN, LogAction.UNBAN]


def test_a_ban_ends_by_itself(carl, auth, database):
    ban(auth)
    with database.session(write=True) as s:
        s.execute(update(Ban).values(expires_at=utcnow() - timedelta(minutes=1)))
    auth.login("carl")
    assert auth.post("/articles/a/comments", {"body": "time served"}).status_code == 303


def test_the_banned_user_gets_a_mail_with_the_reason(carl, auth, mails):
    ban(auth)
    (message,) = mails()
    assert message["To"] == "carl@example.org"
    body = text_of(message)
    assert "banned you from commenting until" in body and "Insulting other readers" in body


def test_a_ban_needs_a_reason(carl, auth, database):
    response = ban(auth, reason="")
    assert response.status_code == 400 and "Reason is required" in response.text
    with database.session() as s:
        assert s.scalar(select(Ban)) is None
