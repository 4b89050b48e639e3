"""The comments table and its revisions.

The tree is a sortable materialized path (like Drupal's comment "thread" column): each comment's
``path`` is its ancestors' segments plus its own, so ``ORDER BY path`` is display order and a
subtree is a prefix. ``root_seq`` numbers the top-level comments of an article, so a page of
threads is a range of it: a whole thread, a page or a subtree is one indexed query.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, enum_column, utcnow


class VoteValue(StrEnum):
    UP = "up"
    DOWN = "down"
    """Only when the site allows down votes (``FORUM_DOWN_VOTES``)."""


TOP_LEVEL = "depth = 0"
"""The condition of the 'best' index: top-level comments only, so that no query about replies
is planned through it (a query uses it by saying exactly this, not ``depth = ?``)."""


class CommentStatus(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"
    """Held for review: shown to its author (marked) and to moderators only."""
    REJECTED = "rejected"
    HIDDEN = "hidden"
    """Taken out of view (by reports or a moderator) until a moderator decides."""
    DELETED = "deleted"
    """Deleted by its author or a moderator; kept so that a moderator can restore it."""


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_article_root", "article_id", "root_seq"),
        Index("ix_comments_article_updated", "article_id", "updated_at"),
        Index("ix_comments_parent_id", "parent_id"),
        Index("ix_comments_author_created", "author_id", "created_at"),
        Index("ix_comments_status_created", "status", "created_at"),
        Index("ix_comments_article_status", "article_id", "depth", "status"),
        Index(
            "ix_comments_article_best",
            "article_id",
            "score",
            "root_seq",
            sqlite_where=text(TOP_LEVEL),
            postgresql_where=text(TOP_LEVEL),
        ),
    )

    BODY_MAX = 10_000
    AUTHOR_NAME_MAX = 50

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The user who wrote it; NULL for an anonymous comment or an erased account."""
    author_name: Mapped[str] = mapped_column(String(AUTHOR_NAME_MAX), default="")
    """The name given by an anonymous commenter (or an imported author)."""
    root_seq: Mapped[int] = mapped_column()
    path: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column()
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(
        enum_column(CommentStatus, "comment_status"), default=CommentStatus.PUBLISHED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    """Any change (edit, status): what thread ETags are made of."""
    client_address: Mapped[str | None] = mapped_column(String(45))
    """Kept for abuse control and removed after the retention period."""
    votes_up: Mapped[int] = mapped_column(default=0, server_default="0")
    votes_down: Mapped[int] = mapped_column(default=0, server_default="0")
    """The counts of ``comment_votes``, kept by ``forum.comments.votes`` with every vote, so a
    page reads them with its rows instead of counting."""
    score: Mapped[float] = mapped_column(default=0.0, server_default="0")
    """The lower bound of the Wilson score interval (95 %) of the votes: 'best' order."""


class CommentRevision(Base):
    """An earlier text of an edited comment (moderators can read them)."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body_source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """When this text was written (the comment's creation or an earlier edit)."""
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """Who replaced this text."""


class CommentVote(Base):
    """One reader's vote on one comment (changed in place, removed when taken back)."""

    __tablename__ = "comment_votes"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    """The comment's article, so that 'has this thread any votes?' is one index probe."""
    value: Mapped[VoteValue] = mapped_column(enum_column(VoteValue, "vote_value"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Keeps thread ETags right when an author's public name changes (a listener on ``User``).
from forum.comments import author_names as _author_names  # noqa: E402, F401
