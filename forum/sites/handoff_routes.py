"""``GET /login/site/{site}``: a registered site signs its reader in (``handoff``). A known
reader is logged in; a new one picks a username at ``/login/welcome``, as after a first
sign-in with a provider (forum/identity: the same rules, bans, terms and throttling)."""

from __future__ import annotations

import logging
import time
from typing import Annotated

from anyio import to_thread
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import LoginPolicy
from forum.accounts.throttle import LoginThrottle
from forum.i18n import N_, gettext
from forum.identity import flows
from forum.sites import service
from forum.sites.handoff import Handoff, Refused, check, spend_nonce
from forum.web.forms import safe_next
from forum.web.types import AnyRequest
from forum.web.unit_of_work import Work

log = logging.getLogger("forum.sites")
Value = Annotated[str, QueryParameter(max_length=300)]
NextPath = Annotated[str, QueryParameter(name="next", max_length=300)]
# Translators: %(site)s names the site the reader came from (a blog that embeds the forum).
REFUSED = N_(
    "%(site)s could not sign you in here (the link was used, is too old or is not right). "
    "Please try again from %(site)s."
)


def _refused(site_name: str) -> Template:
    context = {"form": {}, "error": gettext(REFUSED, site=site_name), "next": "/"}
    return Template("accounts/login.html", status_code=400, context=context)


class HandoffPages(Controller):
    include_in_schema = False

    @get("/login/site/{site_id:int}")
    async def handoff(
        self,
        request: AnyRequest,
        uow: Work,
        throttle: NamedDependency[LoginThrottle],
        account_hooks: NamedDependency[AccountHooks],
        login_policy: NamedDependency[LoginPolicy],
        site_id: FromPath[int],
        user: Value = "",
        name: Value = "",
        email: Value = "",
        ts: Value = "",
        nonce: Value = "",
        sig: Value = "",
        next_path: NextPath = "/",
    ) -> Template | Redirect:
        """Check the site's signed hand-off, spend its nonce, then sign the reader in."""
        site = await to_thread.run_sync(lambda: service.get_site(uow.read(), site_id))
        try:
            claim = check(site, Handoff(user, name, email, ts, nonce, sig), time.time())
            await to_thread.run_sync(lambda: spend_nonce(uow.write(), site.id, nonce))
        except Refused as refused:
            log.warning("hand-off from site %s refused: %s", site.id, refused)
            return _refused(site.name)
        target = safe_next(next_path)
        signed_in = await flows.sign_in(request, uow, throttle, account_hooks, login_policy, claim)
        if signed_in is not None:
            return Redirect(target, status_code=303)
        flows.remember_pending(request, claim, target)
        return Redirect("/login/welcome", status_code=303)
