"""Tables of notification mails: watches, reply-mail preferences, the digest queue, and the
records that keep a comment from notifying twice and a recipient under the hourly cap."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, enum_column, utcnow


class WatchMode(StrEnum):
    """How a watcher hears of new comments: a mail for each, or one a day."""

    INSTANT = "instant"
    DIGEST = "digest"


class Reason(StrEnum):
    """Why someone is told about a comment."""

    REPLY = "reply"
    """It is addressed to them: it answers one of their comments, or mentions them by
    ``@username`` (which of the two is read from the comment when the mail is written)."""
    WATCH = "watch"
    """It is in a discussion they watch."""


class ArticleWatch(Base):
    """A reader who wants to hear of every new published comment on an article."""

    __tablename__ = "article_watches"
    __table_args__ = (UniqueConstraint("user_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[WatchMode] = mapped_column(
        enum_column(WatchMode, "watch_mode"), default=WatchMode.INSTANT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationSettings(Base):
    """A user's choices that differ from the defaults; no row means every default holds."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    reply_mails: Mapped[bool] = mapped_column(default=True)
    """Mail me when someone replies to one of my comments (default: on)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DigestItem(Base):
    """A comment waiting for its recipient's next digest (digest watches, and mails over the
    hourly cap)."""

    __tablename__ = "notification_digest_items"
    __table_args__ = (UniqueConstraint("user_id", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[Reason] = mapped_column(enum_column(Reason, "notification_reason"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationMail(Base):
    """When a notification mail was queued for a user: what the hourly cap counts, in the
    database so that it holds across processes. Rows older than an hour are deleted."""

    __tablename__ = "notification_mails"
    __table_args__ = (Index("ix_notification_mails_user_sent", "user_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotifiedComment(Base):
    """A comment whose first publication has been announced: unpublishing and publishing it
    again notifies nobody a second time."""

    __tablename__ = "notified_comments"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
