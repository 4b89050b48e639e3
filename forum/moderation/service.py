"""Moderators' actions: on comments, threads, articles and users — each logged once.

Status changes go through ``forum.comments.service.set_status``, so counts and listeners stay
right. Two moderators acting on one item at once: each action first *claims* the comment with
a conditional UPDATE (``WHERE status = <the status the moderator saw>``). PostgreSQL makes the
second UPDATE wait for the first transaction and then finds no row; SQLite runs write
transactions one after the other, so the second sees the new status. Either way exactly one
action takes effect and is logged; the other gets ``AlreadyHandled``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.articles.models import Article, CommentMode
from forum.comments import service as comments
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment, CommentStatus
from forum.comments.service import CommentNotFound, CommentRefused
from forum.comments.tree import ancestor_paths
from forum.db import utcnow
from forum.mail.outbox import Outbox
from forum.moderation import log, mails
from forum.moderation import policy as policies
from forum.moderation.errors import AlreadyHandled, NotFound, Refused
from forum.moderation.models import (
    Ban,
    LogAction,
    LogEntry,
    Report,
    ThreadLock,
    TrustedUser,
    Violation,
)
from forum.moderation.standing import active_ban
from forum.settings import Settings
from forum.text import TextProblem, clean_multiline
from forum.web.dates import byline_date

REASON_MAX = 2000


@dataclass(frozen=True)
class Context:
    """What actions need beyond the session: the comment hooks, the outbox, the settings."""

    hooks: CommentHooks
    outbox: Outbox
    settings: Settings


class Act(StrEnum):
    """What a moderator can do to one comment in a queue (and in bulk)."""

    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"
    RESTORE = "restore"
    DELETE = "delete"


FROM: dict[Act, frozenset[CommentStatus]] = {
    Act.APPROVE: frozenset({CommentStatus.PENDING, CommentStatus.HIDDEN, CommentStatus.PUBLISHED}),
    Act.REJECT: frozenset({CommentStatus.PENDING, CommentStatus.HIDDEN, CommentStatus.PUBLISHED}),
    Act.HIDE: frozenset({CommentStatus.PENDING, CommentStatus.PUBLISHED}),
    Act.RESTORE: frozenset({CommentStatus.HIDDEN, CommentStatus.REJECTED, CommentStatus.DELETED}),
    Act.DELETE: frozenset(
        {
            CommentStatus.PENDING,
            CommentStatus.PUBLISHED,
            CommentStatus.HIDDEN,
            CommentStatus.REJECTED,
        }
    ),
}
"""The statuses each action applies to (approving a published comment dismisses its reports)."""

TO: dict[Act, CommentStatus] = {
    Act.APPROVE: CommentStatus.PUBLISHED,
    Act.REJECT: CommentStatus.REJECTED,
    Act.HIDE: CommentStatus.HIDDEN,
    Act.RESTORE: CommentStatus.PUBLISHED,
    Act.DELETE: CommentStatus.DELETED,
}
NEEDS_VIOLATION = frozenset({Act.REJECT, Act.HIDE})
"""Actions whose statement of reasons names the rule broken."""


@dataclass(frozen=True)
class Decision:
    act: Act
    violation: Violation | None = None
    reason: str = ""
    """The moderator's words; for rejections and hides they are sent to the author."""
    expected: CommentStatus | None = None
    """The status the moderator saw; None: whatever it is now."""


@dataclass(frozen=True)
class Outcome:
    comment_id: int
    ok: bool
    message: str
    status: int = 200
    """The HTTP status this item alone would get."""
    comment_status: CommentStatus | None = None
    entry: LogEntry | None = None


def clean_reason(raw: str, *, required: bool = False, label: str = "Reason") -> str:
    try:
        return clean_multiline(raw, field=label, max_length=REASON_MAX, required=required)
    except TextProblem as problem:
        raise Refused(str(problem), status=400, field="reason") from None


def _comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("There is no such comment.")
    return comment


def handled_message(session: Session, comment: Comment) -> str:
    """'Already handled by ann 2 minutes ago: now published.' — for the moderator who lost."""
    latest = log.latest_on_comment(session, comment.id)
    now_status = f"it is now {comment.status.value}"
    if latest is None:
        return f"This comment is not waiting for that decision: {now_status}."
    entry, actor = latest
    who = actor or ("the report threshold" if entry.actor_id is None else "another moderator")
    minutes = max(int((utcnow() - entry.created_at).total_seconds() // 60), 0)
    ago = "just now" if minutes < 1 else f"{minutes} min ago"
    return f"Already handled by {who} ({entry.action.value}, {ago}): {now_status}."


def _already(session: Session, comment: Comment) -> AlreadyHandled:
    session.refresh(comment)
    return AlreadyHandled(handled_message(session, comment))


def claim(session: Session, comment: Comment, expected: CommentStatus) -> None:
    """Take the comment for this transaction if it is still ``expected``; else AlreadyHandled.

    The UPDATE locks the row on PostgreSQL until commit, so a second claim waits and then
    matches no row; the ORM copy is refreshed from the row this transaction now holds.
    """
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id, Comment.status == expected)
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise _already(session, comment)
    session.refresh(comment)


def resolve_reports(session: Session, comment_id: int) -> int:
    """Close the open reports of a comment (a moderator decided); returns how many."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Report)
            .where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
            .values(resolved_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount


def has_open_reports(session: Session, comment_id: int) -> bool:
    return bool(
        session.scalar(
            select(exists().where(Report.comment_id == comment_id, Report.resolved_at.is_(None)))
        )
    )


def act(
    session: Session,
    ctx: Context,
    comment_id: int,
    actor: CurrentUser,
    decision: Decision,
    *,
    tell_author: bool = True,
) -> LogEntry:
    """Carry out one decision on one comment and log it; ``AlreadyHandled`` if too late."""
    comment = _comment(session, comment_id)
    if decision.act in NEEDS_VIOLATION and decision.violation is None:
        raise Refused("Say which rule the comment breaks.", status=400, field="violation")
    reason = clean_reason(decision.reason)
    expected = decision.expected or comment.status
    if comment.status != expected or expected not in FROM[decision.act]:
        raise _already(session, comment)
    dismissing = decision.act is Act.APPROVE and expected is CommentStatus.PUBLISHED
    if dismissing and not has_open_reports(session, comment.id):
        raise _already(session, comment)
    claim(session, comment, expected)
    previous = comment.status
    resolved = resolve_reports(session, comment.id)
    if dismissing and not resolved:  # another moderator dismissed them a moment ago
        raise _already(session, comment)
    comments.set_status(session, ctx.hooks, comment, TO[decision.act])
    detail = f"was {previous.value}" + (f"; {resolved} reports closed" if resolved else "")
    entry = log.record_on_comment(
        session,
        actor_id=actor.id,
        action=LogAction(decision.act.value),
        comment=comment,
        violation=decision.violation if decision.act in NEEDS_VIOLATION else None,
        reason=reason,
        detail=detail,
    )
    if tell_author and decision.act in NEEDS_VIOLATION:
        _send_statement(session, ctx, comment, entry)
    return entry


def _send_statement(session: Session, ctx: Context, comment: Comment, entry: LogEntry) -> None:
    author = session.get(User, comment.author_id) if comment.author_id else None
    article = session.get(Article, comment.article_id)
    if author is None or author.email is None or article is None:
        return
    mails.statement_of_reasons(
        ctx.outbox,
        session,
        ctx.settings,
        author=author,
        comment=comment,
        article=article,
        decision=entry,
    )


def act_on_many(
    session: Session, ctx: Context, comment_ids: list[int], actor: CurrentUser, decision: Decision
) -> list[Outcome]:
    """The same decision on several comments; each succeeds or fails on its own."""
    outcomes = []
    for comment_id in dict.fromkeys(comment_ids):
        savepoint = session.begin_nested()
        try:
            entry = act(session, ctx, comment_id, actor, decision)
        except (AlreadyHandled, NotFound, Refused) as exc:
            savepoint.rollback()
            comment = session.get(Comment, comment_id)
            outcomes.append(
                Outcome(
                    comment_id,
                    False,
                    exc.message,
                    exc.status,
                    comment_status=comment.status if comment else None,
                )
            )
        else:
            savepoint.commit()
            outcomes.append(
                Outcome(comment_id, True, "done", comment_status=TO[decision.act], entry=entry)
            )
    return outcomes


def edit(
    session: Session, ctx: Context, comment_id: int, actor: CurrentUser, body: str, reason: str
) -> Comment:
    """Replace a comment's text (the earlier text is kept as a revision) and log it."""
    reason = clean_reason(reason)
    before = _comment(session, comment_id).body_source
    try:
        comment = comments.edit_comment(
            session, ctx.hooks, comment_id, editor=actor, body=body, window=timedelta(0)
        )
    except CommentNotFound:
        raise NotFound("There is no such comment.") from None
    except CommentRefused as exc:
        raise Refused(exc.message, status=exc.status, field=exc.field) from None
    if comment.body_source == before:
        return comment
    log.record_on_comment(
        session,
        actor_id=actor.id,
        action=LogAction.EDIT,
        comment=comment,
        reason=reason,
    )
    return comment


# --- threads and articles --------------------------------------------------------------------


def lock(session: Session, comment_id: int, actor: CurrentUser, reason: str = "") -> None:
    """No new replies anywhere below this comment."""
    comment = _comment(session, comment_id)
    if session.get(ThreadLock, comment.id) is not None:
        raise AlreadyHandled("This thread is already locked.")
    session.add(ThreadLock(comment_id=comment.id, locked_by_id=actor.id))
    session.flush()
    log.record_on_comment(
        session,
        actor_id=actor.id,
        action=LogAction.LOCK,
        comment=comment,
        reason=clean_reason(reason),
    )


def unlock(session: Session, comment_id: int, actor: CurrentUser, reason: str = "") -> None:
    comment = _comment(session, comment_id)
    found = session.get(ThreadLock, comment.id)
    if found is None:
        raise AlreadyHandled("This thread is not locked.")
    session.delete(found)
    session.flush()
    log.record_on_comment(
        session,
        actor_id=actor.id,
        action=LogAction.UNLOCK,
        comment=comment,
        reason=clean_reason(reason),
    )


def locked_above(session: Session, parent: Comment) -> ThreadLock | None:
    """The lock on ``parent`` or one of its ancestors, if any: replies below it are refused."""
    paths = [*ancestor_paths(parent.path), parent.path]
    return session.scalar(
        select(ThreadLock)
        .join(Comment, Comment.id == ThreadLock.comment_id)
        .where(Comment.article_id == parent.article_id, Comment.path.in_(paths))
        .limit(1)
    )


def is_locked(session: Session, comment_id: int) -> bool:
    return session.get(ThreadLock, comment_id) is not None


def find_article(session: Session, slug: str) -> Article:
    article = session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound("There is no such article.")
    return article


def set_comment_mode(
    session: Session, slug: str, actor: CurrentUser, mode: CommentMode, reason: str = ""
) -> Article:
    """Close (no new comments, the thread stays) or reopen comments on an article."""
    article = find_article(session, slug)
    if mode not in {CommentMode.OPEN, CommentMode.CLOSED}:
        raise Refused("Comments can be closed or reopened here.", status=400)
    if article.comment_mode is CommentMode.HIDDEN:
        raise Refused("Comments on this article are hidden; editors decide that.", status=409)
    before = CommentMode.OPEN if mode is CommentMode.CLOSED else CommentMode.CLOSED
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Article)
            .where(Article.id == article.id, Article.comment_mode == before)
            .values(comment_mode=mode, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise AlreadyHandled(f"Comments on this article are already {mode.value}.")
    session.refresh(article)
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.CLOSE if mode is CommentMode.CLOSED else LogAction.REOPEN,
        article_id=article.id,
        reason=clean_reason(reason),
    )
    return article


def set_moderate_all(
    session: Session, ctx: Context, slug: str, actor: CurrentUser, on: bool, reason: str = ""
) -> Article:
    """Hold every new comment on an article for review, or go back to the usual rules."""
    article = find_article(session, slug)
    policy = policies.load(session, ctx.settings)
    if policies.moderates_all(session, policy, article) == on:
        raise AlreadyHandled(
            "Every comment on this article is already held."
            if on
            else "This article already follows the usual rules."
        )
    policies.set_article_rule(session, article.id, on)
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.MODERATE_ALL if on else LogAction.MODERATE_USUAL,
        article_id=article.id,
        reason=clean_reason(reason),
    )
    return article


# --- users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BanRequest:
    reason: str
    days: int | None
    """None: for good."""
    reject_all: bool = False
    violation: Violation = Violation.ABUSE


@dataclass
class BanResult:
    ban: Ban
    rejected: list[int] = field(default_factory=list)


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username_key == username.casefold()))
    if user is None:
        raise NotFound("There is no such user.")
    return user


def _not_staff(user: User, actor: CurrentUser) -> None:
    if user.id == actor.id:
        raise Refused("You cannot do that to yourself.")
    if user.is_staff:
        raise Refused("Moderators and administrators are not banned or trusted here.")


def ban(
    session: Session, ctx: Context, username: str, actor: CurrentUser, request: BanRequest
) -> BanResult:
    """Stop a user from posting, editing and reporting; optionally reject all their comments."""
    user = find_user(session, username)
    _not_staff(user, actor)
    reason = clean_reason(request.reason, required=True)
    if request.days is not None and not 1 <= request.days <= 3650:
        raise Refused("A ban lasts between 1 and 3650 days, or for good.", status=400)
    now = utcnow()
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    current = active_ban(session, user.id, now)
    if current is not None:
        current.lifted_at = now
        current.lifted_by_id = actor.id
    expires = now + timedelta(days=request.days) if request.days is not None else None
    new = Ban(
        user_id=user.id,
        reason=reason,
        created_at=now,
        expires_at=expires,
        created_by_id=actor.id,
    )
    session.add(new)
    session.flush()
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.BAN,
        target_user_id=user.id,
        reason=reason,
        detail="for good" if expires is None else f"until {expires.isoformat(timespec='minutes')}",
    )
    result = BanResult(new)
    if request.reject_all:
        result.rejected = _reject_everything_by(session, ctx, user, actor, request.violation)
    if user.email is not None:
        mails.ban_notice(
            ctx.outbox, session, ctx.settings, user=user, ban=new, rejected=len(result.rejected)
        )
    return result


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
            act(session, ctx, comment_id, actor, decision, tell_author=False)
        except AlreadyHandled:
            continue
        done.append(comment_id)
    return done


def unban(session: Session, username: str, actor: CurrentUser, reason: str = "") -> None:
    user = find_user(session, username)
    now = utcnow()
    current = active_ban(session, user.id, now)
    if current is None:
        raise AlreadyHandled(f"{user.username} is not banned.")
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
        raise AlreadyHandled(f"{user.username} is not banned.")
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.UNBAN,
        target_user_id=user.id,
        reason=clean_reason(reason),
    )


def set_trust(
    session: Session, username: str, actor: CurrentUser, trusted: bool, reason: str = ""
) -> None:
    """Trusted users' comments skip pre-moderation (not the honeypot or the block list)."""
    user = find_user(session, username)
    if trusted:
        _not_staff(user, actor)
    row = session.get(TrustedUser, user.id)
    if (row is not None) == trusted:
        raise AlreadyHandled(f"{user.username} is {'already' if trusted else 'not'} trusted.")
    if trusted:
        session.add(TrustedUser(user_id=user.id, granted_by_id=actor.id))
    else:
        session.delete(row)
    session.flush()
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.TRUST if trusted else LogAction.UNTRUST,
        target_user_id=user.id,
        reason=clean_reason(reason),
    )


def ban_message(ban: Ban, settings: Settings) -> str:
    """What a banned user is told: why, and until when."""
    until = (
        "for good"
        if ban.expires_at is None
        else f"until {byline_date(ban.expires_at, settings.tz)}"
    )
    return f"You are banned from commenting {until}. Reason: {ban.reason}"


def expires_in(ban: Ban, now: datetime | None = None) -> timedelta | None:
    return None if ban.expires_at is None else ban.expires_at - (now or utcnow())
