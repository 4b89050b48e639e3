"""The outbox table: mail waiting to be delivered (delivered mail is deleted, not kept)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, enum_column, utcnow


class MailStatus(StrEnum):
    """Queued mail is retried until it is sent (and deleted) or gives up as failed."""

    QUEUED = "queued"
    FAILED = "failed"


class OutgoingMail(Base):
    """One message in the outbox.

    A delivered message is deleted at once: we keep no copy of mail (privacy). One that still
    fails after the retry period stays as ``failed`` for an operator to look at.
    """

    __tablename__ = "outgoing_mail"
    __table_args__ = (
        Index("ix_outgoing_mail_status_next_attempt_at", "status", "next_attempt_at"),
    )

    ADDRESS_MAX = 320
    SUBJECT_MAX = 998  # the longest line RFC 5322 allows
    ERROR_MAX = 200

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(ADDRESS_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, "mail_status"), default=MailStatus.QUEUED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Set while one deliverer is sending the message, so that no other sends it too."""
    last_error: Mapped[str | None] = mapped_column(String(ERROR_MAX))
    """Why the last attempt failed, in our words: an error class and SMTP code, no addresses."""
    extra_headers: Mapped[str | None] = mapped_column(Text)
    """More header fields as a JSON object (``List-Unsubscribe``…), checked when queued."""
