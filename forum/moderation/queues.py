"""The queues moderators work: Pending, Reported, Recently handled, Appeals.

Each item carries its context (article, parent comment), its author's record, its reports and
why it was held, read for a whole page in a fixed number of queries. Oldest first, except
'Recently handled' (newest first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.comment_views import unsigned_name
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.i18n import N_
from forum.moderation import appeals as appeal_rules
from forum.moderation.log import COMMENT_ACTIONS, LogRow
from forum.moderation.models import (
    Appeal,
    AppealStatus,
    HoldReason,
    LogEntry,
    Report,
    ThreadLock,
    Violation,
)
from forum.moderation.reach import Reach
from forum.moderation.standing import AuthorRecord, records
from forum.web.pagination import Page, check_page

RECENT = timedelta(days=7)
"""How far back 'Recently handled' reaches."""


class Queue(StrEnum):
    PENDING = "pending"
    REPORTED = "reported"
    HANDLED = "handled"
    APPEALS = "appeals"


TITLES = {
    # Translators: the names of the moderation queues (tabs on /moderation).
    Queue.PENDING: N_("Pending"),
    Queue.REPORTED: N_("Reported"),
    Queue.HANDLED: N_("Recently handled"),
    Queue.APPEALS: N_("Appeals"),
}
"""Each queue's name (msgids: the page says them in the reader's language)."""


@dataclass(frozen=True)
class ReportView:
    reason: Violation
    note: str
    created_at: datetime
    reporter: str | None
    open: bool


@dataclass
class QueueItem:
    comment: Comment
    article: Article
    author_name: str
    """How the comment is signed: the display name, or an anonymous commenter's name."""
    author: AuthorRecord | None
    since: datetime
    """When the item entered its queue (posted, first open report, appeal filed, handled)."""
    age: timedelta
    parent: Comment | None = None
    parent_author: str | None = None
    reports: list[ReportView] = field(default_factory=list)
    held: list[HoldReason] = field(default_factory=list)
    locked: bool = False
    entry: LogRow | None = None
    """'Recently handled': what was done."""
    appeal: Appeal | None = None
    decision: LogRow | None = None
    """'Appeals': the decision appealed against."""
    may_decide: bool = True

    @property
    def open_reports(self) -> int:
        return sum(1 for r in self.reports if r.open)

    @property
    def reported_rule(self) -> Violation | None:
        """The rule the reject form starts on: what most open reports say (on a tie, the
        latest of them), so a moderator confirms the readers' reason instead of re-picking it."""
        reasons = [r.reason for r in self.reports if r.open]
        if not reasons:
            return None
        return max(reversed(reasons), key=reasons.count)


@dataclass(frozen=True)
class QueueFilter:
    article: str = ""
    """An article's slug."""
    author: str = ""
    """The comment author's username."""


Row = TypeVarTuple("Row")


def _filtered(query: Select[*Row], filters: QueueFilter) -> Select[*Row]:
    if filters.article:
        query = query.join(Article, Article.id == Comment.article_id).where(
            Article.slug == filters.article
        )
    if filters.author:
        query = query.join(User, User.id == Comment.author_id).where(
            User.username_key == filters.author.casefold()
        )
    return query


def queue_keys(
    queue: Queue, filters: QueueFilter, now: datetime, reach: Reach
) -> Select[int, datetime, int]:
    """(comment id, since, extra id) of every item in a queue within ``reach``, in queue
    order."""
    if queue is Queue.PENDING:
        query = (
            select(Comment.id, Comment.created_at.label("since"), Comment.id.label("extra"))
            .where(Comment.status == CommentStatus.PENDING)
            .order_by(Comment.created_at, Comment.id)
        )
    elif queue is Queue.REPORTED:
        first = func.min(Report.created_at).label("since")
        query = (
            select(Comment.id, first, Comment.id.label("extra"))
            .join(Report, Report.comment_id == Comment.id)
            .where(Report.resolved_at.is_(None))
            .group_by(Comment.id)
            .order_by(first, Comment.id)
        )
    elif queue is Queue.HANDLED:
        query = (
            select(Comment.id, LogEntry.created_at.label("since"), LogEntry.id.label("extra"))
            .join(LogEntry, LogEntry.comment_id == Comment.id)
            .where(LogEntry.action.in_(COMMENT_ACTIONS), LogEntry.created_at >= now - RECENT)
            .order_by(LogEntry.id.desc())
        )
    else:
        query = (
            select(Comment.id, Appeal.created_at.label("since"), Appeal.id.label("extra"))
            .join(Appeal, Appeal.comment_id == Comment.id)
            .where(Appeal.status == AppealStatus.OPEN)
            .order_by(Appeal.created_at, Appeal.id)
        )
    return _filtered(query.where(reach.covers(Comment.article_id)), filters)


def counts(
    session: Session,
    reach: Reach,
    queues: tuple[Queue, ...] = tuple(Queue),
    now: datetime | None = None,
) -> dict[Queue, int]:
    """How many items within ``reach`` are in each queue (what the tabs show)."""
    now = now or utcnow()
    out = {}
    for queue in queues:
        keys = queue_keys(queue, QueueFilter(), now, reach).order_by(None).subquery()
        out[queue] = session.scalar(select(func.count()).select_from(keys)) or 0
    return out


def waiting(session: Session, reach: Reach) -> int:
    """Pending plus reported within ``reach``: the number in the moderators' header link."""
    return sum(counts(session, reach, (Queue.PENDING, Queue.REPORTED)).values())


def list_queue(
    session: Session,
    queue: Queue,
    actor: CurrentUser,
    *,
    reach: Reach,
    page: int,
    per_page: int,
    filters: QueueFilter = QueueFilter(),
    now: datetime | None = None,
) -> Page[QueueItem]:
    """One page of a queue: only the items within ``reach``."""
    now = now or utcnow()
    keys = queue_keys(queue, filters, now, reach)
    total = session.scalar(select(func.count()).select_from(keys.order_by(None).subquery())) or 0
    check_page(page, per_page, total)
    rows = session.execute(keys.limit(per_page).offset((page - 1) * per_page)).all()
    items = _hydrate(session, queue, [(r[0], r[1], r[2]) for r in rows], actor, reach, now)
    return Page(items=items, number=page, per_page=per_page, total=total)


def item(session: Session, comment_id: int, actor: CurrentUser, reach: Reach) -> QueueItem | None:
    """One comment with everything a queue shows about it (for its own moderation page);
    ``Forbidden`` outside ``reach``."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None
    reach.require(session, comment.article_id)
    keys = [(comment.id, comment.created_at, 0)]
    return _hydrate(session, Queue.PENDING, keys, actor, reach, utcnow())[0]


def _hydrate(
    session: Session,
    queue: Queue,
    keys: list[tuple[int, datetime, int]],
    actor: CurrentUser,
    reach: Reach,
    now: datetime,
) -> list[QueueItem]:
    """The queue items for ``keys`` (comment id, since, extra id), in a few queries in all."""
    if not keys:
        return []
    ids = sorted({k[0] for k in keys})
    found = {
        c.id: (c, a, name)
        for c, a, name in session.execute(
            select(Comment, Article, User.display_name)
            .join(Article, Article.id == Comment.article_id)
            .outerjoin(User, User.id == Comment.author_id)
            .where(Comment.id.in_(ids))
        )
    }
    parents = _parents(session, {c.parent_id for c, _, _ in found.values() if c.parent_id})
    authors = records(
        session, {c.author_id for c, _, _ in found.values() if c.author_id}, reach=reach
    )
    reports = _reports(session, ids)
    held = _held(session, ids)
    locked = set(
        session.scalars(select(ThreadLock.comment_id).where(ThreadLock.comment_id.in_(ids)))
    )
    entries = _log_rows(session, [k[2] for k in keys] if queue is Queue.HANDLED else [])
    appeals: dict[int, Appeal] = {}
    if queue is Queue.APPEALS:
        appeals, entries = _appeals(session, [k[2] for k in keys])
    items = []
    for comment_id, since, extra in keys:
        comment, article, display = found[comment_id]
        parent = parents.get(comment.parent_id) if comment.parent_id else None
        appeal = appeals.get(extra)
        items.append(
            QueueItem(
                comment=comment,
                article=article,
                author_name=display or unsigned_name(comment.author_name),
                author=authors.get(comment.author_id) if comment.author_id else None,
                since=since,
                age=now - since,
                parent=parent[0] if parent else None,
                parent_author=parent[1] if parent else None,
                reports=reports.get(comment_id, []),
                held=held.get(comment_id, []),
                locked=comment_id in locked,
                entry=entries.get(extra) if queue is Queue.HANDLED else None,
                appeal=appeal,
                decision=entries.get(appeal.decision_id) if appeal else None,
                may_decide=appeal_rules.may_decide(session, appeal, actor) if appeal else True,
            )
        )
    return items


def _appeals(
    session: Session, appeal_ids: list[int]
) -> tuple[dict[int, Appeal], dict[int, LogRow]]:
    """The appeals by id, and the decisions they are against."""
    appeals = {a.id: a for a in session.scalars(select(Appeal).where(Appeal.id.in_(appeal_ids)))}
    return appeals, _log_rows(session, [a.decision_id for a in appeals.values()])


def _parents(session: Session, parent_ids: set[int]) -> dict[int, tuple[Comment, str]]:
    """Each parent comment and how it is signed."""
    return {
        p.id: (p, name or unsigned_name(p.author_name))
        for p, name in session.execute(
            select(Comment, User.display_name)
            .outerjoin(User, User.id == Comment.author_id)
            .where(Comment.id.in_(sorted(parent_ids)))
        )
    }


def _reports(session: Session, ids: list[int]) -> dict[int, list[ReportView]]:
    reports: dict[int, list[ReportView]] = {}
    for report, reporter in session.execute(
        select(Report, User.username)
        .outerjoin(User, User.id == Report.reporter_id)
        .where(Report.comment_id.in_(ids))
        .order_by(Report.created_at)
    ):
        reports.setdefault(report.comment_id, []).append(
            ReportView(
                report.reason, report.note, report.created_at, reporter, report.resolved_at is None
            )
        )
    return reports


def _held(session: Session, ids: list[int]) -> dict[int, list[HoldReason]]:
    held: dict[int, list[HoldReason]] = {}
    for reason in session.scalars(
        select(HoldReason).where(HoldReason.comment_id.in_(ids)).order_by(HoldReason.id)
    ):
        held.setdefault(reason.comment_id, []).append(reason)
    return held


def _log_rows(session: Session, entry_ids: list[int]) -> dict[int, LogRow]:
    if not entry_ids:
        return {}
    actor = aliased(User)
    return {
        e.id: LogRow(e, name, None, None, None)
        for e, name in session.execute(
            select(LogEntry, actor.username)
            .outerjoin(actor, actor.id == LogEntry.actor_id)
            .where(LogEntry.id.in_(entry_ids))
        )
    }
