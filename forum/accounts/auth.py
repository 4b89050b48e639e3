"""Who is asking: the middleware that resolves the current user, and the guards on routes.

A bearer token (``Authorization: Bearer fat_…``) authenticates API scripts and ignores any
cookie; otherwise the server-side session names a row of ``logins``. The user is put in
``scope["user"]`` as a ``CurrentUser`` (None for visitors).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from anyio import to_thread
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Scopes, Send

from forum.accounts import service
from forum.accounts.current import CurrentUser, current_user
from forum.accounts.permissions import can_edit_articles, can_manage_users, can_moderate
from forum.db import Database
from forum.web.csrf import has_bearer_token, header_value
from forum.web.errors import API_PREFIX
from forum.web.sessions import rotate_session

SESSION_LOGIN_KEY = "login"
TOUCH_EVERY = timedelta(minutes=1)


class LoginRequired(NotAuthorizedException):
    """Raised by guards for a visitor on an HTML page: answered with a redirect to /login."""


def _from_token(database: Database, secret: str) -> CurrentUser | None:
    with database.session(write=True) as session:
        user = service.user_for_access_token(session, secret)
        return CurrentUser.of(user, via="token") if user else None


def _from_login(
    database: Database, login_id: str, policy: service.LoginPolicy
) -> tuple[CurrentUser, bool] | None:
    with database.session(write=True) as session:
        found = service.resolve_login(session, login_id, policy, touch_every=TOUCH_EVERY)
        if found is None:
            return None
        user, login = found
        rotate = login.rotate
        login.rotate = False
        return CurrentUser.of(user, via="session", login_id=login.id), rotate


class AuthMiddleware(ASGIMiddleware):
    """Resolve the current user once per request (after the session middleware)."""

    scopes: Scopes = (ScopeType.HTTP,)

    def __init__(self, policy: service.LoginPolicy) -> None:
        self.policy = policy

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        database: Database = scope["app"].state.database
        scope["user"] = None  # type: ignore[typeddict-unknown-key]
        if has_bearer_token(scope):
            secret = (header_value(scope, b"authorization") or "")[7:].strip()
            user = await to_thread.run_sync(_from_token, database, secret)
            if user is None:
                raise NotAuthorizedException("The access token is not valid.")
            scope["user"] = user  # type: ignore[typeddict-unknown-key]
        else:
            session = scope.get("session")
            login_id = session.get(SESSION_LOGIN_KEY) if isinstance(session, dict) else None
            if isinstance(login_id, str):
                found = await to_thread.run_sync(_from_login, database, login_id, self.policy)
                if found is None:
                    session.pop(SESSION_LOGIN_KEY, None)  # type: ignore[union-attr]
                    session.pop("remember", None)  # type: ignore[union-attr]
                else:
                    user, rotate = found
                    if rotate:
                        rotate_session(scope)
                    scope["user"] = user  # type: ignore[typeddict-unknown-key]
        await next_app(scope, receive, send)


# --- guards ---------------------------------------------------------------------------------


def login_required(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Visitors are sent to log in (HTML) or told 401 (API)."""
    if current_user(connection) is None:
        if connection.url.path.startswith(API_PREFIX):
            raise NotAuthorizedException("Please log in (or send an access token).")
        raise LoginRequired("Please log in to continue.")


def _role_guard(check, what: str):  # type: ignore[no-untyped-def]
    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        login_required(connection, handler)
        if not check(current_user(connection)):
            raise PermissionDeniedException(f"Only {what} can do that.")

    guard.__name__ = f"requires_{what.replace(' ', '_')}"
    return guard


admin_required = _role_guard(can_manage_users, "administrators")
moderator_required = _role_guard(can_moderate, "moderators")
editor_required = _role_guard(can_edit_articles, "editors")


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")
