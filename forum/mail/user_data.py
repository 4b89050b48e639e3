"""The outbox's part of the user-data registry (``forum.accounts.user_data``): mail waiting
for a person's address. Delivered mail is not kept; undelivered mail goes after
``FORUM_MAIL_RETENTION_DAYS`` (it holds addresses and text).

Mail sits below accounts, so it does not look the address up itself: ``create_app`` hands it
a function that does (``forum.accounts.user_data.email_of``). It matches the registry's
protocol by shape, without importing it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, event, func, or_, select
from sqlalchemy.orm import Session

from forum.mail.models import OutgoingMail
from forum.mail.transport import FileTransport

log = logging.getLogger("forum.mail")
_PENDING = "forum.mail.files_to_remove"
_LISTENING = "forum.mail.files_listening"

EmailOf = Callable[[Session, int], str | None]


class OutboxData:
    """Mail in the outbox, filed by address (mails do not name a user id), and the ``.eml``
    files development mode wrote to it under ``mail_dir`` (``var/mail``)."""

    name = "mail"
    tables = ("outgoing_mail",)

    def __init__(
        self, email_of: EmailOf, *, retention_days: int, mail_dir: Path | None = None
    ) -> None:
        self.email_of = email_of
        self.retention = timedelta(days=retention_days)
        self.files = FileTransport(mail_dir) if mail_dir is not None else None

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
        afterwards: the last mail the address gets); once the erasure commits, the ``.eml``
        files written to it go too."""
        to_user = self._to(session, user_id)
        if to_user is not None:
            session.execute(delete(OutgoingMail).where(to_user))
        address = self.email_of(session, user_id)
        if address is not None and self.files is not None:
            _after_commit(session, self.files, address)

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


def _after_commit(session: Session, files: FileTransport, address: str) -> None:
    """Remove the files once the erasure commits; forget them if it rolls back. (The
    listeners stay for the session's short life: removing one while it runs is not allowed.)"""
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_rollback", _rolled_back)
    session.info.setdefault(_PENDING, []).append((files, address))


def _committed(session: Session) -> None:
    for files, address in _done(session):
        try:
            removed = files.remove_mail_to(address)
        except OSError:
            log.warning("could not remove the mail files of an erased account", exc_info=True)
            continue
        if removed:
            log.info("removed %d mail files of an erased account", removed)


def _rolled_back(session: Session) -> None:
    _done(session)


def _done(session: Session) -> list[tuple[FileTransport, str]]:
    pending: list[tuple[FileTransport, str]] = session.info.pop(_PENDING, [])
    return pending
