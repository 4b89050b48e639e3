"""Administrators set the thresholds, the block list and the 'moderate all' default."""

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.comments.models import Comment, CommentStatus
from forum.moderation.models import LogAction, LogEntry

FORM = {
    "min_approved": "0",
    "reports_to_hide": "2",
    "max_links": "1",
    "min_seconds": "5",
    "duplicate_minutes": "10",
    "reject_percent": "30",
    "reject_days": "7",
    "reject_min_decisions": "3",
    "remind_hours": "6",
    "blocked_words": "Casino\ncheap pills",
    "blocked_domains": "https://spam.example/",
    "moderate_all_default": "",
}


@pytest.fixture
def admin(make_user, auth):
    make_user("judy", role=Role.ADMIN)
    auth.login("judy")


def test_the_form_shows_the_defaults_from_the_settings(admin, auth):
    page = auth.client.get("/admin/moderation").text
    assert 'name="min_approved" type="number" min="0" max="1000" required value="1"' in page
    assert 'name="reports_to_hide" type="number" min="1" max="1000" required value="3"' in page


def test_saved_settings_apply_to_the_next_comment(admin, auth, make_article, make_user, database):
    assert auth.post("/admin/moderation", FORM).status_code == 303
    page = auth.client.get("/admin/moderation").text
    assert "casino\ncheap pills</textarea>" in page and "spam.example</textarea>" in page
    make_article(slug="a")
    make_user("ann")
    auth.logout()
    auth.login("ann")
    auth.post("/articles/a/comments", {"body": "no longer held: min_approved is 0"})
    auth.post("/articles/a/comments", {"body": "two links https://a.example https://b.example"})
    auth.post("/articles/a/comments", {"body": "my casino"})
    with database.session() as s:
        statuses = [c.status for c in s.scalars(select(Comment).order_by(Comment.id))]
        (entry,) = s.scalars(select(LogEntry))
    assert statuses == [CommentStatus.PUBLISHED, CommentStatus.PENDING, CommentStatus.PENDING]
    assert entry.action is LogAction.SETTINGS and "blocked_words" in entry.detail


def test_bad_numbers_are_refused_with_a_message(admin, auth):
    response = auth.post("/admin/moderation", {**FORM, "reports_to_hide": "0", "max_links": "x"})
    assert response.status_code == 400
    assert "between 1 and 1000" in response.text and "a whole number" in response.text


def test_moderate_all_for_new_articles(admin, auth, make_article, make_regular, database):
    old = make_article(slug="old")
    auth.post("/admin/moderation", {**FORM, "moderate_all_default": "on"})
    make_article(slug="new")
    make_regular("carl")
    auth.logout()
    auth.login("carl")
    auth.post("/articles/old/comments", {"body": "on the old one"})
    auth.post("/articles/new/comments", {"body": "on the new one"})
    with database.session() as s:
        found = {c.article_id: c.status for c in s.scalars(select(Comment))}
    assert found[old.id] is CommentStatus.PUBLISHED
    assert CommentStatus.PENDING in found.values()
