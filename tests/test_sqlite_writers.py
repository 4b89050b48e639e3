"""SQLite under write load: many writers on ``forum serve --workers 2`` wait their turn.

Each process's writers queue for their turn (``forum.db.WriteTurns``) instead of all spinning on
SQLite's busy handler, so 16 people posting at once get no "database is locked" (503), and
every comment the server acknowledged is stored.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.accounts.passwords import Passwords, make_hasher
from forum.accounts.service import Registration, register
from forum.articles.service import ArticleInput, save_article
from forum.comments.models import Comment
from forum.db import Database, Timeouts, WriteQueueTimeout
from tests.conftest import DEFAULT_PASSWORD, FAST_ARGON2, TEST_SECRET

ROOT = Path(__file__).resolve().parents[1]
WRITERS = 16
POSTS_EACH = 120
TIME_LIMIT = 60.0
"""The run stops after POSTS_EACH posts per writer or this many seconds, whichever is first."""
SLUG = "busy-thread"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(database: Database) -> None:
    """An article, and moderators as writers (exempt from the comment rate limit, never held:
    this test is about the database, not about moderation)."""
    passwords = Passwords(make_hasher(1, 1024, 1))
    with database.session(write=True) as session:
        save_article(
            session,
            ArticleInput(
                title="A busy thread",
                author_name="Janine",
                submitted_at=datetime(2003, 4, 15, 9, 12, tzinfo=UTC),
                body="Everyone has something to say.",
                slug=SLUG,
            ),
        )
        for n in range(WRITERS):
            user = register(
                session,
                passwords,
                Registration(f"writer{n}", f"writer{n}@example.org", DEFAULT_PASSWORD),
            )
            user.role = Role.MODERATOR
            user.email_verified_at = datetime.now(UTC)


@pytest.fixture
def server(tmp_path: Path, sqlite_template: Path):
    """``forum serve --workers 2`` on a free port over a fresh SQLite file; yields its URL."""
    path = tmp_path / "forum.db"
    shutil.copyfile(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    _seed(database)
    database.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "FORUM_VAR_DIR": str(tmp_path / "var"),
        "FORUM_DATABASE_URL": f"sqlite:///{path}",
        "FORUM_SECRET_KEY": TEST_SECRET,
        "FORUM_BASE_URL": f"http://127.0.0.1:{port}",
        "FORUM_MAIL_WORKER": "false",
        "FORUM_ACCESS_LOG": "false",
        **{f"FORUM_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()},
    }
    env.pop("FORUM_REDIS_URL", None)
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "forum.cli", "serve", "--workers", "2", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base, path, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _log_in(base: str, n: int) -> httpx.Client:
    """Writer ``n`` logged in through the form, from an address of their own (uvicorn trusts
    X-Forwarded-For from loopback), holding the CSRF token the login gave them."""
    client = httpx.Client(
        base_url=base,
        timeout=30,
        follow_redirects=False,
        headers={"X-Forwarded-For": f"10.0.0.{n + 1}"},
    )
    client.get("/login")
    login = {
        "_csrf_token": client.cookies["forum_csrf"],
        "login": f"writer{n}",
        "password": DEFAULT_PASSWORD,
    }
    response = client.post("/login", data=login)
    assert response.status_code == 303, response.text[:2000]
    return client


def _writer(
    client: httpx.Client, n: int, stop_at: float, seen: Counter[int], stored: list[int]
) -> None:
    """One person posting comments as fast as the server answers."""
    for i in range(POSTS_EACH):
        if time.monotonic() > stop_at:
            break
        body = {"_csrf_token": client.cookies["forum_csrf"], "body": f"Comment {i} of {n}."}
        response = client.post(f"/articles/{SLUG}/comments", data=body)
        seen[response.status_code] += 1
        if response.status_code == 303:
            match = re.search(r"#comment-(\d+)", response.headers["location"])
            assert match, response.headers["location"]
            stored.append(int(match.group(1)))


def test_sixteen_writers_on_two_workers_are_never_refused(server):
    base, path, log = server
    seen: Counter[int] = Counter()
    acknowledged: list[int] = []
    clients = [_log_in(base, n) for n in range(WRITERS)]
    stop_at = time.monotonic() + TIME_LIMIT
    threads = [
        threading.Thread(target=_writer, args=(client, n, stop_at, seen, acknowledged))
        for n, client in enumerate(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIME_LIMIT + 60)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads)
    for client in clients:
        client.close()

    assert sum(seen.values()) >= WRITERS * 5, seen
    assert set(seen) == {303}, f"{dict(seen)} in {elapsed:.1f} s; log:\n{log.read_text()[-3000:]}"
    assert "database is locked" not in log.read_text()
    database = Database(f"sqlite:///{path}")
    with database.session() as session:
        ids = set(session.scalars(select(Comment.id)))
    database.dispose()
    assert set(acknowledged) <= ids
    assert len(set(acknowledged)) == len(acknowledged) == seen[303]


# --- the turns themselves -------------------------------------------------------------------


def _insert_article(session: Any, slug: str) -> None:
    save_article(
        session,
        ArticleInput(
            title=slug,
            author_name="Janine",
            submitted_at=datetime(2003, 4, 15, 9, 12, tzinfo=UTC),
            body="Text.",
            slug=slug,
        ),
    )


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "forum.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def test_a_writer_waits_for_the_one_before_it_then_goes(sqlite_url):
    database = Database(sqlite_url, timeouts=Timeouts(busy=5))
    done: list[float] = []

    def second() -> None:
        with database.session(write=True) as session:
            _insert_article(session, "second")
        done.append(time.monotonic())

    with database.session(write=True) as session:
        _insert_article(session, "first")
        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(0.5)
        assert not done, "the second writer went while the first held the turn"
        released = time.monotonic()
    waiter.join(timeout=5)
    assert done and done[0] >= released
    database.dispose()


def test_a_writer_gives_up_after_the_busy_timeout_and_the_turn_survives_errors(sqlite_url):
    database = Database(sqlite_url, timeouts=Timeouts(busy=1))
    outcome: list[BaseException] = []

    def second() -> None:
        try:
            with database.session(write=True) as session:
                _insert_article(session, "second")
        except BaseException as exc:
            outcome.append(exc)

    with database.session(write=True) as session:
        _insert_article(session, "first")
        started = time.monotonic()
        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(timeout=5)
    assert isinstance(outcome[0], WriteQueueTimeout)
    assert 0.9 < time.monotonic() - started < 3

    with pytest.raises(RuntimeError), database.session(write=True):
        raise RuntimeError("a failed write gives its turn back")
    with database.session(write=True) as session:
        _insert_article(session, "third")
    database.dispose()


HOLDER = """
import sys, time
from forum.db import Database
database = Database(sys.argv[1])
with database.session(write=True) as session:
    session.connection()  # the transaction (and the turn) begins here
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_writers_of_another_process_take_turns_on_the_file(sqlite_url):
    """The other process holds the turn: we wait for it (and say "no write turn" after the
    busy timeout, never "database is locked")."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, sqlite_url, "1.5"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        impatient = Database(sqlite_url, timeouts=Timeouts(busy=1))
        with pytest.raises(WriteQueueTimeout), impatient.session(write=True) as session:
            _insert_article(session, "too-soon")
        impatient.dispose()
        patient = Database(sqlite_url, timeouts=Timeouts(busy=5))
        with patient.session(write=True) as session:
            _insert_article(session, "in-turn")
        patient.dispose()
    finally:
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
