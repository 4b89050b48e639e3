"""Consent on every page, and first-party page-view counting that waits for it.

``ConsentMiddleware`` works out once per request which decision applies (the browser's
cookie; for a logged-in user the stored decision if it is newer; Global Privacy Control),
keeps it in the scope for ``consent.allows``, logs a GPC decision the first time a browser
sends the signal, writes the consent cookie when a decision changes, and deletes cookies of
categories that are not allowed. ``PageViewMiddleware`` counts an HTML page view only when
analytics is allowed.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from functools import partial
from typing import Any

from anyio import to_thread
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from forum.accounts.current import current_user
from forum.db import UnitOfWork
from forum.privacy import policies, service
from forum.privacy.config import PrivacyConfig
from forum.privacy.consent import (
    CONSENT_COOKIE,
    OPTIONAL_CATEGORIES,
    STATE_KEY,
    Category,
    ConsentState,
    Decision,
    allows,
    consent_state,
    effective_decision,
    gpc_decision,
    newer,
    pending,
    remember,
)
from forum.privacy.cookies import cookies_of
from forum.privacy.models import PolicyKind
from forum.web.csrf import header_value
from forum.web.unit_of_work import unit_of_work

log = logging.getLogger("forum.privacy")

NOT_PAGES = re.compile(r"^/(static/|api(/|$)|schema(/|$)|healthz$|readyz$)")
"""Where no consent is worked out (and so nothing optional is allowed): not pages."""
UNCOUNTED = re.compile(r"^/admin(/|$)")


def _not_a_page(scope: Scope) -> bool:
    return bool(NOT_PAGES.match(scope["path"]))


def _not_counted(scope: Scope) -> bool:
    return _not_a_page(scope) or bool(UNCOUNTED.match(scope["path"]))


def sends_gpc(scope: Scope) -> bool:
    """Global Privacy Control: the browser sends ``Sec-GPC: 1``."""
    return (header_value(scope, b"sec-gpc") or "").strip() == "1"


def _resolve(
    uow: UnitOfWork, browser: Decision | None, user_id: int | None, gpc: bool
) -> tuple[ConsentState, Decision | None]:
    """The consent state of a request, and a decision to put in the cookie (or None).

    Reads in the request's unit of work; a GPC decision to log is recorded after the
    response (its own short write), so a page view never becomes a writer.
    """
    to_write: Decision | None = None
    session = uow.read()
    version = policies.current_version(session, PolicyKind.COOKIES)
    stored = browser
    if user_id is not None:
        saved = service.user_decision(session, user_id)
        if saved is not None and newer(browser, saved) is saved:
            # Chosen on another device since this cookie was written: it wins here too.
            stored = saved.for_visitor(browser.visitor_id if browser else None)
            if not saved.same_choice(browser):
                to_write = stored
    decision, needs_gpc = effective_decision(stored, policy_version=version, gpc=gpc)
    visitor = stored.visitor_id if stored else None
    if needs_gpc:
        decision = to_write = gpc_decision(version, visitor)
        uow.after(partial(service.record_decision, decision=decision, user_id=user_id))
        visitor = decision.visitor_id
    return ConsentState(version, decision, visitor, gpc), to_write


class ConsentMiddleware(ASGIMiddleware):
    """Work out the request's consent; write the consent cookie; delete disallowed cookies."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(_not_a_page)

    def __init__(self, config: PrivacyConfig) -> None:
        self.config = config

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        cookies = ASGIConnection(scope).cookies
        browser = self.config.codec.decode(cookies.get(CONSENT_COOKIE))
        user = current_user(scope)
        state, to_write = await to_thread.run_sync(
            _resolve,
            unit_of_work(scope),
            browser,
            user.id if user else None,
            sends_gpc(scope),
        )
        scope.setdefault("state", {})[STATE_KEY] = state
        if to_write is not None:
            remember(scope, to_write)

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add_cookies(message, scope, cookies)
            await send(message)

        await next_app(scope, receive, send_with_cookies)

    def _add_cookies(self, message: Message, scope: Scope, cookies: dict[str, str]) -> None:
        headers = MutableScopeHeaders.from_message(message)
        decision = pending(scope)
        if decision is not None:
            headers.add("Set-Cookie", self.config.consent_cookie(decision))
        state = consent_state(scope)
        for category in OPTIONAL_CATEGORIES:
            if state is not None and state.allows(category):
                continue
            for name in cookies_of(category):
                if name in cookies:
                    headers.add("Set-Cookie", self.config.deleted_cookie(name))


class PageViewMiddleware(ASGIMiddleware):
    """First-party analytics: count a successful HTML page view, only with consent.

    No identifier of any kind is kept: a row per path and day with a number. Admin pages are
    not counted. A failure to count is logged and never affects the page.
    """

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(_not_counted)

    def __init__(self, config: PrivacyConfig) -> None:
        self.config = config

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") != "GET":
            await next_app(scope, receive, send)
            return
        seen: dict[str, Any] = {}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                seen["type"] = MutableScopeHeaders.from_message(message).get("content-type", "")
            await send(message)

        await next_app(scope, receive, watch)
        if (
            seen.get("status") == 200
            and str(seen.get("type", "")).startswith("text/html")
            and allows(scope, Category.ANALYTICS)
        ):
            day = datetime.now(self.config.timezone).date()
            # Counted after the response, in its own short write (a failure is only logged).
            unit_of_work(scope).after(partial(service.count_page_view, path=scope["path"], day=day))
