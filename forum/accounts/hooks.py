"""How higher modules take part in accounts without accounts importing them.

``create_app`` builds one ``AccountHooks`` and registers, for example, privacy's consent merge
at login and the sections that notifications and privacy add to ``/account``. Accounts only
calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.web.types import AnyRequest

AccountHook = Callable[[AnyRequest, Session, User], None]
"""Called with the request, its database session and the user, inside the request's
(write) transaction: how higher modules (privacy) react to a login or a registration."""

AccountSection = Callable[[Session, int], tuple[str, Mapping[str, Any]]]
"""Given the session and the user's id: a template for /account and its ``section`` context."""

ProfileSection = Callable[[Session, User], tuple[str, Mapping[str, Any]] | None]
"""Given the session and a profile's user: a template for /users/{username} and its
``section`` context, or None to show nothing (the owner's privacy settings say so)."""

IdentityCheck = Callable[[Session, str | None, str | None], None]
"""Given the session, a username and an email address someone asks for (as typed; None for
the one not asked for): raise ``forum.errors.Invalid`` naming the field to refuse it (a
banned person's name or address while the ban runs). Runs in a read; accounts checks the
fields' form and whether they are taken itself."""


@dataclass
class AccountHooks:
    """What higher modules registered; handlers receive it as ``account_hooks``."""

    on_login: list[AccountHook] = field(default_factory=list)
    """Run after every login (form, API, and the one that follows registration)."""
    on_register: list[AccountHook] = field(default_factory=list)
    """Run when an account has been created, before its first login."""
    sections: list[AccountSection] = field(default_factory=list)
    """Sections higher modules add to /account (notification mails…), in this order."""
    profile_sections: list[ProfileSection] = field(default_factory=list)
    """Sections higher modules add to public profiles (the user's comments…), in this order."""
    before_identity: list[IdentityCheck] = field(default_factory=list)
    """Asked before an account is created (its username and address) and before an address
    changes (the address only)."""

    def check_identity(
        self, session: Session, *, username: str | None = None, email: str | None = None
    ) -> None:
        for check in self.before_identity:
            check(session, username, email)
