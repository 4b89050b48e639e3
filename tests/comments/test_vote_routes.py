"""Voting as a reader does it: the vote form without JavaScript (CSRF, back to the comment,
the pressed state), the JSON API (session with CSRF header, or a bearer token), the thread's
order and counts in HTML and JSON, the ETag moving with votes, and the rate limit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from forum.accounts import service as accounts
from forum.accounts.models import User
from forum.comments.models import Comment, CommentStatus, CommentVote


@pytest.fixture
def talk(make_article, make_user, post) -> dict[str, Any]:
    """An article with two comments by Ann; Bob is the reader who votes."""
    article = make_article(slug="talk")
    ann = make_user("ann", display_name="Ann")
    make_user("bob")
    first = post(article, ann, "The first comment.")
    second = post(article, ann, "The second comment.")
    return {"article": article, "ann": ann, "first": first, "second": second}


def vote_count(database, comment) -> int:
    with database.session() as session:
        return session.scalar(
            select(func.count())
            .select_from(CommentVote)
            .where(CommentVote.comment_id == comment.id)
        )


def vote_form(page: str, comment_id: int) -> str:
    found = re.search(rf'<form[^>]*action="/comments/{comment_id}/vote".*?</form>', page, re.DOTALL)
    assert found, f"no vote form for comment {comment_id}"
    return found.group(0)


def pressed(form: str, kind: str = "up") -> bool:
    button = re.search(rf'<button[^>]*data-vote="{kind}"[^>]*>', form)
    assert button
    return 'aria-pressed="true"' in button.group(0)


# --- HTML -----------------------------------------------------------------------------------


def test_a_reader_votes_with_the_form_and_lands_back_at_the_comment(auth, client, talk):
    first = talk["first"]
    auth.login("bob")
    page = client.get("/articles/talk").text
    form = vote_form(page, first.id)
    assert not pressed(form) and 'name="value" value="up"' in form
    assert "Vote up the comment by Ann" in form
    assert 'data-vote="down"' not in form  # down votes are off by default
    sent = auth.post(f"/comments/{first.id}/vote", {"value": "up", "next": "/articles/talk"})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/articles/talk#comment-{first.id}"
    form = vote_form(client.get("/articles/talk").text, first.id)
    assert pressed(form) and 'name="value" value="clear"' in form
    assert re.search(r'data-vote-count="up">1<', form)
    taken_back = auth.post(f"/comments/{first.id}/vote", {"value": "clear"})
    assert taken_back.headers["location"] == f"/comments/{first.id}#comment-{first.id}"
    assert not pressed(vote_form(client.get("/articles/talk").text, first.id))


def test_the_vote_form_needs_its_csrf_token(auth, client, database, talk):
    auth.login("bob")
    refused = client.post(
        f"/comments/{talk['first'].id}/vote", data={"value": "up"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert vote_count(database, talk["first"]) == 0


def test_no_vote_form_on_own_comments_or_for_visitors(auth, client, database, talk):
    first = talk["first"]
    visitor = client.get("/articles/talk").text
    assert f"/comments/{first.id}/vote" not in visitor
    refused = auth.post(f"/comments/{first.id}/vote", {"value": "up"})
    assert refused.status_code in (302, 303, 401) and vote_count(database, first) == 0
    auth.login("ann")
    assert f"/comments/{first.id}/vote" not in client.get("/articles/talk").text
    assert auth.post(f"/comments/{first.id}/vote", {"value": "up"}).status_code == 403


def test_best_is_the_default_once_the_thread_has_votes_and_the_switcher_offers_each_order(
    auth, client, talk
):
    first, second = talk["first"], talk["second"]
    before = client.get("/articles/talk").text
    assert '<strong aria-current="true">oldest first</strong>' in before
    assert before.index(f'id="comment-{first.id}"') < before.index(f'id="comment-{second.id}"')
    auth.login("bob")
    auth.post(f"/comments/{second.id}/vote", {"value": "up"})
    auth.logout()
    after = client.get("/articles/talk").text
    assert '<strong aria-current="true">best</strong>' in after
    assert 'href="?sort=newest#comments"' in after and 'href="?sort=oldest#comments"' in after
    assert after.index(f'id="comment-{second.id}"') < after.index(f'id="comment-{first.id}"')
    oldest = client.get("/articles/talk?sort=oldest").text
    assert oldest.index(f'id="comment-{first.id}"') < oldest.index(f'id="comment-{second.id}"')


@pytest.mark.parametrize("settings_overrides", [{"down_votes": True}])
def test_down_votes_when_the_site_allows_them(auth, client, talk):
    first = talk["first"]
    auth.login("bob")
    assert 'data-vote="down"' in vote_form(client.get("/articles/talk").text, first.id)
    auth.post(f"/comments/{first.id}/vote", {"value": "down"})
    form = vote_form(client.get("/articles/talk").text, first.id)
    assert pressed(form, "down") and not pressed(form, "up")


# --- JSON -----------------------------------------------------------------------------------


def test_the_api_votes_with_a_session_and_its_csrf_header(auth, client, talk):
    first = talk["first"]
    auth.login("bob")
    url = f"/api/comments/{first.id}/vote"
    assert client.put(url, json={"value": "up"}).status_code == 403  # no CSRF header
    cast = client.put(url, json={"value": "up"}, headers=auth.api_headers())
    assert cast.status_code == 200
    assert cast.json() == {
        "up": 1,
        "down": 0,
        "score": pytest.approx(0.206549, abs=1e-6),
        "mine": "up",
    }
    down = client.put(url, json={"value": "down"}, headers=auth.api_headers())
    assert down.status_code == 400  # not on this site
    removed = client.delete(url, headers=auth.api_headers())
    assert removed.status_code == 200 and removed.json()["mine"] is None
    assert removed.json()["up"] == 0


def test_the_api_votes_with_a_bearer_token_and_refuses_what_the_rules_refuse(
    client, database, talk
):
    with database.session(write=True) as session:
        bob = session.scalar(select(User).where(User.username == "bob"))
        _, secret = accounts.create_access_token(session, bob, "votes")
        session.get(Comment, talk["second"].id).status = CommentStatus.HIDDEN
    bearer = {"Authorization": f"Bearer {secret}"}
    first, second = talk["first"], talk["second"]
    ok = client.put(f"/api/comments/{first.id}/vote", json={"value": "up"}, headers=bearer)
    assert ok.status_code == 200 and ok.json()["mine"] == "up"
    hidden = client.put(f"/api/comments/{second.id}/vote", json={"value": "up"}, headers=bearer)
    assert hidden.status_code == 404
    anonymous = client.put(f"/api/comments/{first.id}/vote", json={"value": "up"})
    assert anonymous.status_code in (401, 403)
    bad = client.put(f"/api/comments/{first.id}/vote", json={"value": 1}, headers=bearer)
    assert bad.status_code == 400


def test_the_json_thread_carries_votes_and_the_order(auth, client, talk):
    first, second = talk["first"], talk["second"]
    auth.login("bob")
    client.put(f"/api/comments/{second.id}/vote", json={"value": "up"}, headers=auth.api_headers())
    data = client.get("/api/articles/talk/comments").json()
    assert data["sort"] == "best"
    assert [c["id"] for c in data["comments"]] == [second.id, first.id]
    top = data["comments"][0]
    assert top["votes"]["up"] == 1 and top["votes"]["mine"] == "up"
    oldest = client.get("/api/articles/talk/comments?sort=oldest").json()
    assert [c["id"] for c in oldest["comments"]] == [first.id, second.id]
    schema = client.get("/schema/openapi.json").json()
    assert {"put", "delete"} <= set(schema["paths"]["/api/comments/{comment_id}/vote"])


def test_the_thread_etag_moves_when_votes_change(auth, client, talk):
    first = talk["first"]
    visitor_page = client.get("/articles/talk")
    visitor_etag = visitor_page.headers["etag"]
    api_etag = client.get("/api/articles/talk/comments?sort=oldest").headers["etag"]
    auth.login("bob")
    auth.post(f"/comments/{first.id}/vote", {"value": "up"})
    auth.logout()
    client.cookies.clear()
    again = client.get("/articles/talk", headers={"If-None-Match": visitor_etag})
    assert again.status_code == 200 and again.headers["etag"] != visitor_etag
    api = client.get("/api/articles/talk/comments?sort=oldest", headers={"If-None-Match": api_etag})
    assert api.status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"limit_votes_burst": 2}])
def test_votes_are_rate_limited(auth, client, talk):
    first = talk["first"]
    auth.login("bob")
    url = f"/api/comments/{first.id}/vote"
    assert client.put(url, json={"value": "up"}, headers=auth.api_headers()).status_code == 200
    assert client.delete(url, headers=auth.api_headers()).status_code == 200
    limited = client.put(url, json={"value": "up"}, headers=auth.api_headers())
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    page = auth.post(f"/comments/{first.id}/vote", {"value": "up"})
    assert page.status_code == 429 and "voted many times" in page.text
