"""Account rules: registration, finding an account, verification, reset links, the account
page's changes, roles and profiles.

Plain functions over a SQLAlchemy session; nothing here knows about HTTP, and nothing here
hashes a password inside a request's transaction: ``credentials`` orders that work (read,
release, hash, then a short write) and calls the pieces below. Mail is queued in the caller's
transaction through the outbox, so a failed request sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.accounts import validation
from forum.accounts.access_tokens import create_access_token as create_access_token
from forum.accounts.logins import rowcount
from forum.accounts.models import Login, PasswordResetToken, Role, User
from forum.accounts.passwords import Passwords, check_new_password
from forum.accounts.tokens import hash_token, random_token
from forum.db import utcnow
from forum.errors import Forbidden, Invalid, NotFound
from forum.i18n import N_, gettext
from forum.text import TextProblem
from forum.web.pagination import Page, check_page

T = TypeVar("T")
RESET_LINK_INVALID = N_("This reset link is invalid, used or expired.")
USERNAME_TAKEN = N_("That username is already taken.")


@dataclass
class _Collector:
    errors: dict[str, str] = field(default_factory=dict)

    def check(self, name: str, clean: Callable[[], T]) -> T | None:
        try:
            return clean()
        except TextProblem as problem:
            self.errors.setdefault(name, str(problem))
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


@dataclass(frozen=True)
class Registration:
    """What a person typed into the registration form."""

    username: str
    email: str
    password: str
    display_name: str = ""


@dataclass(frozen=True)
class NewAccount:
    """A registration whose fields passed every check, ready to be hashed and stored."""

    username: str
    email: str
    email_key: str
    display_name: str
    password: str

    @property
    def username_key(self) -> str:
        return validation.username_key(self.username)


def check_registration(data: Registration) -> NewAccount:
    """The cleaned fields of a registration, or ``Invalid`` with a message per field."""
    form = _Collector()
    username = form.check("username", lambda: validation.clean_username(data.username))
    email_pair = form.check("email", lambda: validation.clean_email(data.email))
    display_name = form.check(
        "display_name",
        lambda: validation.clean_display_name(data.display_name, username or ""),
    )
    password = form.check(
        "password",
        lambda: check_new_password(
            data.password,
            username=username or data.username,
            email=email_pair[0] if email_pair else data.email,
        ),
    )
    form.raise_if_any()
    assert username and email_pair and display_name and password
    return NewAccount(username, email_pair[0], email_pair[1], display_name, password)


def registration_problems(data: Registration) -> dict[str, str]:
    """What is wrong with the form's fields, by field (empty when nothing is)."""
    try:
        check_registration(data)
    except Invalid as problems:
        return dict(problems.errors)
    return {}


def username_taken(session: Session, username: str) -> dict[str, str]:
    """The username's error when someone has it already (empty when it is free)."""
    key = validation.username_key(username)
    if session.scalar(select(User.id).where(User.username_key == key)):
        return {"username": gettext(USERNAME_TAKEN)}
    return {}


def taken(session: Session, account: NewAccount) -> dict[str, str]:
    """What of the account's name and address someone has already (empty when both are free)."""
    errors: dict[str, str] = {}
    if session.scalar(select(User.id).where(User.username_key == account.username_key)):
        errors["username"] = gettext(USERNAME_TAKEN)
    if session.scalar(select(User.id).where(User.email_key == account.email_key)):
        # Saying so reveals that the address has an account; registration must, or the
        # person could never learn why it fails. Login and reset reveal nothing.
        errors["email"] = gettext("That email address already has an account. Try logging in.")
    return errors


def create_account(session: Session, account: NewAccount, password_hash: str) -> User:
    """Store a reader account whose password was hashed beforehand. A username or address
    taken meanwhile by a concurrent registration is reported as taken, not as our error."""
    conflicts = taken(session, account)
    if conflicts:
        raise Invalid(conflicts)
    user = User(
        username=account.username,
        username_key=account.username_key,
        email=account.email,
        email_key=account.email_key,
        display_name=account.display_name,
        password_hash=password_hash,
        password_changed_at=utcnow(),
        role=Role.READER,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise Invalid(taken(session, account) or {"username": gettext(USERNAME_TAKEN)}) from None
    return user


def register(session: Session, passwords: Passwords, data: Registration) -> User:
    """Create a reader account in the caller's transaction, hashing there: for the command
    line and tests. Requests use ``credentials.register``, which hashes outside it."""
    account = check_registration(data)
    conflicts = taken(session, account)
    if conflicts:
        raise Invalid(conflicts)
    return create_account(session, account, passwords.hash(account.password))


def create_admin(
    session: Session, passwords: Passwords, username: str, email: str, password: str
) -> User:
    """Bootstrap an administrator (verified, since the operator typed the address)."""
    user = register(session, passwords, Registration(username, email, password))
    user.role = Role.ADMIN
    user.email_verified_at = utcnow()
    return user


def find_for_login(session: Session, login: str) -> User | None:
    """The account a login name refers to: a username or an email address.

    Both are compared as registration stored them (NFKC, then case-folded), so a full-width
    or upper-case spelling of a name is that name: it is the same account, counted by the
    same throttle (``credentials``). A look-alike from another script folds to no username.
    """
    value = login.strip()
    if not value or len(value) > User.EMAIL_MAX or "\x00" in value:
        return None
    if "@" in value:
        try:
            _, key = validation.clean_email(value)
        except TextProblem:
            return None
        return session.scalar(select(User).where(User.email_key == key))
    return session.scalar(select(User).where(User.username_key == validation.username_key(value)))


def login_key(login: str) -> str:
    """What an attempt on a login name that resolves to no account is counted under: its
    normalized form, so spellings of one unknown name share a count as a known one's do."""
    return "name:" + validation.username_key(login)[: User.EMAIL_MAX]


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or ``NotFound``."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("There is no such account."))
    return user


# --- email verification -------------------------------------------------------------------


def mark_email_verified(session: Session, user_id: int, email: str) -> User | None:
    """Verify the address a link was made for; None if the account's address changed since."""
    user = session.get(User, user_id)
    if user is None or user.email is None or user.email.casefold() != email.casefold():
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


# --- password reset -------------------------------------------------------------------------


def create_reset_token(
    session: Session, email: str, lifetime: timedelta
) -> tuple[User, str] | None:
    """A reset token for the account with this address, or None (the caller says the same)."""
    try:
        _, key = validation.clean_email(email)
    except TextProblem:
        return None
    user = session.scalar(select(User).where(User.email_key == key))
    if user is None or not user.can_log_in:
        return None
    # A newer link replaces the older unused ones: only the latest mail works.
    session.execute(
        delete(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    )
    token = random_token()
    now = utcnow()
    session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=hash_token(token), created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return user, token


def reset_token_digest(token: str) -> str | None:
    """What a reset link's token is stored as; None for one that cannot be ours."""
    if not token or len(token) > 128:
        return None
    return hash_token(token)


def live_reset_token(session: Session, digest: str | None) -> PasswordResetToken | None:
    """The unused, unexpired reset token with this digest."""
    if digest is None:
        return None
    row = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == digest))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def reset_token_is_valid(session: Session, token: str) -> bool:
    return live_reset_token(session, reset_token_digest(token)) is not None


def spend_reset_token(session: Session, token_id: int, user_id: int) -> None:
    """Mark a reset link used (once: a racing second use gets ``Invalid``) and drop the
    account's other links."""
    claimed = rowcount(
        session.execute(
            update(PasswordResetToken)
            .where(
                PasswordResetToken.id == token_id,
                PasswordResetToken.used_at.is_(None),
                PasswordResetToken.expires_at > utcnow(),
            )
            .values(used_at=utcnow())
        )
    )
    if claimed != 1:
        raise Invalid({"token": gettext(RESET_LINK_INVALID)})
    session.execute(
        delete(PasswordResetToken).where(
            PasswordResetToken.user_id == user_id, PasswordResetToken.id != token_id
        )
    )


# --- the account page ---------------------------------------------------------------------


def change_display_name(session: Session, user_id: int, raw: str) -> User:
    user = get_user(session, user_id)
    try:
        user.display_name = validation.clean_display_name(raw, user.username)
    except TextProblem as problem:
        raise Invalid({"display_name": str(problem)}) from None
    return user


def address_owner(session: Session, email_key: str) -> User | None:
    return session.scalar(select(User).where(User.email_key == email_key))


def check_new_email(session: Session, user: User, new_email: str) -> tuple[str, User | None]:
    """The cleaned new address and the account that has it already (None when it is free).

    The caller answers the same either way and mails the owner instead, so that the account
    page reveals nobody's address."""
    try:
        email, key = validation.clean_email(new_email)
    except TextProblem as problem:
        raise Invalid({"email": str(problem)}) from None
    if key == user.email_key:
        raise Invalid({"email": gettext("That is already your address.")})
    return email, address_owner(session, key)


def move_to_email(session: Session, user_id: int, new_email: str, previous: str) -> str | None:
    """Apply a confirmed address change (the new address proved itself by its link): the old
    address, or None when the link is stale (the account moved on, or the address was taken
    meanwhile)."""
    user = session.get(User, user_id)
    if user is None or user.email is None or user.email.casefold() != previous.casefold():
        return None
    try:
        email, key = validation.clean_email(new_email)
    except TextProblem:
        return None
    if address_owner(session, key) is not None:
        return None
    old = user.email
    try:
        with session.begin_nested():  # a failure leaves the account as it was
            user.email, user.email_key, user.email_verified_at = email, key, utcnow()
            session.flush()
    except IntegrityError:
        return None
    return old


# --- roles ----------------------------------------------------------------------------------


def set_role(session: Session, user_id: int, role: Role) -> User:
    """Give a user a role; their sessions get new ids at their next request."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("There is no such user."))
    if user.role != role:
        user.role = role
        session.execute(update(Login).where(Login.user_id == user.id).values(rotate=True))
    return user


def change_role(session: Session, *, actor_id: int, user_id: int, role_name: str) -> User:
    """An administrator grants or revokes moderator (or editor); administrators themselves
    are appointed with the command line, and nobody changes their own role."""
    if user_id == actor_id:
        raise Forbidden(gettext("You cannot change your own role."))
    try:
        role = Role(role_name)
    except ValueError:
        raise Forbidden(gettext("That role cannot be given here.")) from None
    if role is Role.ADMIN:
        raise Forbidden(gettext("Administrators are appointed with the forum command."))
    target = session.get(User, user_id)
    if target is not None and target.role is Role.ADMIN:
        raise Forbidden(gettext("Administrators cannot be changed here."))
    return set_role(session, user_id, role)


def search_users(session: Session, query: str, page: int, per_page: int = 50) -> Page[User]:
    """Users whose username, display name or email contains ``query`` (literally)."""
    statement = select(User)
    text = query.strip()[:100]
    if text:
        pattern = (
            "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        statement = statement.where(
            or_(
                User.username_key.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
                User.email_key.like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    check_page(page, per_page, total)
    users = session.scalars(
        statement.order_by(User.username_key).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(items=list(users), number=page, per_page=per_page, total=total)
