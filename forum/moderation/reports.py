"""Readers report comments: once each, with a reason; enough reports hide a comment until a
moderator decides."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.comments import service as comments
from forum.comments.models import Comment, CommentStatus
from forum.moderation import log
from forum.moderation import policy as policies
from forum.moderation.errors import AlreadyHandled, NotFound, Refused
from forum.moderation.models import LogAction, Report, Violation
from forum.moderation.service import Context, ban_message, claim
from forum.moderation.standing import active_ban
from forum.text import TextProblem, clean_multiline


class AlreadyReported(AlreadyHandled):
    """This reader has reported this comment before."""


def reportable(session: Session, comment_id: int, reporter: CurrentUser) -> Comment:
    """The comment, if this reader may report it; otherwise why not."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status is not CommentStatus.PUBLISHED:
        raise NotFound("There is no such comment to report.")
    if comment.author_id == reporter.id:
        raise Refused("You cannot report your own comment.")
    return comment


def already_reported(session: Session, comment_id: int, reporter_id: int) -> bool:
    return (
        session.scalar(
            select(Report.id).where(
                Report.comment_id == comment_id, Report.reporter_id == reporter_id
            )
        )
        is not None
    )


def file_report(
    session: Session,
    ctx: Context,
    comment_id: int,
    reporter: CurrentUser,
    reason: Violation,
    note: str = "",
) -> Report:
    """Record a report; the one that reaches the threshold hides the comment."""
    ban = active_ban(session, reporter.id)
    if ban is not None:
        raise Refused(ban_message(ban, ctx.settings))
    comment = reportable(session, comment_id, reporter)
    try:
        note = clean_multiline(
            note, field="Note", max_length=Report.NOTE_MAX, required=reason is Violation.OTHER
        )
    except TextProblem as problem:
        raise Refused(str(problem), status=400, field="note") from None
    if already_reported(session, comment.id, reporter.id):
        raise AlreadyReported("You have already reported this comment. Moderators will look.")
    report = Report(comment_id=comment.id, reporter_id=reporter.id, reason=reason, note=note)
    savepoint = session.begin_nested()
    session.add(report)
    try:
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        raise AlreadyReported(
            "You have already reported this comment. Moderators will look."
        ) from None
    savepoint.commit()
    _hide_at_threshold(session, ctx, comment)
    return report


def open_reports(session: Session, comment_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Report.id)).where(
                Report.comment_id == comment_id, Report.resolved_at.is_(None)
            )
        )
        or 0
    )


def _hide_at_threshold(session: Session, ctx: Context, comment: Comment) -> None:
    threshold = policies.load(session, ctx.settings).reports_to_hide
    count = open_reports(session, comment.id)
    if count < threshold or comment.status is not CommentStatus.PUBLISHED:
        return
    try:
        claim(session, comment, CommentStatus.PUBLISHED)
    except AlreadyHandled:  # hidden by a report that came in at the same moment
        return
    comments.set_status(session, ctx.hooks, comment, CommentStatus.HIDDEN)
    log.record(
        session,
        actor_id=None,
        action=LogAction.AUTO_HIDE,
        comment_id=comment.id,
        article_id=comment.article_id,
        target_user_id=comment.author_id,
        detail=f"{count} open reports (threshold {threshold})",
    )
