"""The right to erasure (GDPR art. 17): asking for it, the grace period, and erasing.

``erase_account`` is the one function that erases, in the caller's transaction: what it
cannot undo happens together or not at all. The confirmation mail is queued to the old
address first and leaves through the outbox once the transaction commits (the mail worker,
``forum mail send`` or ``forum privacy purge`` delivers it); a delivered mail is deleted, so
afterwards the address is in no table.

What goes: the ``users`` row with the email address and password hash, sessions (``logins``),
access and reset tokens, consents and acceptances, privacy and notification settings,
watches, queued mail to the address, bans and trust. What stays without the person: the
consent log's decisions (proof), the moderation log's actions, reports they made. Their
comments are deleted (status, text, revisions) or kept signed ``[deleted user]``; either way
threads keep their shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from forum.accounts.models import AccessToken, Login, PasswordResetToken, User
from forum.comments import service as comments
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment, CommentRevision, CommentStatus
from forum.comments.notify import service as notifications
from forum.db import utcnow
from forum.mail.models import OutgoingMail
from forum.moderation import log as moderation_log
from forum.moderation.models import Appeal
from forum.privacy import mails
from forum.privacy.models import ConsentRecord, ErasureRequest, PolicyAcceptance, UserConsent
from forum.settings import Settings

DELETED_USER = "[deleted user]"
"""How a comment of an erased account is signed. Stored in ``comments.author_name`` (with no
``author_id``), so every page, feed, search hit and mail shows it without asking privacy."""


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
    session.execute(delete(Login).where(Login.user_id == user_id))
    session.flush()
    return row


def cancel(session: Session, user_id: int) -> bool:
    """Keep the account after all; False when no erasure was waiting."""
    return bool(
        session.execute(delete(ErasureRequest).where(ErasureRequest.user_id == user_id)).rowcount
    )


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
    hooks: CommentHooks,
    outbox: mails.Outbox,
    settings: Settings,
) -> Erased:
    """Erase an account and everything that names its owner, in the caller's transaction.

    ``hooks`` are the comment hooks status changes go through (counts and listeners stay
    right). Raises ``LookupError`` when there is no such user (already erased).
    """
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    mail_queued = _farewell(session, user, outbox, settings, delete_comments=delete_comments)
    deleted, kept = _comments(session, user_id, hooks, delete_comments=delete_comments)
    session.execute(
        update(Appeal)
        .where(Appeal.appellant_id == user_id)
        .values(appellant_id=None, statement="")
        .execution_options(synchronize_session=False)
    )
    moderation_log.forget_user(session, user_id)
    notifications.forget_user(session, user_id)
    _forget_consents(session, user_id)
    for table in (Login, AccessToken, PasswordResetToken):
        session.execute(delete(table).where(table.user_id == user_id))
    session.execute(delete(ErasureRequest).where(ErasureRequest.user_id == user_id))
    session.delete(user)  # the remaining rows naming the user go by their foreign keys
    session.flush()
    return Erased(comments_deleted=deleted, comments_kept=kept, mail_queued=mail_queued)


def _farewell(
    session: Session, user: User, outbox: mails.Outbox, settings: Settings, *, delete_comments: bool
) -> bool:
    """Drop mail still waiting for the address, then queue the confirmation to it."""
    if user.email is None:
        return False
    session.execute(
        delete(OutgoingMail).where(func.lower(OutgoingMail.to_address) == user.email.lower())
    )
    mails.send_erasure_done(
        outbox,
        session,
        settings,
        to=user.email,
        name=user.display_name,
        comments_deleted=delete_comments,
    )
    return True


def _comments(
    session: Session, user_id: int, hooks: CommentHooks, *, delete_comments: bool
) -> tuple[int, int]:
    """Delete the user's comments (text and revisions too) or sign them '[deleted user]'.

    The rows stay either way, so replies keep their place: a deleted comment with replies is
    shown as '[deleted]', one without leaves the thread.
    """
    rows = list(session.scalars(select(Comment).where(Comment.author_id == user_id)))
    now = utcnow()
    if delete_comments:
        for comment in rows:
            if comment.status is not CommentStatus.DELETED:
                comments.set_status(session, hooks, comment, CommentStatus.DELETED)
        session.execute(
            delete(CommentRevision).where(
                CommentRevision.comment_id.in_(
                    select(Comment.id).where(Comment.author_id == user_id)
                )
            )
        )
    for comment in rows:  # after set_status: the search index drops the published text first
        comment.author_id = None
        comment.author_name = DELETED_USER
        comment.client_address = None
        comment.updated_at = now  # thread ETags change: cached copies show the old author
        if delete_comments:
            comment.body_source = ""
            comment.body_html = ""
    session.flush()
    return (len(rows), 0) if delete_comments else (0, len(rows))


def _forget_consents(session: Session, user_id: int) -> None:
    """The consent log keeps each decision as proof, but no longer whose it was."""
    session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.user_id == user_id)
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(UserConsent).where(UserConsent.user_id == user_id))
    session.execute(delete(PolicyAcceptance).where(PolicyAcceptance.user_id == user_id))
