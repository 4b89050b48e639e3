"""Logging in, signing up and logging out, written once for the HTML forms and the JSON API.

A login is: throttle → find the account → release the read → verify (argon2, no transaction
open) → rehash if needed → start the login row → ``on_login`` hooks → a new session id.
These flows touch the request (its session cookie, its client), so they live beside the
routes; the rules they follow are in ``credentials`` and ``logins``.
"""

from __future__ import annotations

from anyio import to_thread
from sqlalchemy.orm import Session

from forum.accounts import credentials, mails
from forum.accounts.auth import SESSION_LOGIN_KEY
from forum.accounts.current import CurrentUser
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import LoginPolicy, end_all_logins, end_login, start_login
from forum.accounts.models import User
from forum.accounts.passwords import Passwords
from forum.accounts.service import Registration
from forum.accounts.throttle import LoginThrottle
from forum.db import UnitOfWork
from forum.settings import Settings
from forum.web.sessions import REMEMBER_KEY, rotate_session
from forum.web.types import AnyRequest

BROWSERS = [
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
]
SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS", "macOS"),
    ("Linux", "Linux"),
]


def client_address(request: AnyRequest) -> str:
    return request.client.host if request.client else "unknown"


def describe_client(request: AnyRequest) -> str:
    """A short, recognisable name of the browser, e.g. 'Firefox on Linux'."""
    agent = request.headers.get("user-agent", "")
    browser = next((name for key, name in BROWSERS if key in agent), "A browser")
    system = next((name for key, name in SYSTEMS if key in agent), "")
    return f"{browser} on {system}" if system else browser


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
        session, user, remember=remember, client=describe_client(request), policy=policy
    )
    request.set_session({SESSION_LOGIN_KEY: login.id, REMEMBER_KEY: remember})
    rotate_session(request.scope)
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
    ends before the password is hashed."""
    try:
        hooks.check_identity(uow.read(), username=data.username, email=data.email)
    finally:
        uow.release()


async def sign_up(
    request: AnyRequest,
    uow: UnitOfWork,
    passwords: Passwords,
    outbox: mails.Outbox,
    settings: Settings,
    hooks: AccountHooks,
    policy: LoginPolicy,
    data: Registration,
) -> User:
    """Create an account (``Invalid`` when the form cannot be accepted), let higher modules
    react, mail the verification link, and log the new reader in."""
    await to_thread.run_sync(lambda: _check_identity(uow, hooks, data))
    user = await credentials.register(uow, passwords, data)

    def welcome(session: Session) -> None:
        for hook in hooks.on_register:
            hook(request, session, user)
        mails.send_verification(outbox, session, settings, user)
        start_session(request, session, user, remember=False, hooks=hooks, policy=policy)

    await to_thread.run_sync(lambda: welcome(uow.write()))
    return user


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
