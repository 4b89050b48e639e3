"""Two moderators act on one item at once: exactly one action takes effect and is logged; the
other is told it was already handled, and by whom."""

import threading
import time

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.comments.models import Comment, CommentStatus
from forum.moderation.actions import Act, Decision, act
from forum.moderation.errors import AlreadyHandled
from forum.moderation.models import LogEntry
from forum.moderation.reach import EVERYTHING
from tests.moderation.conftest import me


@pytest.fixture
def held(make_article, make_user, submit):
    comment = submit(make_article(slug="a"), make_user("ann"), "waiting words")
    assert comment.status is CommentStatus.PENDING
    return comment


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Act.APPROVE, Act.REJECT),
        (Act.REJECT, Act.APPROVE),
        (Act.APPROVE, Act.APPROVE),
    ],
)
def test_racing_moderators_one_wins_and_one_is_told(
    held, database, ctx, moderator, make_user, first, second
):
    """The first holds its transaction open while the second starts: on PostgreSQL the second
    reads 'pending' and then waits on the row; on SQLite it waits to begin. Either way it
    must find the comment handled once the first commits."""
    rival = make_user("rival", role=Role.MODERATOR)
    outcome: dict[str, object] = {}

    def second_moderator() -> None:
        try:
            with database.session(write=True) as session:
                outcome["second"] = act(
                    session,
                    ctx,
                    held.id,
                    me(rival),
                    Decision(second, violation=_rule(second), expected=CommentStatus.PENDING),
                    reach=EVERYTHING,
                )
        except AlreadyHandled as exc:
            outcome["refused"] = exc.message

    session = database.new_session(write=True)
    try:
        act(
            session,
            ctx,
            held.id,
            me(moderator),
            Decision(first, violation=_rule(first), expected=CommentStatus.PENDING),
            reach=EVERYTHING,
        )
        racer = threading.Thread(target=second_moderator)
        racer.start()
        time.sleep(0.5)  # the rival is now waiting on the row (or the write lock)
        assert racer.is_alive()
        session.commit()
    finally:
        session.close()
    racer.join(timeout=10)
    assert not racer.is_alive()
    assert "second" not in outcome
    assert "Already handled by modo" in str(outcome["refused"])
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(LogEntry)) == 1
        entry = s.scalar(select(LogEntry))
        assert entry.actor_id == moderator.id and entry.action.value == first.value
        expected = CommentStatus.PUBLISHED if first is Act.APPROVE else CommentStatus.REJECTED
        assert s.get(Comment, held.id).status is expected


def _rule(action: Act):  # type: ignore[no-untyped-def]
    from forum.moderation.models import Violation

    return Violation.SPAM if action is Act.REJECT else None


def test_the_second_moderator_in_the_browser_sees_already_handled(
    held, auth, moderator, make_user, database
):
    make_user("rival", role=Role.MODERATOR)
    auth.login("modo")
    page = auth.client.get("/moderation").text  # both moderators see it pending
    assert "waiting words" in page
    first = auth.post(f"/moderation/comments/{held.id}/approve", {"expected": "pending"})
    assert first.status_code == 303
    auth.logout()
    auth.login("rival")
    late = auth.post(
        f"/moderation/comments/{held.id}/reject", {"expected": "pending", "violation": "spam"}
    )
    assert late.status_code == 303
    assert "Already handled by modo" in auth.client.get(late.headers["location"]).text
    api = auth.client.post(
        f"/api/moderation/comments/{held.id}/actions",
        json={"action": "reject", "violation": "spam", "expected_status": "pending"},
        headers=auth.api_headers(),
    )
    assert api.status_code == 409 and "Already handled by modo" in api.json()["detail"]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(LogEntry)) == 1
        assert s.get(Comment, held.id).status is CommentStatus.PUBLISHED
