"""A thread framed on another site's page, in Chromium blocking third-party cookies: the host
page is served by a second server on loopback, registered as ``http://localhost:<port>`` (another
site than the forum's ``127.0.0.1``); the same server reached as ``http://127.0.0.1:<port>`` is
another origin, not registered, and cannot show the thread. Signing in from the frame goes
through a popup on the forum (docs/embedding.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from forum.articles.models import Article
from forum.i18n.catalogues import read_catalogue
from forum.sites import service
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot
from tests.browser.test_accessibility import describe, make_account, violations
from tests.browser.test_journeys import PASSWORD
from tests.serving import serving

BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Chromium as a browser that blocks third-party cookies, as browsers now do."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        args = [*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield browser
        browser.close()


@pytest.fixture
def live_overrides() -> dict[str, Any]:
    """A new member's first comments, typed fast by a robot, are published here."""
    return {"moderation_min_approved": 0, "moderation_min_seconds": 0}


HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>What do we mean by socialism? | Janine's blog</title></head>
<body><h1>What do we mean by socialism?</h1><p>Submitted by Janine on 15 April, 2003 - 9:12</p>
<script src="{forum}/embed.js" data-site="{site}" data-page-url="{page_url}" async></script>
</body></html>"""


class HostSite:
    """A tiny static server: answers every GET with ``html`` (set by the test)."""

    def __init__(self) -> None:
        self.html = ""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.html.encode()})


@pytest.fixture(scope="module")
def host() -> Iterator[tuple[HostSite, int]]:
    site = HostSite()
    with serving(site) as url:
        yield site, urlsplit(url).port or 0


@pytest.fixture
def registered(live_server, host) -> dict[str, Any]:
    """A site registered as http://localhost:<port>, its host page, its page URL."""
    host_site, port = host
    data = service.SiteInput(
        name="Janine's blog",
        origins=f"http://localhost:{port}",
        create_on_view=True,
        comment_mode="open",
        moderators="",
    )
    with live_server.database.session(write=True) as session:
        site_id = service.create_site(session, data).id
    page_url = f"http://localhost:{port}/2003/04/socialism"
    host_site.html = HOST_PAGE.format(forum=live_server.url, site=site_id, page_url=page_url)
    return {"port": port, "page_url": page_url, "site": site_id}


def frame_height(page: Any) -> str:
    return page.locator("iframe").evaluate("f => f.style.height")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_thread_shows_in_the_page_and_the_frame_fits_its_content(
    live_server, registered, page, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(registered["page_url"])
    thread = page.frame_locator("iframe")
    thread.get_by_text("No comments yet.").wait_for()
    page.wait_for_function("() => document.querySelector('iframe').style.height !== '320px'")
    inner = page.frames[1].evaluate(
        "() => Math.ceil(document.documentElement.getBoundingClientRect().height)"
    )
    assert frame_height(page) == f"{inner}px"
    screenshot(page, f"embed-thread-{width}")
    thread.get_by_role("link", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/login?**")


def test_a_page_on_an_unregistered_origin_cannot_show_the_thread(live_server, registered, page):
    page.goto(f"http://127.0.0.1:{registered['port']}/2003/04/socialism")
    page.wait_for_timeout(1500)
    frames = [f for f in page.frames if f != page.main_frame]
    assert frames, "the embed script made its frame"
    assert frames[0].locator("#comments").count() == 0
    assert frame_height(page) == "320px"


LISTING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Janine's blog</title>
</head><body><ul><li><a data-forum-count href="{page_url}">Comments</a></li>
<li><a data-forum-count href="{page_url}-unknown">Comments</a></li></ul>
<script src="{forum}/count.js" data-site="{site}" async></script></body></html>"""


def test_the_count_script_fills_the_listing_pages_links(live_server, registered, host, page):
    page.goto(registered["page_url"])
    page.frame_locator("iframe").get_by_text("No comments yet.").wait_for()
    with live_server.database.session(write=True) as session:
        session.execute(update(Article).values(comment_count=2))
    host_site, port = host
    host_site.html = LISTING.format(
        forum=live_server.url, site=registered["site"], page_url=registered["page_url"]
    )
    page.goto(f"http://localhost:{port}/")
    links = page.locator("a[data-forum-count]")
    page.wait_for_function("() => document.querySelector('a').textContent !== 'Comments'")
    assert links.all_inner_texts() == ["2 comments", "0 comments"]
    page.goto(f"http://127.0.0.1:{port}/")  # not the site's origin: CORS keeps the counts
    page.wait_for_timeout(1000)
    assert links.all_inner_texts() == ["Comments", "Comments"]


def test_a_german_page_gets_its_frame_and_counts_in_german(live_server, registered, host, page):
    german = read_catalogue("de")
    host_site, port = host
    host_site.html = host_site.html.replace('lang="en"', 'lang="de-DE"')
    page.goto(registered["page_url"])
    page.frame_locator("iframe").get_by_text(german.gettext("No comments yet.")).wait_for()
    title = german.gettext("Comments")
    page.wait_for_function(f"() => document.querySelector('iframe').title === {title!r}")
    host_site.html = LISTING.replace('lang="en"', 'lang="de"').format(
        forum=live_server.url, site=registered["site"], page_url=registered["page_url"]
    )
    page.goto(f"http://localhost:{port}/")
    page.wait_for_function("() => document.querySelector('a').textContent !== 'Comments'")
    zero = german.ngettext("%(num)s comment", "%(num)s comments", 0) % {"num": 0}
    assert page.locator("a[data-forum-count]").all_inner_texts() == [zero, zero]


def test_the_frame_shows_the_compact_consent_note_and_the_sites_narrowing(
    live_server, registered, host, page
):
    page.goto(registered["page_url"])
    thread = page.frame_locator("iframe")
    thread.get_by_text("This thread sets necessary cookies only.").wait_for()
    host_site, _port = host
    host_site.html = host_site.html.replace(" async>", ' data-consent="necessary" async>')
    page.goto(registered["page_url"])
    thread.get_by_text("Necessary cookies only, as this site asked.").wait_for()


def test_the_frames_compact_banner_takes_a_choice_in_the_frame(live_server, registered, page):
    page.goto(registered["page_url"])
    thread = page.frame_locator("iframe")
    thread.get_by_role("button", name="Necessary only").click()
    thread.get_by_text("Your choice is saved for this visit.").wait_for()
    assert thread.get_by_role("button", name="Accept all").is_hidden()


def test_axe_finds_nothing_serious_in_the_framed_thread(live_server, registered, page, axe_source):
    page.goto(registered["page_url"])
    page.frame_locator("iframe").get_by_text("No comments yet.").wait_for()
    page.goto(page.frames[1].url)  # the frame's document on its own, where axe can run
    assert not violations(page, axe_source), describe(violations(page, axe_source))


# --- signing in from the frame -------------------------------------------------------------


def sign_in_through_the_popup(page: Any, username: str) -> Any:
    thread = page.frame_locator("iframe")
    thread.get_by_text("No comments yet.").wait_for()
    with page.expect_popup() as opened:
        thread.get_by_role("button", name="Log in to comment").click()
    popup = opened.value
    popup.get_by_label("Username or email address").fill(username)
    popup.get_by_label("Password").fill(PASSWORD)
    # The popup closes itself as soon as the login lands: wait for that from before the click
    # (waiting after it missed a close that came first, and waited until the timeout).
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Log in").click()
    thread.get_by_text(f"Signed in as {username}.").wait_for()
    return thread


@pytest.mark.parametrize("width", [390, 1280])
def test_a_reader_logs_in_through_the_popup_then_comments_and_replies_in_the_frame(
    live_server, registered, page, width
):
    make_account(live_server, "janine", verified=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(registered["page_url"])
    thread = sign_in_through_the_popup(page, "janine")
    framed = page.frames[1]
    assert framed.evaluate("document.cookie") == "", "the frame holds no cookie of ours"
    before = page.locator("iframe").evaluate("f => f.getBoundingClientRect().height")
    thread.get_by_label("Your comment").fill("Comments under the article, at last.")
    thread.get_by_role("button", name="Post comment").click()
    thread.locator(".comment-body", has_text="Comments under the article, at last.").wait_for()
    thread.get_by_text("Published.").wait_for()
    page.wait_for_function(
        f"() => document.querySelector('iframe').getBoundingClientRect().height > {before}"
    )
    thread.locator("[data-reply-to]").first.click()
    thread.get_by_label("Your reply").fill("And a reply from the same frame.")
    thread.get_by_role("button", name="Post reply").click()
    reply = thread.locator(".comment", has_text="And a reply from the same frame.")
    reply.wait_for()
    assert "in reply to janine" in reply.inner_text()
    screenshot(page, f"embed-signed-in-{width}")


def test_logging_out_on_the_forum_signs_the_frame_out(live_server, registered, page):
    make_account(live_server, "janine", verified=True)
    page.goto(registered["page_url"])
    thread = sign_in_through_the_popup(page, "janine")
    forum = page.context.new_page()
    forum.goto(live_server.url + "/account")
    forum.get_by_role("button", name="Log out").first.click()
    forum.wait_for_load_state()
    thread.get_by_label("Your comment").fill("Am I still here?")
    thread.get_by_role("button", name="Post comment").click()
    thread.get_by_role("button", name="Log in to comment").wait_for()
    assert thread.get_by_text("Signed in as janine.").count() == 0


def test_axe_finds_nothing_serious_in_the_signed_in_frame(
    live_server, registered, page, axe_source
):
    make_account(live_server, "janine", verified=True)
    page.goto(registered["page_url"])
    sign_in_through_the_popup(page, "janine")
    framed = page.frames[1]
    framed.evaluate(axe_source)
    found = [
        v
        for v in framed.evaluate("async () => (await axe.run(document)).violations")
        if v["impact"] in ("serious", "critical")
    ]
    assert not found, describe(found)
