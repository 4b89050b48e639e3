"""The visitor's article page: its thread section rendered once and shared (keyed by the
thread's ETag, so any change shows at once), its own ETag and 304s, and nothing personal
crossing from one reader to another."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role
from forum.app import user_data_registry
from forum.articles.models import Article
from forum.articles.service import ArticleInput, save_article
from forum.comments import service
from forum.comments.models import Comment, CommentStatus
from forum.comments.visitor_page import PageCache
from forum.mail.outbox import Outbox
from forum.privacy import erasure, retention
from forum.web.render_cache import MemoryRenderCache, RedisRenderCache, make_render_cache
from tests.comments.caching import article as article  # a fixture
from tests.comments.caching import counted
from tests.conftest import AuthActions, provided

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def page(client: Any, article: Any, etag: str | None = None) -> Any:
    headers = {"if-none-match": etag} if etag else {}
    return client.get(f"/articles/{article.slug}", headers=headers)


def thread_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the visitor thread sections rendered (each one reads the thread)."""
    return counted(monkeypatch, service, "thread_page")


# --- target 7: revalidation ------------------------------------------------------------------


def test_visitor_page_carries_an_etag_and_revalidates_with_304(client, article, post):
    post(article, None, "Hello there", author_name="Ann")
    first = page(client, article)
    assert first.status_code == 200 and "Hello there" in first.text
    # the browser revalidates; no shared cache keeps it (its forms carry this visitor's token)
    assert first.headers["cache-control"] == "private, no-cache"
    assert "cookie" in first.headers["vary"].lower()
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')

    again = page(client, article, etag)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag


def test_logged_in_page_stays_no_store(client, auth, article, make_user):
    make_user("reader")
    auth.login("reader")
    response = page(client, article)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
    assert page(client, article, '"anything"').status_code == 200


def test_each_sort_and_page_has_its_own_etag(client, article, post):
    post(article, None, "One", author_name="Ann")
    post(article, None, "Two", author_name="Bob")
    oldest = client.get(f"/articles/{article.slug}?sort=oldest").headers["etag"]
    newest = client.get(f"/articles/{article.slug}?sort=newest").headers["etag"]
    assert oldest != newest


def test_consent_decision_changes_the_etag(client, auth, article):
    first = page(client, article)
    assert "consent-banner" in first.text
    auth.post("/cookies", {"choice": "reject", "source": "banner", "next": "/"})
    after = page(client, article, first.headers["etag"])
    assert after.status_code == 200 and "consent-banner" not in after.text


# --- target 1: one rendering shared, changed as soon as the thread changes -------------------


def test_visitors_share_one_rendering(app, settings, article, post, monkeypatch):
    post(article, None, "Shared words", author_name="Ann")
    renders = thread_renders(monkeypatch)
    pages = []
    for _ in range(3):
        with TestClient(app, base_url=settings.base_url) as visitor:
            pages.append(page(visitor, article))
    assert len(renders) == 1
    assert all("Shared words" in p.text for p in pages)


def changes(database: Any, hooks: Any, settings: Any) -> dict[str, Any]:
    """What may change a visitor's page, each done as the services do it."""

    def edit(comment: Comment, author: Any) -> str:
        with database.session(write=True) as session:
            service.edit_comment(
                session,
                hooks,
                comment.id,
                editor=CurrentUser.of(author, via="session"),
                body="Words after the edit",
                window=timedelta(minutes=15),
            )
        return "Words after the edit"

    def status(comment: Comment, value: CommentStatus) -> None:
        with database.session(write=True) as session:
            row = session.get(Comment, comment.id)
            service.set_status(session, hooks, row, value)

    def erase(author: Any) -> None:
        with database.session(write=True) as session:
            erasure.request_erasure(session, author.id, delete_comments=False, grace=timedelta(0))
        retention.purge(
            database,
            Outbox.from_settings(settings),
            settings,
            user_data_registry(settings, hooks),
        )

    def edit_article(article: Any) -> None:
        with database.session(write=True) as session:
            row = session.scalar(select(Article).where(Article.id == article.id))
            data = ArticleInput(
                title="A new title",
                author_name=row.author_name,
                submitted_at=row.submitted_at,
                body=row.body_source,
                slug=row.slug,
            )
            save_article(session, data)

    return {"edit": edit, "status": status, "erase": erase, "edit_article": edit_article}


@pytest.mark.parametrize("change", ["post", "edit", "hide", "approve", "erase", "edit_article"])
def test_a_cached_page_changes_as_soon_as_the_thread_does(
    client, database, hooks, settings, article, post, make_user, change
):
    author = make_user("writer", display_name="Wendy Writer")
    shown = post(article, author, "Words before")
    held = post(article, None, "Held words", author_name="Hal")
    with database.session(write=True) as session:
        service.set_status(session, hooks, session.get(Comment, held.id), CommentStatus.PENDING)
    before = page(client, article)
    assert "Words before" in before.text and "Held words" not in before.text
    etag = before.headers["etag"]
    assert page(client, article, etag).status_code == 304  # cached and current

    do = changes(database, hooks, settings)
    if change == "post":
        post(article, None, "A newer comment", author_name="Nat")
        expect, gone = "A newer comment", None
    elif change == "edit":
        expect, gone = do["edit"](shown, author), "Words before"
    elif change == "hide":
        do["status"](shown, CommentStatus.HIDDEN)
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

    after = page(client, article, etag)
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    if expect:
        assert expect in after.text
    if gone:
        assert gone not in after.text


# --- nothing personal crosses -----------------------------------------------------------------


@pytest.mark.parametrize("settings_overrides", [{"anonymous_comments": True}])
def test_a_visitor_never_gets_another_visitors_csrf_token(app, settings, article, post):
    """The comment form is in the shared section: its token and nonce are each visitor's."""
    post(article, None, "Anyone may reply", author_name="Ann")
    tokens, nonces = [], []
    for _ in range(2):
        with TestClient(app, base_url=settings.base_url) as visitor:
            response = page(visitor, article)
            assert 'action="/articles/cached-article/comments' in response.text
            found = CSRF_INPUT.findall(response.text)
            assert len(found) >= 3 and set(found) == {visitor.cookies["forum_csrf"]}
            tokens.append(found[0])
            nonces += re.findall(r'name="post_nonce" value="([^"]+)"', response.text)
    assert tokens[0] != tokens[1]
    assert len(nonces) == 2 and nonces[0] != nonces[1]


def test_a_visitor_never_gets_a_readers_buttons(app, settings, article, post, make_user):
    """The author and a moderator read the page first; the visitor after them sees none of
    their buttons (their pages never fill the shared cache)."""
    writer = make_user("writer")
    comment = post(article, writer, "My own words")
    make_user("modo", role=Role.MODERATOR)
    for login, button in [("writer", f"/comments/{comment.id}/edit"), ("modo", "/reject")]:
        with TestClient(app, base_url=settings.base_url) as reader:
            AuthActions(reader).login(login)
            assert button in page(reader, article).text
    with TestClient(app, base_url=settings.base_url) as visitor:
        seen = page(visitor, article).text
    assert "My own words" in seen
    assert f"/comments/{comment.id}/edit" not in seen
    assert f"/comments/{comment.id}/delete" not in seen
    assert "/approve" not in seen and "/reject" not in seen and "/report" not in seen
    assert "Log out" not in seen


def test_a_visitor_with_a_session_cookie_gets_no_etag(client, article):
    client.cookies.set("forum_session", "whatever")
    response = page(client, article)
    assert response.status_code == 200 and "etag" not in response.headers
    assert response.headers["cache-control"] == "no-store"


# --- the stores ------------------------------------------------------------------------------


def test_memory_cache_is_bounded_and_drops_the_least_recently_used():
    cache = MemoryRenderCache(max_bytes=10)
    cache.set("a", "aaaa")
    cache.set("b", "bbbb")
    assert cache.get("a") == "aaaa"  # now b is the least recently used
    cache.set("c", "cccc")
    assert cache.get("b") is None and cache.get("a") == "aaaa" and cache.get("c") == "cccc"
    assert cache.size <= 10
    cache.set("huge", "x" * 11)
    assert cache.get("huge") is None


def test_the_app_uses_memory_without_redis_and_redis_with_it(app, settings):
    cache: PageCache = provided(app, "page_cache")
    expected = RedisRenderCache if settings.redis_url else MemoryRenderCache
    assert isinstance(cache.store, expected)


@pytest.mark.skipif(not os.environ.get("FORUM_TEST_REDIS_URL"), reason="needs Redis")
def test_redis_cache_shares_entries_and_a_dead_redis_is_a_miss(settings):
    url = os.environ["FORUM_TEST_REDIS_URL"]
    cache = make_render_cache(replace(settings, redis_url=url, redis_prefix="forum-test-rc"))
    assert isinstance(cache, RedisRenderCache)
    cache.set("k", "<p>shared</p>")
    other = make_render_cache(replace(settings, redis_url=url, redis_prefix="forum-test-rc"))
    assert other.get("k") == "<p>shared</p>"
    cache.client.close()
    other.client.close()
    dead = make_render_cache(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    assert dead.get("k") is None
    dead.set("k", "v")  # no error
    dead.client.close()
