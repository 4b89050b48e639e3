"""Faults degrade, never crash: Redis down or slow, PostgreSQL hung, a full disk.

Each fault is real: a port where nothing listens, a listener that accepts and never answers,
a proxy to the real Redis that the test pauses, a SQLite file that cannot grow. What the
reader gets is a 503 (an HTML page, or a problem under /api) with Retry-After, quickly; what
the operator gets is one log line per minute, not one per request.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar.stores.file import FileStore
from litestar.testing import TestClient
from sqlalchemy import event, text

from forum.app import create_app
from forum.web.errors import DISK_FULL, STORE_DOWN, FaultLog
from tests.conftest import REDIS_URL, make_settings, provided

SESSION_COOKIE = "forum_session"


@contextmanager
def silent_listener() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung server); yields it."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()
        for sock in accepted:
            sock.close()


def closed_port() -> int:
    """A loopback port where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TcpProxy:
    """A TCP proxy on loopback to ``upstream``; ``pause()`` holds every byte (a frozen
    server), ``resume()`` lets them through again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                sock.close()

    def pause(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.flowing.set()
        self.listener.close()
        for sock in self.sockets:
            sock.close()


def _redis_app(settings_for, redis_url: str, **overrides: Any) -> TestClient:
    settings = settings_for(redis_url=redis_url, redis_timeout_seconds=1, **overrides)
    return TestClient(create_app(settings), base_url=settings.base_url)


@pytest.fixture
def settings_for(tmp_path, database_url):
    """Settings over the test's database with some values changed."""

    def build(**overrides: Any):
        overrides.setdefault("redis_prefix", f"forum-faults-{time.monotonic_ns()}")
        return make_settings(database_url, tmp_path / "var", mail_worker=False, **overrides)

    return build


def _timed(call, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def assert_unavailable(response, *, json: bool = False, message: str = STORE_DOWN) -> None:
    assert response.status_code == 503, response.text[:500]
    assert int(response.headers["retry-after"]) > 0
    if json:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 503 and response.json()["detail"] == message
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert message.split(",")[0] in response.text.replace("&#39;", "'")


# --- Redis down or slow ---------------------------------------------------------------------


def test_redis_down_gives_503_to_requests_with_a_session_and_keeps_anonymous_pages(
    settings_for, make_article
):
    article = make_article()
    with _redis_app(settings_for, f"redis://127.0.0.1:{closed_port()}/0") as client:
        assert client.get("/").status_code == 200
        assert client.get(f"/articles/{article.slug}").status_code == 200
        assert client.get("/api/articles").status_code == 200

        client.cookies.set(SESSION_COOKIE, "a" * 64)
        response, seconds = _timed(client.get, "/")
        assert_unavailable(response)
        assert_unavailable(client.get("/api/articles"), json=True)
        assert seconds < 3


def test_a_login_while_redis_is_down_is_503_not_500(settings_for, make_user):
    make_user("reader")
    with _redis_app(settings_for, f"redis://127.0.0.1:{closed_port()}/0") as client:
        client.get("/login")
        token = client.cookies.get("forum_csrf")
        form = {"_csrf_token": token, "login": "reader", "password": "a long enough passphrase"}
        assert_unavailable(client.post("/login", data=form, follow_redirects=False))


def test_a_redis_that_never_answers_costs_a_request_the_timeout_not_more(
    settings_for, make_article
):
    make_article()
    with silent_listener() as port, _redis_app(settings_for, f"redis://127.0.0.1:{port}/0") as c:
        assert c.get("/").status_code == 200
        c.cookies.set(SESSION_COOKIE, "a" * 64)
        response, seconds = _timed(c.get, "/")
        assert_unavailable(response)
        assert seconds < 3
        c.cookies.clear()
        ready, seconds = _timed(c.get, "/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["store"] is False
        assert seconds < 2.5


class Records(logging.Handler):
    """Every record of the ``forum`` loggers but the access log (the app's logging setup
    replaces the root handlers, so pytest's caplog does not see them)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name != "forum.access":
            self.records.append(record)


@contextmanager
def forum_records() -> Iterator[list[logging.LogRecord]]:
    handler = Records()
    logger = logging.getLogger("forum")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def test_a_redis_outage_is_logged_once_not_once_per_request(settings_for):
    with _redis_app(settings_for, f"redis://127.0.0.1:{closed_port()}/0") as client:
        client.cookies.set(SESSION_COOKIE, "a" * 64)
        with forum_records() as records:
            for _ in range(25):
                assert client.get("/").status_code == 503
                assert client.get("/api/articles").status_code == 503
    assert [r.levelname for r in records] == ["WARNING"], [r.getMessage() for r in records]
    assert "Redis" in records[0].getMessage()


def test_the_fault_log_reports_once_per_interval_with_what_it_left_out(caplog):
    now = [100.0]
    faults = FaultLog(logging.getLogger("forum.test"), interval=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="forum.test"):
        for _ in range(5):
            faults.warn("store", "Redis unavailable")
        now[0] += 61
        faults.warn("store", "Redis unavailable")
        faults.warn("disk", "disk full")
    assert [r.getMessage() for r in caplog.records] == [
        "Redis unavailable",
        "Redis unavailable (and 4 times more since the last report)",
        "disk full",
    ]


@pytest.mark.skipif(not REDIS_URL, reason="needs FORUM_TEST_REDIS_URL (a real Redis)")
def test_a_paused_redis_gives_503_then_the_session_comes_back(
    settings_for, make_user, make_article
):
    from redis.connection import parse_url

    make_user("reader")
    make_article()
    target = parse_url(REDIS_URL)
    proxy = TcpProxy((target.get("host", "127.0.0.1"), int(target.get("port", 6379))))
    url = f"redis://127.0.0.1:{proxy.port}/{target.get('db', 0)}"
    try:
        with _redis_app(settings_for, url) as client:
            client.get("/login")
            form = {
                "_csrf_token": client.cookies.get("forum_csrf"),
                "login": "reader",
                "password": "a long enough passphrase",
            }
            assert client.post("/login", data=form, follow_redirects=False).status_code == 303
            assert "Log out" in client.get("/").text

            proxy.pause()
            response, seconds = _timed(client.get, "/")
            assert_unavailable(response)
            assert seconds < 3
            anonymous = TestClient(client.app, base_url=str(client.base_url))
            assert anonymous.get("/").status_code == 200

            proxy.resume()
            deadline = time.monotonic() + 5
            while (response := client.get("/")).status_code != 200:
                assert time.monotonic() < deadline, response.status_code
            assert "Log out" in response.text
    finally:
        proxy.close()


# --- PostgreSQL hung ------------------------------------------------------------------------


@contextmanager
def hung_postgres_app(tmp_path) -> Iterator[TestClient]:
    """The app with a PostgreSQL that accepts connections and never answers."""
    with silent_listener() as port:
        settings = make_settings(
            f"postgresql://forum@127.0.0.1:{port}/forum",
            tmp_path / "var",
            redis_url="",
            mail_worker=False,
            database_connect_timeout_seconds=2,
            database_pool_timeout_seconds=2,
        )
        with TestClient(create_app(settings), base_url=settings.base_url) as client:
            yield client


def test_readiness_answers_within_two_seconds_when_postgresql_hangs(tmp_path):
    with hung_postgres_app(tmp_path) as client:
        response, seconds = _timed(client.get, "/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False
    assert seconds < 2.5


def test_pages_are_503_within_the_connect_timeout_when_postgresql_hangs(tmp_path):
    with hung_postgres_app(tmp_path) as client:
        page, seconds = _timed(client.get, "/")
        api, api_seconds = _timed(client.get, "/api/articles")
    assert_unavailable(page, message="The site is briefly unavailable")
    assert_unavailable(api, json=True, message=api.json()["detail"])
    assert seconds < 4.5 and api_seconds < 4.5


@pytest.mark.parametrize(
    "settings_overrides",
    [{"database_statement_timeout_seconds": 3, "sqlite_busy_timeout_seconds": 3}],
)
def test_the_database_waits_no_longer_than_the_settings_say(app):
    database = provided(app, "database")
    try:
        with database.session() as session:
            if database.dialect == "postgresql":
                assert session.execute(text("SHOW statement_timeout")).scalar() == "3s"
            else:
                assert session.execute(text("PRAGMA busy_timeout")).scalar() == 3000
        assert database.engine.pool.timeout() == 10
    finally:
        database.dispose()  # the app never started, so its lifespan will not


# --- a full disk ----------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_full_sqlite_database_is_503_with_a_clear_message(
    app, client, auth, make_user, make_article
):
    article = make_article()
    make_user("reader")
    auth.login()
    engine = provided(app, "database").engine

    @event.listens_for(engine, "connect")
    def cannot_grow(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    engine.dispose()
    for n in range(20):
        response = auth.post(f"/articles/{article.slug}/comments", {"body": f"{n} " + "x" * 9000})
        if response.status_code != 303:
            break
    assert_unavailable(response, message=DISK_FULL)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_full_disk_under_the_session_store_is_503_with_a_clear_message(
    client, auth, make_user, monkeypatch
):
    make_user("reader")
    client.get("/login")

    async def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileStore, "set", disk_full)
    assert_unavailable(auth.login(), message=DISK_FULL)
