"""Live threads in a real browser: a reader sees "1 new comment — show" without reloading, and
"show" brings the comment into the page; without JavaScript the page stays as it was."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from forum.accounts.access_tokens import create_access_token
from forum.accounts.models import Role
from forum.accounts.passwords import Passwords, make_hasher
from forum.accounts.service import Registration, register
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, violations
from tests.browser.test_journeys import add_article

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def live_overrides() -> dict[str, Any]:
    return {"moderation_min_approved": 0}


def _token(live_server: Any) -> str:
    """An access token of a reader whose comments are published at once."""
    passwords = Passwords(make_hasher(1, 1024, 1))
    with live_server.database.session(write=True) as session:
        user = register(
            session,
            passwords,
            Registration(username="rosa", email="rosa@example.org", password="x" * 20),
        )
        user.role = Role.MODERATOR
        _, secret = create_access_token(session, user, "live test")
    return secret


def _post(live_server: Any, token: str, body: str) -> int:
    response = httpx.post(
        f"{live_server.url}/api/articles/socialism/comments",
        json={"body": body},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.mark.parametrize("size", SIZES)
def test_a_reader_sees_new_comments_arrive_and_shows_them(
    live_server: Any, page: Any, axe_source: str, size: str
) -> None:
    add_article(live_server)
    token = _token(live_server)
    _post(live_server, token, "The first word.")
    page.set_viewport_size(SIZES[size])
    page.goto(f"{live_server.url}/articles/socialism")
    expect(page.get_by_text("The first word.")).to_be_visible()
    assert not (found := violations(page, axe_source)), describe(found)
    page.wait_for_timeout(500)  # the stream opens after the page's scripts ran
    new_id = _post(live_server, token, "All power to the soviets, said the placard.")
    show = page.get_by_role("button", name="1 new comment — show")
    expect(show).to_be_visible(timeout=10_000)
    screenshot(page, f"live-thread-announced-{size}")
    assert not (found := violations(page, axe_source)), describe(found)
    show.click()
    arrived = page.locator(f"#comment-{new_id}")
    expect(arrived).to_contain_text("All power to the soviets")
    expect(arrived).to_be_focused()
    expect(show).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]


def test_without_javascript_the_page_stays_as_it_is(live_server: Any, chromium: Any) -> None:
    add_article(live_server)
    token = _token(live_server)
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/articles/socialism")
        _post(live_server, token, "Posted while the page was open.")
        page.wait_for_timeout(1500)
        expect(page.get_by_text("new comment")).to_have_count(0)
        expect(page.get_by_text("Posted while the page was open.")).to_have_count(0)
        page.reload()
        expect(page.get_by_text("Posted while the page was open.")).to_be_visible()
    finally:
        context.close()
