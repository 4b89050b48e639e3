"""The right to erasure (GDPR art. 17): asking for it, the grace period, and erasing.

``erase_account`` is the one function that erases, in the caller's transaction: what it
cannot undo happens together or not at all. Every module that stores personal data forgets
its part through the user-data registry (``forum.accounts.user_data``), the ``users`` row
last. The confirmation mail is queued to the old address after the outbox forgot the mail
waiting for it, and leaves through the outbox once the transaction commits (the mail worker,
``forum mail send`` or ``forum privacy purge`` delivers it); a delivered mail is deleted, so
afterwards the address is in no table.

What goes: the ``users`` row with the email address and password hash, sessions, access and
reset tokens, consents and acceptances, privacy and notification settings, watches, queued
mail to the address, bans and trust. What stays without the person: the consent log's
decisions (proof), the moderation log's actions, reports they made. Their comments are
deleted (status, text, revisions) or kept signed ``[deleted user]``; either way threads keep
their shape.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, delete, event, func, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.accounts.user_data import UserDataRegistry, end_sessions
from forum.comments.models import Comment
from forum.db import utcnow
from forum.errors import NotFound
from forum.i18n import gettext
from forum.privacy import ledger, mails
from forum.privacy.models import ErasureRequest
from forum.settings import Settings

log = logging.getLogger("forum.privacy")
_AFTER_COMMIT = "forum.erasure.after_commit"
_LISTENING = "forum.erasure.listening"


@dataclass(frozen=True)
class Erased:
    """What one erasure did."""

    comments_deleted: int
    comments_kept: int
    mail_queued: bool


# --- asking, the grace period, cancelling ----------------------------------------------------


def pending(session: Session, user_id: int) -> ErasureRequest | None:
    """The user's erasure request waiting for its time, if any."""
    return session.get(ErasureRequest, user_id)


def request_erasure(
    session: Session,
    user_id: int,
    *,
    delete_comments: bool,
    grace: timedelta,
    now: datetime | None = None,
) -> ErasureRequest:
    """Schedule the erasure after ``grace`` (asking again replaces the request). Every session
    of the account ends: only logging in again, with the password, can cancel it."""
    now = now or utcnow()
    row = session.get(ErasureRequest, user_id)
    if row is None:
        row = ErasureRequest(user_id=user_id)
        session.add(row)
    row.requested_at = now
    row.due_at = now + grace
    row.delete_comments = delete_comments
    end_sessions(session, user_id)
    session.flush()
    return row


def cancel(session: Session, user_id: int) -> bool:
    """Keep the account after all; False when no erasure was waiting."""
    result = session.execute(delete(ErasureRequest).where(ErasureRequest.user_id == user_id))
    return bool(cast("CursorResult[Any]", result).rowcount)


def due(session: Session, now: datetime | None = None) -> list[int]:
    """The users whose grace period is over, oldest request first."""
    return list(
        session.scalars(
            select(ErasureRequest.user_id)
            .where(ErasureRequest.due_at <= (now or utcnow()))
            .order_by(ErasureRequest.due_at, ErasureRequest.user_id)
        )
    )


def claim_due(session: Session, user_id: int, now: datetime | None = None) -> ErasureRequest | None:
    """Lock one due request for erasing; None when it was cancelled or done meanwhile (two
    purges at once: PostgreSQL makes the second wait, then finds no row)."""
    return session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.user_id == user_id, ErasureRequest.due_at <= (now or utcnow()))
        .with_for_update()
    )


# --- erasing ---------------------------------------------------------------------------------


def erase_account(
    session: Session,
    user_id: int,
    *,
    delete_comments: bool,
    user_data: UserDataRegistry,
    outbox: mails.Outbox,
    settings: Settings,
    notify: bool = True,
) -> Erased:
    """Erase an account and everything that names its owner, in the caller's transaction.

    Once it commits, the erasure ledger gets its line and SQLite's WAL is checkpointed (see
    ``_after_commit``). ``notify=False`` (erasing again after a restore) sends no mail.
    Raises ``NotFound`` when there is no such user (already erased).
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("There is no such account."))
    address, name, language = user.email, user.display_name, user.language
    entry = ledger.Entry(user_id, user.created_at, delete_comments)
    written = (
        session.scalar(
            select(func.count()).select_from(Comment).where(Comment.author_id == user_id)
        )
        or 0
    )
    user_data.forget(session, user_id, keep_comments=not delete_comments)
    _after_commit(session, ledger.ledger_path(settings), entry)
    if address is not None and notify:
        mails.send_erasure_done(
            outbox,
            session,
            settings,
            to=address,
            name=name,
            comments_deleted=delete_comments,
            language=language,
        )
    session.flush()
    return Erased(
        comments_deleted=written if delete_comments else 0,
        comments_kept=0 if delete_comments else written,
        mail_queued=address is not None and notify,
    )


def _after_commit(session: Session, path: Path, entry: ledger.Entry) -> None:
    """Once the erasure commits (never if it rolls back): its ledger line, then a WAL
    checkpoint, so the erased rows' old pages do not linger in ``forum.db-wal``."""
    if not session.info.get(_LISTENING):  # listeners stay for the session's short life
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_rollback", _rolled_back)
    session.info.setdefault(_AFTER_COMMIT, []).append((path, entry))


def _committed(session: Session) -> None:
    pending: list[tuple[Path, ledger.Entry]] = session.info.pop(_AFTER_COMMIT, [])
    if not pending:
        return
    for path, entry in pending:
        try:
            ledger.append(path, entry)
        except OSError:  # committed already: say so loudly rather than fail the request
            log.error(
                "erasure of account %d is missing from %s", entry.user_id, path, exc_info=True
            )
    bind = session.get_bind()
    if isinstance(bind, Engine):
        checkpoint_wal(bind)


def _rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def checkpoint_wal(engine: Engine) -> None:
    """``PRAGMA wal_checkpoint(TRUNCATE)`` on SQLite (nothing elsewhere). It waits for readers
    on the busy timeout; a failure is logged, as the erasure itself has committed."""
    if engine.dialect.name != "sqlite":
        return
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            cursor.close()
        finally:
            raw.close()
    except Exception:
        log.warning("WAL checkpoint after an erasure failed", exc_info=True)
        return
    if busy and busy[0]:
        log.warning(
            "WAL checkpoint after an erasure was blocked by a reader; SQLite's next "
            "automatic checkpoint will fold the WAL"
        )


# --- the person asks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaving:
    """What ``/account/delete`` needs besides the session; built once in ``create_app`` and
    handed to the handler as the ``erasure`` dependency."""

    settings: Settings
    outbox: mails.Outbox
    user_data: UserDataRegistry

    def leave(
        self, session: Session, user_id: int, *, delete_comments: bool
    ) -> ErasureRequest | None:
        """Erase the account at once when there is no grace period (returns None), else
        schedule it, every session ending, and tell the owner by mail (returns the request).
        The password was confirmed before."""
        grace = timedelta(hours=self.settings.erasure_grace_hours)
        if grace <= timedelta(0):
            erase_account(
                session,
                user_id,
                delete_comments=delete_comments,
                user_data=self.user_data,
                outbox=self.outbox,
                settings=self.settings,
            )
            return None
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(gettext("There is no such account."))
        row = request_erasure(session, user_id, delete_comments=delete_comments, grace=grace)
        if user.email:
            mails.send_erasure_scheduled(
                self.outbox,
                session,
                self.settings,
                to=user.email,
                name=user.display_name,
                due_at=row.due_at,
                delete_comments=delete_comments,
                language=user.language,
            )
        return row
