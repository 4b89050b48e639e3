"""Bans stick: a banned person who erases their account cannot come back under the same
username or email address while the ban runs.

What is kept is a keyed hash (``forum.signing``, one purpose) of the normalized name and
address, never the text: written when the ban is imposed, completed when the account is erased
(its address may have changed since), removed when the ban is lifted, meaningless once it ends
(``forum privacy purge`` deletes it then). Registration and email change ask ``check`` through
``AccountHooks.before_identity``; a name or address that a live account holds is left to
accounts, which answers as it does for any taken one, so nobody learns who is banned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from forum.accounts import validation
from forum.accounts.models import User
from forum.db import utcnow
from forum.errors import Invalid
from forum.i18n import N_, gettext
from forum.moderation.models import Ban, BannedIdentity
from forum.settings import Settings
from forum.signing import Signer
from forum.text import TextProblem

PURPOSE = "banned-identity"
USERNAME_REFUSED = N_("That username is already taken.")
"""The answer for a taken username: a banned one is not told apart."""
EMAIL_REFUSED = N_("This email address cannot be used for an account at the moment.")


class BannedIdentities:
    """The keyed hashes of banned names and addresses, under the site's secret key."""

    def __init__(self, secret_key: str) -> None:
        self._signer = Signer(secret_key, PURPOSE)

    @classmethod
    def of(cls, settings: Settings) -> BannedIdentities:
        return cls(settings.effective_secret_key())

    def _username(self, key: str) -> str:
        return self._signer.keyed_hash(f"username:{key}")

    def _email(self, key: str) -> str:
        return self._signer.keyed_hash(f"email:{key}")

    def _digests(self, user: User) -> set[str]:
        digests = {self._username(validation.username_key(user.username))}
        if user.email_key:
            digests.add(self._email(user.email_key))
        return digests

    def remember(self, session: Session, user: User, ban: Ban) -> None:
        """At ban time: the account's name and address, until the ban ends (an earlier ban's
        rows are replaced)."""
        release(session, user.id)
        self._add(session, user, ban.expires_at)

    def _add(self, session: Session, user: User, expires_at: datetime | None) -> None:
        kept = set(
            session.scalars(select(BannedIdentity.digest).where(BannedIdentity.user_id == user.id))
        )
        for digest in sorted(self._digests(user) - kept):
            session.add(BannedIdentity(digest=digest, user_id=user.id, expires_at=expires_at))
        session.flush()

    def keep_after_erasure(self, session: Session, user_id: int, ban: Ban | None) -> None:
        """On erasure: while ``ban`` runs, the hashes outlive the account (with its current
        address too) and no longer name it; without a ban they go."""
        user = session.get(User, user_id)
        if ban is None or user is None:
            release(session, user_id)
            return
        self._add(session, user, ban.expires_at)
        session.execute(
            update(BannedIdentity)
            .where(BannedIdentity.user_id == user_id)
            .values(user_id=None)
            .execution_options(synchronize_session=False)
        )

    def check(self, session: Session, username: str | None, email: str | None) -> None:
        """``AccountHooks.before_identity``: refuse a banned name or address that no live
        account holds (``Invalid`` naming the field)."""
        errors: dict[str, str] = {}
        if username:
            key = validation.username_key(username)
            if not _held(session, User.username_key == key) and self._banned(
                session, self._username(key)
            ):
                errors["username"] = gettext(USERNAME_REFUSED)
        if email:
            try:
                _, key = validation.clean_email(email)
            except TextProblem:  # accounts says what is wrong with it
                key = ""
            if (
                key
                and not _held(session, User.email_key == key)
                and self._banned(session, self._email(key))
            ):
                errors["email"] = gettext(EMAIL_REFUSED)
        if errors:
            raise Invalid(errors)

    def _banned(self, session: Session, digest: str) -> bool:
        running = or_(BannedIdentity.expires_at.is_(None), BannedIdentity.expires_at > utcnow())
        query = exists().where(BannedIdentity.digest == digest, running)
        return bool(session.scalar(select(query)))


def _held(session: Session, condition: Any) -> bool:
    return bool(session.scalar(select(exists().where(condition))))


def release(session: Session, user_id: int) -> None:
    """The ban was lifted (or the account leaves unbanned): its hashes go."""
    session.execute(delete(BannedIdentity).where(BannedIdentity.user_id == user_id))


def expire(session: Session, *, now: datetime) -> int:
    """Delete the hashes of bans that have ended; how many."""
    result = cast(
        CursorResult[Any],
        session.execute(
            delete(BannedIdentity).where(
                BannedIdentity.expires_at.is_not(None), BannedIdentity.expires_at <= now
            )
        ),
    )
    return result.rowcount
