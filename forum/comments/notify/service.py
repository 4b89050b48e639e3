"""Notification preferences and watches over the database: whether someone wants reply mails,
which articles they watch, and what an unsubscribe link stops. No HTTP and no mail composing
here; who hears of a comment is ``recipients``, the hourly cap and the digest ``digest``.

``get_reply_mails``, ``set_reply_mails``, ``watches_of`` and ``forget_user`` are what other
modules call (the privacy pages show, export and erase these rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.notify.models import (
    ArticleWatch,
    DigestItem,
    NotificationMail,
    NotificationSettings,
    WatchMode,
)
from forum.db import utcnow


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
