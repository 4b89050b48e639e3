"""A held comment is seen by its author (marked) and moderators only: HTML, JSON and Atom."""

import xml.etree.ElementTree as ET

import pytest

from forum.comments.models import CommentStatus

SECRET = "words awaiting a decision"


@pytest.fixture
def held(make_article, make_user, make_regular, submit):
    """A published comment by a regular and a pending reply to it by a newcomer."""
    article = make_article(slug="a")
    make_user("bob")
    parent = submit(article, make_regular("carl"), "a published comment")
    reply = submit(article, make_user("ann"), SECRET, parent=parent)
    assert reply.status is CommentStatus.PENDING
    return reply


def test_others_do_not_see_a_pending_comment_in_html(held, auth):
    assert SECRET not in auth.client.get("/articles/a").text
    assert auth.client.get(f"/comments/{held.id}").status_code == 404
    auth.login("bob")
    assert SECRET not in auth.client.get("/articles/a").text
    assert "a published comment" in auth.client.get("/articles/a").text
    assert auth.client.get(f"/comments/{held.id}").status_code == 404


def test_others_do_not_see_a_pending_comment_in_json(held, auth):
    assert SECRET not in auth.client.get("/api/articles/a/comments").text
    assert auth.client.get(f"/api/comments/{held.id}").status_code == 404
    auth.login("bob")
    assert SECRET not in auth.client.get("/api/articles/a/comments").text
    assert auth.client.get(f"/api/comments/{held.id}").status_code == 404


def test_feeds_never_show_a_pending_comment(held, auth):
    auth.login("ann")  # not even to its author: feeds are public
    response = auth.client.get("/articles/a/comments.atom")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(response.content).findall("a:entry", ns)
    assert len(entries) == 1
    assert SECRET not in response.text


def test_the_author_sees_it_marked_awaiting_moderation(held, auth):
    auth.login("ann")
    page = auth.client.get("/articles/a").text
    card = page[page.index(f'id="comment-{held.id}"') :]
    assert SECRET in card[: card.index("</article>")]
    assert "awaiting moderation" in card[: card.index("</article>")]
    api = auth.client.get(f"/api/comments/{held.id}").json()
    assert api["status"] == "pending" and SECRET in api["html"]


def test_moderators_see_it_with_approve_and_reject_in_place(held, auth, moderator):
    auth.login("modo")
    page = auth.client.get("/articles/a").text
    card = page[page.index(f'id="comment-{held.id}"') :]
    card = card[: card.index("</article>")]
    assert SECRET in card
    assert f'action="/moderation/comments/{held.id}/approve"' in card
    assert f'action="/moderation/comments/{held.id}/reject"' in card
    response = auth.post(
        f"/moderation/comments/{held.id}/approve",
        {"expected": "pending", "next": f"/comments/{held.id}"},
    )
    assert response.status_code == 303 and response.headers["location"] == f"/comments/{held.id}"
    auth.logout()
    assert SECRET in auth.client.get("/articles/a").text


def test_readers_get_no_moderation_buttons(held, auth):
    auth.login("bob")
    assert "/moderation/comments/" not in auth.client.get("/articles/a").text
