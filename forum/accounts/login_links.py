"""Login links: the second proof that lets an account's owner in while the password attempts
are used up (by guessers, or by themselves).

A link goes only to the account's *verified* address, works once, for a few minutes, and
only the newest one works; only a hash of its token is stored, like reset links. Asking for
one answers the same whatever the name, so it reveals nothing about who has an account.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from forum.accounts import service
from forum.accounts.logins import rowcount
from forum.accounts.models import LoginLink, User
from forum.accounts.tokens import hash_token, random_token
from forum.db import utcnow
from forum.i18n import N_, ngettext

LINK_INVALID = N_("This login link is invalid, used or expired. You can ask for a new one.")


def link_sent(minutes: int) -> str:
    """The answer to anyone who asks for a login link (the same whether the account exists)."""
    return ngettext(
        "If that account has a confirmed email address, we have sent a login link to it. "
        "It works once, for %(num)s minute.",
        "If that account has a confirmed email address, we have sent a login link to it. "
        "It works once, for %(num)s minutes.",
        minutes,
    )


def create_login_link(session: Session, user: User, lifetime: timedelta) -> str | None:
    """A new link for ``user`` (older unused ones stop working); None when the account has no
    verified address to send it to."""
    if not user.can_log_in or not user.email_verified:
        return None
    session.execute(
        delete(LoginLink).where(LoginLink.user_id == user.id, LoginLink.used_at.is_(None))
    )
    token = random_token()
    now = utcnow()
    session.add(
        LoginLink(
            user_id=user.id, token_hash=hash_token(token), created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return token


def find_account(session: Session, login: str) -> User | None:
    """The account a login name refers to (as the password form resolves it)."""
    return service.find_for_login(session, login)


def link_digest(token: str) -> str | None:
    if not token or len(token) > 128:
        return None
    return hash_token(token)


def live_link_user(session: Session, token: str) -> User | None:
    """The account of an unused, unexpired link (for the confirmation page; spends nothing)."""
    digest = link_digest(token)
    if digest is None:
        return None
    row = session.scalar(select(LoginLink).where(LoginLink.token_hash == digest))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.can_log_in else None


def spend_login_link(session: Session, token: str) -> User | None:
    """The account the link logs in, once: a conditional UPDATE, so of two racing uses one
    wins and the other gets None."""
    user = live_link_user(session, token)
    if user is None:
        return None
    claimed = rowcount(
        session.execute(
            update(LoginLink)
            .where(
                LoginLink.token_hash == link_digest(token),
                LoginLink.used_at.is_(None),
                LoginLink.expires_at > utcnow(),
            )
            .values(used_at=utcnow())
        )
    )
    return user if claimed == 1 else None
