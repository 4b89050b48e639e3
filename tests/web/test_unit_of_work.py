"""One request, one unit of work: a read page opens one read transaction and never a writer,
whoever asks (visitor, reader, moderator), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from forum.accounts.models import Role


class TransactionCounter:
    """Counts transactions begun on any engine of this process, and how many were writers."""

    def __init__(self) -> None:
        self.begins = 0
        self.writers = 0
        self._lock = threading.Lock()

    def __call__(self, connection: Any) -> None:
        with self._lock:
            self.begins += 1
            if connection.get_execution_options().get("forum_write"):
                self.writers += 1

    def reset(self) -> None:
        with self._lock:
            self.begins = self.writers = 0


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """No mail worker: its round every two seconds begins a transaction of its own, which a
    slow request on a busy machine counted as the request's."""
    return {"mail_worker": False}


@pytest.fixture
def transactions() -> Iterator[TransactionCounter]:
    counter = TransactionCounter()
    event.listen(Engine, "begin", counter)
    yield counter
    event.remove(Engine, "begin", counter)


@pytest.fixture
def thread(make_article: Callable[..., Any], make_user: Callable[..., Any], post: Any) -> Any:
    """An article with a small discussion, a reader and a moderator who can log in."""
    article = make_article(title="A discussed article")
    author = make_user("author")
    make_user("reader")
    make_user("moddy", role=Role.MODERATOR)
    first = post(article, author, "The first comment.")
    post(article, author, "A reply.", parent=first)
    post(article, None, "An anonymous comment.", author_name="Passer-by")
    return article


PAGES = [
    ("article page", "/articles/{slug}"),
    ("front page", "/"),
    ("JSON thread", "/api/articles/{slug}/comments"),
]


@pytest.mark.parametrize("who", ["visitor", "reader", "moddy"])
@pytest.mark.parametrize(("what", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_a_read_page_is_one_read_transaction_and_no_writer(
    client: Any,
    auth: Any,
    thread: Any,
    transactions: TransactionCounter,
    who: str,
    what: str,
    url: str,
) -> None:
    if who != "visitor":
        assert auth.login(who).status_code == 303
    target = url.format(slug=thread.slug)
    assert client.get(target).status_code == 200  # warm: bookkeeping of a fresh login is done
    transactions.reset()
    response = client.get(target)
    assert response.status_code == 200
    assert (transactions.begins, transactions.writers) == (1, 0), what


def test_a_moderator_sees_the_waiting_count_without_a_second_transaction(
    client: Any, auth: Any, thread: Any, transactions: TransactionCounter
) -> None:
    auth.login("moddy")
    client.get("/")
    transactions.reset()
    page = client.get(f"/articles/{thread.slug}")
    assert "/moderation" in page.text
    assert transactions.begins == 1


def test_a_stale_login_is_touched_after_the_response_in_its_own_short_write(
    client: Any, auth: Any, thread: Any, database: Any, transactions: TransactionCounter
) -> None:
    from datetime import timedelta

    from sqlalchemy import select, update

    from forum.accounts.models import Login
    from forum.db import utcnow

    auth.login("reader")
    long_ago = utcnow() - timedelta(minutes=5)
    with database.session(write=True) as session:
        session.execute(update(Login).values(last_seen_at=long_ago))
    transactions.reset()
    assert client.get("/").status_code == 200
    assert (transactions.begins, transactions.writers) == (2, 1)
    with database.session() as session:
        seen = session.scalar(select(Login.last_seen_at))
    assert seen is not None and seen > long_ago
