"""The audit log: every moderator action, appended in the acting transaction, read with filters.

Nothing here updates or deletes an entry except ``forget_user``, which blanks who an entry
names (the database triggers allow exactly that and nothing more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.models import Comment
from forum.db import utcnow
from forum.moderation.models import LogAction, LogEntry, Violation
from forum.moderation.reach import Reach
from forum.web.pagination import Page, check_page

COMMENT_ACTIONS = frozenset(
    {
        LogAction.APPROVE,
        LogAction.REJECT,
        LogAction.HIDE,
        LogAction.AUTO_HIDE,
        LogAction.RESTORE,
        LogAction.DELETE,
        LogAction.EDIT,
        LogAction.APPEAL_UPHELD,
        LogAction.APPEAL_OVERTURNED,
    }
)
"""Actions on a comment: what 'Recently handled' lists."""
DECISIONS = COMMENT_ACTIONS - {LogAction.EDIT}
"""Actions that decide a comment's status: what 'already handled by' and appeals look at."""


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: LogAction,
    comment_id: int | None = None,
    article_id: int | None = None,
    target_user_id: int | None = None,
    violation: Violation | None = None,
    reason: str = "",
    detail: str = "",
) -> LogEntry:
    entry = LogEntry(
        created_at=utcnow(),
        actor_id=actor_id,
        action=action,
        comment_id=comment_id,
        article_id=article_id,
        target_user_id=target_user_id,
        violation=violation,
        reason=reason[: LogEntry.REASON_MAX],
        detail=detail[: LogEntry.DETAIL_MAX],
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class LogFilter:
    moderator: str = ""
    """A moderator's username."""
    user: str = ""
    """The username of the person an action was about."""
    action: LogAction | None = None
    since: date | None = None
    until: date | None = None
    """Inclusive, in the site's time zone."""
    comment_id: int | None = None


@dataclass(frozen=True)
class LogRow:
    entry: LogEntry
    actor: str | None
    """The moderator's username; None for the report threshold or an erased account."""
    target: str | None
    article_slug: str | None
    article_title: str | None


def record_on_comment(
    session: Session,
    *,
    actor_id: int | None,
    action: LogAction,
    comment: Comment,
    violation: Violation | None = None,
    reason: str = "",
    detail: str = "",
) -> LogEntry:
    """An entry about one comment: the comment, its article and its author as the target."""
    return record(
        session,
        actor_id=actor_id,
        action=action,
        comment_id=comment.id,
        article_id=comment.article_id,
        target_user_id=comment.author_id,
        violation=violation,
        reason=reason,
        detail=detail,
    )


def read(
    session: Session,
    filters: LogFilter,
    *,
    reach: Reach,
    page: int,
    per_page: int,
    tz: ZoneInfo,
) -> Page[LogRow]:
    """Newest first; only entries about the threads within ``reach`` (a site's moderators do
    not read about bans, settings or other threads)."""
    actor = aliased(User)
    target = aliased(User)
    query = (
        select(LogEntry, actor.username, target.username, Article.slug, Article.title)
        .outerjoin(actor, actor.id == LogEntry.actor_id)
        .outerjoin(target, target.id == LogEntry.target_user_id)
        .outerjoin(Article, Article.id == LogEntry.article_id)
    )
    conditions = [reach.covers(LogEntry.article_id)]
    if filters.moderator:
        conditions.append(actor.username_key == filters.moderator.casefold())
    if filters.user:
        conditions.append(target.username_key == filters.user.casefold())
    if filters.action is not None:
        conditions.append(LogEntry.action == filters.action)
    if filters.since is not None:
        conditions.append(LogEntry.created_at >= _start_of(filters.since, tz))
    if filters.until is not None:
        conditions.append(LogEntry.created_at < _start_of(filters.until + timedelta(days=1), tz))
    if filters.comment_id is not None:
        conditions.append(LogEntry.comment_id == filters.comment_id)
    query = query.where(*conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    check_page(page, per_page, total)
    rows = session.execute(
        query.order_by(LogEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    items = [LogRow(r[0], r[1], r[2], r[3], r[4]) for r in rows]
    return Page(items=items, number=page, per_page=per_page, total=total)


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def latest_on_comment(
    session: Session, comment_id: int, actions: frozenset[LogAction] = DECISIONS
) -> tuple[LogEntry, str | None] | None:
    """The newest entry about a comment, with the moderator's username."""
    row = session.execute(
        select(LogEntry, User.username)
        .outerjoin(User, User.id == LogEntry.actor_id)
        .where(LogEntry.comment_id == comment_id, LogEntry.action.in_(actions))
        .order_by(LogEntry.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def forget_user(session: Session, user_id: int) -> None:
    """Keep the actions but not the person: for erasure (privacy calls this, or the foreign
    keys do it when the user row is deleted). The moderator's words about them go too."""
    session.execute(
        update(LogEntry)
        .where(LogEntry.target_user_id == user_id)
        .values(target_user_id=None, reason="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(LogEntry)
        .where(LogEntry.actor_id == user_id)
        .values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
