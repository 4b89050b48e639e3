"""Retention: what ``forum privacy purge`` does, safe to run from cron as often as you like.

* erasures whose grace period is over are carried out, each in its own transaction, and their
  confirmation mails delivered at once, so the old addresses leave the outbox;
* every account of the erasure ledger (``var/erasure-ledger.jsonl``) that exists again — a
  backup from before its erasure was restored — is erased again, without mail;
* every part of the user-data registry that keeps data for a limited time deletes what has
  outlived it (``Expiring``): client addresses kept with comments for abuse control after
  ``FORUM_CLIENT_ADDRESS_RETENTION_DAYS``, consent records after
  ``FORUM_CONSENT_LOG_RETENTION_DAYS`` (kept that long as proof), mail the outbox could not
  deliver after ``FORUM_MAIL_RETENTION_DAYS`` (it holds addresses and text);
* comment post keys (``Idempotency-Key``, form nonces) older than a day.

Running it twice does nothing the second time; two runs at once erase each account once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from forum.accounts.models import User
from forum.accounts.user_data import UserDataRegistry
from forum.comments import idempotency
from forum.db import Database, utcnow
from forum.errors import NotFound
from forum.privacy import erasure, ledger, mails
from forum.settings import Settings

log = logging.getLogger("forum.privacy")


class Outbox(mails.Outbox, Protocol):
    """The outbox as the purge uses it: queue the confirmations, then deliver them."""

    def deliver_due(self, database: Database, *, limit: int | None = ...) -> object: ...


@dataclass(frozen=True)
class PurgeReport:
    accounts_erased: int = 0
    erasures_reapplied: int = 0
    client_addresses_removed: int = 0
    consent_records_deleted: int = 0
    old_mails_deleted: int = 0
    post_keys_deleted: int = 0

    def summary(self) -> str:
        return (
            f"privacy purge: {self.accounts_erased} accounts erased, "
            f"{self.client_addresses_removed} client addresses removed, "
            f"{self.consent_records_deleted} consent records deleted, "
            f"{self.old_mails_deleted} undelivered mails deleted, "
            f"{self.post_keys_deleted} expired comment post keys deleted, "
            f"{self.erasures_reapplied} erased again (restored from a backup)"
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


def reapply_ledger(
    database: Database, outbox: Outbox, settings: Settings, user_data: UserDataRegistry
) -> int:
    """Erase again every account of the ledger that exists once more (same id and creation
    time: an id SQLite gave to someone new is left alone); returns how many."""
    wanted = {(e.user_id, e.created_at): e for e in ledger.entries(ledger.ledger_path(settings))}
    if not wanted:
        return 0
    back: list[ledger.Entry] = []
    ids = sorted({user_id for user_id, _ in wanted})
    with database.session() as session:
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(User.id, User.created_at).where(User.id.in_(ids[start : start + 500]))
            )
            back.extend(wanted[(row[0], row[1])] for row in rows if (row[0], row[1]) in wanted)
    again = 0
    for entry in back:
        with database.session(write=True) as session:
            try:
                erasure.erase_account(
                    session,
                    entry.user_id,
                    delete_comments=entry.delete_comments,
                    user_data=user_data,
                    outbox=outbox,
                    settings=settings,
                    notify=False,
                )
            except NotFound:  # a purge running at the same time erased it first
                continue
        again += 1
        log.warning("account %d was restored from a backup and is erased again", entry.user_id)
    return again


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
    again = reapply_ledger(database, outbox, settings, user_data)
    with database.session(write=True) as session:
        expired = user_data.expire(session, now=now)
        keys = idempotency.purge_expired(session, now=now)
    report = PurgeReport(
        accounts_erased=erased,
        erasures_reapplied=again,
        client_addresses_removed=expired.get("comments", 0),
        consent_records_deleted=expired.get("privacy", 0),
        old_mails_deleted=expired.get("mail", 0),
        post_keys_deleted=keys,
    )
    log.info(report.summary())
    return report
