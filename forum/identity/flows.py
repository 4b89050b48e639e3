"""Signing in with an external identity, at the request's level: what the browser's session
keeps between steps, throttling, and the accounts login flow (one way to log in).

Any way in that vouches for a person (an OpenID Connect provider here; a site's signed
hand-off later, as issuer ``site:<id>``) calls ``sign_in`` with an ``ExternalClaim``: it logs
in the linked account, or keeps the claim in the session (``remember_pending``) so that the
person picks a username at ``/login/welcome`` (``sign_up``). No provider is ever asked
anything here: the claim is checked before, with no transaction open.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from anyio import to_thread
from sqlalchemy.orm import Session

from forum import signing
from forum.accounts import mails
from forum.accounts.flows import client_address, start_session
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import LoginPolicy
from forum.accounts.models import User
from forum.accounts.throttle import LoginThrottle
from forum.db import UnitOfWork
from forum.errors import RateLimited
from forum.i18n import gettext
from forum.identity import service
from forum.identity.service import ExternalClaim
from forum.mail.outbox import Outbox
from forum.settings import Settings
from forum.web.types import AnyRequest

FLOW_KEY = "identity_flow"
PENDING_KEY = "identity_pending"
STEP_SECONDS = 600
"""How long a trip to the provider, or the username form after it, may take."""
SIGN_INS_PER_WINDOW = 30
"""External sign-ins one client address may complete in the login throttle's window."""


def _put(request: AnyRequest, key: str, value: Any) -> None:
    request.set_session({**(request.session or {}), key: value})


def _take(request: AnyRequest, key: str) -> Any:
    """Remove and return ``key`` from the session: each step's secrets are used once."""
    data = dict(request.session or {})
    value = data.pop(key, None)
    if value is not None:
        request.set_session(data)
    return value


def remember_flow(
    request: AnyRequest,
    *,
    provider: str,
    state: str,
    nonce: str,
    verifier: str,
    link_user: int | None,
    next_path: str,
) -> None:
    """Keep what the callback must match (bound to this browser's session, one at a time)."""
    flow = {
        "provider": provider,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "link": link_user,
        "next": next_path,
        "at": time.time(),
    }
    _put(request, FLOW_KEY, flow)


def take_flow(request: AnyRequest, provider: str, state: str) -> dict[str, Any] | None:
    """The flow this callback belongs to, spent whatever the outcome; None for a state that
    is not this session's, already used or too old."""
    flow = _take(request, FLOW_KEY)
    if not isinstance(flow, dict) or flow.get("provider") != provider:
        return None
    if not signing.equal(state, str(flow.get("state", ""))):
        return None
    if time.time() - float(flow.get("at", 0)) > STEP_SECONDS:
        return None
    return flow


def remember_pending(request: AnyRequest, claim: ExternalClaim, next_path: str) -> None:
    """Keep a vouched-for claim with no account yet, for the username form."""
    _put(request, PENDING_KEY, {"claim": asdict(claim), "next": next_path, "at": time.time()})


def pending(request: AnyRequest) -> tuple[ExternalClaim, str] | None:
    """The claim waiting for a username, and where to go after; None when none is (or it is
    too old)."""
    kept = (request.session or {}).get(PENDING_KEY)
    if not isinstance(kept, dict) or time.time() - float(kept.get("at", 0)) > STEP_SECONDS:
        return None
    return ExternalClaim(**kept["claim"]), str(kept.get("next") or "/")


def forget_pending(request: AnyRequest) -> None:
    _take(request, PENDING_KEY)


async def _throttled(request: AnyRequest, throttle: LoginThrottle) -> None:
    if not await throttle.take("external", client_address(request), limit=SIGN_INS_PER_WINDOW):
        raise RateLimited(
            gettext("Too many sign-ins from here. Please wait a few minutes."),
            retry_after=throttle.window,
        )


async def sign_in(
    request: AnyRequest,
    uow: UnitOfWork,
    throttle: LoginThrottle,
    hooks: AccountHooks,
    policy: LoginPolicy,
    claim: ExternalClaim,
) -> User | None:
    """Log in the account linked to the claim (as a password login does: a new session id,
    the ``on_login`` hooks); None when no account is linked to it."""
    await _throttled(request, throttle)

    def enter(session: Session) -> User | None:
        user = service.linked_user(session, claim)
        if user is not None:
            start_session(request, session, user, remember=False, hooks=hooks, policy=policy)
        return user

    return await to_thread.run_sync(lambda: enter(uow.write()))


async def sign_up(
    request: AnyRequest,
    uow: UnitOfWork,
    hooks: AccountHooks,
    policy: LoginPolicy,
    outbox: Outbox,
    settings: Settings,
    *,
    claim: ExternalClaim,
    username: str,
    email: str,
) -> User:
    """Create the account for a pending claim, as registration does (the ``on_register``
    hooks accept the terms; an unconfirmed address gets the verification mail), and log in."""

    def create(session: Session) -> User:
        user = service.create_account(session, hooks, claim, username=username, email=email)
        for hook in hooks.on_register:
            hook(request, session, user)
        if not user.email_verified:
            mails.send_verification(outbox, session, settings, user)
        start_session(request, session, user, remember=False, hooks=hooks, policy=policy)
        return user

    return await to_thread.run_sync(lambda: create(uow.write()))


async def link(uow: UnitOfWork, user_id: int, claim: ExternalClaim) -> None:
    """Link the claim to the logged-in account (``Conflict`` when it is someone else's)."""
    await to_thread.run_sync(lambda: service.link(uow.write(), user_id, claim))


async def unlink(uow: UnitOfWork, user_id: int, identity_id: int) -> str:
    """Unlink one of the account's identities; the provider's name, for the message."""
    return await to_thread.run_sync(lambda: service.unlink(uow.write(), user_id, identity_id).label)
