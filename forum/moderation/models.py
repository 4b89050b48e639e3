"""Tables of moderation: policy, hold reasons, reports, the audit log, bans, trust, locks,
per-article rules, appeals and moderators' reminder choices.

Users, comments and articles are referred to by table name. Rows that name a person keep their
action but not the person when the account goes (``ON DELETE SET NULL``); the audit log is
append-only (database triggers, created by the migration, refuse any other change).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, enum_column, utcnow


class HoldRule(StrEnum):
    """Why screening held a comment for review (a comment may have several)."""

    UNVERIFIED_EMAIL = "unverified_email"
    NEW_AUTHOR = "new_author"
    ANONYMOUS = "anonymous"
    MODERATE_ALL = "moderate_all"
    LINKS = "links"
    BLOCKED_WORD = "blocked_word"
    BLOCKED_DOMAIN = "blocked_domain"
    DUPLICATE = "duplicate"
    HONEYPOT = "honeypot"
    TOO_FAST = "too_fast"
    REJECT_RATE = "reject_rate"


class Violation(StrEnum):
    """What a comment is reported for, or the rule a decision says it broke."""

    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    ILLEGAL = "illegal"
    OTHER = "other"


class LogAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"
    AUTO_HIDE = "auto_hide"
    """Hidden by reaching the report threshold (no moderator: ``actor_id`` is NULL)."""
    RESTORE = "restore"
    DELETE = "delete"
    EDIT = "edit"
    LOCK = "lock"
    UNLOCK = "unlock"
    CLOSE = "close"
    REOPEN = "reopen"
    MODERATE_ALL = "moderate_all"
    MODERATE_USUAL = "moderate_usual"
    BAN = "ban"
    UNBAN = "unban"
    TRUST = "trust"
    UNTRUST = "untrust"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_OVERTURNED = "appeal_overturned"
    SETTINGS = "settings"


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    """The decision stands."""
    OVERTURNED = "overturned"
    """The comment is published again."""


class ModerationPolicy(Base):
    """The one row of admin-edited moderation settings; absent until an admin saves them
    (the ``FORUM_MODERATION_*`` settings are the defaults)."""

    __tablename__ = "moderation_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    min_approved: Mapped[int]
    reports_to_hide: Mapped[int]
    max_links: Mapped[int]
    min_seconds: Mapped[int]
    duplicate_minutes: Mapped[int]
    reject_percent: Mapped[int]
    reject_days: Mapped[int]
    reject_min_decisions: Mapped[int]
    remind_hours: Mapped[int]
    blocked_words: Mapped[str] = mapped_column(Text, default="")
    """One word or phrase per line, matched as whole words, whatever the case."""
    blocked_domains: Mapped[str] = mapped_column(Text, default="")
    """One domain per line; its subdomains are blocked too."""
    moderate_all_default: Mapped[bool] = mapped_column(default=False)
    moderate_all_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When 'moderate all for new articles' was last turned on: articles created since then
    without a rule of their own are moderated entirely."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HoldReason(Base):
    """Why a comment was held: shown to moderators in the queue."""

    __tablename__ = "comment_hold_reasons"
    __table_args__ = (UniqueConstraint("comment_id", "rule"),)

    DETAIL_MAX = 200

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    rule: Mapped[HoldRule] = mapped_column(enum_column(HoldRule, "hold_rule"))
    detail: Mapped[str] = mapped_column(String(DETAIL_MAX), default="")


class Report(Base):
    """A reader's report of a comment; one per reader and comment."""

    __tablename__ = "comment_reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_id"),
        Index("ix_comment_reports_open", "resolved_at", "created_at"),
    )

    NOTE_MAX = 1000

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[Violation] = mapped_column(enum_column(Violation, "violation"))
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When a moderator decided the comment; open reports have none."""


class LogEntry(Base):
    """One moderator action: who, what, on what, when and why. Append-only."""

    __tablename__ = "moderation_log"
    __table_args__ = (
        Index("ix_moderation_log_comment", "comment_id", "id"),
        Index("ix_moderation_log_target_created", "target_user_id", "created_at"),
        Index("ix_moderation_log_actor_created", "actor_id", "created_at"),
        Index("ix_moderation_log_created", "created_at"),
    )

    DETAIL_MAX = 200
    REASON_MAX = 2000

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The moderator; NULL for the automatic report threshold or an erased account."""
    action: Mapped[LogAction] = mapped_column(enum_column(LogAction, "log_action"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """Whose comment or account the action was about."""
    violation: Mapped[Violation | None] = mapped_column(enum_column(Violation, "violation"))
    reason: Mapped[str] = mapped_column(Text, default="")
    """The moderator's words (sent to the author for rejections and hides)."""
    detail: Mapped[str] = mapped_column(String(DETAIL_MAX), default="")
    """Machine-made facts: the earlier status, a ban's end, a count. Never personal text."""


class Ban(Base):
    """A user may read but not post, edit or report until ``expires_at`` (NULL: for good)."""

    __tablename__ = "user_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BannedIdentity(Base):
    """A keyed hash (``forum.signing``) of a banned person's username or address, kept while
    the ban runs so that erasing the account does not let them back in under the same name or
    address. Never the name or address itself."""

    __tablename__ = "banned_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    """The banned account while it exists (lifting its ban removes these rows); NULL once
    the account is erased."""
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the ban ends (NULL: for good); the row means nothing after."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TrustedUser(Base):
    """A user whose comments skip pre-moderation (not the honeypot or the block list)."""

    __tablename__ = "trusted_users"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ThreadLock(Base):
    """No new replies anywhere below this comment."""

    __tablename__ = "thread_locks"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ArticleRule(Base):
    """An article's own 'moderate all' choice (otherwise the policy default decides)."""

    __tablename__ = "article_moderation"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    moderate_all: Mapped[bool]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Appeal(Base):
    """An author's one appeal against a rejection or hide, decided by another moderator."""

    __tablename__ = "moderation_appeals"
    __table_args__ = (Index("ix_moderation_appeals_status_created", "status", "created_at"),)

    STATEMENT_MAX = 2000

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    decision_id: Mapped[int] = mapped_column(ForeignKey("moderation_log.id"), unique=True)
    """The log entry appealed against: one appeal per decision."""
    appellant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(
        enum_column(AppealStatus, "appeal_status"), default=AppealStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReminderChoice(Base):
    """A moderator's opt-in to mail about items waiting too long, and when it last went."""

    __tablename__ = "moderator_reminders"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    covered_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Items that had waited long enough by then were in an earlier mail: never repeated."""
