"""What moderators' pages show, each read in one call: a queue with its tabs, one comment
with its history. Reads only; the rules live in the other modules."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.comments import service as comments
from forum.comments.models import CommentRevision
from forum.errors import NotFound
from forum.i18n import gettext
from forum.moderation import log, queues, reminders
from forum.moderation.log import LogRow
from forum.moderation.queues import Queue, QueueFilter, QueueItem
from forum.moderation.reach import Reach
from forum.web.pagination import Page

HISTORY_MAX = 50
"""The most log entries one comment's page shows."""


@dataclass(frozen=True)
class QueueView:
    page: Page[QueueItem]
    counts: dict[Queue, int]
    """How many items wait in each queue (the tabs)."""
    reminders: bool
    """Whether this moderator gets reminder mails."""


@dataclass(frozen=True)
class ItemView:
    item: QueueItem
    history: list[LogRow]
    revisions: list[CommentRevision]


def queue_view(
    session: Session,
    queue: Queue,
    actor: CurrentUser,
    *,
    reach: Reach,
    page: int,
    per_page: int,
    filters: QueueFilter,
) -> QueueView:
    """One page of a queue, the counts of all queues (within ``reach``) and the moderator's
    reminder choice."""
    return QueueView(
        page=queues.list_queue(
            session, queue, actor, reach=reach, page=page, per_page=per_page, filters=filters
        ),
        counts=queues.counts(session, reach),
        reminders=reminders.wants_reminders(session, actor.id),
    )


def find_item(session: Session, comment_id: int, actor: CurrentUser, reach: Reach) -> QueueItem:
    """One comment with everything a queue shows about it; ``NotFound`` if there is none,
    ``Forbidden`` outside ``reach``."""
    found = queues.item(session, comment_id, actor, reach)
    if found is None:
        raise NotFound(gettext("There is no such comment."))
    return found


def item_view(
    session: Session, comment_id: int, actor: CurrentUser, reach: Reach, tz: ZoneInfo
) -> ItemView:
    """One comment with its context, its author's record, reports, log and earlier texts."""
    item = find_item(session, comment_id, actor, reach)
    history = log.read(
        session,
        log.LogFilter(comment_id=comment_id),
        reach=reach,
        page=1,
        per_page=HISTORY_MAX,
        tz=tz,
    )
    return ItemView(item, history.items, comments.revisions(session, comment_id))
