"""Personal access tokens: how scripts authenticate (``Authorization: Bearer fat_…``).

The secret is shown once; only its SHA-256 is stored. Reads never write: a token's use is
recorded after the response, at most once a minute.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from forum.accounts.logins import rowcount
from forum.accounts.models import AccessToken, User
from forum.accounts.tokens import hash_token, random_token
from forum.db import utcnow
from forum.errors import Invalid, NotFound
from forum.i18n import N_, format_number, gettext, ngettext
from forum.text import FieldWords, TextProblem, clean_line

ACCESS_TOKEN_PREFIX = "fat_"  # noqa: S105 - a label, not a secret
TOKEN_TOUCH_EVERY = timedelta(minutes=1)
TOKEN_NAME_WORDS = FieldWords(
    required=N_("Token name is required."),
    too_long=lambda limit: ngettext(
        "Token name must be at most %(max_length)s character.",
        "Token name must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("Token name contains a character that is not allowed."),
)


def create_access_token(session: Session, user: User, raw_name: str) -> tuple[AccessToken, str]:
    """A new token; the secret is returned once and only its hash is kept."""
    try:
        name = clean_line(raw_name, field=TOKEN_NAME_WORDS, max_length=AccessToken.NAME_MAX)
    except TextProblem as problem:
        raise Invalid({"name": str(problem)}) from None
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


def revoke_access_token(session: Session, user_id: int, token_id: int) -> None:
    """Revoke one of the user's tokens; anyone else's is as missing as a made-up one."""
    result = session.execute(
        delete(AccessToken).where(AccessToken.id == token_id, AccessToken.user_id == user_id)
    )
    if not rowcount(result):
        raise NotFound(gettext("There is no such token."))


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
