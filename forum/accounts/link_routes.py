"""Login links, the way in while password logins are throttled: ask for one (HTML and API),
then open it from the mail and confirm.

Opening the link shows a page with a button; only the button (a POST) logs in, so a mail
scanner that fetches every link in a mail spends nothing.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_202_ACCEPTED

from forum.accounts import flows, login_links
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import LoginPolicy
from forum.accounts.throttle import LoginThrottle
from forum.errors import Invalid
from forum.i18n import gettext
from forum.mail.outbox import Outbox
from forum.settings import Settings
from forum.web.forms import FormData, field
from forum.web.rate_limits import Limit, limited
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession, Work


class LinkRequest(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(max_length=300)]


class LinkSent(msgspec.Struct):
    detail: str


def _sent(settings: Settings) -> str:
    return login_links.link_sent(settings.login_link_minutes)


class LoginLinkPages(Controller):
    """Ask for a login link by mail, and use it."""

    include_in_schema = False

    @get("/login/link", name="login_link", sync_to_thread=False)
    def link_form(self) -> Template:
        """The form that asks for a login link."""
        return Template("accounts/login_link.html", context={"sent": None, "form": {}})

    @post("/login/link", opt=limited(Limit.MAIL))
    async def ask(
        self,
        request: AnyRequest,
        uow: Work,
        throttle: NamedDependency[LoginThrottle],
        outbox: NamedDependency[Outbox],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Template:
        """Mail a login link to the account's confirmed address; the same answer for anyone."""
        login = field(data, "login")[:300]
        await flows.request_login_link(
            uow, throttle, outbox, settings, login=login, client=flows.client_address(request)
        )
        return Template("accounts/login_link.html", context={"sent": _sent(settings), "form": {}})

    @get("/login/link/{token:str}", name="login_link_open", sync_to_thread=True)
    def open_link(self, db: DbSession, token: FromPath[str]) -> Template:
        """The page a mailed link opens: one button logs in."""
        user = login_links.live_link_user(db, token)
        return Template(
            "accounts/login_link_open.html",
            status_code=200 if user else 400,
            context={"user": user, "token": token, "error": gettext(login_links.LINK_INVALID)},
        )

    @post("/login/link/{token:str}")
    async def use_link(
        self,
        request: AnyRequest,
        uow: Work,
        account_hooks: NamedDependency[AccountHooks],
        login_policy: NamedDependency[LoginPolicy],
        token: FromPath[str],
    ) -> Template | Redirect:
        """Log in with the link (once), whatever the password throttle says."""
        try:
            await flows.log_in_with_link(request, uow, account_hooks, login_policy, token)
        except Invalid as exc:
            return Template(
                "accounts/login_link_open.html",
                status_code=400,
                context={"user": None, "token": token, "error": exc.errors["token"]},
            )
        return Redirect("/", status_code=303)


class LoginLinkApi(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/session/link", status_code=HTTP_202_ACCEPTED, opt=limited(Limit.MAIL))
    async def ask_for_link(
        self,
        request: AnyRequest,
        uow: Work,
        throttle: NamedDependency[LoginThrottle],
        outbox: NamedDependency[Outbox],
        settings: NamedDependency[Settings],
        data: JSONBody[LinkRequest],
    ) -> LinkSent:
        """Mail a login link to the account's confirmed address (works while password logins
        are throttled); the same answer whatever the name."""
        await flows.request_login_link(
            uow, throttle, outbox, settings, login=data.login, client=flows.client_address(request)
        )
        return LinkSent(detail=_sent(settings))
