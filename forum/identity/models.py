"""The identities a person linked to their account: who vouched for them (``issuer``) and
under which stable id (``subject``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, utcnow


class LinkedIdentity(Base):
    """One external identity linked to one account. An identity is found by (issuer, subject)
    only: the address it had at link time is kept to show, never to match accounts by."""

    __tablename__ = "linked_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    ISSUER_MAX = 255
    SUBJECT_MAX = 255
    LABEL_MAX = 60

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(ISSUER_MAX))
    """The provider's issuer URL, or ``site:<id>`` for a site's own login."""
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    label: Mapped[str] = mapped_column(String(LABEL_MAX))
    """How the account page names the provider (its label when the link was made)."""
    email: Mapped[str | None] = mapped_column(String(254))
    """The address the provider gave when the link was made (shown to the owner only)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
