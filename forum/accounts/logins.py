"""Logins: the server-side record behind each browser session, and how long one lasts.

A session cookie names a row of ``logins``; ending a session deletes the row, so a stolen
cookie stops working at logout. Reads never write: the caller queues the bookkeeping
(``touch_login``, ``end_login``) for after the response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, select, update
from sqlalchemy.orm import Session

from forum.accounts.models import Login, User
from forum.accounts.tokens import random_token
from forum.db import utcnow


@dataclass(frozen=True)
class LoginPolicy:
    """How long a login lasts: idle timeout for browser sessions, a fixed term when remembered."""

    idle: timedelta
    remember: timedelta
    browser_max: timedelta = timedelta(hours=12)


def start_login(
    session: Session, user: User, *, remember: bool, client: str, policy: LoginPolicy
) -> Login:
    now = utcnow()
    login = Login(
        id=random_token(),
        user_id=user.id,
        remember=remember,
        created_at=now,
        last_seen_at=now,
        expires_at=now + (policy.remember if remember else policy.browser_max),
        client=client[:120],
    )
    session.add(login)
    session.flush()
    return login


@dataclass(frozen=True)
class LoginCheck:
    """What a login id resolves to, read without writing: the user (None when the login is
    gone, expired or idle) and the bookkeeping the caller should do after the response."""

    user: User | None
    login: Login | None
    expired: bool = False
    stale: bool = False
    """``last_seen_at`` is older than the touch interval: update it after the response."""


_LOGIN_AND_USER = (
    select(Login, User).join(User, User.id == Login.user_id).where(Login.id == bindparam("id"))
)
"""Built once: every logged-in request runs it, and building it cost more than running it."""


def resolve_login(
    session: Session, login_id: str, policy: LoginPolicy, *, touch_every: timedelta
) -> LoginCheck:
    """The user of a live login. Reads only: the caller deletes an expired login and touches
    a stale one afterwards (``end_login``, ``touch_login``), so a read never writes."""
    if not login_id or len(login_id) > 64:
        return LoginCheck(None, None)
    row = session.execute(_LOGIN_AND_USER, {"id": login_id}).first()
    if row is None:
        return LoginCheck(None, None)
    login, user = row
    now = utcnow()
    idle_limit = policy.remember if login.remember else policy.idle
    if login.expires_at <= now or login.last_seen_at + idle_limit <= now or not user.can_log_in:
        return LoginCheck(None, login, expired=True)
    return LoginCheck(user, login, stale=now - login.last_seen_at >= touch_every)


def touch_login(session: Session, login_id: str, *, every: timedelta) -> None:
    """Record that a login was used: a conditional UPDATE, so racing requests write once."""
    now = utcnow()
    session.execute(
        update(Login)
        .where(Login.id == login_id, Login.last_seen_at <= now - every)
        .values(last_seen_at=now)
    )


def rotation_done(session: Session, login_id: str) -> None:
    """The session id was rotated after a role change: stop asking for it."""
    session.execute(
        update(Login).where(Login.id == login_id, Login.rotate.is_(True)).values(rotate=False)
    )


def end_login(session: Session, login_id: str) -> None:
    session.execute(delete(Login).where(Login.id == login_id))


def end_all_logins(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every session of a user (but ``keep``); returns how many ended."""
    statement = delete(Login).where(Login.user_id == user_id)
    if keep:
        statement = statement.where(Login.id != keep)
    return rowcount(session.execute(statement))


def list_logins(session: Session, user_id: int) -> list[Login]:
    return list(
        session.scalars(
            select(Login).where(Login.user_id == user_id).order_by(Login.last_seen_at.desc())
        )
    )


def rowcount(result: Any) -> int:
    """The rows an UPDATE or DELETE touched (its result is a cursor result)."""
    return cast(CursorResult[Any], result).rowcount or 0
