"""Statement of reasons and appeal (DSA art. 17 and 20): the author is told why, may appeal
once, another moderator decides, and the outcome is logged and told."""

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.comments.models import Comment, CommentStatus
from forum.moderation.models import Appeal, AppealStatus, LogAction, LogEntry
from tests.moderation.conftest import text_of


@pytest.fixture
def rejected(make_article, make_regular, submit, moderator, auth, mails):
    """carl's comment, rejected by modo as spam with a reason; the mail is delivered."""
    comment = submit(make_article(slug="a", title="Gardening"), make_regular("carl"), "buy seeds")
    auth.login("modo")
    auth.post(
        f"/moderation/comments/{comment.id}/reject",
        {"expected": "published", "violation": "spam", "reason": "Advertising a shop"},
    )
    auth.logout()
    return comment


def test_a_rejection_tells_the_author_the_reason_the_rule_and_how_to_appeal(
    rejected, mails, settings
):
    (message,) = mails()
    assert message["To"] == "carl@example.org"
    assert message["Subject"] == "Your comment on Gardening was rejected"
    body = text_of(message)
    assert "buy seeds" in body
    assert "our rule against spam" in body
    assert "Advertising a shop" in body
    assert "decided by a person" in body
    assert f"{settings.base_url}/comments/{rejected.id}/appeal" in body


def test_hiding_also_sends_a_statement_of_reasons(
    make_article, make_regular, submit, moderator, auth, mails
):
    comment = submit(make_article(slug="b", title="Birds"), make_regular("dora"), "off topic")
    auth.login("modo")
    auth.post(f"/moderation/comments/{comment.id}/hide", {"violation": "off_topic"})
    (message,) = mails()
    assert message["Subject"] == "Your comment on Birds was hidden"
    assert "off-topic" in text_of(message)


def test_approving_sends_no_statement(make_article, make_user, submit, moderator, auth, mails):
    held = submit(make_article(), make_user("ann"), "new here")
    auth.login("modo")
    auth.post(f"/moderation/comments/{held.id}/approve")
    assert mails() == []


def test_the_author_appeals_once(rejected, auth, database):
    auth.login("carl")
    form = auth.client.get(f"/comments/{rejected.id}/appeal")
    assert form.status_code == 200 and "Advertising a shop" in form.text
    response = auth.post(f"/comments/{rejected.id}/appeal", {"statement": "It is a gift, free."})
    assert response.status_code == 303
    again = auth.post(f"/comments/{rejected.id}/appeal", {"statement": "Please!"})
    assert again.status_code == 409
    with database.session() as s:
        (appeal,) = s.scalars(select(Appeal))
        assert appeal.status is AppealStatus.OPEN and appeal.statement == "It is a gift, free."


def test_only_the_author_can_appeal(rejected, auth, make_user):
    make_user("bob")
    auth.login("bob")
    assert auth.client.get(f"/comments/{rejected.id}/appeal").status_code == 404


def test_another_moderator_decides_the_appeal(rejected, auth, make_user, database, mails):
    make_user("judge", role=Role.MODERATOR)
    auth.login("carl")
    auth.post(f"/comments/{rejected.id}/appeal", {"statement": "It is a gift, free."})
    auth.logout()
    with database.session() as s:
        appeal_id = s.scalar(select(Appeal.id))
    auth.login("modo")
    queue = auth.client.get("/moderation/appeals").text
    assert "It is a gift, free." in queue and "another moderator decides" in queue
    refused = auth.post(f"/moderation/appeals/{appeal_id}", {"outcome": "overturn"})
    assert refused.status_code == 403
    auth.logout()
    auth.login("judge")
    decided = auth.post(
        f"/moderation/appeals/{appeal_id}", {"outcome": "overturn", "reason": "Fair enough"}
    )
    assert decided.status_code == 303
    with database.session() as s:
        assert s.get(Comment, rejected.id).status is CommentStatus.PUBLISHED
        assert s.get(Appeal, appeal_id).status is AppealStatus.OVERTURNED
        last = s.scalar(select(LogEntry).order_by(LogEntry.id.desc()))
        assert last.action is LogAction.APPEAL_OVERTURNED and last.reason == "Fair enough"
    outcome = mails()[-1]
    assert outcome["Subject"] == "Your appeal about your comment on Gardening"
    assert "successful: the comment is published again" in text_of(outcome)


def test_an_upheld_appeal_keeps_the_decision_and_says_so(
    rejected, auth, make_user, database, mails
):
    make_user("judge", role=Role.MODERATOR)
    auth.login("carl")
    auth.post(f"/comments/{rejected.id}/appeal", {"statement": "Unfair"})
    auth.logout()
    with database.session() as s:
        appeal_id = s.scalar(select(Appeal.id))
    auth.login("judge")
    auth.post(f"/moderation/appeals/{appeal_id}", {"outcome": "uphold"})
    again = auth.post(f"/moderation/appeals/{appeal_id}", {"outcome": "overturn"})
    assert again.status_code == 303  # told it was already decided, nothing changes
    with database.session() as s:
        assert s.get(Comment, rejected.id).status is CommentStatus.REJECTED
        actions = [e.action for e in s.scalars(select(LogEntry).order_by(LogEntry.id))]
    assert actions == [LogAction.REJECT, LogAction.APPEAL_UPHELD]
    assert "not successful: the decision stands" in text_of(mails()[-1])


def test_the_same_moderator_decides_when_there_is_no_other(rejected, auth, database):
    auth.login("carl")
    auth.post(f"/comments/{rejected.id}/appeal", {"statement": "Unfair"})
    auth.logout()
    with database.session() as s:
        appeal_id = s.scalar(select(Appeal.id))
    auth.login("modo")
    assert auth.post(f"/moderation/appeals/{appeal_id}", {"outcome": "uphold"}).status_code == 303
    with database.session() as s:
        assert s.get(Appeal, appeal_id).status is AppealStatus.UPHELD
