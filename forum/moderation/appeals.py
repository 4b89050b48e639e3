"""Appeals: an author contests a rejection or hide once; another moderator decides, where
there is one, and the outcome is logged and told to the author (DSA art. 20)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role, User
from forum.articles.models import Article
from forum.comments import service as comments
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, NotFound
from forum.i18n import N_, format_number, gettext, ngettext
from forum.moderation import log, mails
from forum.moderation.actions import claim
from forum.moderation.context import Context, clean_reason
from forum.moderation.errors import AlreadyHandled
from forum.moderation.models import Appeal, AppealStatus, LogAction, LogEntry
from forum.moderation.reach import Reach
from forum.moderation.statements import APPEALABLE
from forum.text import FieldWords

DECIDED = frozenset({CommentStatus.REJECTED, CommentStatus.HIDDEN})
# Translators: an appeal is what an author writes to ask moderators to reconsider a decision.
APPEAL_WORDS = FieldWords(
    required=N_("Your appeal is required."),
    too_long=lambda limit: ngettext(
        "Your appeal must be at most %(max_length)s character.",
        "Your appeal must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("Your appeal contains a character that is not allowed."),
)
ALREADY = {
    CommentStatus.PUBLISHED: N_("The comment is already published."),
    CommentStatus.PENDING: N_("The comment is already pending."),
    CommentStatus.REJECTED: N_("The comment is already rejected."),
    CommentStatus.HIDDEN: N_("The comment is already hidden."),
    CommentStatus.DELETED: N_("The comment is already deleted."),
}
"""Why an appeal cannot publish a comment again: its status changed meanwhile (marked)."""


def decision_to_appeal(session: Session, comment_id: int, user: CurrentUser) -> LogEntry:
    """The rejection or hide this author may appeal against; otherwise why not."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.author_id != user.id:
        raise NotFound(gettext("There is no comment of yours to appeal about here."))
    latest = log.latest_on_comment(session, comment.id)
    if comment.status not in DECIDED or latest is None or latest[0].action not in APPEALABLE:
        raise Conflict(gettext("There is no decision on this comment to appeal against."))
    decision = latest[0]
    if session.scalar(select(exists().where(Appeal.decision_id == decision.id))):
        raise AlreadyHandled(gettext("You have already appealed against this decision."))
    return decision


def file_appeal(session: Session, comment_id: int, user: CurrentUser, statement: str) -> Appeal:
    """File the author's appeal; ``Invalid`` names ``statement`` if it is empty or too long."""
    decision = decision_to_appeal(session, comment_id, user)
    text = clean_reason(statement, required=True, words=APPEAL_WORDS, field="statement")
    appeal = Appeal(
        comment_id=comment_id, decision_id=decision.id, appellant_id=user.id, statement=text
    )
    session.add(appeal)
    session.flush()
    return appeal


def _other_moderator_exists(session: Session, decider_id: int | None) -> bool:
    query = select(User.id).where(User.role.in_([Role.MODERATOR, Role.ADMIN]))
    if decider_id is not None:
        query = query.where(User.id != decider_id)
    return session.scalar(select(exists(query))) or False


def may_decide(session: Session, appeal: Appeal, actor: CurrentUser) -> bool:
    """Not the moderator who made the decision — unless nobody else could."""
    decision = session.get(LogEntry, appeal.decision_id)
    decider = decision.actor_id if decision else None
    return decider != actor.id or not _other_moderator_exists(session, decider)


def decide(
    session: Session,
    ctx: Context,
    appeal_id: int,
    actor: CurrentUser,
    *,
    reach: Reach,
    overturn: bool,
    reason: str,
) -> Appeal:
    """Uphold or overturn (publish the comment again); logged, and the author is told.
    ``Forbidden`` for the moderator who made the decision (while another could decide) and
    outside the moderator's ``reach``."""
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(gettext("There is no such appeal."))
    appealed = session.get(Comment, appeal.comment_id)
    assert appealed is not None  # the appeal's foreign key
    reach.require(session, appealed.article_id)
    if not may_decide(session, appeal, actor):
        raise Forbidden(gettext("Another moderator decides appeals against your own decision."))
    reason = clean_reason(reason)
    with session.begin_nested():  # a conflict after the appeal is claimed leaves nothing
        comment = _settle(session, ctx, appeal, actor, overturn)
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.APPEAL_OVERTURNED if overturn else LogAction.APPEAL_UPHELD,
        comment_id=comment.id,
        article_id=comment.article_id,
        target_user_id=comment.author_id,
        reason=reason,
        detail=f"appeal {appeal.id} against entry {appeal.decision_id}",
    )
    reviewer = _reviewer(session.get(LogEntry, appeal.decision_id), actor)
    _tell_author(session, ctx, comment, overturned=overturn, reason=reason, reviewer=reviewer)
    return appeal


def _reviewer(decision: LogEntry | None, actor: CurrentUser) -> str:
    """Who decided the appeal, as the author is told: 'another moderator' only when so."""
    # Translators: who decided an appeal, in "your appeal … was decided by %(reviewer)s."
    if decision is not None and decision.actor_id == actor.id:
        return N_("the same moderator who made the decision, as there is no other")
    if decision is None or decision.action is LogAction.AUTO_HIDE:
        return N_("a moderator")
    return N_("another moderator, not the one who made the decision")


def _settle(
    session: Session, ctx: Context, appeal: Appeal, actor: CurrentUser, overturn: bool
) -> Comment:
    """Claim the open appeal for this decision and, when overturned, publish the comment."""
    outcome = AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Appeal)
            .where(Appeal.id == appeal.id, Appeal.status == AppealStatus.OPEN)
            .values(status=outcome, decided_at=utcnow(), decided_by_id=actor.id)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise AlreadyHandled(gettext("This appeal has already been decided."))
    session.refresh(appeal)
    comment = session.get(Comment, appeal.comment_id)
    assert comment is not None  # the appeal's foreign key
    if overturn:
        if comment.status not in DECIDED:
            raise AlreadyHandled(gettext(ALREADY[comment.status]))
        claim(session, comment, comment.status)
        comments.set_status(session, ctx.hooks, comment, CommentStatus.PUBLISHED)
    return comment


def _tell_author(
    session: Session,
    ctx: Context,
    comment: Comment,
    *,
    overturned: bool,
    reason: str,
    reviewer: str,
) -> None:
    author = session.get(User, comment.author_id) if comment.author_id else None
    article = session.get(Article, comment.article_id)
    if author is not None and author.email is not None and article is not None:
        mails.appeal_outcome(
            ctx.outbox,
            session,
            ctx.settings,
            author=author,
            comment=comment,
            article=article,
            overturned=overturned,
            reason=reason,
            reviewer=reviewer,
        )
