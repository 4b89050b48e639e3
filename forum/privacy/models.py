"""Tables of the privacy module: versioned policies, consent decisions and their log,
acceptances of the terms, first-party page-view counts, and requests to erase an account.

Users are referred to by table name. The consent log keeps its rows when an account goes
(``user_id`` becomes NULL): it is the proof of what was agreed, kept as long as the law needs.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, enum_column, utcnow


class PolicyKind(StrEnum):
    """The documents admins publish, each with its own version numbers."""

    PRIVACY = "privacy"
    TERMS = "terms"
    COOKIES = "cookies"


class ConsentMethod(StrEnum):
    """How a consent decision was given: the proof says which."""

    BANNER = "banner"
    SETTINGS = "settings"
    """On the preference centre, ``/cookies``: the only explicit choice that outranks GPC."""
    GPC = "gpc"
    """The browser sent ``Sec-GPC: 1``; treated as 'reject non-essential'."""


class PolicyVersion(Base):
    """One published version of a policy: Markdown source, its HTML, and when it applies."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    SOURCE_MAX = 100_000
    NOTE_MAX = 200

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PolicyKind] = mapped_column(enum_column(PolicyKind, "policy_kind"))
    version: Mapped[int]
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    """What changed, in a line, shown in the history."""
    effective_on: Mapped[date] = mapped_column(Date)
    """The version applies from this day (UTC) on, until a later one takes effect."""
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConsentRecord(Base):
    """The consent log: one row per decision, never changed, as proof of consent."""

    __tablename__ = "consent_log"
    __table_args__ = (Index("ix_consent_log_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visitor_id: Mapped[str] = mapped_column(String(32))
    """The random id in the browser's consent cookie: no other meaning, no link to a person."""
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    policy_version: Mapped[int]
    """The version of the cookie policy the decision was made under."""
    preferences: Mapped[bool]
    analytics: Mapped[bool]
    method: Mapped[ConsentMethod] = mapped_column(enum_column(ConsentMethod, "consent_method"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UserConsent(Base):
    """A logged-in user's current decision, so that it follows them to every device."""

    __tablename__ = "user_consents"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    policy_version: Mapped[int]
    preferences: Mapped[bool]
    analytics: Mapped[bool]
    method: Mapped[ConsentMethod] = mapped_column(enum_column(ConsentMethod, "consent_method"))
    visitor_id: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """When the decision was made (whole seconds): at login the newer of cookie and row wins."""


class PolicyAcceptance(Base):
    """A user accepted (or, for the privacy policy, was shown) one version of a policy."""

    __tablename__ = "policy_acceptances"
    __table_args__ = (UniqueConstraint("user_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[PolicyKind] = mapped_column(enum_column(PolicyKind, "policy_kind"))
    version: Mapped[int]
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PageViewCount(Base):
    """First-party analytics: views of one path on one day. No visitor, no address, no cookie."""

    __tablename__ = "page_view_counts"

    PATH_MAX = 200

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    path: Mapped[str] = mapped_column(String(PATH_MAX), primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class ErasureRequest(Base):
    """A user asked for their account to be erased; it happens at ``due_at`` (after the grace
    period) unless they log in and cancel. Goes with the account (``ON DELETE CASCADE``)."""

    __tablename__ = "erasure_requests"
    __table_args__ = (Index("ix_erasure_requests_due_at", "due_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delete_comments: Mapped[bool] = mapped_column(default=False)
    """Delete the user's comments too; otherwise they stay, signed '[deleted user]'."""
