"""The logged-in reader's article page: its thread section comes from the render cache, keyed
by everything it shows of that reader, so it changes as soon as the thread or the reader's own
state does (their pending comment, a ban, a role, the edit window closing), and one reader's
buttons never reach another; the page stays ``no-store``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from forum.accounts.models import Role, User
from forum.comments import service
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.moderation.models import Ban, Report, Violation
from tests.comments.caching import article as article  # a fixture
from tests.comments.caching import counted

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def page(client: Any, article: Any) -> str:
    response = client.get(f"/articles/{article.slug}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    return response.text


def section_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the thread sections rendered (each one reads the thread)."""
    return counted(monkeypatch, service, "thread_page")


def edit_link(comment: Any) -> str:
    return f'/comments/{comment.id}/edit"'


def test_a_reader_gets_their_section_from_the_cache_until_the_thread_changes(
    client, auth, article, make_user, post, monkeypatch
):
    ann = make_user("ann")
    post(article, ann, "First words")
    make_user("reader")
    auth.login("reader")
    reads = section_reads(monkeypatch)
    first, second = page(client, article), page(client, article)
    assert len(reads) == 1 and "First words" in second
    tokens = CSRF_INPUT.findall(first) + CSRF_INPUT.findall(second)
    assert tokens and all(token == auth.csrf_token() for token in tokens)

    post(article, ann, "Second words")
    assert "Second words" in page(client, article) and len(reads) == 2


def test_one_readers_buttons_never_reach_another(client, auth, article, make_user, post):
    ann, bob = make_user("ann"), make_user("bob")
    hers = post(article, ann, "Ann's comment")
    auth.login("ann")
    as_ann = page(client, article)
    assert edit_link(hers) in as_ann
    auth.logout()
    auth.login("bob")
    as_bob = page(client, article)
    assert "Ann's comment" in as_bob and edit_link(hers) not in as_bob
    assert f"/comments/{hers.id}/report" in as_bob
    auth.logout()
    auth.login("ann")
    assert f"/comments/{hers.id}/report" not in page(client, article)
    assert bob.id != ann.id


def test_the_readers_own_pending_comment_shows_at_once(
    client, auth, article, make_user, post, database
):
    ann = make_user("ann")
    post(article, ann, "Published one")
    auth.login("ann")
    assert "Held for a look" not in page(client, article)
    held = post(article, ann, "Held for a look")
    with database.session(write=True) as session:
        session.execute(
            update(Comment)
            .where(Comment.id == held.id)
            .values(status=CommentStatus.PENDING, updated_at=utcnow())
        )
    assert "Held for a look" in page(client, article)
    auth.logout()
    make_user("bob")
    auth.login("bob")
    assert "Held for a look" not in page(client, article)


def test_a_ban_and_a_role_change_show_at_once(client, auth, article, make_user, post, database):
    ann = make_user("ann")
    post(article, ann, "Something to moderate")
    reader = make_user("reader")
    auth.login("reader")
    before = page(client, article)
    assert 'id="new-comment-heading"' in before and "/approve" not in before

    with database.session(write=True) as session:
        session.add(Ban(user_id=reader.id, reason="Spam", created_at=utcnow()))
    banned = page(client, article)
    assert 'id="new-comment-heading"' not in banned and "refusal" in banned

    with database.session(write=True) as session:
        session.execute(update(Ban).where(Ban.user_id == reader.id).values(lifted_at=utcnow()))
        session.execute(update(User).where(User.id == reader.id).values(role=Role.MODERATOR))
    as_moderator = page(client, article)
    assert 'id="new-comment-heading"' in as_moderator
    assert "/hide" in as_moderator or "/delete" in as_moderator


def test_the_edit_button_goes_when_the_edit_window_closes(
    client, auth, article, make_user, post, database
):
    ann = make_user("ann")
    hers = post(article, ann, "Editable for a while")
    auth.login("ann")
    assert edit_link(hers) in page(client, article)
    with database.session(write=True) as session:  # time passes: nothing else changes
        session.execute(
            update(Comment)
            .where(Comment.id == hers.id)
            .values(created_at=hers.created_at - timedelta(days=30))
        )
    assert edit_link(hers) not in page(client, article)


def test_a_moderator_sees_a_new_report_at_once(client, auth, article, make_user, post, database):
    ann, bob = make_user("ann"), make_user("bob")
    reported = post(article, ann, "Reported later")
    make_user("carol", role=Role.MODERATOR)
    auth.login("carol")
    assert "reported 1 time" not in page(client, article)
    with database.session(write=True) as session:
        session.add(Report(comment_id=reported.id, reporter_id=bob.id, reason=Violation.SPAM))
    assert "reported 1 time" in page(client, article)
