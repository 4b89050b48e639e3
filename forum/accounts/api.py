"""The session API: log in and out from scripts and browsers' JavaScript, and who am I.

Browsers send the session cookie plus the CSRF header; scripts an access token. Logging in
and out share their flow with the HTML forms; errors are mapped to problems once, by the app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from forum.accounts import flows, service
from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import LoginPolicy
from forum.accounts.models import User
from forum.accounts.passwords import Passwords
from forum.accounts.throttle import LoginThrottle
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession, Work


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(max_length=300)]
    password: Annotated[str, msgspec.Meta(max_length=4096)]
    remember: bool = False


class Me(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    email: str | None
    email_verified: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Me:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role.value,
            email=user.email,
            email_verified=user.email_verified,
            created_at=user.created_at,
        )


class SessionApi(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/session", status_code=200)
    async def create_session(
        self,
        request: AnyRequest,
        uow: Work,
        passwords: NamedDependency[Passwords],
        throttle: NamedDependency[LoginThrottle],
        account_hooks: NamedDependency[AccountHooks],
        login_policy: NamedDependency[LoginPolicy],
        data: JSONBody[LoginRequest],
    ) -> Me:
        """Log in (browsers: the session cookie plus the CSRF header on later calls)."""
        user = await flows.log_in(
            request,
            uow,
            passwords,
            throttle,
            account_hooks,
            login_policy,
            login=data.login,
            password=data.password,
            remember=data.remember,
        )
        return Me.of(user)

    @delete("/session", sync_to_thread=True, status_code=HTTP_204_NO_CONTENT)
    def delete_session(
        self, request: AnyRequest, db: DbSession, current_user: NamedDependency[CurrentUser | None]
    ) -> None:
        """Log out: the session ends on the server."""
        flows.log_out(request, db, current_user)

    @get("/me", guards=[login_required], sync_to_thread=True)
    def me(self, db: DbSession, me: NamedDependency[CurrentUser]) -> Me:
        """The logged-in user."""
        return Me.of(service.get_user(db, me.id))
