"""The outbox's part of the user-data registry (``forum.accounts.user_data``): mail waiting
for a person's address. Delivered mail is not kept; undelivered mail goes after
``FORUM_MAIL_RETENTION_DAYS`` (it holds addresses and text).

Mail sits below accounts, so it does not look the address up itself: ``create_app`` hands it
a function that does (``forum.accounts.user_data.email_of``). It matches the registry's
protocol by shape, without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select
from sqlalchemy.orm import Session

from forum.mail.models import OutgoingMail

EmailOf = Callable[[Session, int], str | None]


class OutboxData:
    """Mail in the outbox, filed by address (mails do not name a user id)."""

    name = "mail"
    tables = ("outgoing_mail",)

    def __init__(self, email_of: EmailOf, *, retention_days: int) -> None:
        self.email_of = email_of
        self.retention = timedelta(days=retention_days)

    def _to(self, session: Session, user_id: int) -> Any:
        """The condition 'addressed to the user', or None when they have no address."""
        address = self.email_of(session, user_id)
        if address is None:
            return None
        return func.lower(OutgoingMail.to_address) == address.lower()

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> dict[str, Any]:
        """How many mails to the user's address are still waiting (their text is ours)."""
        to_user = self._to(session, user_id)
        if to_user is None:
            return {"mail_waiting": 0}
        count = session.scalar(select(func.count()).select_from(OutgoingMail).where(to_user))
        return {"mail_waiting": count or 0}

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """Drop every mail still waiting for the address (erasure queues its confirmation
        afterwards: the last mail the address gets)."""
        to_user = self._to(session, user_id)
        if to_user is not None:
            session.execute(delete(OutgoingMail).where(to_user))

    def expire(self, session: Session, *, now: datetime) -> int:
        """Delete mail created before the retention period (failed, or never delivered),
        except one a deliverer is sending this very moment."""
        result = session.execute(
            delete(OutgoingMail).where(
                OutgoingMail.created_at < now - self.retention,
                or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now),
            )
        )
        return cast("CursorResult[Any]", result).rowcount or 0
