"""Registered sites, their moderators, and which article anchors which of their pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.articles.models import CommentMode
from forum.db import Base, UTCDateTime, enum_column, utcnow


class Site(Base):
    """A site allowed to frame our threads on its pages (by its origins)."""

    __tablename__ = "sites"

    NAME_MAX = 100
    SECRET_MAX = 64

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    origins: Mapped[str] = mapped_column(Text)
    """Normalised ``scheme://host[:port]`` values, one a line: who may frame the thread."""
    create_on_view: Mapped[bool] = mapped_column(default=False)
    """Whether a page we do not know yet gets an article the first time it is viewed."""
    comment_mode: Mapped[CommentMode] = mapped_column(
        enum_column(CommentMode, "site_comment_mode"), default=CommentMode.OPEN
    )
    """The comment mode of the articles created for this site's pages."""
    secret: Mapped[str] = mapped_column(String(SECRET_MAX))
    """The key of the site's own login hand-off (HMAC): kept readable so the admin can copy it
    into the site's configuration, and replaced by rotating it."""
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def origin_list(self) -> list[str]:
        return [line for line in self.origins.splitlines() if line]


class SiteModerator(Base):
    """A person who moderates one site's threads."""

    __tablename__ = "site_moderators"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SitePage(Base):
    """The article that anchors the thread of one page of a site, found by its canonical URL."""

    __tablename__ = "site_pages"
    __table_args__ = (UniqueConstraint("site_id", "canonical_url"),)

    URL_MAX = 2000

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    canonical_url: Mapped[str] = mapped_column(String(URL_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HandoffNonce(Base):
    """A nonce of a site's sign-in hand-off, kept while a hand-off could still be fresh: a
    second use of the same nonce is a replay."""

    __tablename__ = "site_handoff_nonces"

    NONCE_MAX = 64

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(NONCE_MAX), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
