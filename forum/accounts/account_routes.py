"""The account page: a user's own name, email, password, sessions and access tokens.

Thin: each handler calls one service function; a form that cannot be accepted shows the
page again with its errors.
"""

from __future__ import annotations

from anyio import to_thread
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts import access_tokens, credentials, flows, service
from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser
from forum.accounts.devices import device_name
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import list_logins
from forum.accounts.passwords import Passwords
from forum.errors import Invalid
from forum.i18n import gettext
from forum.mail.outbox import Outbox
from forum.settings import Settings
from forum.web.forms import FormData, field
from forum.web.rate_limits import Limit, limited
from forum.web.sessions import rotate_session
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession, Work


def account_page(
    db: Session,
    me: CurrentUser,
    hooks: AccountHooks,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    new_token: str | None = None,
) -> Template:
    """The account page, with the sections higher modules add."""
    return Template(
        "accounts/account.html",
        status_code=status,
        context={
            "user": service.get_user(db, me.id),
            "logins": list_logins(db, me.id),
            "current_login": me.login_id,
            "device_name": device_name,
            "tokens": access_tokens.list_access_tokens(db, me.id),
            "errors": errors or {},
            "new_token": new_token,
            "sections": [section(db, me.id) for section in hooks.sections],
        },
    )


async def _page_with_errors(
    uow: Work, me: CurrentUser, hooks: AccountHooks, errors: dict[str, str]
) -> Template:
    return await to_thread.run_sync(
        lambda: account_page(uow.read(), me, hooks, status=400, errors=errors)
    )


class AccountPages(Controller):
    """A user's own settings: name, email, password, sessions, access tokens."""

    path = "/account"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="account", sync_to_thread=True)
    def show(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        account_hooks: NamedDependency[AccountHooks],
    ) -> Template:
        """The account page."""
        return account_page(db, me, account_hooks)

    @post("/profile", sync_to_thread=True)
    def profile(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        account_hooks: NamedDependency[AccountHooks],
        data: FormData,
    ) -> Template | Redirect:
        """Change the display name."""
        try:
            service.change_display_name(db, me.id, field(data, "display_name"))
        except Invalid as exc:
            return account_page(db, me, account_hooks, status=400, errors=exc.errors)
        flash(request, gettext("Your display name has been saved."), category="success")
        return Redirect("/account", status_code=303)

    @post("/email", opt=limited(Limit.MAIL))
    async def email(
        self,
        request: AnyRequest,
        uow: Work,
        me: NamedDependency[CurrentUser],
        passwords: NamedDependency[Passwords],
        outbox: NamedDependency[Outbox],
        settings: NamedDependency[Settings],
        account_hooks: NamedDependency[AccountHooks],
        data: FormData,
    ) -> Template | Redirect:
        """Change the email address: the new one must be confirmed, the old one is told."""
        try:
            await credentials.change_email(
                uow,
                passwords,
                outbox,
                settings,
                user_id=me.id,
                new_email=field(data, "email"),
                current_password=field(data, "current_password"),
                hooks=account_hooks,
            )
        except Invalid as exc:
            return await _page_with_errors(uow, me, account_hooks, exc.errors)
        flash(
            request,
            gettext(
                "Your email address has been changed. "
                "Please confirm it from the link we sent there."
            ),
            category="success",
        )
        return Redirect("/account", status_code=303)

    @post("/password")
    async def password(
        self,
        request: AnyRequest,
        uow: Work,
        me: NamedDependency[CurrentUser],
        passwords: NamedDependency[Passwords],
        account_hooks: NamedDependency[AccountHooks],
        data: FormData,
    ) -> Template | Redirect:
        """Change the password; other sessions end."""
        try:
            await credentials.change_password(
                uow,
                passwords,
                me.id,
                field(data, "current_password"),
                field(data, "new_password"),
                keep_login=me.login_id,
            )
        except Invalid as exc:
            return await _page_with_errors(uow, me, account_hooks, exc.errors)
        rotate_session(request.scope)
        flash(
            request,
            gettext("Your password has been changed. Your other sessions have ended."),
            category="success",
        )
        return Redirect("/account", status_code=303)

    @post("/logout-everywhere", sync_to_thread=True)
    def logout_everywhere(
        self, request: AnyRequest, db: DbSession, me: NamedDependency[CurrentUser]
    ) -> Redirect:
        """End every session of the account, this one included."""
        flows.log_out_everywhere(request, db, me)
        return Redirect("/login", status_code=303)

    @post("/tokens", sync_to_thread=True, opt=limited(Limit.TOKEN))
    def create_token(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        account_hooks: NamedDependency[AccountHooks],
        data: FormData,
    ) -> Template:
        """Create a personal access token; its secret is shown this once."""
        try:
            _, secret = access_tokens.create_access_token(
                db, service.get_user(db, me.id), field(data, "name")
            )
        except Invalid as exc:
            return account_page(db, me, account_hooks, status=400, errors=exc.errors)
        return account_page(db, me, account_hooks, new_token=secret)

    @post("/tokens/{token_id:int}/revoke", sync_to_thread=True)
    def revoke_token(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        token_id: FromPath[int],
    ) -> Redirect:
        """Revoke one of your access tokens."""
        access_tokens.revoke_access_token(db, me.id, token_id)
        flash(request, gettext("The token has been revoked."), category="success")
        return Redirect("/account", status_code=303)
