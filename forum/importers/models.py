"""What an import remembers, so that running it again skips what it already brought in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, utcnow


class ImportedItem(Base):
    """A comment that came from an archive, under its id there."""

    __tablename__ = "imported_items"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_imported_items_source_external_id"),
        Index("ix_imported_items_comment_id", "comment_id"),
    )

    SOURCE_MAX = 20
    EXTERNAL_ID_MAX = 300

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(SOURCE_MAX))
    """The archive format: disqus, wordpress, isso or forum."""
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ImportedAuthor(Base):
    """The unclaimed profile made for one author of an archive, so re-runs reuse it."""

    __tablename__ = "imported_authors"
    __table_args__ = (
        UniqueConstraint("source", "author_key", name="uq_imported_authors_source_author_key"),
        Index("ix_imported_authors_user_id", "user_id"),
    )

    AUTHOR_KEY_MAX = 300

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(ImportedItem.SOURCE_MAX))
    author_key: Mapped[str] = mapped_column(String(AUTHOR_KEY_MAX))
    """How the archive tells its authors apart (a username there, else the name)."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
