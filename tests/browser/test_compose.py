"""Writing in the thread, in Chromium at phone and desktop widths: with JavaScript a comment, a
reply, an edit and a preview appear in place with the message in a live region, and Escape
closes an inline form; without JavaScript every button posts and the reader comes back to the
thread at the comment, with the message (and the resend form when the address is unconfirmed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from forum.accounts.current import CurrentUser
from forum.accounts.passwords import Passwords, make_hasher
from forum.accounts.service import Registration, register
from forum.articles.service import get_published
from forum.comments import service
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, log_in, violations
from tests.browser.test_journeys import PASSWORD, add_article

SIZES = [pytest.param((390, 844), id="390"), pytest.param((1280, 800), id="1280")]


@pytest.fixture
def live_overrides() -> dict[str, Any]:
    """New members' first comments, typed fast by a robot, are published here (other holds
    apply)."""
    return {"moderation_min_approved": 0, "moderation_min_seconds": 0}


def account(live_server: Any, username: str, *, verified: bool = True) -> Any:
    with live_server.database.session(write=True) as session:
        user = register(
            session,
            Passwords(make_hasher(1, 1024, 1)),
            Registration(username, f"{username}@example.org", PASSWORD),
        )
        if verified:
            user.email_verified_at = datetime.now(UTC)
        return CurrentUser.of(user, via="session")


def thread_with_one_comment(live_server: Any, depth: int = 1) -> int:
    """The seed-like article with one comment by bob (replies to replies down to ``depth``
    levels); the id of the deepest."""
    add_article(live_server)
    bob = account(live_server, "bob")
    parent_id = None
    with live_server.database.session(write=True) as session:
        article = get_published(session, "socialism")
        for level in range(depth):
            parent_id = service.post_comment(
                session,
                CommentHooks(),
                article=article,
                author=bob,
                request=service.PostRequest(
                    body=f"The soviets came first ({level}).", parent_id=parent_id
                ),
                anonymous_allowed=False,
                close_after_days=0,
            ).id
    assert parent_id is not None
    return parent_id


def comment_count(live_server: Any) -> int:
    with live_server.database.session() as session:
        return session.scalar(select(func.count()).select_from(Comment)) or 0


def open_article(page: Any, live_server: Any, size: tuple[int, int]) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(live_server.url + "/articles/socialism")


@pytest.mark.parametrize("size", SIZES)
def test_with_js_a_comment_and_a_reply_appear_in_place(live_server, page, axe_source, size):
    bobs = thread_with_one_comment(live_server)
    account(live_server, "ann")
    log_in(page, live_server, "ann")
    open_article(page, live_server, size)
    url = page.url
    page.get_by_role("link", name="Add a comment").click()  # the box at the top jumps down
    expect(page.get_by_label("Your comment")).to_be_focused()
    page.keyboard.type("Posted **in place**.")
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator("article.comment", has_text="Posted in place.")
    expect(mine).to_be_visible()
    expect(mine).to_be_focused()
    status = page.locator(".compose-status")
    expect(status).to_contain_text("Published.")
    expect(page.get_by_label("Your comment")).to_have_value("")
    assert page.url == url  # no page load
    screenshot(page, f"compose-posted-in-place-{size[0]}")

    page.locator(f"#comment-{bobs}").get_by_role("link", name=re.compile("^Reply")).click()
    page.locator(f"#comment-{bobs} form.inline-reply textarea").fill("A reply, in place.")
    page.locator(f"#comment-{bobs} form.inline-reply").get_by_role(
        "button", name="Post reply"
    ).click()
    reply = page.locator("article.comment", has_text="A reply, in place.")
    expect(reply).to_be_visible()
    expect(reply).to_be_focused()
    bobs_item = page.locator("li.comment-item", has=page.locator(f"#comment-{bobs}")).first
    expect(bobs_item.locator("article.comment", has_text="A reply, in place.")).to_have_count(1)
    expect(page.locator("form.inline-reply")).to_have_count(0)
    assert page.url == url and comment_count(live_server) == 3
    screenshot(page, f"compose-reply-in-place-{size[0]}")
    found = violations(page, axe_source)
    assert not found, describe(found)


@pytest.mark.parametrize("size", SIZES)
def test_with_js_preview_edit_in_place_and_escape(live_server, page, axe_source, size):
    bobs = thread_with_one_comment(live_server)
    account(live_server, "ann")
    log_in(page, live_server, "ann")
    open_article(page, live_server, size)
    page.get_by_label("Your comment").fill("Is this **bold**? <script>x</script>")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("form[data-comment-form] .comment-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview).to_contain_text("<script>x</script>")  # shown as text, never run
    assert comment_count(live_server) == 1  # nothing saved
    screenshot(page, f"compose-preview-{size[0]}")
    preview_violations = violations(page, axe_source)

    reply_link = page.locator(f"#comment-{bobs}").get_by_role("link", name=re.compile("^Reply"))
    reply_link.click()
    expect(page.locator("form.inline-reply textarea")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("form.inline-reply")).to_have_count(0)
    expect(reply_link).to_be_focused()

    page.get_by_role("button", name="Post comment").click()
    mine = page.locator("article.comment", has_text="Is this bold?")
    expect(mine).to_be_visible()
    edit_link = mine.get_by_role("link", name="Edit")
    edit_link.click()
    box = mine.locator("form.inline-edit textarea")
    expect(box).to_be_focused()
    expect(mine.locator("form.inline-edit")).to_contain_text(re.compile(r"You can edit for \d+"))
    page.keyboard.press("Escape")
    expect(mine.locator("form.inline-edit")).to_have_count(0)
    expect(edit_link).to_be_focused()
    edit_link.click()
    box.fill("Now _edited_ in place.")
    mine.locator("form.inline-edit").get_by_role("button", name="Save").click()
    edited = page.locator("article.comment", has_text="Now edited in place.")
    expect(edited).to_be_visible()
    expect(page.locator(".compose-status")).to_contain_text("Your edit is saved.")
    screenshot(page, f"compose-edited-in-place-{size[0]}")
    assert not preview_violations, describe(preview_violations)
    found = violations(page, axe_source)
    assert not found, describe(found)

    edited.get_by_role("link", name="Delete").click()
    edited.locator("form.inline-delete").get_by_role("button", name="Delete").click()
    expect(page.locator(".compose-status")).to_contain_text("Your comment is deleted.")
    expect(page.locator("article.comment", has_text="Now edited in place.")).to_have_count(0)
    expect(page.locator("#comments-heading")).to_be_focused()


def test_with_js_a_refused_text_is_explained_in_the_form_and_kept(live_server, page):
    thread_with_one_comment(live_server)
    account(live_server, "ann")
    log_in(page, live_server, "ann")
    open_article(page, live_server, (390, 844))
    box = page.get_by_label("Your comment")
    box.fill("   ")
    page.get_by_role("button", name="Post comment").click()
    error = page.locator("form[data-comment-form] .field-error")
    expect(error).to_have_text("Comment is required.")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value("   ")
    assert comment_count(live_server) == 1
    screenshot(page, "compose-refused-in-place-390")


@pytest.mark.parametrize("size", SIZES)
def test_without_js_the_forms_come_back_to_the_comment_with_a_message(live_server, chromium, size):
    thread_with_one_comment(live_server)
    account(live_server, "ann")
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "ann")
        open_article(page, live_server, size)
        page.get_by_label("Your comment").fill("Without *scripts*.")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_url(re.compile(r"/articles/socialism/comments/preview#new-comment-heading"))
        expect(page.locator(".comment-preview em")).to_have_text("scripts")
        assert comment_count(live_server) == 1
        screenshot(page, f"compose-preview-nojs-{size[0]}")
        page.get_by_role("button", name="Post comment").click()
        page.wait_for_url(re.compile(r"/articles/socialism#comment-\d+$"))
        new_id = page.url.rsplit("#comment-", 1)[1]
        expect(page.locator(f"#comment-{new_id}")).to_contain_text("Without scripts.")
        expect(page.locator("p.flash")).to_have_text("Published.")
        expect(page.locator("p.flash")).to_be_in_viewport()
        screenshot(page, f"compose-posted-nojs-{size[0]}")
    finally:
        context.close()


def test_without_js_a_reply_deeper_than_a_phone_shows_opens_its_branch(live_server, chromium):
    deepest = thread_with_one_comment(live_server, depth=5)
    account(live_server, "ann")
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "ann")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(live_server.url + f"/comments/{deepest}/reply")
        page.get_by_label("Your reply").fill("Six levels down.")
        page.get_by_role("button", name="Post reply").click()
        page.wait_for_url(re.compile(r"/articles/socialism#comment-\d+$"))
        mine = page.locator("article.comment", has_text="Six levels down.")
        expect(mine).to_be_visible()
        expect(mine).to_be_in_viewport()
        screenshot(page, "compose-deep-reply-nojs-390")
    finally:
        context.close()


def test_without_js_a_held_comment_says_why_and_the_link_can_be_resent(
    live_server, chromium, smtp_server
):
    add_article(live_server)
    account(live_server, "carl", verified=False)
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "carl")
        open_article(page, live_server, (390, 844))
        page.get_by_label("Your comment").fill("Waiting words.")
        page.get_by_role("button", name="Post comment").click()
        page.wait_for_url(re.compile(r"/articles/socialism#comment-\d+$"))
        message = page.locator(".flash")
        expect(message).to_contain_text(
            "Waiting for a moderator because your email address is not confirmed yet."
        )
        screenshot(page, "compose-held-nojs-390")
        back = page.url
        message.get_by_role("button", name="Resend the link").click()
        page.wait_for_url(back)
        expect(page.locator("p.flash")).to_have_text("We have sent a new link to carl@example.org.")
        smtp_server.wait_for(1, timeout=15)
    finally:
        context.close()
