"""Everything that hashes or verifies a password, ordered so that no transaction is open
meanwhile.

Each flow reads what it needs, releases the request's read transaction, runs argon2 in a
worker thread within ``Passwords``' capacity, and only then opens a short write that
re-checks what it read. A burst of logins therefore never holds SQLite's write lock (or a
PostgreSQL connection in a transaction) while it hashes, and other readers' writes go on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from anyio import to_thread
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum.accounts import mails, service
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import end_all_logins, rowcount
from forum.accounts.models import User
from forum.accounts.passwords import Passwords, check_new_password
from forum.accounts.throttle import LoginThrottle
from forum.db import UnitOfWork, utcnow
from forum.errors import Conflict, Invalid, LoginNeeded, RateLimited, Unavailable
from forum.i18n import N_, gettext, ngettext
from forum.settings import Settings
from forum.text import TextProblem

T = TypeVar("T")
WRONG_CREDENTIALS = N_("Wrong username, email or password.")
NOT_YOUR_PASSWORD = N_("That is not your current password.")


class WrongCredentials(LoginNeeded):
    """The login name or the password is wrong (the same answer for an unknown account)."""


@dataclass(frozen=True)
class Secret:
    """What a flow read about an account before releasing the transaction."""

    user_id: int
    password_hash: str | None
    username: str
    email: str
    can_log_in: bool

    @classmethod
    def of(cls, user: User | None) -> Secret | None:
        if user is None:
            return None
        return cls(user.id, user.password_hash, user.username, user.email or "", user.can_log_in)


async def _released(uow: UnitOfWork, read: Callable[[Session], T]) -> T:
    """``read`` in the request's read transaction, which is then ended (before hashing)."""

    def run() -> T:
        try:
            return read(uow.read())
        finally:
            uow.release()

    return await to_thread.run_sync(run)


async def _written(uow: UnitOfWork, write: Callable[[Session], T]) -> T:
    """``write`` in the request's write transaction (committed when the request ends)."""
    return await to_thread.run_sync(lambda: write(uow.write()))


def too_many_attempts(wait: int) -> str:
    minutes = max(1, -(-wait // 60))
    return ngettext(
        "Too many failed attempts. Please wait %(num)s minute and try again, or reset your "
        "password. If this is your account, you can log in now with a login link sent to its "
        "confirmed email address: ask for one at /login/link (from a script: POST "
        "/api/session/link).",
        "Too many failed attempts. Please wait %(num)s minutes and try again, or reset your "
        "password. If this is your account, you can log in now with a login link sent to its "
        "confirmed email address: ask for one at /login/link (from a script: POST "
        "/api/session/link).",
        minutes,
    )


async def authenticate(
    uow: UnitOfWork,
    passwords: Passwords,
    throttle: LoginThrottle,
    *,
    login: str,
    password: str,
    client: str,
) -> User:
    """The user whose credentials these are, in the request's write transaction; else
    ``WrongCredentials`` (the same work done either way) or ``RateLimited``. A hash made with
    older parameters is upgraded on the way.

    The attempt is counted against the account the name resolves to (and the address) before
    the password is checked, so that a parallel burst checks at most the allowed number."""
    found = await _released(uow, lambda s: Secret.of(service.find_for_login(s, login)))
    account = f"user:{found.user_id}" if found is not None else service.login_key(login)
    wait = await throttle.attempt(account, client)
    if wait:
        raise RateLimited(too_many_attempts(wait), retry_after=wait)
    usable = found if found is not None and found.can_log_in else None
    try:
        ok = await passwords.verify_async(usable.password_hash if usable else None, password)
    except Unavailable:
        await throttle.refund(account, client)  # never checked: it does not count
        raise
    if usable is None or usable.password_hash is None or not ok:
        raise WrongCredentials(gettext(WRONG_CREDENTIALS))
    await throttle.succeeded(account, client)
    upgraded = None
    if passwords.needs_rehash(usable.password_hash):
        upgraded = await passwords.hash_async(password)
    return await _written(uow, partial(_confirm_login, found=usable, upgraded=upgraded))


def _confirm_login(session: Session, *, found: Secret, upgraded: str | None) -> User:
    """Re-read the account in the write: it may have changed while the password was checked."""
    user = session.get(User, found.user_id, populate_existing=True)
    if user is None or not user.can_log_in or user.password_hash != found.password_hash:
        raise WrongCredentials(gettext(WRONG_CREDENTIALS))
    if upgraded is not None:
        user.password_hash = upgraded
    return user


async def verify_password(
    uow: UnitOfWork, passwords: Passwords, user_id: int, password: str
) -> bool:
    """Whether ``password`` is the user's, checked with no transaction open (account deletion
    and other confirmations call this before their write)."""
    found = await _released(uow, lambda s: Secret.of(s.get(User, user_id)))
    return await passwords.verify_async(found.password_hash if found else None, password)


@dataclass(frozen=True)
class SignUp:
    """What a registration did: made ``user``, or found the address taken by ``owner`` (whom
    the caller tells, while the person registering gets the same answer as a new account)."""

    user: User | None = None
    owner: User | None = None


async def register(uow: UnitOfWork, passwords: Passwords, data: service.Registration) -> SignUp:
    """Create a reader account: checked and hashed first, then stored in a short write.

    A taken username is said (names are public: every profile shows one); a taken address is
    not, and the password is hashed all the same, so neither the answer nor its time tells
    whether an address has an account. Every problem of the form is told in one answer: a
    taken username along with a short password or a bad address."""
    try:
        account = service.check_registration(data)
    except Invalid as problems:
        if "username" in problems.errors:
            raise
        taken = await _released(uow, lambda s: service.username_taken(s, data.username))
        raise Invalid({**taken, **problems.errors}) from None
    conflicts = await _released(uow, lambda s: service.taken(s, account))
    if "username" in conflicts:
        raise Invalid({"username": conflicts["username"]})
    password_hash = await passwords.hash_async(account.password)
    return await _written(
        uow, partial(_store_account, account=account, password_hash=password_hash)
    )


def _store_account(session: Session, *, account: service.NewAccount, password_hash: str) -> SignUp:
    owner = service.address_owner(session, account.email_key)
    if owner is not None:
        return SignUp(owner=owner)
    try:
        return SignUp(user=service.create_account(session, account, password_hash))
    except Invalid as exc:  # a concurrent registration took the name or address meanwhile
        if "username" in exc.errors:
            raise Invalid({"username": exc.errors["username"]}) from None
        owner = service.address_owner(session, account.email_key)
        if owner is None:
            raise
        return SignUp(owner=owner)


async def _current_secret(
    uow: UnitOfWork, passwords: Passwords, user_id: int, current_password: str
) -> Secret:
    """The account, once ``current_password`` is confirmed to be its password."""
    found = await _released(uow, lambda s: Secret.of(service.get_user(s, user_id)))
    stored = found.password_hash if found else None
    if found is None or not await passwords.verify_async(stored, current_password):
        raise Invalid({"current_password": gettext(NOT_YOUR_PASSWORD)})
    return found


async def change_password(
    uow: UnitOfWork,
    passwords: Passwords,
    user_id: int,
    current_password: str,
    new_password: str,
    *,
    keep_login: str | None,
) -> None:
    """Change the password; every other session of the user ends."""
    found = await _current_secret(uow, passwords, user_id, current_password)
    try:
        password = check_new_password(new_password, username=found.username, email=found.email)
    except TextProblem as problem:
        raise Invalid({"new_password": str(problem)}) from None
    new_hash = await passwords.hash_async(password)
    await _written(uow, partial(_store_password, found=found, new_hash=new_hash, keep=keep_login))


def _store_password(session: Session, *, found: Secret, new_hash: str, keep: str | None) -> None:
    changed = session.execute(
        update(User)
        .where(User.id == found.user_id, User.password_hash == found.password_hash)
        .values(password_hash=new_hash, password_changed_at=utcnow())
    )
    if rowcount(changed) != 1:
        raise Conflict(gettext("Your password was changed meanwhile. Please try again."))
    end_all_logins(session, found.user_id, keep=keep)


async def change_email(
    uow: UnitOfWork,
    passwords: Passwords,
    outbox: mails.Outbox,
    settings: Settings,
    *,
    user_id: int,
    new_email: str,
    current_password: str,
    hooks: AccountHooks | None = None,
) -> None:
    """Ask to change the address (confirmed by the current password). The account keeps its
    address until the new one confirms itself from the link mailed there (then the old one is
    told); an address that has an account already gets a notice to its owner instead. The
    answer is the same either way. ``hooks`` may refuse the address (a ban)."""
    await _current_secret(uow, passwords, user_id, current_password)

    def write(session: Session) -> None:
        user = session.get(User, user_id, populate_existing=True)
        if user is None:
            raise Invalid({"current_password": gettext(NOT_YOUR_PASSWORD)})
        if hooks is not None:
            hooks.check_identity(session, email=new_email)
        email, owner = service.check_new_email(session, user, new_email)
        if owner is not None:
            mails.send_address_taken(outbox, session, settings, owner, change=True)
        else:
            mails.send_confirm_new_email(outbox, session, settings, user, email)

    await _written(uow, write)


@dataclass(frozen=True)
class _ResetTarget:
    token_id: int
    user_id: int
    username: str
    email: str


def _reset_target(session: Session, digest: str | None) -> _ResetTarget | None:
    row = service.live_reset_token(session, digest)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None:
        return None
    return _ResetTarget(row.id, user.id, user.username, user.email or "")


async def reset_password(
    uow: UnitOfWork, passwords: Passwords, token: str, new_password: str
) -> None:
    """Set a new password through a reset link; the link is spent and every session ends."""
    digest = service.reset_token_digest(token)
    target = await _released(uow, lambda s: _reset_target(s, digest))
    if target is None:
        raise Invalid({"token": gettext(service.RESET_LINK_INVALID)})
    try:
        password = check_new_password(new_password, username=target.username, email=target.email)
    except TextProblem as problem:
        raise Invalid({"password": str(problem)}) from None
    new_hash = await passwords.hash_async(password)

    def write(session: Session) -> None:
        service.spend_reset_token(session, target.token_id, target.user_id)
        session.execute(
            update(User)
            .where(User.id == target.user_id)
            .values(password_hash=new_hash, password_changed_at=utcnow())
        )
        end_all_logins(session, target.user_id)

    await _written(uow, write)
