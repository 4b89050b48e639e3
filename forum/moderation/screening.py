"""Pre-moderation: comments ask ``initial_status`` for each new comment and for the new text of
each edit; this answers published or pending, and remembers why, so the queue can tell
moderators.

An edit is judged as a new comment by the comment's author would be (links, the block list,
the holds for new or unverified authors, the rejection rate, moderate-all articles): an edit
that would be held sends a published comment back to the queue with its new text, so a held
user cannot get one comment approved and then edit it into spam.

Trusted users and moderators skip the rules about who is writing and how, but not the
honeypot or the block list: a compromised trusted account still cannot spam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forum.comments.hooks import Draft
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.moderation import policy as policies
from forum.moderation import rules
from forum.moderation.models import HoldReason, HoldRule
from forum.moderation.policy import Policy
from forum.moderation.standing import is_trusted, reject_rate
from forum.settings import Settings

VERDICT_KEY = "forum.moderation.verdict"
"""Where the verdict waits in ``session.info`` until the comment has an id."""


@dataclass(frozen=True)
class Verdict:
    held: tuple[tuple[HoldRule, str], ...]
    """Each rule that tripped, with a short detail for moderators."""

    @property
    def status(self) -> CommentStatus:
        return CommentStatus.PENDING if self.held else CommentStatus.PUBLISHED


class ModerationScreening:
    """The ``Screening`` that ``app.py`` gives the comments module."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def initial_status(self, session: Session, draft: Draft) -> CommentStatus:
        verdict = self.judge(session, draft)
        session.info[VERDICT_KEY] = (draft.body, verdict)
        return verdict.status

    def judge(self, session: Session, draft: Draft) -> Verdict:
        policy = policies.load(session, self.settings)
        held = always_applied(draft, policy)
        author = draft.author
        if author is None or not (author.is_staff or is_trusted(session, author.id)):
            held += self._newcomer_and_spam_rules(session, draft, policy)
        return Verdict(tuple(held))

    def _newcomer_and_spam_rules(
        self, session: Session, draft: Draft, policy: Policy
    ) -> list[tuple[HoldRule, str]]:
        held: list[tuple[HoldRule, str]] = []
        author = draft.author
        if author is None:
            held.append((HoldRule.ANONYMOUS, ""))
        else:
            if not author.email_verified:
                held.append((HoldRule.UNVERIFIED_EMAIL, ""))
            if author.comment_count < policy.min_approved:
                held.append(
                    (HoldRule.NEW_AUTHOR, f"{author.comment_count} of {policy.min_approved}")
                )
            rejected, decided = reject_rate(session, author.id, days=policy.reject_days)
            if (
                decided >= policy.reject_min_decisions
                and rejected * 100 > policy.reject_percent * decided
            ):
                held.append(
                    (
                        HoldRule.REJECT_RATE,
                        f"{rejected} of {decided} rejected in {policy.reject_days} days",
                    )
                )
        if policies.moderates_all(session, policy, draft.article):
            held.append((HoldRule.MODERATE_ALL, ""))
        links = rules.count_links(draft.body)
        if links > policy.max_links:
            held.append((HoldRule.LINKS, f"{links} links"))
        if _repeats_itself(session, draft, policy.duplicate_minutes):
            held.append((HoldRule.DUPLICATE, f"within {policy.duplicate_minutes} minutes"))
        seconds = draft.signals.get("seconds_to_submit")
        if isinstance(seconds, int | float) and seconds < policy.min_seconds:
            held.append((HoldRule.TOO_FAST, f"sent after {max(seconds, 0):.1f} s"))
        return held


def always_applied(draft: Draft, policy: Policy) -> list[tuple[HoldRule, str]]:
    """The rules nobody skips: the honeypot and the block list."""
    held: list[tuple[HoldRule, str]] = []
    if str(draft.signals.get("honeypot") or "").strip():
        held.append((HoldRule.HONEYPOT, ""))
    word = rules.find_blocked_word(draft.body, policy.blocked_words)
    if word is not None:
        held.append((HoldRule.BLOCKED_WORD, word))
    domain = rules.find_blocked_domain(draft.body, policy.blocked_domains)
    if domain is not None:
        held.append((HoldRule.BLOCKED_DOMAIN, domain))
    return held


def _repeats_itself(session: Session, draft: Draft, minutes: int) -> bool:
    if minutes <= 0:
        return False
    since = utcnow() - timedelta(minutes=minutes)
    query = select(Comment.body_source).where(Comment.created_at >= since)
    if draft.author is not None:
        query = query.where(Comment.author_id == draft.author.id)
    elif draft.client_address:
        query = query.where(
            Comment.author_id.is_(None), Comment.client_address == draft.client_address
        )
    else:
        return False
    if draft.edited is not None:  # an edit does not repeat its own earlier text
        query = query.where(Comment.id != draft.edited.id)
    recent = session.scalars(query.order_by(Comment.created_at.desc()).limit(50))
    return any(rules.same_text(draft.body, earlier) for earlier in recent)


def record_hold_reasons(session: Session, comment: Comment, previous: CommentStatus | None) -> None:
    """``CommentHooks.on_change`` listener: store why a new comment, or an edit, was held.

    The comments module announces the change right after screening judged the text; a held
    edit's reasons replace the comment's earlier ones (the queue tells why it waits now).
    """
    waiting = session.info.pop(VERDICT_KEY, None)
    if waiting is None:
        return
    body, verdict = waiting
    if comment.status is not CommentStatus.PENDING or body != comment.body_source:
        return
    if not verdict.held:
        return
    if previous is not None:
        session.execute(delete(HoldReason).where(HoldReason.comment_id == comment.id))
    for rule, detail in verdict.held:
        session.add(
            HoldReason(comment_id=comment.id, rule=rule, detail=detail[: HoldReason.DETAIL_MAX])
        )
    session.flush()
