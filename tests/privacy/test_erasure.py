"""The right to erasure: /account/delete with the password, the grace period that logging in
and confirming cancels, `forum privacy purge` for due erasures, comments deleted or kept as
'[deleted user]' with threads keeping their shape."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Login, User
from forum.articles.models import Article
from forum.comments.models import Comment, CommentRevision, CommentStatus
from forum.db import utcnow
from forum.errors import NotFound
from forum.mail.outbox import Outbox
from forum.privacy import erasure, retention
from forum.privacy.models import ErasureRequest
from tests.conftest import DEFAULT_PASSWORD


@pytest.fixture
def leaver(make_user: Any) -> Any:
    return make_user("leaver", display_name="Lea Ver")


def ask_to_delete(auth: Any, comments: str = "keep", password: str = DEFAULT_PASSWORD) -> Any:
    return auth.post("/account/delete", {"comments": comments, "password": password})


def request_of(database: Any, user_id: int) -> ErasureRequest | None:
    with database.session() as session:
        return session.get(ErasureRequest, user_id)


def user_exists(database: Any, user_id: int) -> bool:
    with database.session() as session:
        return session.get(User, user_id) is not None


@pytest.fixture
def purge(database: Any, settings: Any, user_data: Any) -> Any:
    def run(now: Any = None) -> retention.PurgeReport:
        return retention.purge(
            database, Outbox.from_settings(settings), settings, user_data, now=now
        )

    return run


@pytest.fixture
def erase_now(database: Any, purge: Any) -> Any:
    def erase(user_id: int, *, delete_comments: bool) -> None:
        with database.session(write=True) as session:
            erasure.request_erasure(
                session, user_id, delete_comments=delete_comments, grace=timedelta(0)
            )
        purge()

    return erase


# --- asking -----------------------------------------------------------------------------------


def test_the_delete_page_requires_login(client):
    response = client.get("/account/delete", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_page_explains_and_asks_for_the_password_and_the_comments_choice(client, auth, leaver):
    auth.login("leaver")
    page = client.get("/account/delete").text
    assert 'name="password"' in page and 'type="password"' in page
    assert 'value="keep"' in page and 'value="delete"' in page
    assert "24 hours" in page and "[deleted user]" in page


def test_a_wrong_password_deletes_nothing(client, auth, database, leaver):
    auth.login("leaver")
    response = ask_to_delete(auth, password="not my password at all")
    assert response.status_code == 400
    assert "That is not your password." in response.text
    assert request_of(database, leaver.id) is None
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_a_missing_choice_about_comments_deletes_nothing(auth, database, leaver):
    auth.login("leaver")
    assert ask_to_delete(auth, comments="").status_code == 400
    assert request_of(database, leaver.id) is None


# --- the grace period -------------------------------------------------------------------------


def test_with_a_grace_period_the_deletion_waits_and_every_session_ends(
    client, auth, database, leaver
):
    auth.login("leaver")
    before = utcnow()
    response = ask_to_delete(auth, comments="delete")
    assert response.status_code == 303 and response.headers["location"] == "/"
    row = request_of(database, leaver.id)
    assert row is not None and row.delete_comments is True
    assert before + timedelta(hours=24) <= row.due_at <= utcnow() + timedelta(hours=24)
    assert user_exists(database, leaver.id)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Login)) == 0
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert "will be deleted on" in client.get("/").text


def test_logging_in_during_the_grace_period_says_so_and_confirming_cancels(
    client, auth, database, purge, leaver
):
    auth.login("leaver")
    ask_to_delete(auth)
    auth.login("leaver")
    assert "Your account is due to be deleted" in client.get("/").text
    assert request_of(database, leaver.id) is not None  # logging in alone keeps the request
    page = client.get("/account/delete").text
    assert "Keep my account" in page and 'action="/account/delete/cancel"' in page
    assert "Keep my account" in client.get("/account").text
    assert auth.post("/account/delete/cancel").status_code == 303
    assert request_of(database, leaver.id) is None
    assert purge(now=utcnow() + timedelta(days=2)).accounts_erased == 0
    assert user_exists(database, leaver.id)


def test_purge_carries_out_due_erasures_and_not_early_ones(database, purge, make_user):
    early, due = make_user("early"), make_user("due")
    with database.session(write=True) as session:
        erasure.request_erasure(session, early.id, delete_comments=False, grace=timedelta(hours=24))
        erasure.request_erasure(
            session,
            due.id,
            delete_comments=False,
            grace=timedelta(hours=24),
            now=utcnow() - timedelta(hours=25),
        )
    assert purge().accounts_erased == 1
    assert user_exists(database, early.id) and not user_exists(database, due.id)
    assert purge().accounts_erased == 0
    later = purge(now=utcnow() + timedelta(hours=25))
    assert later.accounts_erased == 1 and not user_exists(database, early.id)


class TestAtOnce:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"erasure_grace_hours": 0}

    def test_with_no_grace_period_the_account_goes_at_once_and_the_session_ends(
        self, client, auth, database, leaver
    ):
        auth.login("leaver")
        response = ask_to_delete(auth)
        assert response.status_code == 303 and response.headers["location"] == "/"
        assert not user_exists(database, leaver.id)
        assert request_of(database, leaver.id) is None
        assert "Your account has been deleted." in client.get("/").text
        assert client.get("/account", follow_redirects=False).status_code == 303
        assert auth.login("leaver").status_code == 400


# --- what happens to the comments -------------------------------------------------------------


@pytest.fixture
def conversation(make_article: Any, make_user: Any, post: Any, leaver: Any) -> dict[str, Any]:
    """The leaver's comment with a reply below it, and a reply of theirs to someone else."""
    article = make_article(slug="talk", title="Talk")
    mine = post(article, leaver, "My considered opinion.")
    answer = post(article, make_user("answerer"), "A fair answer.", parent=mine)
    other = post(article, make_user("opener"), "An opening.")
    mine_below = post(article, leaver, "My reply below.", parent=other)
    return {"article": article, "mine": mine, "answer": answer, "mine_below": mine_below}


def thread_json(client: Any) -> list[dict[str, Any]]:
    response = client.get("/api/articles/talk/comments")
    assert response.status_code == 200
    return response.json()["comments"]


def published_count(database: Any, article_id: int) -> int:
    with database.session() as session:
        return session.get(Article, article_id).comment_count


def test_kept_comments_stay_signed_deleted_user_and_threads_keep_their_shape(
    client, database, erase_now, conversation, leaver
):
    erase_now(leaver.id, delete_comments=False)
    first, second = thread_json(client)
    assert (first["id"], first["author"], first["author_username"]) == (
        conversation["mine"].id,
        "[deleted user]",
        None,
    )
    assert "My considered opinion." in first["html"]
    assert [r["id"] for r in first["replies"]] == [conversation["answer"].id]
    assert second["replies"][0]["author"] == "[deleted user]"
    assert published_count(database, conversation["article"].id) == 4
    page = client.get("/articles/talk").text
    assert "[deleted user]" in page and "Lea Ver" not in page and "/users/leaver" not in page


def test_deleted_comments_leave_placeholders_and_their_text_goes(
    client, database, erase_now, hooks, conversation, leaver
):
    from forum.accounts.current import CurrentUser
    from forum.comments import service as comments

    with database.session(write=True) as session:
        me = CurrentUser.of(session.get(User, leaver.id), via="session")
        comments.edit_comment(
            session,
            hooks,
            conversation["mine"].id,
            editor=me,
            body="My revised opinion.",
            window=timedelta(hours=1),
        )
    erase_now(leaver.id, delete_comments=True)
    first, second = thread_json(client)
    assert (first["id"], first["status"], first["author"], first["html"]) == (
        conversation["mine"].id,
        "deleted",
        None,
        "",
    )
    assert [r["id"] for r in first["replies"]] == [conversation["answer"].id]
    assert second["replies"] == []  # a deleted comment without replies leaves the thread
    assert published_count(database, conversation["article"].id) == 2
    with database.session() as session:
        rows = session.scalars(
            select(Comment).where(
                Comment.id.in_([conversation["mine"].id, conversation["mine_below"].id])
            )
        ).all()
        assert {(c.status, c.body_source, c.body_html, c.author_id) for c in rows} == {
            (CommentStatus.DELETED, "", "", None)
        }
        assert session.scalar(select(func.count()).select_from(CommentRevision)) == 0
    assert client.get("/api/search", params={"q": "opinion"}).json()["total"] == 0


def test_erasing_twice_is_refused_quietly(database, settings, erase_now, user_data, leaver):
    erase_now(leaver.id, delete_comments=False)
    with database.session(write=True) as session, pytest.raises(NotFound):
        erasure.erase_account(
            session,
            leaver.id,
            delete_comments=False,
            user_data=user_data,
            outbox=Outbox.from_settings(settings),
            settings=settings,
        )
