"""Moderators' actions on users: ban (for a while or for good, optionally rejecting all their
comments), lift a ban, trust (skip pre-moderation) or stop trusting — each logged once.

An action already done answers ``AlreadyHandled`` before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.errors import Forbidden, Invalid, NotFound
from forum.i18n import gettext, ngettext
from forum.moderation import banned, log, mails
from forum.moderation.actions import Act, Decision, act
from forum.moderation.banned import BannedIdentities
from forum.moderation.context import Context, clean_reason
from forum.moderation.errors import AlreadyHandled
from forum.moderation.models import Ban, LogAction, TrustedUser, Violation
from forum.moderation.reach import EVERYTHING
from forum.moderation.standing import AuthorRecord, active_ban, records
from forum.settings import Settings
from forum.web.dates import byline_date

BAN_DAYS_MAX = 3650


class UserAct(StrEnum):
    BAN = "ban"
    UNBAN = "unban"
    TRUST = "trust"
    UNTRUST = "untrust"


@dataclass(frozen=True)
class UserChange:
    """What a moderator asks for one user (the ``days``, ``reject_all`` and ``violation``
    only matter for a ban)."""

    act: UserAct
    reason: str = ""
    days: int | None = None
    """None: for good."""
    reject_all: bool = False
    """Reject every comment of theirs that is still up or waiting."""
    violation: Violation = Violation.ABUSE


@dataclass
class Standing:
    """A user after the change: their record, and the comments a ban rejected."""

    user: User
    record: AuthorRecord
    rejected: list[int] = field(default_factory=list)


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username_key == username.casefold()))
    if user is None:
        raise NotFound(gettext("There is no such user."))
    return user


def standing(session: Session, username: str) -> Standing:
    """A user and their record (for their moderation page)."""
    user = find_user(session, username)
    return Standing(user, records(session, {user.id})[user.id])


def change(
    session: Session, ctx: Context, username: str, actor: CurrentUser, request: UserChange
) -> Standing:
    """Ban, unban, trust or untrust a user; their standing afterwards."""
    if request.act is UserAct.BAN:
        rejected = ban(session, ctx, username, actor, request)
    elif request.act is UserAct.UNBAN:
        rejected = []
        unban(session, username, actor, request.reason)
    else:
        rejected = []
        set_trust(session, username, actor, request.act is UserAct.TRUST, request.reason)
    found = standing(session, username)
    found.rejected = rejected
    return found


def _not_staff(user: User, actor: CurrentUser) -> None:
    if user.id == actor.id:
        raise Forbidden(gettext("You cannot do that to yourself."))
    if user.is_staff:
        raise Forbidden(gettext("Moderators and administrators are not banned or trusted here."))


def ban(
    session: Session, ctx: Context, username: str, actor: CurrentUser, request: UserChange
) -> list[int]:
    """Stop a user from posting, editing and reporting; optionally reject all their comments
    (their ids are returned). The user is told by mail."""
    user = find_user(session, username)
    _not_staff(user, actor)
    reason = clean_reason(request.reason, required=True)
    if request.days is not None and not 1 <= request.days <= BAN_DAYS_MAX:
        raise Invalid(
            {
                "days": ngettext(
                    "A ban lasts between 1 and %(num)s day, or for good.",
                    "A ban lasts between 1 and %(num)s days, or for good.",
                    BAN_DAYS_MAX,
                )
            }
        )
    now = utcnow()
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    current = active_ban(session, user.id, now)
    if current is not None:
        current.lifted_at = now
        current.lifted_by_id = actor.id
    expires = now + timedelta(days=request.days) if request.days is not None else None
    new = Ban(
        user_id=user.id, reason=reason, created_at=now, expires_at=expires, created_by_id=actor.id
    )
    session.add(new)
    session.flush()
    BannedIdentities.of(ctx.settings).remember(session, user, new)
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.BAN,
        target_user_id=user.id,
        reason=reason,
        detail="for good" if expires is None else f"until {expires.isoformat(timespec='minutes')}",
    )
    rejected = (
        _reject_everything_by(session, ctx, user, actor, request.violation)
        if request.reject_all
        else []
    )
    if user.email is not None:
        mails.ban_notice(
            ctx.outbox, session, ctx.settings, user=user, ban=new, rejected=len(rejected)
        )
    return rejected


def _reject_everything_by(
    session: Session, ctx: Context, user: User, actor: CurrentUser, violation: Violation
) -> list[int]:
    visible = [CommentStatus.PUBLISHED, CommentStatus.PENDING, CommentStatus.HIDDEN]
    ids = list(
        session.scalars(
            select(Comment.id)
            .where(Comment.author_id == user.id, Comment.status.in_(visible))
            .order_by(Comment.id)
        )
    )
    decision = Decision(Act.REJECT, violation=violation, reason="Rejected with the author's ban.")
    done = []
    for comment_id in ids:
        try:
            act(session, ctx, comment_id, actor, decision, reach=EVERYTHING, tell_author=False)
        except AlreadyHandled:
            continue
        done.append(comment_id)
    return done


def unban(session: Session, username: str, actor: CurrentUser, reason: str = "") -> None:
    """Lift a user's ban."""
    user = find_user(session, username)
    reason = clean_reason(reason)
    now = utcnow()
    current = active_ban(session, user.id, now)
    if current is None:
        raise AlreadyHandled(gettext("%(username)s is not banned.", username=user.username))
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Ban)
            .where(Ban.id == current.id, Ban.lifted_at.is_(None))
            .values(lifted_at=now, lifted_by_id=actor.id)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise AlreadyHandled(gettext("%(username)s is not banned.", username=user.username))
    banned.release(session, user.id)
    log.record(
        session, actor_id=actor.id, action=LogAction.UNBAN, target_user_id=user.id, reason=reason
    )


def set_trust(
    session: Session, username: str, actor: CurrentUser, trusted: bool, reason: str = ""
) -> None:
    """Trusted users' comments skip pre-moderation (not the honeypot or the block list)."""
    user = find_user(session, username)
    if trusted:
        _not_staff(user, actor)
    reason = clean_reason(reason)
    row = session.get(TrustedUser, user.id)
    if (row is not None) == trusted:
        raise AlreadyHandled(
            gettext("%(username)s is already trusted.", username=user.username)
            if trusted
            else gettext("%(username)s is not trusted.", username=user.username)
        )
    if trusted:
        session.add(TrustedUser(user_id=user.id, granted_by_id=actor.id))
    elif row is not None:
        session.delete(row)
    session.flush()
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.TRUST if trusted else LogAction.UNTRUST,
        target_user_id=user.id,
        reason=reason,
    )


def ban_message(ban: Ban, settings: Settings) -> str:
    """What a banned user is told: why, and until when."""
    if ban.expires_at is None:
        return gettext(
            "You are banned from commenting for good. Reason: %(reason)s", reason=ban.reason
        )
    return gettext(
        "You are banned from commenting until %(date)s. Reason: %(reason)s",
        date=byline_date(ban.expires_at, settings.tz),
        reason=ban.reason,
    )
