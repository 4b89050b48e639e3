"""The hourly cap on notification mails and the digest queue that takes the rest: what one
person may be sent this hour, and what waits for their next digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.accounts.profiles import shown_name
from forum.articles.models import Article
from forum.comments.comment_views import unsigned_name
from forum.comments.models import Comment
from forum.comments.notify.models import ArticleWatch, DigestItem, NotificationMail, Reason
from forum.comments.notify.recipients import readers_can_see
from forum.comments.notify.service import get_reply_mails

HOUR = timedelta(hours=1)
_LOCK_SPACE = 0x6E6F7466
"""First key of PostgreSQL advisory locks taken per recipient while counting their mails."""


def take_hourly_slot(session: Session, user_id: int, *, now: datetime, limit: int) -> bool:
    """Count one more mail for ``user_id`` if fewer than ``limit`` went out in the last hour.

    On PostgreSQL, concurrent writers count one recipient's mails one after the other (an
    advisory lock until commit); SQLite runs write transactions one at a time anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_LOCK_SPACE, user_id)))
    session.execute(
        delete(NotificationMail).where(
            NotificationMail.user_id == user_id, NotificationMail.sent_at <= now - HOUR
        )
    )
    sent = session.scalar(
        select(func.count())
        .select_from(NotificationMail)
        .where(NotificationMail.user_id == user_id, NotificationMail.sent_at > now - HOUR)
    )
    if (sent or 0) >= limit:
        return False
    session.add(NotificationMail(user_id=user_id, sent_at=now))
    session.flush()
    return True


def add_digest_item(
    session: Session, user_id: int, comment_id: int, reason: Reason, *, now: datetime
) -> None:
    """Put a comment in the user's next digest; one already there (a watched comment an edit
    now mentions them in) becomes addressed to them."""
    waiting = session.scalar(
        select(DigestItem).where(DigestItem.user_id == user_id, DigestItem.comment_id == comment_id)
    )
    if waiting is not None:
        if reason is Reason.REPLY:
            waiting.reason = reason
    else:
        session.add(
            DigestItem(user_id=user_id, comment_id=comment_id, reason=reason, created_at=now)
        )
    session.flush()


def digest_recipients(session: Session) -> list[int]:
    """Users with comments waiting for their digest."""
    return list(session.scalars(select(DigestItem.user_id).distinct().order_by(DigestItem.user_id)))


@dataclass(frozen=True)
class DigestEntry:
    comment: Comment
    article: Article
    reason: Reason
    author_name: str
    mention: bool = False
    """Addressed to the user by name rather than as a reply to their comment."""


def take_digest(session: Session, user_id: int) -> tuple[User | None, list[DigestEntry]]:
    """Remove the user's waiting items and return those still worth a mail, oldest first.

    Items are deleted with ``RETURNING``: of two digest runs at once, each sends only what it
    deleted. Comments no longer published, watches ended since and reply mails turned off
    since are dropped; so is everything when the address is no longer verified.
    """
    taken = session.execute(
        delete(DigestItem)
        .where(DigestItem.user_id == user_id)
        .returning(DigestItem.comment_id, DigestItem.reason)
    ).all()
    user = session.get(User, user_id)
    if not taken or user is None or user.email is None or user.email_verified_at is None:
        return user, []
    reasons: dict[int, Reason] = {row[0]: row[1] for row in taken}
    rows = session.execute(
        select(Comment, Article, User.username, User.display_name, User.public_name)
        .join(Article, Article.id == Comment.article_id)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.id.in_(reasons))
        .order_by(Article.id, Comment.created_at, Comment.id)
    ).all()
    watched = set(
        session.scalars(select(ArticleWatch.article_id).where(ArticleWatch.user_id == user_id))
    )
    replies_on = get_reply_mails(session, user_id)
    parents = {c.parent_id for c, *_ in rows if reasons[c.id] is Reason.REPLY and c.parent_id}
    parent_authors = dict(
        session.execute(select(Comment.id, Comment.author_id).where(Comment.id.in_(parents))).all()
    )
    entries = []
    for comment, article, username, display_name, public_name in rows:
        reason = reasons[comment.id]
        if not readers_can_see(article, comment) or comment.author_id == user_id:
            continue
        if reason is Reason.WATCH and article.id not in watched:
            continue
        if reason is Reason.REPLY and not replies_on:
            continue
        name = (
            shown_name(public_name, username, display_name)
            if username
            else unsigned_name(comment.author_name)
        )
        parent_author = parent_authors.get(comment.parent_id) if comment.parent_id else None
        mention = reason is Reason.REPLY and parent_author != user_id
        entries.append(DigestEntry(comment, article, reason, name, mention))
    return user, entries
