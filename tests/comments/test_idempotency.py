"""No duplicate on retry: an ``Idempotency-Key`` (API) or the form's one-time nonce (HTML)
posts a comment once, even when the connection broke after the server committed."""

from __future__ import annotations

import re
import socket
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update

from forum.accounts.access_tokens import create_access_token
from forum.accounts.models import User
from forum.app import user_data_registry
from forum.comments.idempotency import PostKey
from forum.comments.models import Comment
from forum.db import utcnow
from forum.mail.outbox import Outbox
from forum.privacy.retention import purge
from tests.serving import serving

# Moderation would hold a new author's first comment; these tests are about posting once.
pytestmark = pytest.mark.parametrize(
    "settings_overrides", [{"moderation_min_approved": 0, "mail_worker": False}]
)


def comments(database: Any) -> list[tuple[int, str]]:
    with database.session() as session:
        return list(session.execute(select(Comment.id, Comment.body_source).order_by(Comment.id)))


@pytest.fixture
def token(database: Any, make_user: Any) -> dict[str, str]:
    user = make_user("ann")
    with database.session(write=True) as session:
        _, secret = create_access_token(session, session.get(User, user.id), "retry")
    return {"Authorization": f"Bearer {secret}"}


def test_the_same_key_gives_the_first_comment_again(client, make_article, token, database):
    make_article(slug="a")
    headers = {**token, "Idempotency-Key": "4f1c-retry-1"}
    first = client.post("/api/articles/a/comments", json={"body": "Once."}, headers=headers)
    again = client.post("/api/articles/a/comments", json={"body": "Once."}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    assert comments(database) == [(first.json()["id"], "Once.")]


def test_the_same_key_with_another_body_is_a_conflict(client, make_article, token, database):
    make_article(slug="a")
    headers = {**token, "Idempotency-Key": "k1"}
    assert client.post(
        "/api/articles/a/comments", json={"body": "One."}, headers=headers
    ).is_success
    other = client.post("/api/articles/a/comments", json={"body": "Two."}, headers=headers)
    assert other.status_code == 409
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "different comment" in other.json()["detail"]
    assert [body for _, body in comments(database)] == ["One."]


def test_without_a_key_or_with_a_new_one_each_post_is_a_comment(
    client, make_article, token, database
):
    make_article(slug="a")
    for headers in ({}, {}, {"Idempotency-Key": "x"}, {"Idempotency-Key": "y"}):
        response = client.post(
            "/api/articles/a/comments", json={"body": "Same."}, headers={**token, **headers}
        )
        assert response.status_code == 201
    assert len(comments(database)) == 4


def test_a_key_belongs_to_its_author(client, make_article, make_user, token, database):
    make_article(slug="a")
    bob = make_user("bob")
    with database.session(write=True) as session:
        _, secret = create_access_token(session, session.get(User, bob.id), "retry")
    for headers in (token, {"Authorization": f"Bearer {secret}"}):
        response = client.post(
            "/api/articles/a/comments",
            json={"body": "Same."},
            headers={**headers, "Idempotency-Key": "shared"},
        )
        assert response.status_code == 201 and "idempotent-replayed" not in response.headers
    assert len(comments(database)) == 2


def test_a_key_older_than_a_day_posts_again_and_the_purge_removes_it(
    client, make_article, token, database, settings, hooks
):
    make_article(slug="a")
    headers = {**token, "Idempotency-Key": "old"}
    client.post("/api/articles/a/comments", json={"body": "Hi."}, headers=headers)
    with database.session(write=True) as session:
        session.execute(update(PostKey).values(created_at=utcnow() - timedelta(hours=25)))
    again = client.post("/api/articles/a/comments", json={"body": "Hi."}, headers=headers)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert len(comments(database)) == 2
    with database.session(write=True) as session:
        session.execute(update(PostKey).values(created_at=utcnow() - timedelta(hours=25)))
    user_data = user_data_registry(settings, hooks)
    report = purge(database, Outbox.from_settings(settings), settings, user_data)
    assert report.post_keys_deleted == 1
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(PostKey)) == 0


def test_a_key_that_is_not_printable_ascii_is_refused(client, make_article, token):
    make_article(slug="a")
    for key in ("k" * 256, "cl\x7f", "clé".encode()):
        response = client.post(
            "/api/articles/a/comments",
            json={"body": "Hi."},
            headers={**token, "Idempotency-Key": key},
        )
        assert response.status_code == 400, key


# --- the HTML form's nonce -------------------------------------------------------------------


def form_nonce(html: str) -> str:
    found = re.search(r'name="post_nonce" value="([^"]+)"', html)
    assert found, "the comment form carries a one-time nonce"
    return found.group(1)


def test_a_resubmitted_form_lands_on_the_comment_it_posted(auth, make_article, make_user, database):
    make_article(slug="a")
    make_user("ann")
    auth.login("ann")
    page = auth.client.get("/articles/a").text
    form = {"body": "Posted from the form.", "post_nonce": form_nonce(page)}
    first = auth.post("/articles/a/comments", form)
    again = auth.post("/articles/a/comments", form)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert len(comments(database)) == 1
    assert form_nonce(auth.client.get("/articles/a").text) != form["post_nonce"]


def test_a_spent_nonce_with_another_text_shows_the_form_again(auth, make_article, make_user):
    make_article(slug="a")
    make_user("ann")
    auth.login("ann")
    nonce = form_nonce(auth.client.get("/articles/a").text)
    auth.post("/articles/a/comments", {"body": "First.", "post_nonce": nonce})
    other = auth.post("/articles/a/comments", {"body": "Second.", "post_nonce": nonce})
    assert other.status_code == 400
    assert "already sent" in other.text and "Second." in other.text
    assert form_nonce(other.text) != nonce
    resent = auth.post(
        "/articles/a/comments", {"body": "Second.", "post_nonce": form_nonce(other.text)}
    )
    assert resent.status_code == 303


# --- a connection that breaks after the commit ------------------------------------------------


@contextmanager
def request_sent(base: str, path: str, body: bytes, headers: dict[str, str]) -> Iterator[None]:
    """Send a whole request; when the block ends, cut the connection (a reset, as a pulled
    cable or a killed client gives) without reading a byte of the response."""
    where = urlsplit(base)
    lines = [f"POST {path} HTTP/1.1", f"Host: {where.netloc}", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    connection = socket.create_connection((where.hostname, where.port), timeout=5)
    try:
        connection.sendall(request)
        yield
    finally:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()


def test_a_retry_after_the_connection_broke_posts_once(app, make_article, token, database):
    make_article(slug="a")
    headers = {**token, "Idempotency-Key": "after-the-cable-was-pulled"}
    body = b'{"body": "Sent over a bad line."}'
    with serving(app) as base:
        with request_sent(base, "/api/articles/a/comments", body, headers):
            deadline = time.monotonic() + 10
            while not comments(database):  # the server has committed: now the line breaks
                assert time.monotonic() < deadline, "the first post was never committed"
                time.sleep(0.01)
        (first_id, _), *_ = comments(database)
        retry = httpx.post(
            f"{base}/api/articles/a/comments",
            content=body,
            headers={**headers, "Content-Type": "application/json"},
            timeout=10,
        )
    assert retry.status_code == 201 and retry.json()["id"] == first_id
    assert retry.headers.get("idempotent-replayed") == "true"
    assert comments(database) == [(first_id, "Sent over a bad line.")]
