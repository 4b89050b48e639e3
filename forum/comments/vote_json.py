"""A comment's votes as the JSON API shows them (in each comment of a thread, and as the
answer to a vote)."""

from __future__ import annotations

import msgspec

from forum.comments.models import VoteValue


class VotesOut(msgspec.Struct):
    """The votes on a comment."""

    up: int
    down: int
    score: float
    """The lower bound of the Wilson score interval (95 %) of the votes: what 'best' sorts by."""
    mine: str | None = None
    """Your own vote: 'up', 'down' or null (always null without a login)."""


def votes_out(up: int, down: int, score: float, mine: VoteValue | str | None) -> VotesOut:
    """``mine``: the viewer's vote, as the enum or as stored (its value)."""
    return VotesOut(up, down, round(score, 6), str(mine) if mine is not None else None)
