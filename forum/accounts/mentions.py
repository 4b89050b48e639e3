"""Who may be mentioned with ``@username``: users whose profile everyone may see.

A comment is rendered once for every reader, visitors too, so a mention links only a profile
anyone can open; a user who shows their profile to members only, or to nobody, is neither
linked, suggested nor told (their name stays the text it was typed as).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import ProfileVisibility, User
from forum.accounts.profiles import shown_name
from forum.accounts.validation import USERNAME_PATTERN, username_key

SUGGESTIONS_MAX = 8
"""Names the suggestion list offers at most: enough to pick from, too few to list users."""


def profile_path(username: str) -> str:
    """The profile page of a user (usernames are ``[A-Za-z0-9_-]``: nothing to escape)."""
    return f"/users/{username}"


def mentionable(session: Session, names: Iterable[str]) -> list[User]:
    """The users among ``names`` (as typed, any case) who may be mentioned."""
    keys = {
        username_key(name)
        for name in names
        if User.USERNAME_MIN <= len(name) <= User.USERNAME_MAX and USERNAME_PATTERN.match(name)
    }
    if not keys:
        return []
    return list(
        session.scalars(
            select(User)
            .where(
                User.username_key.in_(keys),
                User.profile_visibility == ProfileVisibility.EVERYONE,
            )
            .order_by(User.id)
        )
    )


def mention_links(session: Session, names: Iterable[str]) -> dict[str, str]:
    """What the renderer links: lower-cased username → profile path."""
    return {user.username_key: profile_path(user.username) for user in mentionable(session, names)}


@dataclass(frozen=True)
class Suggestion:
    username: str
    name: str
    """The name shown beside their comments (their choice: display name or username)."""


def suggest(session: Session, prefix: str, *, limit: int = SUGGESTIONS_MAX) -> list[Suggestion]:
    """Mentionable users whose username starts with ``prefix`` (any case), alphabetically.

    A prefix that no username could start with finds nobody, without asking the database.
    """
    key = username_key(prefix)
    if not key or len(key) > User.USERNAME_MAX or not USERNAME_PATTERN.match(key):
        return []
    pattern = key.replace("_", "\\_") + "%"  # '_' is LIKE's one-character wildcard
    rows = session.execute(
        select(User.username, User.display_name, User.public_name)
        .where(
            User.username_key.like(pattern, escape="\\"),
            User.profile_visibility == ProfileVisibility.EVERYONE,
        )
        .order_by(User.username_key)
        .limit(max(1, min(limit, SUGGESTIONS_MAX)))
    ).all()
    return [
        Suggestion(username, shown_name(public_name, username, display_name))
        for username, display_name, public_name in rows
    ]
