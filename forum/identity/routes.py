"""Pages of signing in with an OpenID Connect provider, and of linking providers on /account.

``POST /login/oidc/{provider}`` sends the browser to the provider; its answer comes back to
``GET /login/oidc/{provider}/callback``; a first sign-in picks a username at
``/login/welcome``. Thin: the provider is asked through ``OidcClient`` before any database
work, then one flow runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import LoginPolicy
from forum.accounts.throttle import LoginThrottle
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.i18n import N_, gettext
from forum.identity import flows, service
from forum.identity.oidc import OidcClient, Refused, log
from forum.mail.outbox import Outbox
from forum.settings import Settings
from forum.web.forms import FormData, field, safe_next
from forum.web.rate_limits import Limit, limited
from forum.web.types import AnyRequest
from forum.web.unit_of_work import Work

Param = Annotated[str, QueryParameter(max_length=2000)]
StateParam = Annotated[str, QueryParameter(name="state", max_length=2000)]
"""``state`` names Litestar's own app state in a handler, so it is read under another name."""
OidcClients = dict[str, OidcClient]
STALE = N_("That sign-in was already used or took too long. Please try again.")
# Translators: %(label)s names a sign-in provider ("Test ID", "Google").
CANCELLED = N_("You cancelled signing in with %(label)s. You can log in here instead.")


def _client(clients: OidcClients, name: str) -> OidcClient:
    client = clients.get(name)
    if client is None:
        raise NotFound(gettext("There is no such sign-in provider."))
    return client


def _callback(settings: Settings, name: str) -> str:
    return f"{settings.base_url.rstrip('/')}/login/oidc/{name}/callback"


def _refused(message: str, *, status: int = 400) -> Template:
    context = {"form": {}, "error": message, "next": "/"}
    return Template("accounts/login.html", status_code=status, context=context)


def _welcome(context: dict[str, Any], status: int = 200) -> Template:
    return Template("identity/welcome.html", status_code=status, context=context)


async def _go(
    request: AnyRequest, client: OidcClient, settings: Settings, link: int | None, nxt: str
) -> Redirect:
    name = client.provider.name
    start = await client.start(_callback(settings, name))
    flows.remember_flow(
        request,
        provider=name,
        state=start.state,
        nonce=start.nonce,
        verifier=start.verifier,
        link_user=link,
        next_path=nxt,
    )
    return Redirect(start.url, status_code=303)


class IdentityPages(Controller):
    """Sign in with a provider, pick a username the first time, link and unlink providers."""

    include_in_schema = False

    @post("/login/oidc/{provider:str}")
    async def start(
        self,
        request: AnyRequest,
        settings: NamedDependency[Settings],
        oidc_clients: NamedDependency[OidcClients],
        provider: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Go to the provider to sign in (state, nonce and PKCE kept in this session)."""
        client = _client(oidc_clients, provider)
        return await _go(request, client, settings, None, safe_next(field(data, "next")))

    @post("/account/identities/link/{provider:str}", guards=[login_required])
    async def start_link(
        self,
        request: AnyRequest,
        me: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        oidc_clients: NamedDependency[OidcClients],
        provider: FromPath[str],
    ) -> Redirect:
        """Go to the provider to link it to this account."""
        client = _client(oidc_clients, provider)
        return await _go(request, client, settings, me.id, "/account")

    @get("/login/oidc/{provider:str}/callback", name="oidc_callback")
    async def callback(
        self,
        request: AnyRequest,
        uow: Work,
        current_user: NamedDependency[CurrentUser | None],
        settings: NamedDependency[Settings],
        oidc_clients: NamedDependency[OidcClients],
        throttle: NamedDependency[LoginThrottle],
        account_hooks: NamedDependency[AccountHooks],
        login_policy: NamedDependency[LoginPolicy],
        provider: FromPath[str],
        code: Param = "",
        oauth_state: StateParam = "",
        error: Param = "",
    ) -> Template | Redirect:
        """The provider's answer: log in, ask for a username, or link to this account."""
        client = _client(oidc_clients, provider)
        flow = flows.take_flow(request, provider, oauth_state)
        if flow is None:
            return _refused(gettext(STALE))
        label = client.provider.label
        if error or not code:
            flash(request, gettext(CANCELLED, label=label), category="info")
            return Redirect("/account" if flow["link"] else "/login", status_code=303)
        try:
            claim = await client.finish(
                code=code,
                verifier=flow["verifier"],
                nonce=flow["nonce"],
                redirect_uri=_callback(settings, provider),
            )
        except Refused as refused:
            log.warning("sign-in with %s refused: %s", provider, refused)
            return _refused(
                gettext("%(label)s could not confirm who you are. Please try again.", label=label)
            )
        if flow["link"] is not None:
            return await _link(request, uow, current_user, flow["link"], claim)
        user = await flows.sign_in(request, uow, throttle, account_hooks, login_policy, claim)
        if user is not None:
            return Redirect(safe_next(flow["next"]), status_code=303)
        flows.remember_pending(request, claim, flow["next"])
        return Redirect("/login/welcome", status_code=303)

    @get("/login/welcome", name="identity_welcome", sync_to_thread=False)
    def welcome_form(self, request: AnyRequest) -> Template | Redirect:
        """The first sign-in with a provider: choose a username (and confirm the address)."""
        waiting = flows.pending(request)
        if waiting is None:
            return _refused(gettext(STALE))
        claim, _ = waiting
        form = {"username": service.suggested_username(claim), "email": claim.email or ""}
        return _welcome({"claim": claim, "form": form, "errors": {}})

    @post("/login/welcome", opt=limited(Limit.REGISTRATION))
    async def welcome(
        self,
        request: AnyRequest,
        uow: Work,
        settings: NamedDependency[Settings],
        outbox: NamedDependency[Outbox],
        account_hooks: NamedDependency[AccountHooks],
        login_policy: NamedDependency[LoginPolicy],
        data: FormData,
    ) -> Template | Redirect:
        """Create the account with the chosen username and log in."""
        waiting = flows.pending(request)
        if waiting is None:
            return _refused(gettext(STALE))
        claim, target = waiting
        form = {"username": field(data, "username"), "email": field(data, "email")}
        try:
            await flows.sign_up(
                request,
                uow,
                account_hooks,
                login_policy,
                outbox,
                settings,
                claim=claim,
                username=form["username"],
                email=form["email"],
            )
        except Invalid as exc:
            return _welcome({"claim": claim, "form": form, "errors": exc.errors}, 400)
        except Conflict as exc:
            flows.forget_pending(request)
            return _refused(exc.message, status=409)
        return Redirect(safe_next(target), status_code=303)

    @post("/account/identities/{identity_id:int}/unlink", guards=[login_required])
    async def unlink(
        self,
        request: AnyRequest,
        uow: Work,
        me: NamedDependency[CurrentUser],
        identity_id: FromPath[int],
    ) -> Redirect:
        """Remove a linked provider (never the last way into the account)."""
        try:
            removed = await flows.unlink(uow, me.id, identity_id)
        except Forbidden as exc:
            flash(request, exc.message, category="error")
            return Redirect("/account", status_code=303)
        unlinked = gettext("%(label)s is no longer linked to your account.", label=removed)
        flash(request, unlinked, category="success")
        return Redirect("/account", status_code=303)


async def _link(
    request: AnyRequest,
    uow: Work,
    current_user: CurrentUser | None,
    user_id: int,
    claim: service.ExternalClaim,
) -> Template | Redirect:
    """The end of a link flow: only for the account that started it, still logged in."""
    if current_user is None or current_user.id != user_id:
        return _refused(gettext(STALE))
    try:
        await flows.link(uow, user_id, claim)
    except Conflict as exc:
        flash(request, exc.message, category="error")
        return Redirect("/account", status_code=303)
    linked = gettext("%(label)s is now linked to your account.", label=claim.label)
    flash(request, linked, category="success")
    return Redirect("/account", status_code=303)
