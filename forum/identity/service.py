"""The rules of signing in with an identity vouched for elsewhere, whoever vouches for it.

An ``ExternalClaim`` is what a provider (an OpenID Connect issuer, later a site's own login
as ``site:<id>``) asserts about a person. An account is found by (issuer, subject) only,
never by address; a new one is made under the rules of registration (the name's form, bans
of names and addresses through ``AccountHooks.before_identity``); the address counts as
confirmed only when the provider says it checked it. Plain functions over a session: the
request-level parts (sessions, hooks that need the request, throttling) are in ``flows``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.accounts import service as accounts
from forum.accounts import validation
from forum.accounts.hooks import AccountHooks
from forum.accounts.models import UNUSABLE_PASSWORD, Role, User
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.i18n import N_, gettext
from forum.identity.models import LinkedIdentity
from forum.text import TextProblem

ADDRESS_HAS_ACCOUNT = N_(
    "That email address already has an account here. Log in with your password, then link "
    "this sign-in on your account page (/account)."
)
LINKED_ELSEWHERE = N_("That sign-in is linked to another account.")
LAST_WAY_IN = N_(
    "This is the only way into your account. Set a password first (ask for a reset link at "
    "/password/forgot) or link another sign-in, then unlink this one."
)


@dataclass(frozen=True)
class ExternalClaim:
    """Who a provider says the person is. ``subject`` is the provider's stable id for them;
    ``email_verified`` is only ever what the provider itself asserted."""

    issuer: str
    subject: str
    label: str
    email: str | None = None
    email_verified: bool = False
    preferred_username: str = ""

    def __post_init__(self) -> None:
        if not self.issuer or not self.subject:
            raise ValueError("an external claim needs an issuer and a subject")
        if len(self.issuer) > LinkedIdentity.ISSUER_MAX:
            raise ValueError("issuer too long")
        if len(self.subject) > LinkedIdentity.SUBJECT_MAX:
            raise ValueError("subject too long")


def linked_user(session: Session, claim: ExternalClaim) -> User | None:
    """The account linked to the claim's (issuer, subject) that may log in, its use noted."""
    row = session.execute(
        select(LinkedIdentity, User)
        .join(User, User.id == LinkedIdentity.user_id)
        .where(LinkedIdentity.issuer == claim.issuer, LinkedIdentity.subject == claim.subject)
    ).first()
    if row is None:
        return None
    identity, user = row
    if not user.can_log_in:
        return None
    identity.last_used_at = utcnow()
    return user


def suggested_username(claim: ExternalClaim) -> str:
    """A name to offer in the form: the provider's, reduced to what a username may hold."""
    base = claim.preferred_username or (claim.email or "").partition("@")[0]
    return re.sub(r"[^A-Za-z0-9_-]", "", base)[: User.USERNAME_MAX]


def _clean_username(session: Session, raw: str) -> str:
    try:
        username = validation.clean_username(raw)
    except TextProblem as problem:
        raise Invalid({"username": str(problem)}) from None
    taken = accounts.username_taken(session, username)
    if taken:
        raise Invalid(taken)
    return username


def _clean_email(session: Session, raw: str) -> tuple[str, str]:
    try:
        email, key = validation.clean_email(raw)
    except TextProblem as problem:
        raise Invalid({"email": str(problem)}) from None
    if accounts.address_owner(session, key) is not None:
        raise Invalid({"email": gettext(ADDRESS_HAS_ACCOUNT)})
    return email, key


def create_account(
    session: Session, hooks: AccountHooks, claim: ExternalClaim, *, username: str, email: str
) -> User:
    """A reader account for a claim nobody has linked yet, with the chosen username and
    address, and the identity linked to it. ``Invalid`` by field as registration says it
    (form, taken, banned). The address is confirmed only when it is the one the provider
    vouched for; the account has no password (``UNUSABLE_PASSWORD``)."""
    name, address = _clean_username(session, username), _clean_email(session, email)
    hooks.check_identity(session, username=name, email=address[0])
    if _find(session, claim) is not None:
        raise Conflict(gettext(LINKED_ELSEWHERE))
    vouched = claim.email_verified and (claim.email or "").casefold() == address[0].casefold()
    now = utcnow()
    user = User(
        username=name,
        username_key=validation.username_key(name),
        email=address[0],
        email_key=address[1],
        display_name=name,
        password_hash=UNUSABLE_PASSWORD,
        role=Role.READER,
        email_verified_at=now if vouched else None,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
            session.add(_identity(user.id, claim))
            session.flush()
    except IntegrityError:
        raise Invalid({"username": gettext(accounts.USERNAME_TAKEN)}) from None
    return user


def _identity(user_id: int, claim: ExternalClaim) -> LinkedIdentity:
    now = utcnow()
    return LinkedIdentity(
        user_id=user_id,
        issuer=claim.issuer,
        subject=claim.subject,
        label=claim.label[: LinkedIdentity.LABEL_MAX],
        email=claim.email[:254] if claim.email else None,
        created_at=now,
        last_used_at=now,
    )


def _find(session: Session, claim: ExternalClaim) -> LinkedIdentity | None:
    return session.scalar(
        select(LinkedIdentity).where(
            LinkedIdentity.issuer == claim.issuer, LinkedIdentity.subject == claim.subject
        )
    )


def link(session: Session, user_id: int, claim: ExternalClaim) -> LinkedIdentity:
    """Link the claim to a logged-in account (again: its use noted); ``Conflict`` when the
    identity is another account's."""
    found = _find(session, claim)
    if found is not None:
        if found.user_id != user_id:
            raise Conflict(gettext(LINKED_ELSEWHERE))
        found.last_used_at = utcnow()
        return found
    identity = _identity(user_id, claim)
    try:
        with session.begin_nested():
            session.add(identity)
            session.flush()
    except IntegrityError:
        raise Conflict(gettext(LINKED_ELSEWHERE)) from None
    return identity


def identities_of(session: Session, user_id: int) -> list[LinkedIdentity]:
    return list(
        session.scalars(
            select(LinkedIdentity)
            .where(LinkedIdentity.user_id == user_id)
            .order_by(LinkedIdentity.created_at, LinkedIdentity.id)
        )
    )


def unlink(session: Session, user_id: int, identity_id: int) -> LinkedIdentity:
    """Remove one of the user's identities; ``Forbidden`` when it is their last way in (no
    password and no other identity), ``NotFound`` when it is not theirs."""
    identity = session.get(LinkedIdentity, identity_id)
    if identity is None or identity.user_id != user_id:
        raise NotFound(gettext("There is no such sign-in on your account."))
    user = accounts.get_user(session, user_id)
    others = session.scalar(
        select(func.count())
        .select_from(LinkedIdentity)
        .where(LinkedIdentity.user_id == user_id, LinkedIdentity.id != identity_id)
    )
    if not user.has_password and not others:
        raise Forbidden(gettext(LAST_WAY_IN))
    session.delete(identity)
    session.flush()
    return identity
