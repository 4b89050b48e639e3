"""Account rules: registration, authentication, logins, verification, reset, roles, tokens.

Plain functions over a SQLAlchemy session; nothing here knows about HTTP. Mail is queued in
the caller's transaction through the outbox, so a failed request sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.accounts import validation
from forum.accounts.models import AccessToken, Login, PasswordResetToken, Role, User
from forum.accounts.passwords import Passwords, check_new_password
from forum.accounts.tokens import hash_token, random_token
from forum.db import utcnow
from forum.text import TextProblem, clean_line
from forum.web.pagination import Page, check_page

ACCESS_TOKEN_PREFIX = "fat_"  # noqa: S105 - a label, not a secret


class FormErrors(Exception):
    """Input that cannot be accepted: a message per field, worded for the person."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(LookupError):
    """No such user (or one whose profile may not be shown)."""


@dataclass
class _Collector:
    errors: dict[str, str] = field(default_factory=dict)

    def check(self, name: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return func(*args, **kwargs)
        except TextProblem as problem:
            self.errors.setdefault(name, str(problem))
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise FormErrors(self.errors)


@dataclass(frozen=True)
class Registration:
    username: str
    email: str
    password: str
    display_name: str = ""


def register(session: Session, passwords: Passwords, data: Registration) -> User:
    """Create a reader account, or ``FormErrors``. A username or address taken meanwhile by a
    concurrent registration is reported as taken, not as an error of ours."""
    form = _Collector()
    username = form.check("username", validation.clean_username, data.username)
    email_pair = form.check("email", validation.clean_email, data.email)
    display_name = form.check(
        "display_name", validation.clean_display_name, data.display_name, username or ""
    )
    password = form.check(
        "password",
        check_new_password,
        data.password,
        username=username or data.username,
        email=email_pair[0] if email_pair else data.email,
    )
    form.raise_if_any()
    assert username and email_pair and display_name and password
    email, email_key = email_pair
    taken = _taken(session, validation.username_key(username), email_key)
    if taken:
        raise FormErrors(taken)
    user = User(
        username=username,
        username_key=validation.username_key(username),
        email=email,
        email_key=email_key,
        display_name=display_name,
        password_hash=passwords.hash(password),
        password_changed_at=utcnow(),
        role=Role.READER,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise FormErrors(
            _taken(session, validation.username_key(username), email_key)
            or {"username": "That username is already taken."}
        ) from None
    return user


def _taken(session: Session, name_key: str, email_key: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if session.scalar(select(User.id).where(User.username_key == name_key)):
        errors["username"] = "That username is already taken."
    if session.scalar(select(User.id).where(User.email_key == email_key)):
        # Saying so reveals that the address has an account; registration must, or the
        # person could never learn why it fails. Login and reset reveal nothing.
        errors["email"] = "That email address already has an account. Try logging in."
    return errors


def find_for_login(session: Session, login: str) -> User | None:
    """The account a login name refers to: a username or an email address."""
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


def authenticate(session: Session, passwords: Passwords, login: str, password: str) -> User | None:
    """The user whose credentials these are, else None, with the same work done either way.
    A hash made with older parameters is upgraded on the way."""
    user = find_for_login(session, login)
    usable = user is not None and user.can_log_in
    ok = passwords.verify(user.password_hash if usable and user else None, password)
    if not (ok and user):
        return None
    assert user.password_hash is not None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    return user


# --- logins (server-side session records) -------------------------------------------------


@dataclass(frozen=True)
class LoginPolicy:
    """How long a login lasts: idle timeout for browser sessions, a fixed term when remembered."""

    idle: timedelta
    remember: timedelta
    browser_max: timedelta = timedelta(hours=12)


def start_login(
    session: Session, user: User, *, remember: bool, client: str, policy: LoginPolicy
) -> Login:
    now = utcnow()
    login = Login(
        id=random_token(),
        user_id=user.id,
        remember=remember,
        created_at=now,
        last_seen_at=now,
        expires_at=now + (policy.remember if remember else policy.browser_max),
        client=client[:120],
    )
    session.add(login)
    session.flush()
    return login


@dataclass(frozen=True)
class LoginCheck:
    """What a login id resolves to, read without writing: the user (None when the login is
    gone, expired or idle) and the bookkeeping the caller should do after the response."""

    user: User | None
    login: Login | None
    expired: bool = False
    stale: bool = False
    """``last_seen_at`` is older than the touch interval: update it after the response."""


def resolve_login(
    session: Session, login_id: str, policy: LoginPolicy, *, touch_every: timedelta
) -> LoginCheck:
    """The user of a live login. Reads only: the caller deletes an expired login and touches
    a stale one afterwards (``end_login``, ``touch_login``), so a read never writes."""
    if not login_id or len(login_id) > 64:
        return LoginCheck(None, None)
    row = session.execute(
        select(Login, User).join(User, User.id == Login.user_id).where(Login.id == login_id)
    ).first()
    if row is None:
        return LoginCheck(None, None)
    login, user = row
    now = utcnow()
    idle_limit = policy.remember if login.remember else policy.idle
    if login.expires_at <= now or login.last_seen_at + idle_limit <= now or not user.can_log_in:
        return LoginCheck(None, login, expired=True)
    return LoginCheck(user, login, stale=now - login.last_seen_at >= touch_every)


def touch_login(session: Session, login_id: str, *, every: timedelta) -> None:
    """Record that a login was used: a conditional UPDATE, so racing requests write once."""
    now = utcnow()
    session.execute(
        update(Login)
        .where(Login.id == login_id, Login.last_seen_at <= now - every)
        .values(last_seen_at=now)
    )


def rotation_done(session: Session, login_id: str) -> None:
    """The session id was rotated after a role change: stop asking for it."""
    session.execute(
        update(Login).where(Login.id == login_id, Login.rotate.is_(True)).values(rotate=False)
    )


def end_login(session: Session, login_id: str) -> None:
    session.execute(delete(Login).where(Login.id == login_id))


def end_all_logins(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every session of a user (but ``keep``); returns how many ended."""
    statement = delete(Login).where(Login.user_id == user_id)
    if keep:
        statement = statement.where(Login.id != keep)
    return session.execute(statement).rowcount or 0


def list_logins(session: Session, user_id: int) -> list[Login]:
    return list(
        session.scalars(
            select(Login).where(Login.user_id == user_id).order_by(Login.last_seen_at.desc())
        )
    )


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
    token = random_token()
    now = utcnow()
    session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=hash_token(token), created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return user, token


def _live_reset_token(session: Session, token: str) -> PasswordResetToken | None:
    if not token or len(token) > 128:
        return None
    row = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def reset_token_is_valid(session: Session, token: str) -> bool:
    return _live_reset_token(session, token) is not None


def reset_password(session: Session, passwords: Passwords, token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link is spent and every session ends."""
    row = _live_reset_token(session, token)
    if row is None:
        raise FormErrors({"token": "This reset link is invalid, used or expired."})
    user = session.get(User, row.user_id)
    assert user is not None and user.email is not None
    try:
        password = check_new_password(new_password, username=user.username, email=user.email)
    except TextProblem as problem:
        raise FormErrors({"password": str(problem)}) from None
    claimed = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise FormErrors({"token": "This reset link is invalid, used or expired."})
    session.execute(
        delete(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.id != row.id
        )
    )
    user.password_hash = passwords.hash(password)
    user.password_changed_at = utcnow()
    end_all_logins(session, user.id)
    return user


# --- the account page ---------------------------------------------------------------------


def change_display_name(session: Session, user: User, raw: str) -> User:
    try:
        user.display_name = validation.clean_display_name(raw, user.username)
    except TextProblem as problem:
        raise FormErrors({"display_name": str(problem)}) from None
    return user


def change_email(
    session: Session, passwords: Passwords, user: User, new_email: str, current_password: str
) -> str:
    """Change the address (unverified until the new one is confirmed); returns the old one."""
    if not passwords.verify(user.password_hash, current_password):
        raise FormErrors({"current_password": "That is not your current password."})
    try:
        email, key = validation.clean_email(new_email)
    except TextProblem as problem:
        raise FormErrors({"email": str(problem)}) from None
    if key == user.email_key:
        raise FormErrors({"email": "That is already your address."})
    if session.scalar(select(User.id).where(User.email_key == key)):
        raise FormErrors({"email": "That email address already has an account."})
    old = user.email or ""
    user.email, user.email_key, user.email_verified_at = email, key, None
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise FormErrors({"email": "That email address already has an account."}) from None
    return old


def change_password(
    session: Session,
    passwords: Passwords,
    user: User,
    current_password: str,
    new_password: str,
    *,
    keep_login: str | None,
) -> None:
    """Change the password; every other session of the user ends."""
    if not passwords.verify(user.password_hash, current_password):
        raise FormErrors({"current_password": "That is not your current password."})
    try:
        password = check_new_password(new_password, username=user.username, email=user.email or "")
    except TextProblem as problem:
        raise FormErrors({"new_password": str(problem)}) from None
    user.password_hash = passwords.hash(password)
    user.password_changed_at = utcnow()
    end_all_logins(session, user.id, keep=keep_login)


# --- roles ----------------------------------------------------------------------------------


def set_role(session: Session, user_id: int, role: Role) -> User:
    """Give a user a role; their sessions get new ids at their next request."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    if user.role != role:
        user.role = role
        session.execute(update(Login).where(Login.user_id == user.id).values(rotate=True))
    return user


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


def create_admin(
    session: Session, passwords: Passwords, username: str, email: str, password: str
) -> User:
    """Bootstrap an administrator (verified, since the operator typed the address)."""
    user = register(session, passwords, Registration(username, email, password))
    user.role = Role.ADMIN
    user.email_verified_at = utcnow()
    return user


# --- profiles -------------------------------------------------------------------------------


def get_by_username(session: Session, username: str) -> User:
    if len(username) > User.USERNAME_MAX * 2:
        raise NotFound(username)
    user = session.scalar(
        select(User).where(User.username_key == validation.username_key(username))
    )
    if user is None:
        raise NotFound(username)
    return user


# --- personal access tokens -----------------------------------------------------------------


def create_access_token(session: Session, user: User, raw_name: str) -> tuple[AccessToken, str]:
    """A new token; the secret is returned once and only its hash is kept."""
    try:
        name = clean_line(raw_name, field="Token name", max_length=AccessToken.NAME_MAX)
    except TextProblem as problem:
        raise FormErrors({"name": str(problem)}) from None
    secret = random_token(ACCESS_TOKEN_PREFIX)
    token = AccessToken(
        user_id=user.id, name=name, token_hash=hash_token(secret), prefix=secret[:10]
    )
    session.add(token)
    session.flush()
    return token, secret


def list_access_tokens(session: Session, user_id: int) -> list[AccessToken]:
    return list(
        session.scalars(
            select(AccessToken)
            .where(AccessToken.user_id == user_id)
            .order_by(AccessToken.created_at.desc())
        )
    )


def revoke_access_token(session: Session, user_id: int, token_id: int) -> bool:
    result = session.execute(
        delete(AccessToken).where(AccessToken.id == token_id, AccessToken.user_id == user_id)
    )
    return bool(result.rowcount)


def user_for_access_token(session: Session, secret: str) -> tuple[User, AccessToken] | None:
    """The user a bearer token belongs to, and the token (reads only; the caller records its
    use with ``token_used`` after the response, at most once a minute)."""
    if not secret.startswith(ACCESS_TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = session.execute(
        select(AccessToken, User)
        .join(User, User.id == AccessToken.user_id)
        .where(AccessToken.token_hash == hash_token(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    return (user, token) if user.can_log_in else None


TOKEN_TOUCH_EVERY = timedelta(minutes=1)


def token_use_is_stale(token: AccessToken) -> bool:
    return token.last_used_at is None or utcnow() - token.last_used_at > TOKEN_TOUCH_EVERY


def token_used(session: Session, token_id: int) -> None:
    """Record a token's use (conditional, so racing requests write once)."""
    now = utcnow()
    session.execute(
        update(AccessToken)
        .where(
            AccessToken.id == token_id,
            or_(
                AccessToken.last_used_at.is_(None),
                AccessToken.last_used_at <= now - TOKEN_TOUCH_EVERY,
            ),
        )
        .values(last_used_at=now)
    )
