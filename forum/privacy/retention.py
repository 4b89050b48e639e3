"""Retention: what ``forum privacy purge`` does, safe to run from cron as often as you like.

* erasures whose grace period is over are carried out, each in its own transaction, and their
  confirmation mails delivered at once, so the old addresses leave the outbox;
* every part of the user-data registry that keeps data for a limited time deletes what has
  outlived it (``Expiring``): client addresses kept with comments for abuse control after
  ``FORUM_CLIENT_ADDRESS_RETENTION_DAYS``, consent records after
  ``FORUM_CONSENT_LOG_RETENTION_DAYS`` (kept that long as proof), mail the outbox could not
  deliver after ``FORUM_MAIL_RETENTION_DAYS`` (it holds addresses and text).

Running it twice does nothing the second time; two runs at once erase each account once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from forum.accounts.user_data import UserDataRegistry
from forum.db import Database, utcnow
from forum.privacy import erasure, mails
from forum.settings import Settings

log = logging.getLogger("forum.privacy")


class Outbox(mails.Outbox, Protocol):
    """The outbox as the purge uses it: queue the confirmations, then deliver them."""

    def deliver_due(self, database: Database, *, limit: int | None = ...) -> object: ...


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


def erase_due(
    database: Database,
    outbox: Outbox,
    settings: Settings,
    user_data: UserDataRegistry,
    *,
    now: datetime | None = None,
) -> int:
    """Carry out every erasure whose time has come; returns how many accounts were erased."""
    now = now or utcnow()
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
                user_data=user_data,
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
    user_data: UserDataRegistry,
    *,
    now: datetime | None = None,
) -> PurgeReport:
    """Everything retention asks for, as of ``now``."""
    now = now or utcnow()
    erased = erase_due(database, outbox, settings, user_data, now=now)
    with database.session(write=True) as session:
        expired = user_data.expire(session, now=now)
    report = PurgeReport(
        accounts_erased=erased,
        client_addresses_removed=expired.get("comments", 0),
        consent_records_deleted=expired.get("privacy", 0),
        old_mails_deleted=expired.get("mail", 0),
    )
    log.info(report.summary())
    return report
