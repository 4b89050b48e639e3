"""The moderation part of the user-data registry (``forum.accounts.user_data``): reports,
appeals, decisions about the person, bans, trust; for moderators, what they did.

On erasure the audit log keeps every action but no longer whose (``log.forget_user``), an
appeal keeps its outcome without the appellant or their words, reports they made stay without
them; bans, trust and reminder choices go, but a ban that still runs leaves the keyed hashes of
the name and address behind until it ends (``forum.moderation.banned``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from forum.accounts.user_data import Document, iso
from forum.moderation import banned
from forum.moderation import log as moderation_log
from forum.moderation.banned import BannedIdentities
from forum.moderation.models import Appeal, Ban, LogEntry, ReminderChoice, Report, TrustedUser
from forum.moderation.standing import active_ban


class ModerationData:
    """Moderation's tables that name a person. Other people are not named in the export:
    moderators appear as 'a moderator', reporters of the user's comments not at all."""

    name = "moderation"
    tables = (
        "comment_reports",
        "moderation_appeals",
        "moderation_log",
        "user_bans",
        "banned_identities",
        "trusted_users",
        "thread_locks",
        "moderator_reminders",
    )

    def __init__(self, *, base_url: str, identities: BannedIdentities) -> None:
        self.base = base_url.rstrip("/")
        self.identities = identities

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        base = self.base
        return {
            "reports": [
                {
                    "comment": f"{base}/comments/{r.comment_id}",
                    "reason": r.reason.value,
                    "note": r.note,
                    "created_at": iso(r.created_at),
                    "resolved_at": iso(r.resolved_at),
                }
                for r in session.scalars(
                    select(Report).where(Report.reporter_id == user_id).order_by(Report.created_at)
                )
            ],
            "appeals": [
                {
                    "comment": f"{base}/comments/{a.comment_id}",
                    "statement": a.statement,
                    "status": a.status.value,
                    "created_at": iso(a.created_at),
                    "decided_at": iso(a.decided_at),
                }
                for a in session.scalars(
                    select(Appeal).where(Appeal.appellant_id == user_id).order_by(Appeal.created_at)
                )
            ],
            "moderation": self._moderation(session, user_id),
        }

    def _moderation(self, session: Session, user_id: int) -> Document:
        """Decisions about the user and their comments, bans, trust; and, for moderators,
        what they did (the people they acted on are not named)."""

        def entry(e: LogEntry) -> Document:
            return {
                "action": e.action.value,
                "at": iso(e.created_at),
                "comment_id": e.comment_id,
                "rule": e.violation.value if e.violation else None,
                "reason": e.reason,
            }

        about = session.scalars(
            select(LogEntry).where(LogEntry.target_user_id == user_id).order_by(LogEntry.id)
        )
        by = session.scalars(
            select(LogEntry).where(LogEntry.actor_id == user_id).order_by(LogEntry.id)
        )
        return {
            "decisions_about_you": [entry(e) for e in about],
            "bans": [
                {
                    "reason": b.reason,
                    "created_at": iso(b.created_at),
                    "expires_at": iso(b.expires_at),
                    "lifted_at": iso(b.lifted_at),
                }
                for b in session.scalars(
                    select(Ban).where(Ban.user_id == user_id).order_by(Ban.created_at)
                )
            ],
            "trusted": session.get(TrustedUser, user_id) is not None,
            "actions_you_took": [
                {"action": e.action.value, "at": iso(e.created_at), "comment_id": e.comment_id}
                for e in by
            ],
        }

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """Keep what was decided, not who: appeals lose the appellant and their statement,
        the log its names and the moderator's words about them. Reports they made, and bans
        or locks they imposed as a moderator, lose their name with the ``users`` row. A ban that
        still runs keeps the keyed hashes of their name and address (``banned``)."""
        session.execute(
            update(Appeal)
            .where(Appeal.appellant_id == user_id)
            .values(appellant_id=None, statement="")
            .execution_options(synchronize_session=False)
        )
        moderation_log.forget_user(session, user_id)
        self.identities.keep_after_erasure(session, user_id, active_ban(session, user_id))
        for table in (Ban, TrustedUser, ReminderChoice):
            session.execute(delete(table).where(table.user_id == user_id))

    def expire(self, session: Session, *, now: datetime) -> int:
        """Hashes of banned names and addresses whose ban has ended."""
        return banned.expire(session, now=now)
