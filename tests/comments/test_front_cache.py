"""The front cache: article pages and JSON threads for visitors without a cookie, answered in
front of Litestar, each with its own CSRF token, and changed as soon as the thread is."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import re
import sqlite3
import time
from types import SimpleNamespace
from typing import Any

import brotli
import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from forum.comments import pages
from forum.comments.models import Comment, CommentStatus
from forum.privacy.models import PageViewCount
from forum.web import front_cache, front_entries
from forum.web.access_log import LOGGER
from tests.comments.caching import article as article  # a fixture
from tests.comments.caching import counted
from tests.comments.test_render_cache import changes
from tests.conftest import AuthActions

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
PER_REQUEST = re.compile(rb'(value="[0-9a-f]{128}"|name="post_nonce" value="[^"]+"|value="\d{10}")')


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Entries live long here: only a write may make a page change within a test."""
    return {"front_cache_ms": 600_000, "anonymous_comments": True}


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the visitor pages Litestar's handler made (a front-cache answer makes none)."""
    return counted(monkeypatch, pages, "visitor_article_page")


def visit(client: TestClient, path: str, **headers: str) -> Any:
    """A GET from a client that keeps no cookies (a first visit, a proxy, a crawler)."""
    client.cookies.clear()
    response = client.get(path, headers=headers)
    client.cookies.clear()
    return response


def raw(client: TestClient, path: str, encoding: str) -> tuple[Any, bytes]:
    """A cookieless GET's response and its body as sent (not decoded)."""
    client.cookies.clear()
    with client.stream("GET", path, headers={"accept-encoding": encoding}) as response:
        body = b"".join(response.iter_raw())
    client.cookies.clear()
    return response, body


NOT_MODIFIED_HEADERS = {"etag", "vary", "cache-control", "set-cookie", "x-request-id"}
"""A front-cache 304's headers: its validator, what updates the stored copy, a CSRF cookie."""


def token_of(response: Any) -> str:
    return str(response.cookies["forum_csrf"])


# --- the key requirement: a cached page changes as soon as the thread does -------------------


@pytest.mark.parametrize(
    "change", ["post", "edit", "hold", "reject", "approve", "erase", "edit_article"]
)
def test_a_cached_page_changes_as_soon_as_the_thread_does(
    client, database, hooks, settings, article, post, make_user, handled, change
):
    author = make_user("writer", display_name="Wendy Writer")
    shown = post(article, author, "Words before")
    held = post(article, None, "Held words", author_name="Hal")
    do = changes(database, hooks, settings)
    do["status"](held, CommentStatus.PENDING)
    path = f"/articles/{article.slug}"
    before = visit(client, path)
    assert "Words before" in before.text and "Held words" not in before.text
    again = visit(client, path, **{"if-none-match": before.headers["etag"]})
    assert again.status_code == 304 and len(handled) == 1  # answered by the front cache

    if change == "post":
        post(article, None, "A newer comment", author_name="Nat")
        expect, gone = "A newer comment", None
    elif change == "edit":
        expect, gone = do["edit"](shown, author), "Words before"
    elif change in ("hold", "reject"):
        do["status"](shown, CommentStatus.PENDING if change == "hold" else CommentStatus.REJECTED)
        expect, gone = None, "Words before"
    elif change == "approve":
        do["status"](held, CommentStatus.PUBLISHED)
        expect, gone = "Held words", None
    elif change == "erase":
        do["erase"](author)
        expect, gone = None, "Wendy Writer"
    else:
        do["edit_article"](article)
        expect, gone = "A new title", "Cached article"

    after = visit(client, path, **{"if-none-match": before.headers["etag"]})
    assert after.status_code == 200 and len(handled) == 2
    if expect:
        assert expect in after.text
    if gone:
        assert gone not in after.text
    assert visit(client, path).text.count("Wendy") == after.text.count("Wendy")
    assert len(handled) == 2  # and kept again


def test_the_json_thread_changes_as_soon_as_a_comment_is_posted(client, article, post):
    path = f"/api/articles/{article.slug}/comments"
    post(article, None, "First words", author_name="Ann")
    first = visit(client, path)
    assert [c["html"] for c in first.json()["comments"]] == ["<p>First words</p>"]
    assert visit(client, path).json() == first.json()
    post(article, None, "Second words", author_name="Bob")
    after = visit(client, path, **{"if-none-match": first.headers["etag"]})
    assert after.status_code == 200 and len(after.json()["comments"]) == 2


def _write_elsewhere(url: str, statement: str) -> None:
    """A write on a connection of the driver's own, as another process makes it (this
    process's write generation does not see it)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as other:
            other.execute(statement)
        return
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as other:
        other.execute(statement)


def test_a_write_by_another_process_shows_within_the_time_bound(
    client, app, settings, article, post, monkeypatch
):
    """Writes of other processes move no generation here: the entry's age bounds them
    (measured on the front cache's clock, which the test moves)."""
    now = [1000.0]
    clock = SimpleNamespace(
        monotonic=lambda: now[0], perf_counter=time.perf_counter, time=time.time
    )
    monkeypatch.setattr(front_cache, "time", clock)
    monkeypatch.setattr(front_entries, "time", clock)  # when an entry's request began
    monkeypatch.setattr(app.fast_paths.front_cache, "seconds", 1.0)
    post(article, None, "Old words", author_name="Ann")
    path = f"/articles/{article.slug}"
    assert "Old words" in visit(client, path).text
    _write_elsewhere(
        settings.effective_database_url, "UPDATE articles SET title = 'Retitled elsewhere'"
    )
    now[0] += 0.9
    assert "Retitled elsewhere" not in visit(client, path).text  # still the kept page
    now[0] += 0.2
    assert "Retitled elsewhere" in visit(client, path).text


# --- each answer its own CSRF token, and it works --------------------------------------------


def test_each_cookieless_answer_has_its_own_token_matching_its_cookie(client, article, handled):
    path = f"/articles/{article.slug}"
    answers = [visit(client, path) for _ in range(3)]
    assert len(handled) == 1
    tokens = [token_of(a) for a in answers]
    assert len(set(tokens)) == 3
    for answer, token in zip(answers, tokens, strict=True):
        assert set(CSRF_INPUT.findall(answer.text)) == {token}
        nonce = re.findall(r'name="post_nonce" value="([^"]+)"', answer.text)
        assert len(nonce) == 1 and "nonce" not in nonce[0]
        started = re.findall(r'name="form_started" value="([^"]+)"', answer.text)
        assert started and abs(int(started[0]) - time.time()) < 60


def test_a_token_from_a_cached_page_works_for_a_form(client, article, handled):
    path = f"/articles/{article.slug}"
    visit(client, path)
    page = visit(client, path)
    assert len(handled) == 1 and "consent-banner" in page.text
    (token,) = set(CSRF_INPUT.findall(page.text))
    client.cookies.set("forum_csrf", token_of(page))
    chosen = client.post(
        "/cookies",
        data={"_csrf_token": token, "choice": "reject", "source": "banner", "next": "/"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    assert "consent-banner" not in client.get(path).text


def test_a_token_of_another_answer_is_refused(client, article):
    path = f"/articles/{article.slug}"
    mine, other = visit(client, path), visit(client, path)
    client.cookies.set("forum_csrf", token_of(mine))
    refused = client.post(
        "/cookies",
        data={"_csrf_token": CSRF_INPUT.findall(other.text)[0], "choice": "reject"},
        follow_redirects=False,
    )
    assert refused.status_code == 403


# --- revalidation ----------------------------------------------------------------------------


def test_304_from_the_front_cache_and_200_for_a_stale_tag(client, article, post, handled):
    path = f"/articles/{article.slug}"
    first = visit(client, path)
    tag = first.headers["etag"]
    again = visit(client, path, **{"if-none-match": tag})
    assert again.status_code == 304 and again.content == b"" and len(handled) == 1
    assert again.headers["cache-control"] == "private, no-cache"
    assert set(again.headers) == NOT_MODIFIED_HEADERS
    # the cookie given back is the token of the copy the client shows: its forms post
    assert token_of(again) == token_of(first) and again.headers["etag"] == tag
    post(article, None, "Something new", author_name="Ann")
    stale = visit(client, path, **{"if-none-match": tag})
    assert stale.status_code == 200 and "Something new" in stale.text
    assert front_entries.validator_of(stale.headers["etag"]) != front_entries.validator_of(tag)


def test_a_browser_that_lost_its_cookie_posts_from_the_page_it_revalidated(
    client, article, post, database
):
    """A browser restarted: its CSRF cookie lasted a session, its cache kept the page. The
    304 gives back the token of that page's forms, so a comment posted from it goes in."""
    path = f"/articles/{article.slug}"
    kept = visit(client, path)
    (form_token,) = set(CSRF_INPUT.findall(kept.text))
    client.cookies.clear()
    revalidated = client.get(path, headers={"if-none-match": kept.headers["etag"]})
    assert revalidated.status_code == 304
    nonce = re.findall(r'name="post_nonce" value="([^"]+)"', kept.text)[0]
    started = re.findall(r'name="form_started" value="([^"]+)"', kept.text)[0]
    posted = client.post(
        f"{path}/comments",
        data={
            "_csrf_token": form_token,
            "body": "Posted from a page kept across a restart",
            "author_name": "Rae",
            "post_nonce": nonce,
            "form_started": str(int(started) - 30),
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    with database.session() as session:
        bodies = session.scalars(select(Comment.body_source)).all()
    assert "Posted from a page kept across a restart" in bodies


@pytest.mark.parametrize("part", ["", "0" * 63, "z" * 64, "0" * 64 + "0", "<script>"])
def test_a_page_tag_without_a_token_of_ours_gets_the_page_again(client, article, part):
    """A tag that names the content but no token a page of ours carries: not a 304 (the
    copy's forms could not post), the page with a token of its own."""
    path = f"/articles/{article.slug}"
    content = front_entries.validator_of(visit(client, path).headers["etag"])
    again = visit(client, path, **{"if-none-match": f'"{content}.{part}"'})
    assert again.status_code == 200
    assert set(CSRF_INPUT.findall(again.text)) == {token_of(again)}


@pytest.mark.parametrize("settings_overrides", [{"front_cache_ms": 0}])
def test_without_the_front_cache_a_cookieless_revalidation_gets_the_page(client, article):
    """Litestar's path gives a cookieless request a new token, which no kept copy carries."""
    path = f"/articles/{article.slug}"
    first = visit(client, path)
    again = visit(client, path, **{"if-none-match": first.headers["etag"]})
    assert again.status_code == 200 and token_of(again) != token_of(first)
    client.cookies.set("forum_csrf", token_of(first))
    assert client.get(path, headers={"if-none-match": first.headers["etag"]}).status_code == 304


def test_a_browser_with_its_cookie_still_revalidates_the_page_it_got(client, article):
    """The tag of a cookieless answer is bound to the token it set: the browser that keeps
    the cookie revalidates through Litestar and gets 304 as before."""
    path = f"/articles/{article.slug}"
    visit(client, path)
    client.cookies.clear()
    first = client.get(path)  # a front-cache answer; the client keeps its cookie
    again = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


def test_the_json_thread_304_from_the_front_cache(client, app, article, post):
    post(article, None, "Words", author_name="Ann")
    path = f"/api/articles/{article.slug}/comments"
    first = visit(client, path)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    assert token_of(first)  # the 200 sets a CSRF cookie, as Litestar's answer would
    entry = app.fast_paths.front_cache.entries[f"{path}?#en".encode()]  # kept (in English)
    assert entry.validator == tag.strip('"')
    again = visit(client, path, **{"if-none-match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag
    # what updates the stored copy, no more: it keeps the security headers of its 200, and
    # no cookie (the JSON holds no token for one to match)
    assert set(again.headers) == NOT_MODIFIED_HEADERS - {"set-cookie"}
    assert "content-security-policy" in first.headers
    other = visit(client, path, **{"if-none-match": f'"stale", {tag}'})
    assert other.status_code == 304 and other.headers["etag"] == tag
    assert visit(client, path, **{"if-none-match": '"stale"'}).status_code == 200


# --- who never gets a front-cache answer -----------------------------------------------------


def test_a_logged_in_reader_gets_their_own_page(app, settings, article, post, make_user, handled):
    writer = make_user("writer")
    comment = post(article, writer, "My own words")
    path = f"/articles/{article.slug}"
    with TestClient(app, base_url=settings.base_url) as visitor:
        visit(visitor, path)
        visit(visitor, path)
    assert len(handled) == 1
    with TestClient(app, base_url=settings.base_url) as reader:
        AuthActions(reader).login("writer")
        own = reader.get(path)
    assert f"/comments/{comment.id}/edit" in own.text
    assert own.headers["cache-control"] == "no-store" and "etag" not in own.headers


def test_requests_with_a_cookie_or_authorization_go_to_litestar(client, article, handled):
    path = f"/articles/{article.slug}"
    visit(client, path)
    visit(client, path)
    assert len(handled) == 1
    client.cookies.set("forum_consent", "anything")
    client.get(path)
    client.cookies.clear()
    client.get(path, headers={"sec-gpc": "1"})
    assert len(handled) == 3
    client.cookies.clear()
    api = f"/api/articles/{article.slug}/comments"
    visit(client, api)
    bearer = visit(client, api, authorization="Bearer not-a-token")
    assert "set-cookie" not in bearer.headers  # Litestar's answer: no CSRF cookie for a bearer


def test_other_methods_and_paths_are_not_kept(client, article):
    assert client.head(f"/articles/{article.slug}").status_code == 405
    for path in (f"/articles/{article.slug}/comments", f"/api/articles/{article.slug}"):
        assert front_cache.FrontCache.key_of({"method": "GET", "path": path, "headers": []}) is None


# --- the answer itself -----------------------------------------------------------------------


def test_a_front_cache_answer_has_the_headers_of_litestars(client, article, post):
    post(article, None, "Words", author_name="Ann")
    path = f"/articles/{article.slug}"
    first, kept = visit(client, path), visit(client, path)
    per_request = {"etag", "set-cookie", "x-request-id"}
    assert set(first.headers) == set(kept.headers)
    for name in set(first.headers) - per_request:
        assert kept.headers[name] == first.headers[name], name
    assert "content-security-policy" in kept.headers and "x-frame-options" in kept.headers
    assert "accept-encoding" in kept.headers["vary"].lower()
    assert "cookie" in kept.headers["vary"].lower()


@pytest.mark.parametrize("kind", ["page", "json"])
def test_gzip_and_brotli_bodies_decode_to_the_identity_body(client, article, post, kind):
    for n in range(12):
        post(article, None, f"Comment number {n} with some words to compress", author_name="A")
    path = f"/articles/{article.slug}"
    if kind == "json":
        path = f"/api{path}/comments"
    visit(client, path)  # kept
    _, plain = raw(client, path, "identity")
    gz_response, gz = raw(client, path, "gzip")
    br_response, br = raw(client, path, "br")
    assert gz_response.headers["content-encoding"] == "gzip"
    assert int(gz_response.headers["content-length"]) == len(gz) < len(plain) / 2
    decoded = {"gzip": gzip.decompress(gz)}  # checks the CRC and the length too
    if kind == "json":
        assert br_response.headers["content-encoding"] == "br"
        decoded["br"] = brotli.decompress(br)
    else:  # a page cut for per-request values: brotli made for the answer of a br-only client
        assert br_response.headers["content-encoding"] == "br"
        decoded["br"] = brotli.decompress(br)
    for body in decoded.values():
        assert PER_REQUEST.sub(b"*", body) == PER_REQUEST.sub(b"*", plain)
    if kind == "json":
        assert decoded["br"] == plain


def test_hits_are_logged_like_every_other_request(client, article, settings):
    logger = logging.getLogger(LOGGER)
    lines: list[dict[str, Any]] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.fields)  # type: ignore[attr-defined]

    keep = Keep()
    logger.addHandler(keep)
    try:
        path = f"/articles/{article.slug}?secret=query-value"
        visit(client, path)
        hit = visit(client, path, **{"x-request-id": "proxy-id-1234"})
    finally:
        logger.removeHandler(keep)
    assert [line["route"] for line in lines] == ["/articles/{slug}"] * 2
    assert lines[1]["status"] == 200 and lines[1]["request_id"] == "proxy-id-1234"
    assert hit.headers["x-request-id"] == "proxy-id-1234"
    assert "query-value" not in json.dumps(lines)


def test_entries_are_bounded(client, make_article, monkeypatch, app):
    monkeypatch.setattr(front_cache.FrontCache, "max_entries", 3)
    for n in range(6):
        article = make_article(title=f"Bounded {n}")
        visit(client, f"/articles/{article.slug}")
    assert len(app.fast_paths.front_cache.entries) == 3


@pytest.mark.parametrize("settings_overrides", [{"front_cache_ms": 0}])
def test_the_front_cache_can_be_turned_off(app):
    assert app.fast_paths.front_cache is None


@pytest.mark.anyio
async def test_visitors_arriving_together_wait_for_one_making_of_the_page(
    app, settings, article, handled
):
    """Six first visits at once, each from a client of its own, on the app's one event loop."""
    path = f"{settings.base_url}/articles/{article.slug}"

    async def first_visit() -> Any:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as visitor:
            return await visitor.get(path)

    answers = await asyncio.gather(*(first_visit() for _ in range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert len(handled) == 1
    assert len({token_of(a) for a in answers}) == 6


def test_a_counted_page_view_leaves_the_kept_page_current(client, auth, article, db, handled):
    """Bookkeeping (page-view counts, login touches) changes nothing a visitor sees."""
    path = f"/articles/{article.slug}"
    visit(client, path)
    auth.post("/cookies", {"choice": "accept_all", "source": "banner", "next": "/"})
    assert client.get(path).status_code == 200  # Litestar's, counted after the answer
    assert db.scalar(select(PageViewCount.views).where(PageViewCount.path == path)) == 1
    visit(client, path)
    assert len(handled) == 2
