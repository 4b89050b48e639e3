"""Signing in from a framed thread (``forum.sites.frame_signin`` tells how it works).

``GET /embed/{site}/signin?nonce=…`` is the popup: it sends a visitor to the login page (with
every sign-in button there) and back, then hands a logged-in reader's ticket to the frame that
opened it. ``POST /embed/{site}/session`` is the frame trading the ticket for a session of its
own, whose id comes back in the ``X-Forum-Frame-Session`` header.
"""

from __future__ import annotations

import time
from typing import Annotated
from urllib.parse import quote

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Response, Template

from forum.accounts.auth import SESSION_LOGIN_KEY, login_url
from forum.accounts.current import CurrentUser
from forum.errors import Forbidden, Invalid
from forum.i18n import gettext
from forum.settings import Settings
from forum.sites import frame_signin, pages, service
from forum.sites.embed_routes import SigninUrl
from forum.web.headers import OPENER_KEY, keep_opener
from forum.web.sessions import frame_session_id, start_frame_session
from forum.web.types import AnyRequest
from forum.web.unit_of_work import Work

NEW_SESSION = "new"
"""The frame's ``X-Forum-Frame-Session`` while it has none: asks for one (and, being a
header no other site's page can send, stands in for the CSRF token the frame cannot keep)."""
FRAME_KEY = "frame"
"""The frame session's note of the site it was opened for."""
Nonce = Annotated[str, QueryParameter(name="nonce", max_length=frame_signin.NONCE_MAX)]


class TicketIn(msgspec.Struct, forbid_unknown_fields=True):
    ticket: Annotated[str, msgspec.Meta(max_length=2048)]
    nonce: Annotated[str, msgspec.Meta(max_length=frame_signin.NONCE_MAX)]


class FrameSignin(Controller):
    include_in_schema = False

    @get("/embed/{site_id:int}/signin", sync_to_thread=True)
    def popup(
        self,
        request: AnyRequest,
        uow: Work,
        settings: NamedDependency[Settings],
        current_user: NamedDependency[CurrentUser | None],
        site_id: FromPath[int],
        nonce: Nonce = "",
        signin: SigninUrl = "",
    ) -> Template | Redirect:
        """The sign-in popup: to the login page (or, where the site signs its readers in,
        a choice of the site's login and ours) and back while its pages keep the frame as
        their opener; then the ticket, which the page's script posts to the frame."""
        site = service.get_site(uow.read(), site_id)
        if not frame_signin.well_formed_nonce(nonce):
            raise Invalid({"nonce": gettext("This sign-in window was not opened by a thread.")})
        keep_opener(request.scope)
        if current_user is None or current_user.login_id is None:
            request.session[OPENER_KEY] = int(time.time()) + frame_signin.POPUP_SECONDS
            here = f"/embed/{site.id}/signin?nonce={nonce}"
            via_site = pages.signin_url(site, signin)
            if not via_site:
                return Redirect(login_url(here), status_code=303)
            joiner = "&" if "?" in via_site else "?"
            links = {"site_link": f"{via_site}{joiner}next={quote(here, safe='')}"}
            links["login_link"] = login_url(here)
            return Template("sites/signin_choice.html", context={"site": site, **links})
        request.session.pop(OPENER_KEY, None)
        key = settings.effective_secret_key()
        ticket = frame_signin.issue(key, site.id, current_user.login_id, nonce)
        context = {"site": site, "ticket": ticket, "nonce": nonce}
        return Template("sites/signin.html", context=context)

    @post("/embed/{site_id:int}/session", sync_to_thread=True, status_code=204)
    def session(
        self,
        request: AnyRequest,
        uow: Work,
        settings: NamedDependency[Settings],
        site_id: FromPath[int],
        data: JSONBody[TicketIn],
    ) -> Response[None]:
        """The frame's own session for a ticket from the popup (once, within a minute)."""
        if frame_session_id(request.scope) != NEW_SESSION:
            raise Forbidden(gettext("Only a framed thread can ask for this."))
        db = uow.write()
        service.get_site(db, site_id)
        key = settings.effective_secret_key()
        try:
            ticket = frame_signin.redeem(db, key, site_id, data.ticket, data.nonce)
        except frame_signin.TicketRefused:
            raise Forbidden(gettext("This sign-in has expired. Please log in again.")) from None
        start_frame_session(
            request.scope, {SESSION_LOGIN_KEY: ticket.login_id, FRAME_KEY: ticket.site_id}
        )
        return Response(None, status_code=204)
