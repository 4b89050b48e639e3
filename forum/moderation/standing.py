"""A user's standing with the moderators: bans, trust, and the record moderators read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.moderation.log import LogRow
from forum.moderation.models import Ban, LogAction, LogEntry, Report, TrustedUser
from forum.moderation.reach import EVERYTHING, Reach

HISTORY = 5
"""Earlier actions shown with each queue item."""


def active_ban(session: Session, user_id: int, now: datetime | None = None) -> Ban | None:
    now = now or utcnow()
    return session.scalar(
        select(Ban)
        .where(
            Ban.user_id == user_id,
            Ban.lifted_at.is_(None),
            or_(Ban.expires_at.is_(None), Ban.expires_at > now),
        )
        .order_by(Ban.expires_at.is_(None).desc(), Ban.expires_at.desc())
        .limit(1)
    )


def is_trusted(session: Session, user_id: int) -> bool:
    return session.get(TrustedUser, user_id) is not None


def reject_rate(
    session: Session, user_id: int, *, days: int, now: datetime | None = None
) -> tuple[int, int]:
    """(rejected, decided): moderators' decisions on the user's comments in the last ``days``."""
    since = (now or utcnow()) - timedelta(days=days)
    rows = session.execute(
        select(LogEntry.action, func.count())
        .where(
            LogEntry.target_user_id == user_id,
            LogEntry.comment_id.is_not(None),
            LogEntry.action.in_([LogAction.APPROVE, LogAction.REJECT]),
            LogEntry.created_at >= since,
        )
        .group_by(LogEntry.action)
    )
    counts: dict[LogAction, int] = {action: n for action, n in rows}  # noqa: C416
    rejected = counts.get(LogAction.REJECT, 0)
    return rejected, rejected + counts.get(LogAction.APPROVE, 0)


@dataclass
class AuthorRecord:
    """What a moderator needs to know about a comment's author."""

    user_id: int
    username: str
    display_name: str
    joined: datetime
    email_verified: bool
    approved: int
    rejected: int = 0
    pending: int = 0
    reported: int = 0
    """Reports against their comments, ever."""
    trusted: bool = False
    ban: Ban | None = None
    history: list[LogRow] = field(default_factory=list)


def records(
    session: Session, user_ids: set[int], *, reach: Reach = EVERYTHING
) -> dict[int, AuthorRecord]:
    """The records of several authors in a fixed number of queries; their earlier actions as
    far as ``reach`` goes (a site's moderators read what was done on the site's threads)."""
    if not user_ids:
        return {}
    ids = sorted(user_ids)
    out = {
        u.id: AuthorRecord(
            user_id=u.id,
            username=u.username,
            display_name=u.display_name,
            joined=u.created_at,
            email_verified=u.email_verified,
            approved=u.comment_count,
        )
        for u in session.scalars(select(User).where(User.id.in_(ids)))
    }
    # author_id is never None below: the WHERE keeps only these authors' comments
    for author_id, status, n in session.execute(
        select(Comment.author_id, Comment.status, func.count())
        .where(
            Comment.author_id.in_(ids),
            Comment.status.in_([CommentStatus.REJECTED, CommentStatus.PENDING]),
        )
        .group_by(Comment.author_id, Comment.status)
    ):
        if status is CommentStatus.REJECTED:
            out[cast(int, author_id)].rejected = n
        else:
            out[cast(int, author_id)].pending = n
    for author_id, n in session.execute(
        select(Comment.author_id, func.count(Report.id))
        .join(Report, Report.comment_id == Comment.id)
        .where(Comment.author_id.in_(ids))
        .group_by(Comment.author_id)
    ):
        out[cast(int, author_id)].reported = n
    for trusted_id in session.scalars(
        select(TrustedUser.user_id).where(TrustedUser.user_id.in_(ids))
    ):
        out[trusted_id].trusted = True
    now = utcnow()
    for ban in session.scalars(
        select(Ban).where(
            Ban.user_id.in_(ids),
            Ban.lifted_at.is_(None),
            or_(Ban.expires_at.is_(None), Ban.expires_at > now),
        )
    ):
        out[ban.user_id].ban = ban
    _add_history(session, out, reach)
    return out


def _add_history(session: Session, out: dict[int, AuthorRecord], reach: Reach) -> None:
    """The latest few actions about each author (one query; ranked in SQL)."""
    ranked = (
        select(
            LogEntry.id,
            func.row_number()
            .over(partition_by=LogEntry.target_user_id, order_by=LogEntry.id.desc())
            .label("n"),
        )
        .where(LogEntry.target_user_id.in_(list(out)), reach.covers(LogEntry.article_id))
        .subquery()
    )
    actor = User
    rows = session.execute(
        select(LogEntry, actor.username)
        .join(ranked, and_(ranked.c.id == LogEntry.id, ranked.c.n <= HISTORY))
        .outerjoin(actor, actor.id == LogEntry.actor_id)
        .order_by(LogEntry.id.desc())
    ).all()
    for entry, actor_name in rows:
        # Selected with ``target_user_id IN (out)``, so never None here.
        assert entry.target_user_id is not None
        target = out[entry.target_user_id]
        target.history.append(LogRow(entry, actor_name, target.username, None, None))
