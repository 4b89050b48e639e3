"""The demo as a newcomer meets it after ``make run``: the seed article and its discussion."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from forum.accounts.passwords import Passwords, make_hasher
from forum.demo.articles import SEED_SLUG
from forum.demo.discussion import PASSWORD
from forum.demo.loader import demo_password_hash, load_demo
from tests.browser.conftest import screenshot


def load(live_server) -> None:
    with live_server.database.session(write=True) as session:
        load_demo(
            session, live_server.settings, demo_password_hash(Passwords(make_hasher(1, 1024, 1)))
        )


@pytest.mark.parametrize("width", [390, 1280])
def test_a_newcomer_reads_the_demo_discussion_to_its_deepest_reply(live_server, page, width):
    load(live_server)
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/articles/{SEED_SLUG}")
    expect(
        page.get_by_role("heading", name="What do we mean by socialism? October 1917")
    ).to_be_visible()
    expect(page.locator(".byline")).to_have_text("Submitted by Janine on 15 April, 2003 - 9:12")
    expect(page.get_by_text("This comment was deleted.")).to_be_visible()
    expect(page.get_by_text("Moderator's note.")).to_be_visible()
    screenshot(page, f"demo-thread-{width}")

    deepest = page.get_by_text("Thank you all — this branch is better")
    for _ in range(4):  # narrow screens continue the thread after fewer levels
        if deepest.is_visible():
            break
        page.get_by_role("link", name=re.compile("Continue this thread")).last.click()
        page.wait_for_load_state()
    expect(deepest).to_be_visible()
    assert errors == []


def test_the_demo_moderator_logs_in_and_finds_the_queue(live_server, page):
    load(live_server)
    page.goto(live_server.url + "/login")
    page.get_by_label(re.compile("Username or email", re.I)).fill("ruth")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/moderation")
    expect(page.get_by_text(re.compile("First time here"))).to_be_visible()
