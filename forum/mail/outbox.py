"""The outbox: queue mail in the caller's transaction, deliver it later, retry until it goes.

Queuing only adds a row, so a request that rolls back sends nothing and a mail server that is
down cannot fail a request. Delivery claims one row at a time with a conditional UPDATE, so any
number of deliverers (worker tasks in several processes, ``forum mail send`` from cron) never
send one message twice while they run; a deliverer that dies mid-send leaves a claim that
expires, and that message is sent again (at least once, never lost).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, event, or_, select, update
from sqlalchemy.orm import Session

from forum.db import Database, utcnow
from forum.mail.message import check_headers, check_recipient, check_subject, compose
from forum.mail.models import MailStatus, OutgoingMail
from forum.mail.transport import (
    FileTransport,
    SmtpConfig,
    SmtpTransport,
    Transport,
    describe_error,
    is_permanent,
)
from forum.settings import Settings

log = logging.getLogger("forum.mail")

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=48)
CLAIM_FOR = timedelta(minutes=5)
"""How long a claim holds: far longer than one send (SMTP times out after 10 s)."""
BATCH = 100

_COMMIT_HOOKED = "forum.mail.commit_hooked"


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery round did."""

    sent: int = 0
    failed: int = 0
    """Given up for good in this round."""
    retry_later: int = 0
    """Due, but still queued: the attempt failed, or the round stopped before trying it."""


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 30 s, doubling, at most an hour."""
    return min(FIRST_RETRY * (1 << min(max(attempts - 1, 0), 16)), LONGEST_RETRY)


def _message_specific(exc: BaseException) -> bool:
    """Failures about this one message; anything else (server down, login refused, disk full)
    would fail the next message too, so the round stops and the rest wait their turn."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


class Outbox:
    """Everything that sends mail queues it here; ``deliver_due`` sends it."""

    def __init__(
        self,
        transport: Transport,
        *,
        sender: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.transport = transport
        self.sender = sender
        self.clock = clock
        self._listeners: list[Callable[[], None]] = []

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> Outbox:
        """SMTP when ``FORUM_SMTP_URL`` is set, otherwise ``.eml`` files under ``var/mail/``."""
        transport: Transport
        if settings.smtp_url:
            transport = SmtpTransport(SmtpConfig.from_url(settings.smtp_url))
        else:
            transport = FileTransport(settings.var_dir / "mail")
        return cls(transport, sender=settings.mail_from, clock=clock)

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (from any thread) after a transaction that queued mail commits."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def queue(
        self,
        session: Session,
        *,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Add a message to the outbox in ``session``'s transaction; it is sent after commit.

        ``to`` is one bare address (``user@example.org``); ``html``, when given, is sent as an
        alternative to ``text``; ``headers`` adds fields such as ``List-Unsubscribe`` (one
        line of ASCII each). Raises ``InvalidMail`` for a bad address, subject or header.
        """
        now = self.clock()
        session.add(
            OutgoingMail(
                to_address=check_recipient(to),
                subject=check_subject(subject),
                body_text=text,
                body_html=html,
                extra_headers=check_headers(headers or {}),
                status=MailStatus.QUEUED,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        )
        if not session.info.get(_COMMIT_HOOKED):
            session.info[_COMMIT_HOOKED] = True
            event.listen(session, "after_commit", self._committed, once=True)

    def _committed(self, session: Session) -> None:
        session.info.pop(_COMMIT_HOOKED, None)
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:  # a listener must never fail the caller's commit
                log.exception("mail listener failed")

    def deliver_due(
        self,
        database: Database,
        *,
        limit: int | None = BATCH,
        stop: Callable[[], bool] | None = None,
    ) -> DeliveryReport:
        """Send up to ``limit`` due messages (None: all), each in its own short transactions.

        Stops early when the transport fails in a way the next message would share, or when
        ``stop()`` turns true (the app is shutting down).
        """
        now = self.clock()
        with database.session() as session:
            due = session.scalars(
                select(OutgoingMail.id)
                .where(*_due(now))
                .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
                .limit(limit)
            ).all()
        sent = failed = retry_later = 0
        for position, mail_id in enumerate(due):
            if stop is not None and stop():
                retry_later += len(due) - position
                break
            mail = self._claim(database, mail_id)
            if mail is None:  # another deliverer has it, or has already sent it
                continue
            try:
                self.transport.send(compose(mail, sender=self.sender))
            except Exception as exc:
                if self._record_failure(database, mail, exc):
                    failed += 1
                else:
                    retry_later += 1
                if not _message_specific(exc):
                    retry_later += len(due) - position - 1
                    break
            else:
                with database.session(write=True) as session:
                    session.execute(delete(OutgoingMail).where(OutgoingMail.id == mail.id))
                sent += 1
        if sent or failed or retry_later:
            log.info("mail: %d sent, %d failed, %d to retry later", sent, failed, retry_later)
        return DeliveryReport(sent=sent, failed=failed, retry_later=retry_later)

    def _claim(self, database: Database, mail_id: int) -> OutgoingMail | None:
        """Take ``mail_id`` for sending, or None when it is no longer due and unclaimed.

        The UPDATE's WHERE repeats the due test: of two deliverers, the second waits for the
        first's row lock (PostgreSQL) or write lock (SQLite), then matches no row.
        """
        now = self.clock()
        with database.session(write=True) as session:
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(OutgoingMail)
                    .where(OutgoingMail.id == mail_id, *_due(now))
                    .values(claimed_until=now + CLAIM_FOR)
                    .execution_options(synchronize_session=False)
                ),
            )
            if result.rowcount != 1:
                return None
            return session.get(OutgoingMail, mail_id)

    def _record_failure(self, database: Database, mail: OutgoingMail, exc: Exception) -> bool:
        """Count the failed attempt and schedule the next; True when the message is given up."""
        now = self.clock()
        attempts = mail.attempts + 1
        reason = describe_error(exc)[: OutgoingMail.ERROR_MAX]
        give_up = is_permanent(exc) or now - mail.created_at >= GIVE_UP_AFTER
        delay = retry_delay(attempts)
        with database.session(write=True) as session:
            session.execute(
                update(OutgoingMail)
                .where(OutgoingMail.id == mail.id)
                .values(
                    attempts=attempts,
                    last_error=reason,
                    claimed_until=None,
                    status=MailStatus.FAILED if give_up else MailStatus.QUEUED,
                    next_attempt_at=now + delay,
                )
                .execution_options(synchronize_session=False)
            )
        if give_up:
            log.error("mail %d: given up after %d attempts (%s)", mail.id, attempts, reason)
        else:
            log.warning(
                "mail %d: attempt %d failed (%s); next try in %d s",
                mail.id,
                attempts,
                reason,
                delay.total_seconds(),
            )
        return give_up


def _due(now: datetime) -> tuple[Any, ...]:
    return (
        OutgoingMail.status == MailStatus.QUEUED,
        OutgoingMail.next_attempt_at <= now,
        or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now),
    )
