"""The reader cache: a logged-in reader's article page, loaded again, is answered in front of
Litestar for exactly that reader's request, and stops as soon as anything it shows changes:
the thread, the reader's role or consent, and above all their session (logout ends access at
once in this process and within the time bound in another)."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import update

from forum.accounts.models import Role, User
from forum.comments import pages
from forum.comments.models import CommentStatus
from forum.web import front_cache, front_entries
from tests.comments.caching import article as article  # a fixture
from tests.comments.caching import counted
from tests.comments.test_front_cache import _write_elsewhere
from tests.comments.test_render_cache import changes
from tests.conftest import AuthActions

PER_REQUEST = re.compile(r'(name="post_nonce" value="[^"]+"|name="form_started" value="\d+")')


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Entries live long here: only a write or a form may make a page change within a test."""
    return {"front_cache_ms": 600_000}


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the reader pages Litestar's handler made (a reader cache answer makes none)."""
    return counted(monkeypatch, pages, "reader_article_page")


def page(client: Any, article: Any) -> str:
    response = client.get(f"/articles/{article.slug}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    return str(response.text)


def test_a_first_load_passes_through_and_a_second_is_kept(
    client, auth, app, article, make_user, handled
):
    make_user("reader")
    auth.login("reader")
    page(client, article)
    assert not app.fast_paths.reader_cache.entries  # most readers load a page once
    page(client, article)
    assert len(app.fast_paths.reader_cache.entries) == 1 and len(handled) == 2


def test_a_reload_is_the_same_page_without_the_handler(
    client, auth, article, make_user, post, handled
):
    post(article, make_user("ann"), "Words to read")
    make_user("reader", display_name="Rita Reader")
    auth.login("reader")
    page(client, article)
    first, again = page(client, article), page(client, article)
    assert len(handled) == 2
    assert "Rita Reader" in again and "Words to read" in again
    assert PER_REQUEST.sub("", first) == PER_REQUEST.sub("", again)
    nonces = [re.search(r'name="post_nonce" value="([^"]+)"', text) for text in (first, again)]
    assert nonces[0] and nonces[1] and nonces[0][1] != nonces[1][1]  # each answer its own


def test_the_token_in_a_kept_page_posts_a_comment(client, auth, article, make_user, handled):
    make_user("reader")
    auth.login("reader")
    page(client, article)
    page(client, article)
    kept = page(client, article)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', kept)
    nonce = re.search(r'name="post_nonce" value="([^"]+)"', kept)
    assert token and nonce and len(handled) == 2
    sent = client.post(
        f"/articles/{article.slug}/comments",
        data={"_csrf_token": token[1], "post_nonce": nonce[1], "body": "Posted from a kept page"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "Posted from a kept page" in page(client, article)


def test_a_kept_page_is_cut_only_where_each_answer_differs(
    client, auth, app, article, make_user, post
):
    """The reader's token is in every comment's forms and the same in every answer of theirs:
    the entry keeps it in its text, cut only for the new comment form's nonce and time (cut at
    each token, keeping a page of 100 comments took 45 ms)."""
    ann = make_user("ann")
    for n in range(6):
        post(article, ann, f"Comment {n}")
    make_user("reader")
    auth.login("reader")
    first = page(client, article)
    page(client, article)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', first)
    assert token and first.count(token[1]) > 6
    (entry,) = app.fast_paths.reader_cache.entries.values()
    assert front_entries.TOKEN not in entry.cuts and len(entry.cuts) <= 2
    assert PER_REQUEST.sub("", page(client, article)) == PER_REQUEST.sub("", first)


def test_logout_ends_access_at_once_for_the_old_cookie(app, settings, article, make_user):
    make_user("reader", display_name="Rita Reader")
    with TestClient(app, base_url=settings.base_url) as browser:
        AuthActions(browser).login("reader")
        for _ in range(3):  # let through, kept, answered from the entry
            assert "Rita Reader" in page(browser, article)
        stolen = dict(browser.cookies)
        AuthActions(browser).logout()
    with TestClient(app, base_url=settings.base_url, cookies=stolen) as thief:
        assert "Rita Reader" not in page(thief, article)


def test_logout_in_another_process_ends_access_within_the_time_bound(
    client, auth, app, settings, article, make_user, monkeypatch
):
    now = [1000.0]
    clock = SimpleNamespace(
        monotonic=lambda: now[0], perf_counter=time.perf_counter, time=time.time
    )
    monkeypatch.setattr(front_cache, "time", clock)
    monkeypatch.setattr(front_entries, "time", clock)  # when an entry's request began
    monkeypatch.setattr(app.fast_paths.reader_cache, "seconds", 1.0)
    make_user("reader", display_name="Rita Reader")
    auth.login("reader")
    assert "Rita Reader" in page(client, article)
    assert "Rita Reader" in page(client, article)  # kept
    _write_elsewhere(settings.effective_database_url, "DELETE FROM logins")
    now[0] += 0.9
    assert "Rita Reader" in page(client, article)  # still the kept page, within the bound
    now[0] += 0.2
    assert "Rita Reader" not in page(client, article)


def test_one_readers_kept_page_never_reaches_another(client, auth, article, make_user):
    make_user("ann", display_name="Ann Alpha")
    make_user("bob", display_name="Bob Beta")
    jars = {}
    for name in ("ann", "bob"):  # two browsers: each its own cookies
        client.cookies.clear()
        auth.login(name)
        jars[name] = dict(client.cookies)
    for _ in range(2):
        for name, mine, theirs in (
            ("ann", "Ann Alpha", "Bob Beta"),
            ("bob", "Bob Beta", "Ann Alpha"),
        ):
            client.cookies.clear()
            client.cookies.update(jars[name])
            text = page(client, article)
            assert mine in text and theirs not in text


@pytest.mark.parametrize(
    "change", ["post", "edit", "hide", "erase", "role", "consent", "language", "gpc"]
)
def test_a_kept_page_changes_as_soon_as_what_it_shows_does(
    client, auth, database, hooks, settings, article, post, make_user, handled, change
):
    writer = make_user("writer", display_name="Wendy Writer")
    shown = post(article, writer, "Words before")
    reader = make_user("reader")
    auth.login("reader")
    page(client, article)
    before = page(client, article)
    assert page(client, article) and len(handled) == 2
    do = changes(database, hooks, settings)
    headers: dict[str, str] = {}
    if change == "post":
        post(article, writer, "A newer comment")
    elif change == "edit":
        do["edit"](shown, writer)
    elif change == "hide":
        do["status"](shown, CommentStatus.HIDDEN)
    elif change == "erase":
        do["erase"](writer)
    elif change == "role":
        with database.session(write=True) as session:
            session.execute(update(User).where(User.id == reader.id).values(role=Role.MODERATOR))
    elif change == "consent":
        assert auth.post("/cookies", {"choice": "accept_all", "source": "banner"}).status_code < 400
    elif change == "language":
        headers = {"accept-language": "de"}
    else:
        headers = {"sec-gpc": "1"}
    after = client.get(f"/articles/{article.slug}", headers=headers)
    assert after.status_code == 200 and len(handled) == 3
    if change in ("post", "edit", "hide", "erase", "role"):
        assert PER_REQUEST.sub("", after.text) != PER_REQUEST.sub("", before)


def test_a_flash_is_shown_once(client, auth, article, make_user, handled):
    make_user("reader")
    auth.login("reader")
    page(client, article)
    posted = auth.post(f"/articles/{article.slug}/comments", {"body": "A fresh comment"})
    assert posted.status_code == 303
    assert 'class="flash' in page(client, article)  # the session's flash, shown and gone
    assert 'class="flash' not in page(client, article)
    assert 'class="flash' not in page(client, article)
    assert len(handled) == 3  # the page with the flash was not kept


@pytest.mark.parametrize("settings_overrides", [{"front_cache_ms": 0}])
def test_no_reader_cache_without_a_front_cache_bound(app):
    assert app.fast_paths.reader_cache is None
