"""Readers report comments: once each, with a reason; enough reports hide a comment until a
moderator decides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.comments import service as comments
from forum.comments.models import Comment, CommentStatus
from forum.errors import Forbidden, Invalid, NotFound
from forum.i18n import N_, format_number, gettext, ngettext
from forum.moderation import log, statements
from forum.moderation import policy as policies
from forum.moderation.actions import claim
from forum.moderation.context import Context
from forum.moderation.errors import AlreadyHandled
from forum.moderation.models import LogAction, Report, Violation
from forum.moderation.standing import active_ban
from forum.moderation.users import ban_message
from forum.text import FieldWords, TextProblem, clean_multiline

ALREADY_REPORTED = N_("You have already reported this comment. Moderators will look.")
# Translators: the note a reader adds to a report of a comment (what is wrong with it).
NOTE_WORDS = FieldWords(
    required=N_("Note is required."),
    too_long=lambda limit: ngettext(
        "Note must be at most %(max_length)s character.",
        "Note must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("Note contains a character that is not allowed."),
)


@dataclass(frozen=True)
class Filed:
    """A report as filed, and whether it hid the comment (the threshold was reached)."""

    report: Report
    hidden: bool
    article_slug: str
    """Where the reporter lands when the report hid the comment (its page is gone for them)."""


def open_counts(session: Session, article_id: int) -> dict[int, int]:
    """Open reports per comment of an article (comments' ``open_reports`` hook: the
    "reported" flag moderators see in the thread)."""
    rows = session.execute(
        select(Report.comment_id, func.count())
        .join(Comment, Comment.id == Report.comment_id)
        .where(Comment.article_id == article_id, Report.resolved_at.is_(None))
        .group_by(Report.comment_id)
    )
    return dict(rows.all())


def reportable(session: Session, comment_id: int, reporter: CurrentUser) -> Comment:
    """The comment, if this reader may report it; otherwise why not (404 for a comment they
    may not see, by the one visibility rule)."""
    comment = comments.visible_comment(session, comment_id, comments.Viewer.of(reporter))
    if comment.status is not CommentStatus.PUBLISHED:
        raise NotFound(gettext("There is no such comment to report."))
    if comment.author_id == reporter.id:
        raise Forbidden(gettext("You cannot report your own comment."))
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
) -> Filed:
    """Record a report; the one that reaches the threshold hides the comment. ``Invalid``
    (the note) and ``AlreadyHandled`` (reported before) are for the form to show."""
    ban = active_ban(session, reporter.id)
    if ban is not None:
        raise Forbidden(ban_message(ban, ctx.settings))
    comment = reportable(session, comment_id, reporter)
    try:
        note = clean_multiline(
            note, field=NOTE_WORDS, max_length=Report.NOTE_MAX, required=reason is Violation.OTHER
        )
    except TextProblem as problem:
        raise Invalid({"note": str(problem)}) from None
    if already_reported(session, comment.id, reporter.id):
        raise AlreadyHandled(gettext(ALREADY_REPORTED))
    report = Report(comment_id=comment.id, reporter_id=reporter.id, reason=reason, note=note)
    savepoint = session.begin_nested()
    session.add(report)
    try:
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        raise AlreadyHandled(gettext(ALREADY_REPORTED)) from None
    savepoint.commit()
    hidden = _hide_at_threshold(session, ctx, comment)
    return Filed(report, hidden, comments.article_slug(session, comment.article_id))


def open_reports(session: Session, comment_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Report.id)).where(
                Report.comment_id == comment_id, Report.resolved_at.is_(None)
            )
        )
        or 0
    )


def _hide_at_threshold(session: Session, ctx: Context, comment: Comment) -> bool:
    """Hide the comment if this report reached the threshold; whether it is hidden now."""
    threshold = policies.load(session, ctx.settings).reports_to_hide
    count = open_reports(session, comment.id)
    if count < threshold or comment.status is not CommentStatus.PUBLISHED:
        return _hidden(comment)
    try:
        claim(session, comment, CommentStatus.PUBLISHED)
    except AlreadyHandled:  # decided (or hidden by another report) at the same moment: refreshed
        return _hidden(comment)
    comments.set_status(session, ctx.hooks, comment, CommentStatus.HIDDEN)
    entry = log.record(
        session,
        actor_id=None,
        action=LogAction.AUTO_HIDE,
        comment_id=comment.id,
        article_id=comment.article_id,
        target_user_id=comment.author_id,
        detail=f"{count} open reports (threshold {threshold})",
    )
    statements.tell_auto_hidden(session, ctx, comment, entry)
    return True


def _hidden(comment: Comment) -> bool:
    return comment.status is CommentStatus.HIDDEN
