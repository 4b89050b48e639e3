"""Telling authors the truth about automated decisions, and about decisions on their comments.

* ``tell_auto_hidden``: the report threshold hid a comment — a statement of reasons that says
  it was automatic, gives the readers' reasons (never who) and the way to appeal;
* ``HeldNotice``: a ``CommentHooks.on_change`` listener — a new comment held by a rule about
  its content or its author's record (links, the block list, a repeat, sent too fast, the
  rejection rate) gets a statement that it was automatic and what happens next. Holds that
  apply to everyone alike (new or unverified authors, anonymous posts, articles moderated
  entirely) say so on the page and send nothing; the honeypot is a trap for scripts, not told;
* ``decision_notice``: a ``CommentHooks.author_notices`` entry — on the permalink of their own
  rejected or hidden comment, the author reads the decision and how to appeal it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.hooks import HoldReason
from forum.comments.models import Comment, CommentStatus
from forum.comments.urls import comment_url
from forum.i18n import N_, gettext
from forum.moderation import log, mails
from forum.moderation.context import Context
from forum.moderation.mails import Outbox
from forum.moderation.models import Appeal, HoldRule, LogAction, LogEntry, Report
from forum.moderation.models import HoldReason as StoredHoldReason
from forum.settings import Settings

APPEALABLE = frozenset({LogAction.REJECT, LogAction.HIDE, LogAction.AUTO_HIDE})
"""Decisions an author may appeal (``appeals`` uses the same set)."""

AUTOMATED_HOLDS = {
    # Translators: why a comment waits for a moderator, a clause read after "because" on the
    # page ("Waiting for a moderator because %(reasons)s.") and alone under "Why:" in a mail.
    HoldRule.LINKS: N_("it has more links than the site allows in one comment"),
    HoldRule.BLOCKED_WORD: N_("it contains a word or phrase on the site's block list"),
    HoldRule.BLOCKED_DOMAIN: N_("it links to a site on the site's block list"),
    HoldRule.DUPLICATE: N_("it repeats a comment you posted a few minutes before"),
    HoldRule.TOO_FAST: N_("it was sent faster after the form opened than people usually write"),
    HoldRule.REJECT_RATE: N_("moderators rejected many of your recent comments"),
}
"""The holds that judge this comment or its author, in the words the author reads (marked:
translated where told)."""

EVERYONE_HOLDS = {
    HoldRule.UNVERIFIED_EMAIL: HoldReason(
        # Translators: why a comment waits, a clause read after "because".
        N_("your email address is not confirmed yet"),
        (N_("Resend the link"), "/verify/resend"),
    ),
    HoldRule.NEW_AUTHOR: HoldReason(N_("a moderator reads the first comments of each new member")),
    HoldRule.ANONYMOUS: HoldReason(N_("a moderator reads comments written without an account")),
    HoldRule.MODERATE_ALL: HoldReason(N_("a moderator reads every comment on this article")),
}
"""The holds that apply to everyone alike, told on the page right after posting (marked:
``said`` translates one where it is told)."""


def said(reason: HoldReason) -> HoldReason:
    """``reason`` in the current language (its clause, and its form's label)."""
    action = (gettext(reason.action[0]), reason.action[1]) if reason.action else None
    return HoldReason(gettext(reason.text), action)


def _author_and_article(session: Session, comment: Comment) -> tuple[User, Article] | None:
    author = session.get(User, comment.author_id) if comment.author_id else None
    article = session.get(Article, comment.article_id)
    if author is None or author.email is None or article is None:
        return None
    return author, article


def tell_auto_hidden(session: Session, ctx: Context, comment: Comment, entry: LogEntry) -> None:
    """The statement of reasons for a comment the report threshold just hid."""
    found = _author_and_article(session, comment)
    if found is None:
        return
    reasons = session.scalars(
        select(Report.reason)
        .where(Report.comment_id == comment.id, Report.resolved_at.is_(None))
        .order_by(Report.id)
    )
    mails.auto_hidden_statement(
        ctx.outbox,
        session,
        ctx.settings,
        author=found[0],
        comment=comment,
        article=found[1],
        decision=entry,
        reported=list(reasons),
    )


class HeldNotice:
    """Tells the author of a new comment that a rule held it (runs after the hold reasons are
    stored: ``install`` registers it after ``record_hold_reasons``)."""

    def __init__(self, settings: Settings, outbox: Outbox) -> None:
        self.settings = settings
        self.outbox = outbox

    def __call__(self, session: Session, comment: Comment, previous: CommentStatus | None) -> None:
        if previous is not None or comment.status is not CommentStatus.PENDING:
            return
        rules = session.scalars(
            select(StoredHoldReason.rule)
            .where(StoredHoldReason.comment_id == comment.id)
            .order_by(StoredHoldReason.id)
        )
        grounds = [AUTOMATED_HOLDS[rule] for rule in rules if rule in AUTOMATED_HOLDS]
        found = _author_and_article(session, comment) if grounds else None
        if found is None:
            return
        mails.held_statement(
            self.outbox,
            session,
            self.settings,
            author=found[0],
            comment=comment,
            article=found[1],
            grounds=grounds,
        )


def held_reasons(session: Session, comment: Comment) -> list[HoldReason]:
    """``CommentHooks.hold_explainers`` entry: why screening held the comment just written, in
    the author's words (the honeypot, a trap for scripts, is not told)."""
    if comment.status is not CommentStatus.PENDING:
        return []
    rules = session.scalars(
        select(StoredHoldReason.rule)
        .where(StoredHoldReason.comment_id == comment.id)
        .order_by(StoredHoldReason.id)
    )
    told: list[HoldReason] = []
    for rule in rules:
        reason = EVERYONE_HOLDS.get(rule)
        if reason is None and rule in AUTOMATED_HOLDS:
            reason = HoldReason(AUTOMATED_HOLDS[rule])
        if reason is not None and reason not in told:
            told.append(reason)
    return [said(reason) for reason in told]


def decision_notice(session: Session, comment: Comment) -> tuple[str, dict[str, Any]] | None:
    """What the author of a rejected or hidden comment reads on its permalink: the decision,
    whether a person or the report threshold made it, and where their appeal stands."""
    latest = log.latest_on_comment(session, comment.id, APPEALABLE)
    if latest is None:
        return None
    decision = latest[0]
    appeal = session.scalar(select(Appeal).where(Appeal.decision_id == decision.id))
    return (
        "moderation/_decision_notice.html",
        {
            "automated": decision.action is LogAction.AUTO_HIDE,
            "verb": "rejected" if decision.action is LogAction.REJECT else "hid",
            "rule": mails.VIOLATIONS[decision.violation] if decision.violation else None,
            "reason": decision.reason,
            "decided_at": decision.created_at,
            "appeal": appeal.status.value if appeal is not None else None,
            "appeal_url": f"{comment_url(comment.id, anchored=False)}/appeal",
        },
    )
