"""Staff and reference pages fit phones and laptops; the small things of issue 14 in a browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from forum.accounts.models import Role
from forum.comments.models import CommentStatus
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, log_in, make_account, violations
from tests.browser.test_journeys import add_article
from tests.browser.test_staff_and_rights import write_comment

SIZES = {"390": (390, 844), "1280": (1280, 800)}
STAFF_PAGES = [
    "/admin/articles",
    "/admin/users",
    "/admin/policies",
    "/admin/privacy",
    "/moderation",
    "/moderation/reported",
    "/moderation/log",
    "/cookies",
]

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && !el.closest('.table-scroll, pre');
  });
  return {page: document.documentElement.scrollWidth - width,
          wide: wide.slice(0, 5).map(el => el.outerHTML.slice(0, 120))};
}"""


def _staff_site(live_server) -> None:
    add_article(live_server)
    make_account(live_server, "chief", Role.ADMIN)
    make_account(live_server, "a_reader_with_a_long_name")
    for n in range(3):
        write_comment(
            live_server,
            "a_reader_with_a_long_name",
            f"Held comment {n} with https://example.org/a/very/long/link/that/does/not/break",
            CommentStatus.PENDING,
        )


@pytest.mark.parametrize("size", SIZES)
def test_staff_pages_never_scroll_sideways(live_server, page, axe_source, size):
    _staff_site(live_server)
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in(page, live_server, "chief")
    for path in STAFF_PAGES:
        page.goto(live_server.url + path)
        measured = page.evaluate(OVERFLOW)
        assert measured["page"] <= 0 and not measured["wide"], (path, measured)
        found = violations(page, axe_source)
        assert not found, (path, describe(found))
        screenshot(page, f"staff{path.replace('/', '-')}-{size}")


def test_the_admin_header_fits_one_row_at_1280(live_server, page):
    _staff_site(live_server)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "chief")
    page.goto(live_server.url + "/admin/articles")
    header = page.locator(".site-header .wrap")
    one_row = page.evaluate(
        """() => {
          const boxes = [...document.querySelectorAll('.site-header nav li')]
            .map(li => li.getBoundingClientRect());
          return Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom));
        }"""
    )
    assert one_row
    box = header.bounding_box()
    assert box is not None and box["height"] < 90
    screenshot(page, "admin-header-1280")


@pytest.mark.parametrize("size", SIZES)
def test_remember_me_sits_beside_its_checkbox(live_server, page, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto(live_server.url + "/login")
    box = page.get_by_role("checkbox", name="Remember me").bounding_box()
    label = page.locator('label[for="remember"]').bounding_box()
    assert box is not None and label is not None
    assert label["x"] > box["x"] + box["width"] - 1
    assert abs((label["y"] + label["height"] / 2) - (box["y"] + box["height"] / 2)) < 12
    screenshot(page, f"login-remember-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_registration_shows_every_error_at_once(live_server, page, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    make_account(live_server, "taken")
    page.goto(live_server.url + "/register")
    page.get_by_label("Username").fill("taken")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    for name, error in [
        ("Username", "already taken"),
        ("Email address", "valid email"),
        ("Password", "at least"),
    ]:
        field = page.get_by_label(name, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(error, re.I))
    screenshot(page, f"register-errors-{size}")


def test_the_page_has_a_favicon(live_server, page):
    page.goto(live_server.url + "/")
    for selector in ('link[rel="icon"][type="image/svg+xml"]', 'link[rel="icon"][sizes]'):
        href = page.locator(selector).get_attribute("href")
        assert href and href.startswith("/static/")
        response = page.request.get(live_server.url + href)
        assert response.status == 200 and response.headers["content-type"].startswith("image/")


@pytest.mark.parametrize("size", SIZES)
def test_a_moderator_sees_which_comments_are_reported_in_the_thread(
    live_server, page, axe_source, size
):
    from forum.accounts.models import User
    from forum.moderation.models import Report, Violation

    add_article(live_server)
    make_account(live_server, "modo", Role.MODERATOR)
    make_account(live_server, "writer")
    make_account(live_server, "reader")
    comment_id = write_comment(
        live_server, "writer", "A comment readers reported.", CommentStatus.PUBLISHED
    )
    with live_server.database.session(write=True) as session:
        reader = session.query(User).filter_by(username="reader").one()
        session.add(Report(comment_id=comment_id, reporter_id=reader.id, reason=Violation.SPAM))
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto(live_server.url + "/articles/socialism")
    expect(page.get_by_text("A comment readers reported.")).to_be_visible()
    expect(page.locator(".badge.reported")).to_have_count(0)
    log_in(page, live_server, "modo")
    page.goto(live_server.url + "/articles/socialism")
    flag = page.get_by_role("link", name="reported 1 time")
    expect(flag).to_be_visible()
    found = violations(page, axe_source)
    assert not found, describe(found)
    screenshot(page, f"thread-reported-flag-{size}")
    flag.click()
    page.wait_for_load_state()
    expect(page.locator(f"#violation-{comment_id}")).to_have_value("spam")
    screenshot(page, f"moderation-reported-item-{size}")
