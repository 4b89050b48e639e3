"""A site's moderators moderate exactly the threads of that site's pages (issue 15, point 6):
they see its queues only and act on them, and every page, action and API call refuses the
threads of other sites and the forum's own articles (403; absent from lists and counts)."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.comments.models import Comment, CommentStatus
from forum.db import Database
from forum.mail.outbox import Outbox
from forum.moderation import appeals
from forum.moderation.actions import Act, Decision, act
from forum.moderation.models import Appeal, LogAction, LogEntry, ThreadLock, Violation
from forum.moderation.reach import EVERYTHING
from tests.sites.moderated_threads import PLACES, cast, me, post, thread


@dataclass
class Place:
    slug: str
    held: int
    """A newcomer's comment waiting in Pending."""
    reported: int
    """A published comment with an open report."""
    appealed: int
    """A comment the forum's moderator rejected, with its author's open appeal."""
    appeal: int


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"mail_worker": False}


@pytest.fixture
def world(app, database, make_user, make_article, make_site) -> dict[str, Place]:
    """Three threads alike (blog, other, own), each with a held comment, a reported one and an
    appeal; sam moderates the blog, olga the other site, modo the whole forum."""
    people = cast(app, database, make_user, make_site)
    places = {}
    for name in PLACES:
        article, held, reported = thread(people, database, make_article, name)
        appealed = post(database, people.ctx, article, people.carl, f"appealed words on {name}")
        with database.session(write=True) as session:
            decision = Decision(Act.REJECT, violation=Violation.SPAM, reason="an advert")
            act(session, people.ctx, appealed, me(people.modo), decision, reach=EVERYTHING)
        with database.session(write=True) as session:
            appeal = appeals.file_appeal(session, appealed, me(people.carl), "It was no advert.")
            places[name] = Place(f"{name}-post", held, reported, appealed, appeal.id)
    return places


def status(database: Database, comment_id: int) -> CommentStatus:
    with database.session() as session:
        found = session.get(Comment, comment_id)
        assert found is not None
        return found.status


def log_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(LogEntry)) or 0


# --- what a site's moderator sees -------------------------------------------------------------


def test_the_queues_list_and_count_the_sites_threads_only(world, auth):
    auth.login("sam")
    assert '<a href="/moderation">Moderation (2)</a>' in auth.client.get("/").text
    for path, key in [
        ("/moderation", "held"),
        ("/moderation/reported", "reported"),
        ("/moderation/appeals", "appealed"),
        ("/moderation/handled", "appealed"),
    ]:
        page = auth.client.get(path)
        assert page.status_code == 200
        assert "You moderate the threads of Blog." in page.text
        assert f"{key} words on blog" in page.text, path
        assert f"{key} words on other" not in page.text and f"{key} words on own" not in page.text
        assert "(1)" in page.text.split('aria-label="Queues"')[1].split("</nav>")[0]
    counts = auth.client.get("/api/moderation/counts").json()
    assert counts == {"pending": 1, "reported": 1, "handled": 1, "appeals": 1}
    api = auth.client.get("/api/moderation/queues/pending").json()
    assert [i["comment_id"] for i in api["items"]] == [world["blog"].held]


def test_the_forums_moderators_still_see_every_thread(world, auth):
    auth.login("modo")
    counts = auth.client.get("/api/moderation/counts").json()
    assert counts == {"pending": 3, "reported": 3, "handled": 3, "appeals": 3}
    assert "You moderate the threads of" not in auth.client.get("/moderation").text


def test_the_audit_log_shows_the_sites_threads_only(world, auth, app, database):
    auth.login("sam")
    page = auth.client.get("/moderation/log").text
    assert "The blog post" in page
    assert "The other post" not in page and "The own post" not in page
    entries = auth.client.get("/api/moderation/log").json()["items"]
    assert entries and {e["comment_id"] for e in entries} == {world["blog"].appealed}


def test_people_who_moderate_nothing_are_still_refused(world, auth):
    auth.login("rita")
    assert auth.client.get("/moderation").status_code == 403
    assert auth.client.get("/api/moderation/counts").status_code == 403


# --- every action, inside and outside the site -----------------------------------------------

COMMENT_ACTIONS = [
    ("approve", "held", {}, CommentStatus.PUBLISHED),
    ("reject", "held", {"violation": "spam", "reason": "an advert"}, CommentStatus.REJECTED),
    ("hide", "reported", {"violation": "abuse"}, CommentStatus.HIDDEN),
    ("approve", "reported", {}, CommentStatus.PUBLISHED),
    ("restore", "appealed", {}, CommentStatus.PUBLISHED),
    ("delete", "held", {"confirmed": "1"}, CommentStatus.DELETED),
]


@pytest.mark.parametrize(("action", "which", "form", "after"), COMMENT_ACTIONS)
def test_a_site_moderator_acts_on_the_sites_comments(
    world, auth, database, action, which, form, after
):
    comment_id = getattr(world["blog"], which)
    auth.login("sam")
    response = auth.post(f"/moderation/comments/{comment_id}/{action}", form)
    assert response.status_code == 303
    assert status(database, comment_id) is after
    with database.session() as session:
        entry = session.scalars(select(LogEntry).order_by(LogEntry.id.desc())).first()
        actor = session.get(User, entry.actor_id)
        assert entry.comment_id == comment_id and actor.username == "sam"
        assert entry.action is LogAction(action)


@pytest.mark.parametrize("place", ["other", "own"])
@pytest.mark.parametrize(("action", "which", "form", "after"), COMMENT_ACTIONS)
def test_a_site_moderator_is_refused_elsewhere(
    world, auth, database, place, action, which, form, after
):
    comment_id = getattr(world[place], which)
    before, entries = status(database, comment_id), log_count(database)
    auth.login("sam")
    response = auth.post(f"/moderation/comments/{comment_id}/{action}", form)
    assert response.status_code == 403
    api = auth.client.post(
        f"/api/moderation/comments/{comment_id}/actions",
        json={
            "action": action,
            **({"violation": form["violation"]} if "violation" in form else {}),
        },
        headers=auth.api_headers(),
    )
    assert api.status_code == 403
    assert api.json()["detail"] == "This is not one of the threads you moderate."
    assert status(database, comment_id) is before and log_count(database) == entries


@pytest.mark.parametrize("place", ["other", "own"])
def test_pages_and_thread_actions_are_refused_elsewhere(world, auth, database, place):
    target = world[place]
    entries = log_count(database)
    auth.login("sam")
    for path in [
        f"/moderation/comments/{target.reported}",
        f"/moderation/comments/{target.reported}/edit",
        f"/moderation/comments/{target.reported}/delete",
        f"/moderation/articles/{target.slug}",
    ]:
        assert auth.client.get(path).status_code == 403, path
    for path, form in [
        (f"/moderation/comments/{target.reported}/edit", {"body": "changed", "reason": ""}),
        (f"/moderation/comments/{target.reported}/lock", {}),
        (f"/moderation/articles/{target.slug}/close", {}),
        (f"/moderation/articles/{target.slug}/moderate-all", {}),
        (f"/moderation/appeals/{target.appeal}", {"outcome": "overturn"}),
    ]:
        assert auth.post(path, form).status_code == 403, path
    api = auth.client.post(
        f"/api/moderation/appeals/{target.appeal}",
        json={"outcome": "overturn"},
        headers=auth.api_headers(),
    )
    assert api.status_code == 403
    assert log_count(database) == entries
    with database.session() as session:
        assert session.get(ThreadLock, target.reported) is None
        assert "reported words" in session.get(Comment, target.reported).body_source


def test_pages_and_thread_actions_work_on_the_site(world, auth, database):
    target = world["blog"]
    auth.login("sam")
    assert (
        "reported words on blog" in auth.client.get(f"/moderation/comments/{target.reported}").text
    )
    assert auth.client.get(f"/moderation/articles/{target.slug}").status_code == 200
    assert auth.post(f"/moderation/comments/{target.reported}/lock", {}).status_code == 303
    assert auth.post(f"/moderation/articles/{target.slug}/close", {}).status_code == 303
    with database.session() as session:
        assert session.get(ThreadLock, target.reported) is not None
        done = session.scalars(
            select(LogEntry.action).where(LogEntry.actor_id.is_not(None)).order_by(LogEntry.id)
        ).all()
    assert done[-2:] == [LogAction.LOCK, LogAction.CLOSE]


def test_bulk_decisions_take_the_sites_comments_and_refuse_the_rest(world, auth, database):
    auth.login("sam")
    ids = [world[p].held for p in PLACES]
    response = auth.client.post(
        "/api/moderation/actions",
        json={"action": "approve", "comment_ids": ids},
        headers=auth.api_headers(),
    )
    assert [r["ok"] for r in response.json()["results"]] == [True, False, False]
    form = {"action": "reject", "violation": "spam", "ids": [world["other"].held]}
    assert auth.post("/moderation/bulk", form).status_code == 303
    assert [status(database, i) for i in ids] == [
        CommentStatus.PUBLISHED,
        CommentStatus.PENDING,
        CommentStatus.PENDING,
    ]


def test_appeals_against_the_sites_decisions(world, auth, database, app):
    """An appeal on the site's thread is decided by one of its moderators or the forum's; the
    site moderator who made the decision does not decide the appeal against it."""
    auth.login("sam")
    form = {"outcome": "uphold", "reason": "it was an advert"}
    assert auth.post(f"/moderation/appeals/{world['blog'].appeal}", form).status_code == 303
    with database.session() as session:
        assert session.get(Appeal, world["blog"].appeal).status.value == "upheld"
    held = world["blog"].held
    auth.post(f"/moderation/comments/{held}/reject", {"violation": "spam"})
    with database.session(write=True) as session:
        ann = session.scalar(select(User).where(User.username == "ann"))
        appeal = appeals.file_appeal(session, held, me(ann), "Not spam.").id
    page = auth.client.get("/moderation/appeals").text
    assert "You made this decision: another moderator decides the appeal." in page
    assert auth.post(f"/moderation/appeals/{appeal}", form).status_code == 403
    auth.logout()
    auth.login("modo")
    assert auth.post(f"/moderation/appeals/{appeal}", form).status_code == 303


def test_the_author_gets_a_statement_of_reasons_from_a_site_moderator(
    world, auth, database, settings
):
    auth.login("sam")
    form = {"violation": "spam", "reason": "a link to a shop"}
    auth.post(f"/moderation/comments/{world['blog'].held}/reject", form)
    Outbox.from_settings(settings).deliver_due(database, limit=None)
    texts = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted((settings.var_dir / "mail").glob("*.eml"))
    ]
    to_ann = [m for m in texts if m["To"] == "ann@example.org"]
    assert to_ann, "ann is told why her comment was rejected"
    body = to_ann[-1].get_body(preferencelist=("plain",)).get_content()
    assert "a link to a shop" in body and "appeal" in body.lower()


# --- bans and trust stay with the forum's moderators ---------------------------------------


def test_site_moderators_do_not_ban_or_trust(world, auth, database):
    auth.login("sam")
    assert auth.client.get("/moderation/users/carl").status_code == 403
    ban = {"duration": "7", "reason": "rude", "violation": "abuse"}
    assert auth.post("/moderation/users/carl/ban", ban).status_code == 403
    assert auth.post("/moderation/users/carl/trust", {}).status_code == 403
    api = auth.client.post(
        "/api/moderation/users/carl",
        json={"action": "ban", "reason": "rude", "days": 7},
        headers=auth.api_headers(),
    )
    assert api.status_code == 403
    assert auth.client.get("/moderation/reminders").status_code == 403
    page = auth.client.get("/moderation/reported").text
    assert 'href="/moderation/users/carl"' not in page and "Reminder mails" not in page
