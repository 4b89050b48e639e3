"""The articles table, and the revisions that keep every change to an article."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, enum_column, utcnow


class CommentMode(StrEnum):
    """Whether an article's thread takes new comments, is read-only, or is not shown at all."""

    OPEN = "open"
    CLOSED = "closed"
    HIDDEN = "hidden"


class Article(Base):
    """An article: the anchor of one comment thread."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_published_submitted_at", "published", "submitted_at"),)

    SLUG_MAX = 200
    TITLE_MAX = 300
    AUTHOR_MAX = 100
    LANGUAGE_MAX = 35

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    author_name: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    teaser: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(default=True)
    comment_mode: Mapped[CommentMode] = mapped_column(
        enum_column(CommentMode, "comment_mode"), default=CommentMode.OPEN
    )
    comment_count: Mapped[int] = mapped_column(default=0)
    """Published comments, kept current by the comments module so lists need no COUNT."""
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX))
    """The article's own language as a BCP 47 tag (``de``, ``pt-BR``); NULL: unknown."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def comments_open(self) -> bool:
        return self.comment_mode is CommentMode.OPEN


class ArticleRevision(Base):
    """One version of an article: its fields as saved, by whom and when.

    Each save writes the state it leaves behind; an article saved before revisions existed
    gets its earlier state recorded first (without a who), so no version is ever lost.
    """

    __tablename__ = "article_revisions"
    __table_args__ = (Index("ix_article_revisions_article_id", "article_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """Who saved it; NULL for the forum command, an import, or an account since erased."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    slug: Mapped[str] = mapped_column(String(Article.SLUG_MAX))
    title: Mapped[str] = mapped_column(String(Article.TITLE_MAX))
    author_name: Mapped[str] = mapped_column(String(Article.AUTHOR_MAX))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body_source: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column()
    comment_mode: Mapped[CommentMode] = mapped_column(enum_column(CommentMode, "comment_mode"))
