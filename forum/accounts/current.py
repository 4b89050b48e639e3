"""The user a request acts for, as a plain value that outlives any database session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forum.accounts.models import Role, User
from forum.errors import LoginNeeded
from forum.i18n import gettext
from forum.web.types import AnyRequest


@dataclass(frozen=True)
class CurrentUser:
    """A snapshot of the logged-in user, taken when the request began."""

    id: int
    username: str
    display_name: str
    role: Role
    email_verified: bool
    via: str
    """How the request authenticated: ``session`` or ``token``."""
    login_id: str | None = None
    language: str | None = None
    """The language the reader chose (None: as the browser asks)."""

    @classmethod
    def of(cls, user: User, *, via: str, login_id: str | None = None) -> CurrentUser:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            email_verified=user.email_verified,
            via=via,
            login_id=login_id,
            language=user.language,
        )


def current_user(scope_or_request: Any) -> CurrentUser | None:
    """The current user of a request or ASGI scope, None for visitors."""
    scope = getattr(scope_or_request, "scope", scope_or_request)
    user = scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def provide_current_user(request: AnyRequest) -> CurrentUser | None:
    """Dependency ``current_user``: who is asking, None for visitors."""
    return current_user(request)


def provide_me(request: AnyRequest) -> CurrentUser:
    """Dependency ``me``: the logged-in user; a visitor is asked to log in."""
    user = current_user(request)
    if user is None:
        raise LoginNeeded(gettext("Please log in to continue."))
    return user
