"""The rules of notification mails over the database: preferences, watches, who hears of a
comment, the hourly cap and the digest queue. No HTTP and no mail composing here.

``get_reply_mails``, ``set_reply_mails``, ``watches_of`` and ``forget_user`` are what other
modules call (the privacy pages show, export and erase these rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.accounts.profiles import shown_name
from forum.articles.models import Article
from forum.comments import mentions
from forum.comments.models import Comment, CommentStatus
from forum.comments.notify.models import (
    ArticleWatch,
    DigestItem,
    NotificationMail,
    NotificationSettings,
    NotifiedComment,
    Reason,
    WatchMode,
)
from forum.comments.visibility import PUBLIC, visible_to
from forum.db import utcnow

HOUR = timedelta(hours=1)
_LOCK_SPACE = 0x6E6F7466
"""First key of PostgreSQL advisory locks taken per recipient while counting their mails."""


class Stop(StrEnum):
    """What an unsubscribe link stops."""

    REPLY_MAILS = "reply"
    WATCH = "watch"
    """One article's watch."""
    ALL = "all"
    """Reply mails and every watch (the digest's link)."""


@dataclass(frozen=True)
class Unsubscribe:
    """The content of a signed unsubscribe link."""

    user_id: int
    stop: Stop
    article_id: int | None = None


@dataclass(frozen=True)
class WatchedArticle:
    """One watch, as the account and privacy pages (and the data export) list it."""

    article_id: int
    slug: str
    title: str
    mode: WatchMode
    created_at: datetime


# --- preferences -----------------------------------------------------------------------------


def get_reply_mails(session: Session, user_id: int) -> bool:
    """Whether the user wants a mail when someone replies to their comments or mentions them
    (default: yes)."""
    value = session.scalar(
        select(NotificationSettings.reply_mails).where(NotificationSettings.user_id == user_id)
    )
    return True if value is None else value


def set_reply_mails(session: Session, user_id: int, on: bool) -> None:
    """Turn reply mails on or off; back at the default, the user's row goes."""
    row = session.get(NotificationSettings, user_id)
    if on:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(NotificationSettings(user_id=user_id, reply_mails=False, updated_at=utcnow()))
    else:
        row.reply_mails = False
        row.updated_at = utcnow()
    session.flush()


# --- watches ---------------------------------------------------------------------------------


def watch_of(session: Session, user_id: int, article_id: int) -> ArticleWatch | None:
    return session.scalar(
        select(ArticleWatch).where(
            ArticleWatch.user_id == user_id, ArticleWatch.article_id == article_id
        )
    )


def watch(session: Session, user_id: int, article_id: int, mode: WatchMode) -> ArticleWatch:
    """Watch an article (or change how): one watch per user and article."""
    existing = watch_of(session, user_id, article_id)
    if existing is not None:
        existing.mode = mode
        session.flush()
        return existing
    row = ArticleWatch(user_id=user_id, article_id=article_id, mode=mode, created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def unwatch(session: Session, user_id: int, article_id: int) -> bool:
    """Stop watching; False when there was no watch."""
    result = cast(
        CursorResult[Any],
        session.execute(
            delete(ArticleWatch).where(
                ArticleWatch.user_id == user_id, ArticleWatch.article_id == article_id
            )
        ),
    )
    return result.rowcount > 0


def watches_of(session: Session, user_id: int) -> list[WatchedArticle]:
    """Every article the user watches, newest watch first."""
    rows = session.execute(
        select(ArticleWatch, Article.slug, Article.title)
        .join(Article, Article.id == ArticleWatch.article_id)
        .where(ArticleWatch.user_id == user_id)
        .order_by(ArticleWatch.created_at.desc(), ArticleWatch.id.desc())
    ).all()
    return [
        WatchedArticle(w.article_id, slug, title, w.mode, w.created_at) for w, slug, title in rows
    ]


def forget_user(session: Session, user_id: int) -> None:
    """Erase every notification row of a user (account erasure): watches, preferences,
    pending digest items and the hourly counts."""
    for table in (ArticleWatch, NotificationSettings, DigestItem, NotificationMail):
        session.execute(delete(table).where(table.user_id == user_id))


def article_title(session: Session, article_id: int | None) -> str | None:
    """The title an unsubscribe page names (None when there is no such article any more)."""
    if article_id is None:
        return None
    return session.scalar(select(Article.title).where(Article.id == article_id))


def apply_unsubscribe(session: Session, target: Unsubscribe) -> None:
    """Do what an unsubscribe link says; doing it again changes nothing."""
    if session.get(User, target.user_id) is None:
        return
    if target.stop in (Stop.REPLY_MAILS, Stop.ALL):
        set_reply_mails(session, target.user_id, False)
    if target.stop is Stop.WATCH and target.article_id is not None:
        unwatch(session, target.user_id, target.article_id)
    if target.stop is Stop.ALL:
        session.execute(delete(ArticleWatch).where(ArticleWatch.user_id == target.user_id))


# --- who hears of a comment ------------------------------------------------------------------


def claim_first_publication(session: Session, comment_id: int, now: datetime) -> bool:
    """Record that a comment's publication is being announced; False if it already was.

    ``ON CONFLICT DO NOTHING … RETURNING``: of two transactions publishing one comment at
    once, only the one whose row went in gets a row back.
    """
    dialect = session.get_bind().dialect.name
    values = {"comment_id": comment_id, "notified_at": now}
    if dialect == "postgresql":
        statement: Any = postgresql.insert(NotifiedComment).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(NotifiedComment).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - we run on SQLite and PostgreSQL
        if session.get(NotifiedComment, comment_id) is not None:
            return False
        statement = insert(NotifiedComment).values(values)
    inserted = session.scalar(statement.returning(NotifiedComment.comment_id))
    return inserted is not None


def readers_can_see(article: Article | None, comment: Comment) -> bool:
    """Anyone may read it (the one visibility rule, for a visitor): only such a comment is
    mailed to watchers."""
    return article is not None and visible_to(PUBLIC, comment, article)


@dataclass(frozen=True)
class Recipient:
    user: User
    reason: Reason
    mode: WatchMode
    """Replies and mentions are always instant; watchers chose."""
    mention: bool = False
    """Told because the comment names them (``Reason.REPLY``: it is addressed to them)."""


def _parent_author(session: Session, comment: Comment) -> int | None:
    """The author of the comment this one replies to, while that comment is not deleted."""
    if comment.parent_id is None:
        return None
    parent = session.get(Comment, comment.parent_id)
    if parent is None or parent.status is CommentStatus.DELETED:
        return None
    return parent.author_id


def _mentioned(session: Session, comment: Comment, skip: set[int | None]) -> list[User]:
    """Users the comment mentions who want such mails (the reply switch), not in ``skip``."""
    skip = skip | {comment.author_id}
    return [
        user
        for user in mentions.mentioned_users(session, comment.body_source)
        if user.id not in skip and get_reply_mails(session, user.id)
    ]


def recipients(session: Session, comment: Comment) -> list[Recipient]:
    """Who should hear of a newly published comment: the parent's author (unless they turned
    reply mails off), the users it mentions (likewise) and the article's watchers; never its
    own author, and only people with a verified address. Whoever is told for two reasons is
    told once: as the reply's addressee, else as mentioned, else as a watcher."""
    wanted: dict[int, tuple[Reason, WatchMode, bool]] = {}
    parent_author = _parent_author(session, comment)
    if (
        parent_author is not None
        and parent_author != comment.author_id
        and get_reply_mails(session, parent_author)
    ):
        wanted[parent_author] = (Reason.REPLY, WatchMode.INSTANT, False)
    for user in _mentioned(session, comment, skip=set(wanted)):
        wanted[user.id] = (Reason.REPLY, WatchMode.INSTANT, True)
    watchers = session.execute(
        select(ArticleWatch.user_id, ArticleWatch.mode).where(
            ArticleWatch.article_id == comment.article_id
        )
    ).all()
    for user_id, mode in watchers:
        if user_id != comment.author_id:
            wanted.setdefault(user_id, (Reason.WATCH, mode, False))
    if not wanted:
        return []
    users = session.scalars(
        select(User)
        .where(User.id.in_(wanted), User.email.is_not(None), User.email_verified_at.is_not(None))
        .order_by(User.id)
    ).all()
    return [Recipient(user, *wanted[user.id]) for user in users]


def claim_changed_text(session: Session, comment: Comment, now: datetime) -> datetime | None:
    """When an announced comment was last announced, if its text changed since (an edit, maybe
    while held); that time becomes ``now``, so one change is announced once, whoever publishes
    it again. None: nothing new to announce (a comment restored as it was)."""
    before = session.scalar(
        select(NotifiedComment.notified_at).where(NotifiedComment.comment_id == comment.id)
    )
    if before is None or comment.edited_at is None or comment.edited_at <= before:
        return None
    moved = session.scalar(
        update(NotifiedComment)
        .where(NotifiedComment.comment_id == comment.id, NotifiedComment.notified_at == before)
        .values(notified_at=now)
        .returning(NotifiedComment.comment_id)
    )
    return before if moved is not None else None


def new_mentions(session: Session, comment: Comment, *, since: datetime) -> list[Recipient]:
    """Who a changed text newly mentions: named now and in none of the versions written by
    ``since`` (its last announcement), neither its author nor the parent's author (told of
    the reply already), with a verified address and mails about replies and mentions on."""
    earlier = mentions.earlier_mentions(session, comment, until=since)
    return [
        Recipient(user, Reason.REPLY, WatchMode.INSTANT, mention=True)
        for user in _mentioned(session, comment, skip={_parent_author(session, comment)})
        if user.username_key not in earlier
        and user.email is not None
        and user.email_verified_at is not None
    ]


# --- the hourly cap and the digest queue -----------------------------------------------------


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
            else comment.author_name or "Anonymous"
        )
        parent_author = parent_authors.get(comment.parent_id) if comment.parent_id else None
        mention = reason is Reason.REPLY and parent_author != user_id
        entries.append(DigestEntry(comment, article, reason, name, mention))
    return user, entries


def author_name(session: Session, comment: Comment) -> str:
    """How the comment's author is named in mails (as on the page: their privacy settings
    choose display name or username)."""
    if comment.author_id is not None:
        row = session.execute(
            select(User.username, User.display_name, User.public_name).where(
                User.id == comment.author_id
            )
        ).first()
        if row is not None:
            return shown_name(row.public_name, row.username, row.display_name)
    return comment.author_name or "Anonymous"
