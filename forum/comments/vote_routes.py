"""Voting on a comment: an HTML form (works without JavaScript, back to the comment) and its
JSON twin (``PUT``/``DELETE /api/comments/{id}/vote``, which the page's script uses in place).
Both make the same service call; both are rate-limited (``Limit.VOTE``)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, delete, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect

from forum.accounts.current import CurrentUser
from forum.comments import votes
from forum.comments.config import CommentSettings
from forum.comments.urls import comment_url
from forum.comments.vote_json import VotesOut, votes_out
from forum.web.forms import FormData, field, safe_next
from forum.web.rate_limits import Limit, limited
from forum.web.unit_of_work import DbSession

CLEAR = "clear"
"""The form's value that takes the reader's vote back (a pressed button sends it)."""


class VoteIn(msgspec.Struct, forbid_unknown_fields=True):
    value: Annotated[
        Literal["up", "down"],
        msgspec.Meta(description="'down' only where the site allows down votes"),
    ]


def vote_out(tally: votes.Tally) -> VotesOut:
    return votes_out(tally.up, tally.down, tally.score, tally.mine)


class VotePages(Controller):
    include_in_schema = False

    @post("/comments/{comment_id:int}/vote", sync_to_thread=True, opt=limited(Limit.VOTE))
    def vote(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        comment_config: CommentSettings,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Vote a comment up or down, or take the vote back (``value=clear``); back to the
        page the form was on (``next``), at the comment."""
        raw = field(data, "value")
        if raw == CLEAR:
            votes.remove_vote(db, comment_id, voter=me)
        else:
            value = votes.parse_value(raw, down_votes=comment_config.down_votes)
            votes.cast_vote(db, comment_id, voter=me, value=value)
        back = safe_next(field(data, "next"), comment_url(comment_id)).split("#")[0]
        return Redirect(f"{back}#comment-{comment_id}", status_code=303)


class VoteApi(Controller):
    path = "/api/comments/{comment_id:int}/vote"
    tags = ["comments"]

    @put("", sync_to_thread=True, opt=limited(Limit.VOTE))
    def cast(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        comment_config: CommentSettings,
        comment_id: FromPath[int],
        data: JSONBody[VoteIn],
    ) -> VotesOut:
        """Vote on a comment (``up``, or ``down`` where the site allows it), or change your
        vote. Not on your own comments, and only on published comments readers can see."""
        value = votes.parse_value(data.value, down_votes=comment_config.down_votes)
        return vote_out(votes.cast_vote(db, comment_id, voter=me, value=value))

    @delete("", sync_to_thread=True, status_code=200, opt=limited(Limit.VOTE))
    def take_back(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
    ) -> VotesOut:
        """Take your vote on a comment back (also when you had none)."""
        return vote_out(votes.remove_vote(db, comment_id, voter=me))
