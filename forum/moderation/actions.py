"""Moderators' decisions on comments: approve, reject, hide, restore, delete, edit — each
logged once.

Status changes go through ``forum.comments.service.set_status``, so counts and listeners stay
right. Two moderators acting on one item at once: each action first *claims* the comment with
a conditional UPDATE (``WHERE status = <the status the moderator saw>``). PostgreSQL makes the
second UPDATE wait for the first transaction and then finds no row; SQLite runs write
transactions one after the other, so the second sees the new status. Either way exactly one
action takes effect and is logged; the other gets ``AlreadyHandled`` saying who acted first. An
action that fails leaves nothing behind (it runs in a savepoint), so a page may show the
conflict and still commit the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments import service as comments
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.errors import DomainError, Invalid, NotFound
from forum.i18n import N_, gettext, ngettext
from forum.moderation import log, mails
from forum.moderation.context import Context, clean_reason
from forum.moderation.errors import AlreadyHandled
from forum.moderation.models import LogAction, LogEntry, Report, Violation
from forum.moderation.reach import Reach


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
    """What one decision of a bulk action came to."""

    comment_id: int
    ok: bool
    message: str
    comment_status: CommentStatus | None = None
    entry: LogEntry | None = None


def find_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(gettext("There is no such comment."))
    return comment


# Translators: what a comment's status is now, in "Already handled by ann (reject, 2 min ago):
# it is now rejected." and "This comment is not waiting for that decision: it is now hidden."
NOW = {
    CommentStatus.PUBLISHED: N_("it is now published"),
    CommentStatus.PENDING: N_("it is now pending"),
    CommentStatus.REJECTED: N_("it is now rejected"),
    CommentStatus.HIDDEN: N_("it is now hidden"),
    CommentStatus.DELETED: N_("it is now deleted"),
}
# Translators: a moderation action's name, in "Already handled by ann (reject, 2 min ago)".
ACTION_NAMES = {
    LogAction.APPROVE: N_("approve"),
    LogAction.REJECT: N_("reject"),
    LogAction.HIDE: N_("hide"),
    LogAction.AUTO_HIDE: N_("auto hide"),
    LogAction.RESTORE: N_("restore"),
    LogAction.DELETE: N_("delete"),
    LogAction.EDIT: N_("edit"),
    LogAction.LOCK: N_("lock"),
    LogAction.UNLOCK: N_("unlock"),
    LogAction.CLOSE: N_("close"),
    LogAction.REOPEN: N_("reopen"),
    LogAction.MODERATE_ALL: N_("moderate all"),
    LogAction.MODERATE_USUAL: N_("moderate usual"),
    LogAction.BAN: N_("ban"),
    LogAction.UNBAN: N_("unban"),
    LogAction.TRUST: N_("trust"),
    LogAction.UNTRUST: N_("untrust"),
    LogAction.APPEAL_UPHELD: N_("appeal upheld"),
    LogAction.APPEAL_OVERTURNED: N_("appeal overturned"),
    LogAction.SETTINGS: N_("settings"),
}
"""Each action by the name a moderator reads: the same msgid as the templates' ``action_label``
(``templates/moderation/_labels.html``), the value with spaces."""


def handled_message(session: Session, comment: Comment) -> str:
    """'Already handled by ann 2 minutes ago: now published.' — for the moderator who lost."""
    latest = log.latest_on_comment(session, comment.id)
    now_status = gettext(NOW[comment.status])
    if latest is None:
        return gettext(
            "This comment is not waiting for that decision: %(now_status)s.", now_status=now_status
        )
    entry, actor = latest
    who = actor or (
        gettext("the report threshold") if entry.actor_id is None else gettext("another moderator")
    )
    minutes = max(int((utcnow() - entry.created_at).total_seconds() // 60), 0)
    ago = (
        gettext("just now")
        if minutes < 1
        else ngettext("%(num)s min ago", "%(num)s min ago", minutes)
    )
    return gettext(
        "Already handled by %(who)s (%(action)s, %(ago)s): %(now_status)s.",
        who=who,
        action=gettext(ACTION_NAMES[entry.action]),
        ago=ago,
        now_status=now_status,
    )


def _already(session: Session, comment: Comment) -> AlreadyHandled:
    session.refresh(comment)
    return AlreadyHandled(handled_message(session, comment))


def claim(session: Session, comment: Comment, expected: CommentStatus) -> None:
    """Take the comment for this transaction if it is still ``expected``; else ``AlreadyHandled``.

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
    reach: Reach,
    tell_author: bool = True,
) -> LogEntry:
    """Carry out one decision on one comment and log it; ``AlreadyHandled`` if too late,
    ``Forbidden`` if the comment's thread is outside the moderator's ``reach``."""
    with session.begin_nested():  # a refusal after the claim leaves nothing behind
        comment, entry = _decide(session, ctx, comment_id, actor, decision, reach)
    if tell_author and decision.act in NEEDS_VIOLATION:
        _send_statement(session, ctx, comment, entry)
    return entry


def _decide(
    session: Session,
    ctx: Context,
    comment_id: int,
    actor: CurrentUser,
    decision: Decision,
    reach: Reach,
) -> tuple[Comment, LogEntry]:
    comment = find_comment(session, comment_id)
    reach.require(session, comment.article_id)
    if decision.act in NEEDS_VIOLATION and decision.violation is None:
        raise Invalid({"violation": gettext("Say which rule the comment breaks.")})
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
    return comment, entry


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
    session: Session,
    ctx: Context,
    comment_ids: list[int],
    actor: CurrentUser,
    decision: Decision,
    *,
    reach: Reach,
) -> list[Outcome]:
    """The same decision on several comments; each succeeds or fails on its own (one outside
    the moderator's ``reach`` fails)."""
    if decision.act in NEEDS_VIOLATION and decision.violation is None:
        raise Invalid({"violation": gettext("Say which rule the comments break.")})
    outcomes = []
    for comment_id in dict.fromkeys(comment_ids):
        try:
            entry = act(session, ctx, comment_id, actor, decision, reach=reach)
        except DomainError as exc:
            comment = session.get(Comment, comment_id)
            status = comment.status if comment else None
            outcomes.append(Outcome(comment_id, False, exc.message, comment_status=status))
        else:
            outcomes.append(
                Outcome(comment_id, True, "done", comment_status=TO[decision.act], entry=entry)
            )
    return outcomes


def edit(
    session: Session,
    ctx: Context,
    comment_id: int,
    actor: CurrentUser,
    body: str,
    reason: str,
    *,
    reach: Reach,
) -> Comment:
    """Replace a comment's text (the earlier text is kept as a revision) and log it;
    ``Invalid`` names ``body`` or ``reason`` when the form should be shown again, ``Forbidden``
    outside ``reach``."""
    found = find_comment(session, comment_id)
    reach.require(session, found.article_id)
    reason = clean_reason(reason)
    before = found.body_source
    comment = comments.edit_comment(
        session, ctx.hooks, comment_id, editor=actor, body=body, window=timedelta(0)
    )
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
