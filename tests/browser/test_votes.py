"""Voting in a real browser, at 390 and 1280 px: with JavaScript the button changes in place
(aria-pressed, the count) and the page stays; without it the form goes to the server and
comes back at the comment. axe-core finds nothing serious around the vote buttons."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments import service
from forum.comments.hooks import CommentHooks
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, log_in, make_account, violations
from tests.browser.test_journeys import add_article

SIZES = ((390, 844), (1280, 800))


def discussion(live_server) -> list[int]:
    """Two comments by 'writer' on the article; 'bob' and 'cyd' read and vote."""
    add_article(live_server)
    for name in ("writer", "bob", "cyd"):
        make_account(live_server, name)
    ids = []
    with live_server.database.session(write=True) as session:
        writer = CurrentUser.of(
            session.query(User).filter_by(username="writer").one(), via="session"
        )
        article = session.query(Article).filter_by(slug="socialism").one()
        for text in ("The soviets were elected.", "And then they were not."):
            comment = service.post_comment(
                session,
                CommentHooks(),
                article=article,
                author=writer,
                request=service.PostRequest(body=text),
                anonymous_allowed=False,
                close_after_days=0,
            )
            ids.append(comment.id)
    return ids


def test_a_vote_changes_in_place_with_javascript(live_server, page, axe_source):
    first, second = discussion(live_server)
    for (width, height), voter in zip(SIZES, ("bob", "cyd"), strict=True):
        page.set_viewport_size({"width": width, "height": height})
        log_in(page, live_server, voter)
        page.goto(live_server.url + "/articles/socialism")
        page.evaluate("window.notReloaded = true")
        card = page.locator(f"#comment-{second}")
        button = card.get_by_role("button", name="Vote up the comment by writer")
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        count = card.locator('[data-vote-count="up"]')
        expect(count).to_contain_text("1" if voter == "bob" else "2")
        assert page.evaluate("window.notReloaded === true"), "the vote did not reload the page"
        screenshot(page, f"votes-js-{width}")
        found = violations(page, axe_source)
        assert not found, describe(found)
        button.click()  # pressed again: the vote is taken back
        expect(button).to_have_attribute("aria-pressed", "false")
        expect(count).to_contain_text("0" if voter == "bob" else "1")
        if voter == "bob":
            button.click()  # bob's vote stays, for cyd's page
            expect(button).to_have_attribute("aria-pressed", "true")
        page.context.clear_cookies()
    page.goto(live_server.url + "/articles/socialism")
    sorted_ids = page.locator("article.comment").evaluate_all("(cards) => cards.map(c => c.id)")
    assert sorted_ids[:2] == [f"comment-{second}", f"comment-{first}"]  # best, now the default
    expect(page.locator("nav.thread-sort strong")).to_have_text("best")


def test_a_vote_works_without_javascript(live_server, chromium):
    _, second = discussion(live_server)
    for width, height in SIZES:
        context: Any = chromium.new_context(
            java_script_enabled=False, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server, "bob")
        page.goto(live_server.url + "/articles/socialism?sort=oldest")
        button = page.locator(f"#comment-{second}").get_by_role(
            "button", name="Vote up the comment by writer"
        )
        button.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/articles/socialism?sort=oldest#comment-{second}")
        pressed = page.locator(f"#comment-{second}").get_by_role(
            "button", name="Vote up the comment by writer"
        )
        expect(pressed).to_have_attribute("aria-pressed", "true")
        screenshot(page, f"votes-nojs-{width}")
        pressed.click()  # taken back, for the next size
        page.wait_for_load_state()
        context.close()
