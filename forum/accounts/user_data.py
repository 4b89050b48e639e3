"""User data through one door: every module that stores personal data says what it holds.

Accounts sit low, so they cannot know which higher modules keep data about a person. Each of
those modules offers a ``UserData`` part (a name, the tables it covers, ``export`` and
``forget``); ``create_app`` registers them all in one ``UserDataRegistry``, and privacy's
export and erasure only ever go through it. A test compares the registry's tables with every
table of ``forum.db.metadata`` that has a user column, so a new one cannot be forgotten.

This module is also the accounts part: the ``users`` row, sessions and tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forum.accounts.models import AccessToken, Login, PasswordResetToken, User

Document = dict[str, Any]
"""A part of the export: JSON-ready values under the part's own keys."""


def iso(moment: datetime | None) -> str | None:
    """How every part of the export writes a time."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


class UserData(Protocol):
    """What one module holds about a person, and how it exports and forgets it."""

    @property
    def name(self) -> str:
        """Unique in the registry, e.g. ``comments``."""

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table with a user column this part answers for (export and forget)."""

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        """The user's data as top-level keys of the export document (no secrets, nobody
        else named). ``current_login`` is the session the export was asked from."""

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """Erase or anonymise the user's data in the caller's transaction. ``keep_comments``:
        their comments stay (signed '[deleted user]') instead of being deleted."""


@runtime_checkable
class Expiring(Protocol):
    """A part that also deletes what has outlived its retention period (``privacy purge``)."""

    def expire(self, session: Session, *, now: datetime) -> int:
        """Delete or blank what is past retention as of ``now``; returns how many rows."""


class UserDataRegistry:
    """The registered parts, in registration order (accounts first)."""

    def __init__(self) -> None:
        self._parts: list[UserData] = []

    def register(self, part: UserData) -> None:
        if any(p.name == part.name for p in self._parts):
            raise ValueError(f"user data part {part.name!r} is registered twice")
        self._parts.append(part)

    def __iter__(self) -> Iterator[UserData]:
        return iter(self._parts)

    @property
    def tables(self) -> frozenset[str]:
        """Every table some part answers for."""
        return frozenset(t for part in self._parts for t in part.tables)

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        """Every part's keys in one document; two parts may not claim one key."""
        document: Document = {}
        for part in self._parts:
            section = part.export(session, user_id, current_login=current_login)
            if taken := document.keys() & section.keys():
                raise ValueError(f"{part.name} exports keys already taken: {sorted(taken)}")
            document.update(section)
        return document

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """Every part forgets, in reverse order: the ``users`` row, that the other parts'
        rows point at, goes last."""
        for part in reversed(self._parts):
            part.forget(session, user_id, keep_comments=keep_comments)

    def expire(self, session: Session, *, now: datetime) -> dict[str, int]:
        """Run every part's retention; rows removed by part name."""
        return {
            part.name: part.expire(session, now=now)
            for part in self._parts
            if isinstance(part, Expiring)
        }


def end_sessions(session: Session, user_id: int) -> None:
    """Log the user out everywhere (asking for erasure does; only the password logs back in)."""
    session.execute(delete(Login).where(Login.user_id == user_id))


def email_of(session: Session, user_id: int) -> str | None:
    """The user's address, for parts below accounts that file data by address (the outbox)."""
    return session.scalar(select(User.email).where(User.id == user_id))


class AccountData:
    """The account itself: profile and privacy choices on ``users``, sessions, tokens."""

    name = "accounts"
    tables = ("users", "logins", "access_tokens", "password_reset_tokens", "login_links")

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        user = session.get(User, user_id)
        if user is None:
            raise LookupError(user_id)
        return {
            "account": self._account(user),
            "privacy_settings": {
                "profile_visibility": user.profile_visibility.value,
                "public_name": user.public_name.value,
                "list_comments": user.list_comments,
                "allow_indexing": user.allow_indexing,
            },
            "sessions": [
                {
                    "started_at": iso(login.created_at),
                    "last_seen_at": iso(login.last_seen_at),
                    "expires_at": iso(login.expires_at),
                    "remember_me": login.remember,
                    "client": login.client,
                    "this_session": login.id == current_login,
                }
                for login in session.scalars(
                    select(Login).where(Login.user_id == user_id).order_by(Login.created_at)
                )
            ],
            "access_tokens": [
                {
                    "name": token.name,
                    "starts_with": token.prefix,
                    "created_at": iso(token.created_at),
                    "last_used_at": iso(token.last_used_at),
                }
                for token in session.scalars(
                    select(AccessToken)
                    .where(AccessToken.user_id == user_id)
                    .order_by(AccessToken.created_at)
                )
            ],
        }

    def _account(self, user: User) -> Document:
        return {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "email_confirmed_at": iso(user.email_verified_at),
            "role": user.role.value,
            "created_at": iso(user.created_at),
            "password_changed_at": iso(user.password_changed_at),
            "published_comments": user.comment_count,
            "language": user.language,
            "profile_url": f"{self.base}/users/{user.username}",
        }

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """Sessions and tokens, then the ``users`` row with the address and password hash;
        rows of other modules still naming the user go by their foreign keys."""
        for table in (Login, AccessToken, PasswordResetToken):
            session.execute(delete(table).where(table.user_id == user_id))
        user = session.get(User, user_id)
        if user is not None:
            session.delete(user)
        session.flush()
