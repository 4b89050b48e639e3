"""Signing in from a framed thread whose browser keeps our cookies from the frame: the popup (a
first-party window, with the reader's own login) hands the frame a one-minute, single-use
ticket; the frame trades it for a session carried in a header. Here the frame's requests go
without the browser's cookies and keep none, as a browser blocking third-party cookies does."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.models import Comment, CommentVote
from forum.privacy import service as privacy
from forum.privacy.models import ConsentRecord
from forum.signing import Signer
from forum.sites import frame_signin
from tests.sites.test_embed import PAGE

NONCE = "n" * 32
HEADER = "x-forum-frame-session"


class Frame:
    """The framed thread's script: no cookies, its session id in memory, sent as a header."""

    def __init__(self, client: TestClient[Any], site_id: int) -> None:
        self.client = client
        self.site_id = site_id
        self.session: str | None = None

    def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {HEADER: self.session or "new", **kwargs.pop("headers", {})}
        return without_cookies(self.client, method, url, headers=headers, **kwargs)

    def trade(self, ticket: str, nonce: str = NONCE, **kwargs: Any) -> Any:
        answer = self._send(
            "POST",
            f"/embed/{self.site_id}/session",
            json={"ticket": ticket, "nonce": nonce},
            **kwargs,
        )
        if answer.status_code == 204:
            self.session = answer.headers[HEADER]
        return answer

    def thread(self) -> str:
        answer = self._send("GET", f"/embed/{self.site_id}/thread?url={quote(PAGE)}&title=Hi")
        assert answer.status_code == 200
        return str(answer.text)

    def post(self, url: str, data: dict[str, str], **kwargs: Any) -> Any:
        return self._send("POST", url, data=data, **kwargs)


def without_cookies(client: TestClient[Any], method: str, url: str, **kwargs: Any) -> Any:
    """A request of the same browser from inside the frame: its cookies neither sent nor kept."""
    kept = list(client.cookies.jar)
    client.cookies.clear()
    try:
        return client.request(method, url, follow_redirects=False, **kwargs)
    finally:
        client.cookies.clear()
        for cookie in kept:
            client.cookies.jar.set_cookie(cookie)


@pytest.fixture
def site(make_site: Any) -> Any:
    return make_site()


@pytest.fixture
def frame(client: TestClient[Any], site: Any) -> Frame:
    return Frame(client, site.id)


def popup(client: TestClient[Any], site_id: int, nonce: str = NONCE) -> Any:
    return client.get(f"/embed/{site_id}/signin?nonce={nonce}", follow_redirects=False)


def ticket_of(page: Any) -> str:
    found = re.search(r'data-frame-ticket="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def signed_in_frame(auth: Any, frame: Frame) -> Frame:
    auth.login()
    assert frame.trade(ticket_of(popup(auth.client, frame.site_id))).status_code == 204
    return frame


def test_a_reader_signs_in_through_the_popup_and_comments_from_the_frame(
    auth, make_user, frame, database
):
    make_user("janine", display_name="Janine")
    auth.login("janine")
    page = popup(auth.client, frame.site_id)
    assert page.status_code == 200
    assert page.headers["cross-origin-opener-policy"] == "unsafe-none"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "Signed in as" not in frame.thread()
    answer = frame.trade(ticket_of(page))
    assert answer.status_code == 204 and len(frame.session or "") == 64
    assert "set-cookie" not in answer.headers
    thread = frame.thread()
    assert "Signed in as Janine." in thread and "Add a comment" in thread
    slug = re.search(r'action="/articles/([^/"]+)/comments', thread)
    assert slug
    posted = frame.post(f"/articles/{slug.group(1)}/comments", {"body": "Hello from the blog"})
    assert posted.status_code == 303
    reply = frame.post(
        f"/articles/{slug.group(1)}/comments",
        {"body": "And a reply", "parent_id": posted.headers["location"].split("comment-")[-1]},
    )
    assert reply.status_code == 303
    with database.session() as s:
        rows = s.execute(
            select(Comment.body_source, Comment.parent_id, Comment.author_id).order_by(Comment.id)
        ).all()
    assert [(body, parent is not None) for body, parent, _ in rows] == [
        ("Hello from the blog", False),
        ("And a reply", True),
    ]
    assert "Hello from the blog" in frame.thread()


def test_a_reader_votes_from_the_frame_with_its_session_alone(
    auth, make_user, frame, post, database
):
    bob = make_user("bob")
    frame.thread()  # the page's first view makes its thread
    with database.session() as s:
        article = s.scalar(select(Article))
    comment = post(article, bob, "Worth a vote.")
    make_user()
    signed_in_frame(auth, frame)
    assert f'action="/comments/{comment.id}/vote"' in frame.thread()
    voted = frame.post(f"/comments/{comment.id}/vote", {"value": "up"})
    assert voted.status_code == 303
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(CommentVote)) == 1


def test_a_visitor_in_the_popup_logs_in_on_the_forum_and_comes_back_to_the_ticket(
    auth, make_user, site
):
    make_user()
    first = popup(auth.client, site.id)
    assert first.status_code == 303
    assert first.headers["location"] == f"/login?next=/embed/{site.id}/signin%3Fnonce%3D{NONCE}"
    login_page = auth.client.get(first.headers["location"])
    assert login_page.headers["cross-origin-opener-policy"] == "unsafe-none"
    done = auth.post(
        "/login",
        {
            "login": "reader",
            "password": "a long enough passphrase",
            "next": f"/embed/{site.id}/signin?nonce={NONCE}",
        },
    )
    assert done.headers["location"] == f"/embed/{site.id}/signin?nonce={NONCE}"
    assert ticket_of(auth.client.get(done.headers["location"]))
    other_page = auth.client.get("/account")
    assert other_page.headers["cross-origin-opener-policy"] == "same-origin"


def test_a_ticket_works_once_for_its_own_frame_and_site_only(auth, make_user, make_site, frame):
    make_user()
    auth.login()
    ticket = ticket_of(popup(auth.client, frame.site_id))
    assert frame.trade(ticket, nonce="x" * 32).status_code == 403
    other = Frame(frame.client, make_site(name="Another blog").id)
    assert other.trade(ticket).status_code == 403
    assert frame.trade(ticket).status_code == 204
    frame.session = None
    assert frame.trade(ticket).status_code == 403


def test_a_stale_or_forged_ticket_is_refused(auth, make_user, frame, settings):
    make_user()
    auth.login()
    ticket = ticket_of(popup(auth.client, frame.site_id))
    signer = Signer(settings.effective_secret_key(), frame_signin.PURPOSE)
    payload = signer.unsign(ticket)
    stale = signer.sign(payload, max_age_seconds=60, now=time.time() - 61)
    assert frame.trade(stale).status_code == 403
    forged = Signer("another key", frame_signin.PURPOSE).sign(payload, max_age_seconds=60)
    assert frame.trade(forged).status_code == 403


def test_no_other_site_can_make_a_browser_trade_a_ticket_or_post_for_the_frame(
    auth, make_user, frame
):
    make_user()
    auth.login()
    ticket = ticket_of(popup(auth.client, frame.site_id))
    # A form on another site's page sends neither our header nor a CSRF token.
    forged = without_cookies(
        frame.client,
        "POST",
        f"/embed/{frame.site_id}/session",
        json={"ticket": ticket, "nonce": NONCE},
    )
    assert forged.status_code == 403
    assert frame.trade(ticket, headers={HEADER: "0" * 64}).status_code == 403
    signed_in = frame.trade(ticket)
    assert signed_in.status_code == 204
    thread = frame.thread()
    slug = re.search(r'action="/articles/([^/"]+)/comments', thread)
    assert slug
    no_header = without_cookies(
        frame.client, "POST", f"/articles/{slug.group(1)}/comments", data={"body": "forged"}
    )
    assert no_header.status_code == 403


def test_the_popup_needs_a_frames_nonce(auth, make_user, site):
    make_user()
    auth.login()
    assert popup(auth.client, site.id, nonce="short").status_code == 400


def test_logging_out_on_the_forum_signs_the_frame_out(auth, make_user, frame):
    make_user()
    signed_in_frame(auth, frame)
    assert "Signed in as" in frame.thread()
    auth.logout()
    thread = frame.thread()
    assert "Signed in as" not in thread and "data-frame-signin" in thread


def test_logging_out_in_the_frame_logs_out_on_the_forum_too(auth, make_user, frame):
    make_user()
    signed_in_frame(auth, frame)
    assert frame.post("/logout", {}).status_code == 303
    assert "Signed in as" not in frame.thread()
    assert auth.client.get("/account", follow_redirects=False).status_code in (302, 303)


def test_the_forums_rules_hold_in_the_frame_a_closed_thread_takes_no_comment(
    auth, make_user, make_site, client
):
    frame = Frame(client, make_site(comment_mode="closed").id)
    make_user()
    signed_in_frame(auth, frame)
    thread = frame.thread()
    assert "Comments on this article are closed." in thread
    slug = re.search(r'data-thread="([^"]+)"', thread)
    assert slug
    refused = frame.post(f"/articles/{slug.group(1)}/comments", {"body": "Still here?"})
    assert refused.status_code == 403


# --- the compact consent banner in the frame ------------------------------------------------


def test_the_frame_offers_a_compact_choice_and_a_signed_in_readers_choice_is_kept(
    auth, make_user, frame, database
):
    thread = frame.thread()
    assert "data-frame-consent" in thread
    assert 'value="reject"' in thread and 'value="accept_all"' in thread
    make_user()
    signed_in_frame(auth, frame)
    chosen = frame.post(
        "/cookies",
        {"choice": "accept_all", "source": "banner"},
        headers={"accept": "application/json"},
    )
    assert chosen.status_code == 200 and chosen.json() == {"preferences": True, "analytics": True}
    assert "data-frame-consent" not in frame.thread()
    with database.session() as s:
        user = s.scalar(select(User).where(User.username == "reader"))
        assert user is not None
        decision = privacy.user_decision(s, user.id)
    assert decision is not None and decision.analytics


def test_a_visitors_choice_in_the_frame_is_logged_and_never_sets_a_cookie_it_could_keep(
    frame, database
):
    chosen = frame.post(
        "/cookies", {"choice": "reject", "source": "banner"}, headers={"accept": "application/json"}
    )
    assert chosen.status_code == 200 and chosen.json()["analytics"] is False
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(ConsentRecord)) == 1


def test_the_frame_offers_no_choice_when_the_site_narrowed_consent_or_gpc_decided(frame):
    narrowed = frame.client.get(
        f"/embed/{frame.site_id}/thread?url={quote(PAGE)}&consent=necessary"
    )
    assert "data-frame-consent" not in narrowed.text
    assert "Necessary cookies only, as this site asked." in narrowed.text
    gpc = frame.client.get(
        f"/embed/{frame.site_id}/thread?url={quote(PAGE)}", headers={"Sec-GPC": "1"}
    )
    assert "data-frame-consent" not in gpc.text


def test_the_frames_session_gets_its_own_article_page_not_the_visitors_cached_one(
    auth, make_user, frame
):
    make_user()
    slug = re.search(r'data-thread="([^"]+)"', frame.thread())
    assert slug
    signed_in_frame(auth, frame)
    for _ in range(2):  # visitors without cookies: the front cache keeps their page (a second)
        visitor = without_cookies(frame.client, "GET", f"/articles/{slug.group(1)}")
        assert "to comment." in visitor.text
    page = frame._send("GET", f"/articles/{slug.group(1)}")
    assert page.status_code == 200 and "to comment." not in page.text
    assert "Post comment" in page.text
