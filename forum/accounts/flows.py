"""Logging in, signing up and logging out, written once for the HTML forms and the JSON API.

A login is: throttle → find the account → release the read → verify (argon2, no transaction
open) → rehash if needed → start the login row → ``on_login`` hooks → a new session id.
These flows touch the request (its session cookie, its client), so they live beside the
routes; the rules they follow are in ``credentials`` and ``logins``.
"""

from __future__ import annotations

from datetime import timedelta

from anyio import to_thread
from sqlalchemy.orm import Session

from forum.accounts import credentials, login_links, mails, service
from forum.accounts.auth import SESSION_LOGIN_KEY
from forum.accounts.current import CurrentUser
from forum.accounts.devices import describe_client
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import LoginPolicy, end_all_logins, end_login, start_login
from forum.accounts.models import User
from forum.accounts.passwords import Passwords
from forum.accounts.service import Registration
from forum.accounts.throttle import LoginThrottle
from forum.accounts.tokens import BadToken
from forum.db import UnitOfWork
from forum.errors import Invalid
from forum.i18n import gettext
from forum.settings import Settings
from forum.web.csrf import rotate_csrf
from forum.web.sessions import REMEMBER_KEY, rotate_session
from forum.web.types import AnyRequest


def client_address(request: AnyRequest) -> str:
    return request.client.host if request.client else "unknown"


def start_session(
    request: AnyRequest,
    session: Session,
    user: User,
    *,
    remember: bool,
    hooks: AccountHooks,
    policy: LoginPolicy,
) -> None:
    """Start a login: a new row, a new session id (fixation defence), 'remember me' honoured,
    then the ``on_login`` hooks, in the request's write transaction."""
    login = start_login(
        session,
        user,
        remember=remember,
        client=describe_client(request.headers.get("user-agent", "")),
        policy=policy,
    )
    request.set_session({SESSION_LOGIN_KEY: login.id, REMEMBER_KEY: remember})
    rotate_session(request.scope)
    rotate_csrf(request.scope)
    for hook in hooks.on_login:
        hook(request, session, user)


async def log_in(
    request: AnyRequest,
    uow: UnitOfWork,
    passwords: Passwords,
    throttle: LoginThrottle,
    hooks: AccountHooks,
    policy: LoginPolicy,
    *,
    login: str,
    password: str,
    remember: bool,
) -> User:
    """Log in with a password (``WrongCredentials``, ``RateLimited`` or ``Unavailable`` when
    not), the same for the form and the API."""
    user = await credentials.authenticate(
        uow, passwords, throttle, login=login, password=password, client=client_address(request)
    )

    def begin(session: Session) -> None:
        start_session(request, session, user, remember=remember, hooks=hooks, policy=policy)

    await to_thread.run_sync(lambda: begin(uow.write()))
    return user


def _check_identity(uow: UnitOfWork, hooks: AccountHooks, data: Registration) -> None:
    """Higher modules may refuse the name or address (a ban that still runs), in a read that
    ends before the password is hashed; the refusal comes with the form's other problems."""
    try:
        hooks.check_identity(uow.read(), username=data.username, email=data.email)
    except Invalid as refused:
        raise Invalid({**service.registration_problems(data), **refused.errors}) from None
    finally:
        uow.release()


async def sign_up(
    request: AnyRequest,
    uow: UnitOfWork,
    passwords: Passwords,
    outbox: mails.Outbox,
    settings: Settings,
    hooks: AccountHooks,
    data: Registration,
) -> None:
    """Create an account (``Invalid`` when the form cannot be accepted), let higher modules
    react and mail the verification link. Nobody is logged in: an address that has an account
    already gets a notice to its owner instead, and the answer must not tell the two apart."""
    await to_thread.run_sync(lambda: _check_identity(uow, hooks, data))
    done = await credentials.register(uow, passwords, data)

    def welcome(session: Session) -> None:
        if done.user is not None:
            for hook in hooks.on_register:
                hook(request, session, done.user)
            mails.send_verification(outbox, session, settings, done.user)
        elif done.owner is not None and done.owner.email:
            mails.send_address_taken(outbox, session, settings, done.owner, change=False)

    await to_thread.run_sync(lambda: welcome(uow.write()))


def confirm_address(
    session: Session, outbox: mails.Outbox, settings: Settings, token: str
) -> User | None:
    """Confirm an address from its mailed link: a new account's, or the new one of an address
    change (which then takes effect, and the old address is told). None for a bad link."""
    try:
        payload = mails.verification_signer(settings).unsign(token)
        user_id, email = int(payload["u"]), str(payload["e"])
        previous = payload.get("from")
    except (BadToken, KeyError, TypeError, ValueError, AttributeError):
        return None
    if previous is None:
        return service.mark_email_verified(session, user_id, email)
    old = service.move_to_email(session, user_id, email, str(previous))
    if old is None:
        user = session.get(User, user_id)
        same = user is not None and (user.email or "").casefold() == email.casefold()
        return user if same and user is not None and user.email_verified else None
    user = session.get(User, user_id)
    assert user is not None
    mails.send_email_changed(outbox, session, settings, user, old)
    return user


async def request_login_link(
    uow: UnitOfWork,
    throttle: LoginThrottle,
    outbox: mails.Outbox,
    settings: Settings,
    *,
    login: str,
    client: str,
) -> None:
    """Mail a one-time login link to the verified address of the account ``login`` names:
    the way in while password attempts are used up. Says nothing whatever the name, and sends
    at most ``login_link_mails`` per account (and a few times that per client address) in the
    login window."""
    limit = settings.login_link_mails
    if not await throttle.take("link-client", client, limit=limit * 3):
        return

    def find(session: Session) -> int | None:
        try:
            user = service.find_for_login(session, login)
            return user.id if user is not None and user.email_verified else None
        finally:
            uow.release()

    user_id = await to_thread.run_sync(lambda: find(uow.read()))
    if user_id is None:
        return
    if not await throttle.take("link", str(user_id), limit=limit):
        return

    def send(session: Session) -> None:
        user = session.get(User, user_id)
        lifetime = timedelta(minutes=settings.login_link_minutes)
        token = login_links.create_login_link(session, user, lifetime) if user else None
        if user is not None and token is not None:
            mails.send_login_link(outbox, session, settings, user, token)

    await to_thread.run_sync(lambda: send(uow.write()))


async def log_in_with_link(
    request: AnyRequest,
    uow: UnitOfWork,
    hooks: AccountHooks,
    policy: LoginPolicy,
    token: str,
) -> User:
    """Log in with a mailed link (once; ``Invalid`` when it is used, expired or made up),
    whatever the password throttle says: the link proves the address."""

    def spend(session: Session) -> User:
        user = login_links.spend_login_link(session, token)
        if user is None:
            raise Invalid({"token": gettext(login_links.LINK_INVALID)})
        start_session(request, session, user, remember=False, hooks=hooks, policy=policy)
        return user

    return await to_thread.run_sync(lambda: spend(uow.write()))


def log_out(request: AnyRequest, session: Session, user: CurrentUser | None) -> None:
    """End this session on the server and forget the cookie (form and API alike)."""
    if user is not None and user.login_id:
        end_login(session, user.login_id)
    request.clear_session()
    rotate_session(request.scope)


def log_out_everywhere(request: AnyRequest, session: Session, user: CurrentUser) -> None:
    """End every session of the account, this one included."""
    end_all_logins(session, user.id)
    request.clear_session()
    rotate_session(request.scope)
