"""Retention: what ``forum privacy purge`` does, safe to run from cron as often as you like.

* erasures whose grace period is over are carried out, each in its own transaction, and their
  confirmation mails delivered at once, so the old addresses leave the outbox;
* client addresses kept with comments for abuse control go after
  ``FORUM_CLIENT_ADDRESS_RETENTION_DAYS``;
* consent records go after ``FORUM_CONSENT_LOG_RETENTION_DAYS`` (kept that long as proof);
* mail the outbox could not deliver goes after ``FORUM_MAIL_RETENTION_DAYS``: it holds
  addresses and text.

Running it twice does nothing the second time; two runs at once erase each account once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment
from forum.db import Database, utcnow
from forum.mail.models import OutgoingMail
from forum.mail.outbox import Outbox
from forum.privacy import erasure
from forum.privacy.service import purge_consent_log
from forum.settings import Settings

log = logging.getLogger("forum.privacy")


@dataclass(frozen=True)
class PurgeReport:
    accounts_erased: int = 0
    client_addresses_removed: int = 0
    consent_records_deleted: int = 0
    old_mails_deleted: int = 0

    def summary(self) -> str:
        return (
            f"privacy purge: {self.accounts_erased} accounts erased, "
            f"{self.client_addresses_removed} client addresses removed, "
            f"{self.consent_records_deleted} consent records deleted, "
            f"{self.old_mails_deleted} undelivered mails deleted"
        )


def remove_client_addresses(session: Session, *, before: datetime) -> int:
    """Forget the client address of every comment written before ``before``."""
    return (
        session.execute(
            update(Comment)
            .where(Comment.client_address.is_not(None), Comment.created_at < before)
            .values(client_address=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def delete_old_mail(session: Session, *, before: datetime, now: datetime) -> int:
    """Delete outbox rows created before ``before`` (failed, or never delivered), except one
    a deliverer is sending this very moment."""
    return (
        session.execute(
            delete(OutgoingMail).where(
                OutgoingMail.created_at < before,
                or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now),
            )
        ).rowcount
        or 0
    )


def erase_due(
    database: Database,
    outbox: Outbox,
    settings: Settings,
    *,
    hooks: CommentHooks | None = None,
    now: datetime | None = None,
) -> int:
    """Carry out every erasure whose time has come; returns how many accounts were erased."""
    now = now or utcnow()
    hooks = hooks or CommentHooks()
    with database.session() as session:
        waiting = erasure.due(session, now)
    erased = 0
    for user_id in waiting:
        with database.session(write=True) as session:
            request = erasure.claim_due(session, user_id, now)
            if request is None:
                continue
            erasure.erase_account(
                session,
                user_id,
                delete_comments=request.delete_comments,
                hooks=hooks,
                outbox=outbox,
                settings=settings,
            )
        erased += 1
    if erased:
        outbox.deliver_due(database, limit=None)
    return erased


def purge(
    database: Database,
    outbox: Outbox,
    settings: Settings,
    *,
    hooks: CommentHooks | None = None,
    now: datetime | None = None,
) -> PurgeReport:
    """Everything retention asks for, as of ``now``."""
    now = now or utcnow()
    erased = erase_due(database, outbox, settings, hooks=hooks, now=now)
    with database.session(write=True) as session:
        addresses = remove_client_addresses(
            session, before=now - timedelta(days=settings.client_address_retention_days)
        )
        consents = purge_consent_log(
            session, before=now - timedelta(days=settings.consent_log_retention_days)
        )
        mails = delete_old_mail(
            session, before=now - timedelta(days=settings.mail_retention_days), now=now
        )
    report = PurgeReport(erased, addresses, consents, mails)
    log.info(report.summary())
    return report
