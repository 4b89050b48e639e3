"""Who may do what: one check per action, used by guards, handlers and templates alike."""

from __future__ import annotations

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role


def can_manage_users(user: CurrentUser | None) -> bool:
    return user is not None and user.role is Role.ADMIN


def can_moderate(user: CurrentUser | None) -> bool:
    return user is not None and user.role in {Role.MODERATOR, Role.ADMIN}


def can_edit_articles(user: CurrentUser | None) -> bool:
    return user is not None and user.role in {Role.EDITOR, Role.ADMIN}
