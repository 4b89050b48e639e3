"""Typing "@ann" in a comment box offers the matching usernames; the keyboard picks one, and the
posted comment links the profile."""

from __future__ import annotations

from playwright.sync_api import expect

from forum.accounts.models import ProfileVisibility, User
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import SERIOUS, describe, log_in, make_account
from tests.browser.test_journeys import add_article


def violations_in_form(page, axe_source: str) -> list[dict]:
    """axe-core's serious findings in the comment form with its open suggestion list."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => await axe.run(document.querySelector('form[data-comment-form]'),"
        " {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v["impact"] in SERIOUS]


def people(live_server) -> None:
    for name in ("writer", "anna", "annabel", "annette", "bob"):
        make_account(live_server, name)
    with live_server.database.session(write=True) as session:
        hidden = session.query(User).filter_by(username="annette").one()
        hidden.profile_visibility = ProfileVisibility.NOBODY


def test_mention_suggestions_are_offered_picked_by_keyboard_and_linked(
    live_server, page, axe_source
):
    add_article(live_server)
    people(live_server)
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        log_in(page, live_server, "writer")
        page.goto(live_server.url + "/articles/socialism")
        box = page.get_by_label("Your comment")
        box.click()
        box.press_sequentially("Thanks @ann")
        listbox = page.get_by_role("listbox", name="People to mention")
        expect(listbox).to_be_visible()
        options = listbox.get_by_role("option")
        expect(options).to_have_count(2)
        expect(options.nth(0)).to_contain_text("@anna")
        expect(options.nth(1)).to_contain_text("@annabel")
        expect(listbox).not_to_contain_text("annette")
        expect(box).to_have_attribute("aria-autocomplete", "list")
        expect(box).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
        screenshot(page, f"mention-suggestions-{width}")
        found = violations_in_form(page, axe_source)
        assert not found, describe(found)
        page.keyboard.press("Escape")
        expect(listbox).to_be_hidden()
        expect(box).to_be_visible()  # Escape closed the list, not the form
        page.keyboard.type("abel")
        expect(options).to_have_count(1)
        page.keyboard.press("Enter")
        expect(listbox).to_be_hidden()
        expect(box).to_have_value("Thanks @annabel ")
        page.context.clear_cookies()
    log_in(page, live_server, "writer")
    page.goto(live_server.url + "/articles/socialism")
    box = page.get_by_label("Your comment")
    box.fill("Thanks @annabel for the sources.")
    page.get_by_role("button", name="Post comment").click()
    mention = page.locator("a.mention", has_text="@annabel")
    expect(mention).to_be_visible()
    assert mention.get_attribute("href") == "/users/annabel"
    page.goto(live_server.url + "/articles/socialism")
    page.get_by_role("link", name="Reply to writer").click()
    reply = page.get_by_label("Your reply")
    reply.press_sequentially("@bo")
    listbox = page.get_by_role("listbox", name="People to mention")
    expect(page.locator("form.inline-reply").get_by_role("listbox")).to_be_visible()
    expect(page.get_by_role("listbox")).to_have_count(1)
    page.keyboard.press("Tab")
    expect(reply).to_have_value("@bob ")
    expect(listbox).to_be_hidden()
    page.locator("a.mention", has_text="@annabel").click()
    page.wait_for_url(live_server.url + "/users/annabel")


def test_no_suggestions_are_asked_for_by_visitors(live_server, page):
    add_article(live_server)
    people(live_server)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server.url + "/articles/socialism")
    assert not any("mentions" in url for url in asked)
    assert not any("/api/users/suggestions" in url for url in asked)
