"""Who is asking: the middleware that resolves the current user, and the guards on routes.

A bearer token (``Authorization: Bearer fat_…``) authenticates API scripts and ignores any
cookie; otherwise the server-side session names a row of ``logins``. The user is put in
``scope["user"]`` as a ``CurrentUser`` (None for visitors).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

from anyio import to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Scope
from sqlalchemy.orm import Session

from forum.accounts import access_tokens, logins
from forum.accounts.current import CurrentUser, current_user
from forum.accounts.permissions import can_edit_articles, can_manage_users, can_moderate
from forum.db import UnitOfWork
from forum.errors import Forbidden, LoginNeeded
from forum.i18n import LANGUAGES, N_, gettext, set_language
from forum.web.csrf import has_bearer_token, header_value
from forum.web.errors import API_PREFIX
from forum.web.sessions import rotate_session
from forum.web.unit_of_work import unit_of_work

SESSION_LOGIN_KEY = "login"
TOUCH_EVERY = timedelta(minutes=1)

Authenticated = Callable[[Session, CurrentUser, dict[str, Any]], None]
"""Called in the request's read transaction once a user is known, with the request's state:
how higher modules put what every page of theirs shows (a moderator's queue count) in the
request without a template ever querying the database."""


def _from_token(uow: UnitOfWork, secret: str) -> CurrentUser | None:
    found = access_tokens.user_for_access_token(uow.read(), secret)
    if found is None:
        return None
    user, token = found
    if access_tokens.token_use_is_stale(token):
        uow.after(partial(access_tokens.token_used, token_id=token.id))
    return CurrentUser.of(user, via="token")


def _from_login(
    uow: UnitOfWork, login_id: str, policy: logins.LoginPolicy
) -> tuple[CurrentUser, bool] | None:
    check = logins.resolve_login(uow.read(), login_id, policy, touch_every=TOUCH_EVERY)
    if check.expired:
        uow.after(partial(logins.end_login, login_id=login_id))
    if check.user is None or check.login is None:
        return None
    if check.stale:
        uow.after(partial(logins.touch_login, login_id=login_id, every=TOUCH_EVERY))
    rotate = check.login.rotate
    if rotate:
        uow.after(partial(logins.rotation_done, login_id=login_id))
    return CurrentUser.of(check.user, via="session", login_id=login_id), rotate


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Resolve the current user once per request (after the session middleware), in the
    request's unit of work: a read, never a write (bookkeeping is queued for afterwards).

    ``request.user`` is a ``CurrentUser`` or None for visitors.
    """

    def __init__(
        self,
        app: ASGIApp,
        policy: logins.LoginPolicy,
        on_authenticated: tuple[Authenticated, ...] = (),
        exclude: str | list[str] | None = None,
    ) -> None:
        super().__init__(app, exclude=exclude)
        self.policy = policy
        self.on_authenticated = on_authenticated

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        scope = connection.scope
        uow = unit_of_work(scope)
        user: CurrentUser | None = None
        if has_bearer_token(scope):
            secret = (header_value(scope, b"authorization") or "")[7:].strip()
            user = await to_thread.run_sync(self._token_user, uow, scope, secret)
            if user is None:
                # Translated when answered (forum.web.errors): the language is not chosen yet.
                raise NotAuthorizedException(N_("The access token is not valid."))
        else:
            user = await self._from_session(scope, uow)
        if user is not None and user.language in LANGUAGES:
            set_language(user.language)  # the account's choice comes first (forum/web/language.py)
        return AuthenticationResult(user=user, auth=user.via if user else None)

    async def _from_session(self, scope: Scope, uow: UnitOfWork) -> CurrentUser | None:
        session = scope.get("session")
        if not isinstance(session, dict):
            return None
        login_id = session.get(SESSION_LOGIN_KEY)
        if not isinstance(login_id, str):
            return None
        found = await to_thread.run_sync(self._login_user, uow, scope, login_id)
        if found is None:
            session.pop(SESSION_LOGIN_KEY, None)
            session.pop("remember", None)
            return None
        user, rotate = found
        if rotate:
            rotate_session(scope)
        return user

    # Each runs on a worker thread, the user's lookup and the hooks in one trip (every trip
    # off the event loop and back costs about as much as a small query).

    def _token_user(self, uow: UnitOfWork, scope: Scope, secret: str) -> CurrentUser | None:
        user = _from_token(uow, secret)
        if user is not None:
            self._announce(uow, user, scope)
        return user

    def _login_user(
        self, uow: UnitOfWork, scope: Scope, login_id: str
    ) -> tuple[CurrentUser, bool] | None:
        found = _from_login(uow, login_id, self.policy)
        if found is not None:
            self._announce(uow, found[0], scope)
        return found

    def _announce(self, uow: UnitOfWork, user: CurrentUser, scope: Scope) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        for hook in self.on_authenticated:
            hook(uow.read(), user, state)


# --- guards ---------------------------------------------------------------------------------


def login_required(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Visitors are sent to log in (HTML) or told 401 (API)."""
    if current_user(connection) is None:
        if connection.url.path.startswith(API_PREFIX):
            raise LoginNeeded(gettext("Please log in (or send an access token)."))
        raise LoginNeeded(gettext("Please log in to continue."))


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def _role_guard(check: Callable[[CurrentUser | None], bool], what: str, refusal: str) -> Guard:
    """A guard letting through those ``check`` accepts; ``refusal`` (marked) tells the rest."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        login_required(connection, handler)
        if not check(current_user(connection)):
            raise Forbidden(gettext(refusal))

    guard.__name__ = f"requires_{what.replace(' ', '_')}"
    return guard


admin_required = _role_guard(
    can_manage_users, "administrators", N_("Only administrators can do that.")
)
moderator_required = _role_guard(can_moderate, "moderators", N_("Only moderators can do that."))
editor_required = _role_guard(can_edit_articles, "editors", N_("Only editors can do that."))


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")
