"""Live threads: a reader on an article page hears of comments published while they read,
through Server-Sent Events, on a real server over loopback."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from litestar import Litestar

from forum.app import create_app
from forum.articles.models import CommentMode
from forum.comments import service
from forum.comments.models import Comment, CommentStatus
from forum.settings import Settings
from forum.web.broadcast import Broadcast
from tests.conftest import REDIS_URL, provided
from tests.serving import serving


@dataclass
class Stream:
    """An open event stream read in a thread: its status and the events seen so far."""

    status: int
    events: queue.Queue[dict[str, Any]]

    def next_event(self, timeout: float = 5.0) -> dict[str, Any]:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no event within {timeout} s")

    def quiet(self, seconds: float = 1.0) -> bool:
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


@contextmanager
def listening(url: str, headers: dict[str, str] | None = None) -> Iterator[Stream]:
    """Open ``url`` as an event stream; yields once the server has subscribed it."""
    events: queue.Queue[dict[str, Any]] = queue.Queue()
    ready = threading.Event()
    result: dict[str, Any] = {}
    stop = threading.Event()

    def read() -> None:
        try:
            receive()
        except httpx.HTTPError:  # the server stopped with the stream open, as it may
            ready.set()

    def receive() -> None:
        client = httpx.Client(timeout=httpx.Timeout(10, read=30))
        with client, client.stream("GET", url, headers=headers or {}) as response:
            result["status"] = response.status_code
            result["headers"] = response.headers
            if response.status_code != 200:
                ready.set()
                return
            event: dict[str, Any] = {}
            for line in response.iter_lines():
                if stop.is_set():
                    return
                if line.startswith(": live"):
                    ready.set()
                elif line.startswith("event: "):
                    event["event"] = line[7:]
                elif line.startswith("id: "):
                    event["id"] = line[4:]
                elif line.startswith("data: "):
                    event["data"] = json.loads(line[6:])
                elif line == "" and event:
                    events.put(event)
                    event = {}

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    assert ready.wait(10), "the stream did not open"
    try:
        yield Stream(result["status"], events)
    finally:
        stop.set()


def _article(make_article: Any, **fields: Any) -> Any:
    return make_article(slug="live", title="Live", **fields)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Comments of known readers are published at once (no first-comment hold)."""
    return {"moderation_min_approved": 0}


@pytest.fixture
def live_app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def post_as_app(database: Any, live_app: Litestar) -> Any:
    """Post through the services with the app's own hooks (as its handlers do)."""
    hooks = provided(live_app, "hooks")

    def write(article: Any, user: Any, body: str = "Hello.", parent: Any = None) -> Comment:
        from forum.accounts.current import CurrentUser

        with database.session(write=True) as session:
            return service.post_comment(
                session,
                hooks,
                article=article,
                author=CurrentUser.of(user, via="session"),
                request=service.PostRequest(
                    body=body, parent_id=parent.id if parent is not None else None
                ),
                anonymous_allowed=False,
                close_after_days=0,
            )

    return write


def test_a_reader_hears_of_a_comment_published_while_they_read(
    live_app: Litestar, make_article: Any, make_user: Any, post_as_app: Any
) -> None:
    article = _article(make_article)
    author = make_user("writer")
    first = post_as_app(article, author, "First.")
    with serving(live_app) as base, listening(f"{base}/articles/live/events") as stream:
        assert stream.status == 200
        reply = post_as_app(article, author, "A reply.", parent=first)
        event = stream.next_event()
    assert event == {
        "event": "comment",
        "id": str(reply.id),
        "data": {"id": reply.id, "parent_id": first.id},
    }


def test_the_api_offers_the_same_stream(
    live_app: Litestar, make_article: Any, make_user: Any, post_as_app: Any
) -> None:
    article = _article(make_article)
    author = make_user("writer")
    with serving(live_app) as base:
        with listening(f"{base}/api/articles/live/comments/events") as stream:
            comment = post_as_app(article, author)
            assert stream.next_event()["data"] == {"id": comment.id, "parent_id": None}
        response = httpx.get(f"{base}/schema/openapi.json")
    assert "/api/articles/{slug}/comments/events" in response.json()["paths"]


def test_a_held_comment_is_announced_only_when_a_moderator_publishes_it(
    live_app: Litestar, database: Any, make_article: Any, make_user: Any, post_as_app: Any
) -> None:
    article = _article(make_article)
    newcomer = make_user("newcomer", verified=False)
    hooks = provided(live_app, "hooks")
    with serving(live_app) as base, listening(f"{base}/articles/live/events") as stream:
        held = post_as_app(article, newcomer, "Held until approved.")
        assert held.status is CommentStatus.PENDING
        assert stream.quiet(1.0), "a held comment was announced"
        with database.session(write=True) as session:
            comment = session.get(Comment, held.id)
            service.set_status(session, hooks, comment, CommentStatus.PUBLISHED)
        assert stream.next_event()["data"]["id"] == held.id


def test_a_reconnecting_reader_gets_what_they_missed(
    live_app: Litestar, make_article: Any, make_user: Any, post_as_app: Any
) -> None:
    article = _article(make_article)
    author = make_user("writer")
    seen = post_as_app(article, author, "Seen.")
    missed = [post_as_app(article, author, f"Missed {n}.") for n in range(2)]
    with serving(live_app) as base:
        url = f"{base}/articles/live/events"
        with listening(url, {"Last-Event-ID": str(seen.id)}) as stream:
            ids = [stream.next_event()["data"]["id"] for _ in missed]
    assert ids == [comment.id for comment in missed]


def test_streams_of_hidden_threads_and_bad_ids_are_refused(
    live_app: Litestar, make_article: Any
) -> None:
    _article(make_article, comment_mode=CommentMode.HIDDEN)
    make_article(slug="open", title="Open")
    with serving(live_app) as base:
        hidden = httpx.get(f"{base}/articles/live/events")
        missing = httpx.get(f"{base}/articles/nothing-here/events")
        bad = httpx.get(f"{base}/articles/open/events", headers={"Last-Event-ID": "yesterday"})
    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert bad.status_code == 400


@pytest.mark.parametrize("settings_overrides", [{"live_max_streams": 1}])
def test_a_full_server_answers_503_with_retry_after(live_app: Litestar, make_article: Any) -> None:
    _article(make_article)
    with serving(live_app) as base, listening(f"{base}/articles/live/events"):
        second = httpx.get(f"{base}/articles/live/events")
    assert second.status_code == 503
    assert int(second.headers["retry-after"]) >= 1


def test_the_article_page_links_its_stream(live_app: Litestar, make_article: Any) -> None:
    _article(make_article)
    with serving(live_app) as base:
        page = httpx.get(f"{base}/articles/live")
    assert 'data-events="/articles/live/events"' in page.text


def test_without_redis_a_broadcast_still_reaches_its_own_streams() -> None:
    """A Redis that cannot be reached costs the writer nothing: delivery stays local."""
    import asyncio

    broadcast = Broadcast(redis_url="redis://127.0.0.1:9/0")

    async def scenario() -> dict[str, Any]:
        async with broadcast.subscribe("t") as inbox:
            started = time.monotonic()
            await asyncio.to_thread(broadcast.publish, "t", {"id": 1})
            assert time.monotonic() - started < 2
            return await asyncio.wait_for(inbox.get(), 2)

    assert asyncio.run(scenario()) == {"id": 1}


@pytest.mark.skipif(not REDIS_URL, reason="needs FORUM_TEST_REDIS_URL (a real Redis)")
def test_a_comment_posted_on_one_worker_reaches_readers_of_another(
    settings: Settings, database: Any, make_article: Any, make_user: Any
) -> None:
    prefix = f"live-{uuid.uuid4().hex[:8]}"
    reading = create_app(replace(settings, redis_url=REDIS_URL, redis_prefix=prefix))
    writing = create_app(replace(settings, redis_url=REDIS_URL, redis_prefix=prefix))
    article = _article(make_article)
    author = make_user("writer")
    hooks = provided(writing, "hooks")
    from forum.accounts.current import CurrentUser

    with serving(reading) as base, listening(f"{base}/articles/live/events") as stream:
        time.sleep(0.3)  # the reading app's relay subscribes to the channel
        with database.session(write=True) as session:
            comment = service.post_comment(
                session,
                hooks,
                article=article,
                author=CurrentUser.of(author, via="session"),
                request=service.PostRequest(body="From the other worker."),
                anonymous_allowed=False,
                close_after_days=0,
            )
        assert stream.next_event()["data"]["id"] == comment.id
