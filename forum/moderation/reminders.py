"""Mail to moderators who opted in, about items that have waited too long (``forum moderation
remind``, from cron). Each item is in one reminder at most: a moderator's ``covered_until``
moves to the time of each run, and only items that became overdue after it are listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from forum.accounts.models import Role, User
from forum.articles.models import Article
from forum.comments.models import Comment
from forum.db import utcnow
from forum.i18n import N_, gettext, ngettext
from forum.moderation import mails
from forum.moderation import policy as policies
from forum.moderation.models import ReminderChoice
from forum.moderation.queues import Queue, QueueFilter, queue_keys
from forum.moderation.reach import EVERYTHING
from forum.settings import Settings
from forum.web.mail_templates import in_language_of

LISTED = 50
# Translators: a line of a reminder mail to moderators; %(since)s is a date and time.
LINES = {
    Queue.PENDING: N_("pending: comment %(comment_id)s on “%(title)s”, waiting since %(since)s"),
    Queue.REPORTED: N_("reported: comment %(comment_id)s on “%(title)s”, waiting since %(since)s"),
    Queue.APPEALS: N_("appeals: comment %(comment_id)s on “%(title)s”, waiting since %(since)s"),
    Queue.HANDLED: N_("handled: comment %(comment_id)s on “%(title)s”, waiting since %(since)s"),
}
"""A reminder's line for an item of each queue (marked; said in the moderator's language)."""


def _line(queue: Queue, comment_id: int, since: datetime, title: str) -> str:
    moment = since.isoformat(timespec="minutes")
    return gettext(LINES[queue], comment_id=comment_id, title=title, since=moment)


@dataclass(frozen=True)
class Choice:
    enabled: bool
    hours: int
    """How long items wait before a reminder (the site's setting)."""


def wants_reminders(session: Session, user_id: int) -> bool:
    choice = session.get(ReminderChoice, user_id)
    return choice is not None and choice.enabled


def choice(session: Session, settings: Settings, user_id: int) -> Choice:
    """Whether this moderator gets reminders, and after how many hours."""
    hours = policies.load(session, settings).remind_hours
    return Choice(wants_reminders(session, user_id), hours)


def set_reminders(session: Session, user_id: int, enabled: bool) -> None:
    choice = session.get(ReminderChoice, user_id)
    if choice is None:
        session.add(ReminderChoice(user_id=user_id, enabled=enabled))
    else:
        choice.enabled = enabled
    session.flush()


def overdue(
    session: Session, *, now: datetime, hours: int
) -> list[tuple[Queue, int, datetime, str]]:
    """(queue, comment id, since, article title) of every item waiting longer than ``hours``."""
    cutoff = now - timedelta(hours=hours)
    found: list[tuple[Queue, int, datetime, str]] = []
    for queue in (Queue.PENDING, Queue.REPORTED, Queue.APPEALS):
        keys = queue_keys(queue, QueueFilter(), now, EVERYTHING).subquery()
        rows = session.execute(
            select(keys.c.id, keys.c.since, Article.title)
            .join(Comment, Comment.id == keys.c.id)
            .join(Article, Article.id == Comment.article_id)
            .where(keys.c.since <= cutoff)
            .order_by(keys.c.since)
        )
        found.extend((queue, comment_id, since, title) for comment_id, since, title in rows)
    return found


def send_reminders(session: Session, outbox: mails.Outbox, settings: Settings) -> int:
    """Queue one mail per opted-in moderator with newly overdue items; returns how many."""
    now = utcnow()
    hours = policies.load(session, settings).remind_hours
    items = overdue(session, now=now, hours=hours)
    moderators = session.execute(
        select(User, ReminderChoice)
        .join(ReminderChoice, ReminderChoice.user_id == User.id)
        .where(ReminderChoice.enabled, User.role.in_([Role.MODERATOR, Role.ADMIN]))
    )
    sent = 0
    for moderator, choice in moderators:
        covered = choice.covered_until
        fresh = [
            item for item in items if covered is None or item[2] + timedelta(hours=hours) > covered
        ]
        taken = cast(
            CursorResult[Any],
            session.execute(
                update(ReminderChoice)
                .where(
                    ReminderChoice.user_id == moderator.id,
                    ReminderChoice.covered_until.is_(None)
                    if covered is None
                    else ReminderChoice.covered_until == covered,
                )
                .values(covered_until=now)
                .execution_options(synchronize_session=False)
            ),
        )
        if taken.rowcount != 1 or not fresh or moderator.email is None:
            continue
        with in_language_of(moderator.language, default=settings.language):
            lines = [
                _line(queue, comment_id, since, title)
                for queue, comment_id, since, title in fresh[:LISTED]
            ]
            if len(fresh) > LISTED:
                lines.append(
                    ngettext("… and %(num)s more", "… and %(num)s more", len(fresh) - LISTED)
                )
        mails.reminder(
            outbox,
            session,
            settings,
            moderator=moderator,
            lines=lines,
            count=len(fresh),
            hours=hours,
        )
        sent += 1
    return sent
