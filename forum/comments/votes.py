"""Votes on comments: one per reader and comment, changed in place or taken back.

Each comment keeps its up and down counts and its 'best' score (the lower bound of the Wilson
score interval) in its own row, written here with every vote under a row lock on the comment,
so a page of any thread reads them with its rows and sorts by an index. Whether someone may
vote is the one visibility rule (``forum.comments.visibility``) plus ``permissions.can_vote``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.user_data import Document, iso
from forum.articles.models import Article
from forum.comments import permissions
from forum.comments.models import Comment, CommentVote, VoteValue
from forum.comments.reading import Sort
from forum.comments.visibility import PUBLIC, Viewer, visible_to
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, LoginNeeded, NotFound
from forum.i18n import gettext

Z_95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95 % interval."""


def wilson_lower_bound(up: int, down: int, z: float = Z_95) -> float:
    """How good a comment surely is: the lower bound of the Wilson score interval of the share
    of up votes. Few votes give a low bound, so one lucky vote does not beat many good ones."""
    n = up + down
    if n <= 0:
        return 0.0
    share = up / n
    z2 = z * z
    centre = share + z2 / (2 * n)
    spread = z * math.sqrt((share * (1 - share) + z2 / (4 * n)) / n)
    return max(0.0, (centre - spread) / (1 + z2 / n))


@dataclass(frozen=True)
class Tally:
    """A comment's votes after a change, and the voter's own vote (None: none)."""

    up: int
    down: int
    score: float
    mine: VoteValue | None


def parse_value(raw: str, *, down_votes: bool) -> VoteValue:
    """A vote as sent ('up', or 'down' where the site allows it), or ``Invalid``."""
    try:
        value = VoteValue(raw)
    except ValueError:
        # Translators: 'up' and 'down' are the values the API takes: keep them as they are.
        raise Invalid({"value": gettext("A vote is 'up' or 'down'.")}) from None
    if value is VoteValue.DOWN and not down_votes:
        raise Invalid({"value": gettext("This site does not have down votes.")})
    return value


def _votable(session: Session, comment_id: int, voter: CurrentUser | None) -> Comment:
    """The comment, locked for the count update, if ``voter`` may vote on it."""
    if voter is None:
        raise LoginNeeded(gettext("Please log in to vote."))
    comment = session.scalar(select(Comment).where(Comment.id == comment_id).with_for_update())
    article = session.get(Article, comment.article_id) if comment is not None else None
    if comment is None or article is None or not visible_to(Viewer.of(voter), comment, article):
        raise NotFound(gettext("There is no such comment."))
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    if permissions.is_author(voter, facts):
        raise Forbidden(gettext("You cannot vote on your own comment."))
    if not (visible_to(PUBLIC, comment, article) and permissions.can_vote(voter, facts)):
        raise Conflict(gettext("Only published comments that readers can see take votes."))
    return comment


def _count(comment: Comment, value: VoteValue | None, step: int) -> None:
    if value is VoteValue.UP:
        comment.votes_up = max(0, comment.votes_up + step)
    elif value is VoteValue.DOWN:
        comment.votes_down = max(0, comment.votes_down + step)


def _apply(comment: Comment, old: VoteValue | None, new: VoteValue | None) -> None:
    """Move the counts from ``old`` to ``new``, score them, and move the thread's ETag."""
    _count(comment, old, -1)
    _count(comment, new, +1)
    comment.score = wilson_lower_bound(comment.votes_up, comment.votes_down)
    comment.updated_at = utcnow()


def _tally(comment: Comment, mine: VoteValue | None) -> Tally:
    return Tally(comment.votes_up, comment.votes_down, comment.score, mine)


def cast_vote(
    session: Session, comment_id: int, *, voter: CurrentUser | None, value: VoteValue
) -> Tally:
    """Vote on a comment, or change one's vote; the same vote again changes nothing."""
    comment = _votable(session, comment_id, voter)
    assert voter is not None
    vote = session.get(CommentVote, (comment.id, voter.id))
    if vote is not None and vote.value is value:
        return _tally(comment, value)
    now = utcnow()
    if vote is None:
        session.add(
            CommentVote(
                comment_id=comment.id,
                user_id=voter.id,
                article_id=comment.article_id,
                value=value,
                created_at=now,
                updated_at=now,
            )
        )
        _apply(comment, None, value)
    else:
        _apply(comment, vote.value, value)
        vote.value, vote.updated_at = value, now
    session.flush()
    return _tally(comment, value)


def remove_vote(session: Session, comment_id: int, *, voter: CurrentUser | None) -> Tally:
    """Take one's vote back (nothing to take back is no error: the result is the same)."""
    comment = _votable(session, comment_id, voter)
    assert voter is not None
    vote = session.get(CommentVote, (comment.id, voter.id))
    if vote is not None:
        _apply(comment, vote.value, None)
        session.delete(vote)
        session.flush()
    return _tally(comment, None)


_ANY_VOTE = select(exists().where(CommentVote.article_id == bindparam("article_id")))
"""Built once (every thread read asks it): building it cost more than running it."""


def thread_has_votes(session: Session, article_id: int) -> bool:
    """Whether any comment of the article has a vote (one probe of the article index): the
    thread's default order is then 'best'."""
    return bool(session.scalar(_ANY_VOTE, {"article_id": article_id}))


def default_sort(session: Session, article_id: int) -> Sort:
    """A thread's order when the reader chose none (``sort_unchosen``)."""
    return sort_unchosen(thread_has_votes(session, article_id))


def sort_unchosen(voted: bool) -> Sort:
    """A thread's order when the reader chose none: 'best' once it has votes, else oldest."""
    return Sort.BEST if voted else Sort.OLDEST


def forget_votes(session: Session, user_id: int) -> int:
    """Take back every vote of a user (erasure), fixing each comment's counts and score."""
    votes = list(
        session.scalars(
            select(CommentVote)
            .where(CommentVote.user_id == user_id)
            .order_by(CommentVote.comment_id)
        )
    )
    for vote in votes:
        comment = session.scalar(
            select(Comment).where(Comment.id == vote.comment_id).with_for_update()
        )
        if comment is not None:
            _apply(comment, vote.value, None)
        session.delete(vote)
    session.flush()
    return len(votes)


class VoteData:
    """The votes part of the user-data registry: the export lists a person's votes; erasure
    takes them back, so every comment's counts and score stay right."""

    name = "votes"
    tables = ("comment_votes",)

    def __init__(self, *, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        rows = session.scalars(
            select(CommentVote)
            .where(CommentVote.user_id == user_id)
            .order_by(CommentVote.created_at, CommentVote.comment_id)
        )
        return {
            "votes": [
                {
                    "comment": f"{self.base}/comments/{vote.comment_id}",
                    "value": vote.value.value,
                    "created_at": iso(vote.created_at),
                    "updated_at": iso(vote.updated_at),
                }
                for vote in rows
            ]
        }

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        forget_votes(session, user_id)
