"""A thread framed on another site's page, in Chromium: the host page is served by a second
server on loopback, registered as ``http://localhost:<port>``; the same server reached as
``http://127.0.0.1:<port>`` is another origin, not registered, and cannot show the thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from forum.articles.models import Article
from forum.sites import service
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, violations
from tests.serving import serving

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


def test_axe_finds_nothing_serious_in_the_framed_thread(live_server, registered, page, axe_source):
    page.goto(registered["page_url"])
    page.frame_locator("iframe").get_by_text("No comments yet.").wait_for()
    page.goto(page.frames[1].url)  # the frame's document on its own, where axe can run
    assert not violations(page, axe_source), describe(violations(page, axe_source))
