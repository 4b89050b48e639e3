"""A moderator works the queue; a reader takes their data and leaves."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, text

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role
from forum.articles.service import get_published
from forum.comments import service
from forum.comments.hooks import CommentHooks
from forum.comments.models import CommentStatus
from forum.db import metadata
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, log_in, make_account, violations
from tests.browser.test_journeys import add_article


def write_comment(live_server, username: str, body: str, status: CommentStatus) -> int:
    from forum.accounts.models import User

    with live_server.database.session(write=True) as session:
        user = session.scalar(select(User).where(User.username_key == username))
        comment = service.post_comment(
            session,
            CommentHooks(),
            article=get_published(session, "socialism"),
            author=CurrentUser.of(user, via="session"),
            request=service.PostRequest(body=body),
            anonymous_allowed=False,
            close_after_days=0,
        )
        service.set_status(session, CommentHooks(), comment, status)
        return comment.id


def test_a_moderator_approves_a_pending_comment_from_the_queue(live_server, page, axe_source):
    add_article(live_server)
    make_account(live_server, "newcomer")
    make_account(live_server, "modo", Role.MODERATOR)
    comment_id = write_comment(
        live_server, "newcomer", "My first, held comment.", CommentStatus.PENDING
    )
    page.goto(live_server.url + "/articles/socialism")
    expect(page.get_by_text("My first, held comment.")).to_have_count(0)

    log_in(page, live_server, "modo")
    page.goto(live_server.url + "/moderation")
    expect(page.get_by_text("My first, held comment.")).to_be_visible()
    found = violations(page, axe_source)
    assert not found, describe(found)
    screenshot(page, "moderation-queue")
    decision = page.locator(f'form[action="/moderation/comments/{comment_id}/reject"]')
    decision.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()

    page.context.clear_cookies()
    page.goto(live_server.url + "/articles/socialism")
    expect(page.get_by_text("My first, held comment.")).to_be_visible()


@pytest.mark.parametrize("live_overrides", [{"erasure_grace_hours": 0}])
def test_a_reader_exports_their_data_and_then_deletes_their_account(live_server, page, axe_source):
    add_article(live_server)
    make_account(live_server, "leaver")
    write_comment(live_server, "leaver", "Something I said once.", CommentStatus.PUBLISHED)
    log_in(page, live_server, "leaver")

    page.goto(live_server.url + "/account/privacy")
    found = violations(page, axe_source)
    assert not found, describe(found)

    with page.expect_download() as download_info:
        page.evaluate("url => { window.location.href = url }", live_server.url + "/account/export")
    with open(download_info.value.path(), encoding="utf-8") as handle:
        exported = json.load(handle)
    assert "Something I said once." in json.dumps(exported)
    assert "leaver@example.org" in json.dumps(exported)

    page.goto(live_server.url + "/account/delete")
    page.get_by_label("Keep them, signed “[deleted user]”").check()
    page.get_by_label(re.compile("password", re.I)).fill("a long enough passphrase")
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.goto(live_server.url + "/articles/socialism")
    expect(page.get_by_text("Something I said once.")).to_be_visible()
    expect(page.get_by_text("[deleted user]").first).to_be_visible()
    with live_server.database.session() as session:
        for table in metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                assert "leaver@example.org" not in repr(row), table.name
        assert session.execute(text("SELECT 1")).scalar() == 1
