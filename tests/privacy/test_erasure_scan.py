"""After erasure, no table of the database holds the email address, the username or the display
name: a scan of every text column of every row. The confirmation mail reached the old address
first, and left the outbox."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from forum.accounts import service as accounts
from forum.accounts.current import CurrentUser
from forum.accounts.models import Role, User
from forum.comments import service as comments
from forum.comments.models import Comment
from forum.comments.notify import digest
from forum.comments.notify import service as notifications
from forum.comments.notify.models import Reason, WatchMode
from forum.db import metadata, utcnow
from forum.mail.models import MailStatus, OutgoingMail
from forum.moderation import log
from forum.moderation.models import Appeal, Ban, LogAction, LogEntry, Report, Violation
from forum.privacy.models import ConsentRecord
from tests.conftest import DEFAULT_PASSWORD

EMAIL = "Yolanda.Vexworth@Example.net"
USERNAME = "yvexworth"
DISPLAY = "Yolanda Vexworth"
NEEDLES = [EMAIL.lower(), USERNAME, DISPLAY.lower(), "vexworth"]


@pytest.fixture
def settings_overrides(smtp_server: Any) -> dict[str, Any]:
    return {"smtp_url": smtp_server.url, "erasure_grace_hours": 0}


def scan(database: Any) -> list[str]:
    """Every (table.column) whose value contains one of the needles, in any row."""
    found = []
    with database.session() as session:
        for table in metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, str) and any(n in value.lower() for n in NEEDLES):
                        found.append(f"{table.name}.{column}")
    return sorted(set(found))


def wait_until_outbox_empty(database: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database.session() as session:
            if not session.scalar(select(func.count()).select_from(OutgoingMail)):
                return
        time.sleep(0.05)
    pytest.fail("the outbox did not empty")


def live_a_life(
    client: Any, auth: Any, database: Any, hooks: Any, make_user: Any, post: Any, make_article: Any
) -> dict[str, Any]:
    """Register through the site and leave traces in every module."""
    article = make_article(slug="life", title="Life")
    response = auth.post(
        "/register",
        {
            "username": USERNAME,
            "email": EMAIL,
            "display_name": DISPLAY,
            "password": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert auth.login(USERNAME).status_code == 303  # registering does not log in (issue 12)
    auth.post("/cookies", {"choice": "accept_all", "source": "banner"})
    auth.post("/articles/life/watch", {"mode": "digest"})
    auth.post("/account/privacy", {"profile_visibility": "members", "public_name": "username"})
    moderator = make_user("moddy", role=Role.MODERATOR)
    other = make_user("someone")
    theirs = post(article, other, "Someone else's comment.")
    with database.session(write=True) as session:
        user = session.scalar(select(User).where(User.username == USERNAME))
        user.email_verified_at = utcnow()
        me = CurrentUser.of(user, via="session")
        accounts.create_access_token(session, user, "my script")
    mine = post(article, user, "A thought of mine.")
    post(article, other, "A reply to it.", parent=mine)
    with database.session(write=True) as session:
        comments.edit_comment(
            session, hooks, mine.id, editor=me, body="A better thought.", window=timedelta(hours=1)
        )
        session.execute(
            update(Comment).where(Comment.author_id == user.id).values(client_address="203.0.113.9")
        )
        session.add(Report(comment_id=theirs.id, reporter_id=user.id, reason=Violation.OTHER))
        decision = log.record(
            session,
            actor_id=moderator.id,
            action=LogAction.REJECT,
            comment_id=mine.id,
            target_user_id=user.id,
            violation=Violation.ABUSE,
            reason=f"{DISPLAY} was rude.",
        )
        session.add(
            Appeal(
                comment_id=mine.id,
                decision_id=decision.id,
                appellant_id=user.id,
                statement=f"I am {DISPLAY} and I was not rude.",
            )
        )
        session.add(Ban(user_id=user.id, reason="For a day.", created_by_id=moderator.id))
        notifications.watch(session, user.id, article.id, WatchMode.DIGEST)
        digest.add_digest_item(session, user.id, theirs.id, Reason.WATCH, now=utcnow())
        session.add(  # a mail the worker will not reach in time: erasure must drop it
            OutgoingMail(
                to_address=EMAIL,
                subject="Later",
                body_text=f"Hello {DISPLAY}",
                status=MailStatus.QUEUED,
                next_attempt_at=utcnow() + timedelta(days=1),
            )
        )
    assert scan(database), "the needles are there before erasure"
    return {"user_id": user.id, "mine": mine}


@pytest.mark.parametrize("choice", ["keep", "delete"])
def test_after_erasure_no_table_holds_the_email_or_the_names(
    client, auth, database, hooks, make_user, post, make_article, smtp_server, choice
):
    life = live_a_life(client, auth, database, hooks, make_user, post, make_article)
    response = auth.post("/account/delete", {"comments": choice, "password": DEFAULT_PASSWORD})
    assert response.status_code == 303

    deadline = time.monotonic() + 10
    while not any("has been deleted" in str(m["subject"]) for m in smtp_server.messages):
        assert time.monotonic() < deadline, "the confirmation mail never came"
        time.sleep(0.05)
    farewell = next(
        i for i, m in enumerate(smtp_server.messages) if "has been deleted" in str(m["subject"])
    )
    assert [to.lower() for to in smtp_server.envelopes[farewell][1]] == [EMAIL.lower()]
    wait_until_outbox_empty(database)

    assert scan(database) == []
    with database.session() as session:
        assert session.get(User, life["user_id"]) is None
        entry = session.scalar(select(LogEntry).where(LogEntry.action == LogAction.REJECT))
        assert (entry.target_user_id, entry.reason, entry.violation) == (None, "", Violation.ABUSE)
        decisions = session.scalars(select(ConsentRecord)).all()
        assert decisions and all(d.user_id is None for d in decisions)
        assert session.get(Comment, life["mine"].id) is not None  # the thread keeps its shape
