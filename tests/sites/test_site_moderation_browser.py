"""A site's moderator's queue in Chromium, on a phone and a laptop: the site's held comment
only, nothing scrolls sideways, and axe-core finds nothing serious. Runs with the browser
tests (``FORUM_TEST_BROWSER``), whose fixtures it borrows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.articles.service import get_published
from forum.comments import service as comments
from forum.comments.hooks import CommentHooks
from forum.comments.models import CommentStatus
from forum.sites import service as sites
from forum.sites.models import SitePage
from tests.browser.conftest import (  # noqa: F401 - the browser tests' fixtures, used by name
    BROWSER,
    axe_source,
    chromium,
    live_overrides,
    live_server,
    page,
)
from tests.browser.test_accessibility import describe, log_in, make_account, violations
from tests.browser.test_journeys import add_article
from tests.browser.test_layout_and_small_things import OVERFLOW, SIZES

pytestmark = pytest.mark.skipif(not BROWSER, reason="set FORUM_TEST_BROWSER=1 to run it")


def _comment(server, slug: str, body: str) -> None:
    """A held comment by a_reader_with_a_long_name on the article ``slug``."""
    with server.database.session(write=True) as session:
        user = session.scalar(select(User).where(User.username_key == "a_reader_with_a_long_name"))
        comment = comments.post_comment(
            session,
            CommentHooks(),
            article=get_published(session, slug),
            author=CurrentUser.of(user, via="session"),
            request=comments.PostRequest(body=body),
            anonymous_allowed=False,
            close_after_days=0,
        )
        comments.set_status(session, CommentHooks(), comment, CommentStatus.PENDING)


def _site_with_held_comments(server) -> None:
    """The article 'socialism' is a page of sam's site; 'own' is the forum's own article."""
    add_article(server)
    add_article(server, slug="own", title="The forum's own article")
    make_account(server, "sam")
    make_account(server, "a_reader_with_a_long_name")
    with server.database.session(write=True) as session:
        site = sites.create_site(
            session, sites.SiteInput("Janine's blog", "https://blog.example", True, "open", "sam")
        )
        blog = get_published(session, "socialism")
        session.add(
            SitePage(article_id=blog.id, site_id=site.id, canonical_url="https://blog.example/s")
        )
    _comment(
        server,
        "socialism",
        "Held on the blog: https://example.org/a/very/long/link/that/does/not/break",
    )
    _comment(server, "own", "Held here")


@pytest.mark.parametrize("size", SIZES)
def test_a_site_moderators_queue_fits_and_passes_axe(live_server, page, axe_source, size):  # noqa: F811
    _site_with_held_comments(live_server)
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in(page, live_server, "sam")
    page.goto(live_server.url + "/moderation")
    text = page.locator("main").inner_text()
    assert "You moderate the threads of Janine's blog." in text
    assert "Held on the blog" in text and "Held here" not in text
    measured = page.evaluate(OVERFLOW)
    assert measured["page"] <= 0 and not measured["wide"], measured
    found = violations(page, axe_source)
    assert not found, describe(found)
