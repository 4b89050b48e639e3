"""The audit log: who, what, on what, when and why; filters; append-only, down to the
database; it keeps the action but not the person on erasure."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from forum.accounts.models import Role, User
from forum.db import utcnow
from forum.moderation import log
from forum.moderation.models import LogAction, LogEntry


@pytest.fixture
def history(make_article, make_user, make_regular, submit, moderator, auth, database):
    """modo rejects carl's comment, judy bans dora; one entry is from last month."""
    judy = make_user("judy", role=Role.ADMIN)
    carl, dora = make_regular("carl"), make_regular("dora")
    comment = submit(make_article(slug="a", title="Gardening"), carl, "buy seeds")
    auth.login("modo")
    auth.post(
        f"/moderation/comments/{comment.id}/reject",
        {"violation": "spam", "reason": "an advert"},
    )
    auth.logout()
    auth.login("judy")
    auth.post("/moderation/users/dora/ban", {"reason": "threats", "duration": "30"})
    auth.logout()
    with database.session(write=True) as s:
        s.add(
            LogEntry(
                created_at=utcnow() - timedelta(days=40),
                actor_id=moderator.id,
                action=LogAction.TRUST,
                target_user_id=carl.id,
            )
        )
    return {"comment": comment, "carl": carl, "dora": dora, "judy": judy}


def test_the_log_shows_who_what_on_what_when_and_why(history, auth):
    auth.login("modo")
    page = auth.client.get("/moderation/log").text
    row = page[page.index("<tbody>") :]
    assert "modo" in row and "reject" in row and "Gardening" in row and "an advert" in row
    assert "judy" in row and "ban" in row and "threats" in row and "dora" in row
    assert row.index("threats") < row.index("an advert")  # newest first


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("moderator=judy", {"ban"}),
        ("moderator=MODO", {"reject", "trust"}),
        ("user=carl", {"reject", "trust"}),
        ("action=ban", {"ban"}),
        ("since={today}", {"reject", "ban"}),
        ("until={month_ago}", {"trust"}),
    ],
)
def test_the_log_filters(history, auth, query, expected):
    today = utcnow().date()
    query = query.format(today=today, month_ago=today - timedelta(days=30))
    auth.login("modo")
    data = auth.client.get(f"/api/moderation/log?{query}").json()
    assert {item["action"] for item in data["items"]} == expected
    assert auth.client.get(f"/moderation/log?{query}").status_code == 200


def test_the_api_log_names_everything(history, auth):
    auth.login("judy")  # admins read it too
    items = auth.client.get("/api/moderation/log?action=reject").json()["items"]
    (entry,) = items
    assert entry["moderator"] == "modo" and entry["user"] == "carl"
    assert entry["comment_id"] == history["comment"].id and entry["article_slug"] == "a"
    assert entry["violation"] == "spam" and entry["reason"] == "an advert"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_route_changes_the_log(history, auth, method):
    auth.login("judy")
    headers = auth.api_headers()
    for path in ("/moderation/log", "/api/moderation/log"):
        response = getattr(auth.client, method)(path, headers=headers)
        assert response.status_code == 405


def test_the_database_refuses_to_change_or_delete_entries(history, database):
    with database.session() as s:
        entry_id = s.scalar(select(LogEntry.id))
    for statement in (
        update(LogEntry).where(LogEntry.id == entry_id).values(reason="nothing happened"),
        update(LogEntry).where(LogEntry.id == entry_id).values(action=LogAction.APPROVE),
        update(LogEntry).where(LogEntry.id == entry_id).values(actor_id=history["judy"].id),
        delete(LogEntry).where(LogEntry.id == entry_id),
    ):
        with pytest.raises(DBAPIError, match="append-only"), database.session(write=True) as s:
            s.execute(statement)
    with database.session() as s:
        assert s.scalar(select(text("count(*)")).select_from(LogEntry)) == 3


def test_forgetting_a_user_keeps_the_actions_but_not_the_person(history, database):
    carl = history["carl"]
    with database.session(write=True) as s:
        log.forget_user(s, carl.id)
        log.forget_user(s, history["judy"].id)
    with database.session() as s:
        entries = list(s.scalars(select(LogEntry).order_by(LogEntry.id)))
    assert [e.action for e in entries] == [LogAction.REJECT, LogAction.BAN, LogAction.TRUST]
    assert entries[0].target_user_id is None and entries[0].reason == ""
    assert entries[1].actor_id is None and entries[1].reason == "threats"


def test_deleting_an_account_sets_its_references_to_null(history, database):
    with database.session(write=True) as s:
        s.execute(delete(User).where(User.id == history["carl"].id))
    with database.session() as s:
        targets = [e.target_user_id for e in s.scalars(select(LogEntry).order_by(LogEntry.id))]
    assert targets == [None, history["dora"].id, None]
