"""Who hears of a published comment: its parent's author, the people it mentions and the
article's watchers, each told once; and which publication or edit is news at all (each is
announced once, whoever publishes it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.accounts.profiles import shown_name
from forum.articles.models import Article
from forum.comments import mentions
from forum.comments.comment_views import unsigned_name
from forum.comments.models import Comment, CommentStatus
from forum.comments.notify.models import ArticleWatch, NotifiedComment, Reason, WatchMode
from forum.comments.notify.service import get_reply_mails
from forum.comments.visibility import PUBLIC, visible_to


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
    return unsigned_name(comment.author_name)
