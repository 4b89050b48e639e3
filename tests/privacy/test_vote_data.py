"""Votes are personal data: the export lists a reader's votes, and erasing the account takes
them back, so every comment's counts and 'best' score are right again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from forum.accounts.current import CurrentUser
from forum.comments import votes
from forum.comments.models import Comment, CommentVote, VoteValue
from forum.mail.outbox import Outbox
from forum.privacy import erasure, retention


@pytest.fixture
def voted(database: Any, make_article: Any, make_user: Any, post: Any) -> dict[str, Any]:
    """Ann's comment with up votes from the leaver and from Bob, and a down vote from the
    leaver on Bob's comment."""
    article = make_article(slug="talk")
    ann, bob = make_user("ann"), make_user("bob")
    leaver = make_user("leaver")
    liked, disliked = post(article, ann, "Liked."), post(article, bob, "Disliked.")
    with database.session(write=True) as session:
        for user, comment, value in [
            (leaver, liked, VoteValue.UP),
            (bob, liked, VoteValue.UP),
            (leaver, disliked, VoteValue.DOWN),
        ]:
            voter = CurrentUser.of(user, via="session")
            votes.cast_vote(session, comment.id, voter=voter, value=value)
    return {"leaver": leaver, "liked": liked, "disliked": disliked}


def test_the_export_lists_the_readers_votes(client, auth, voted):
    auth.login("leaver")
    data = client.get("/account/export").json()
    listed = {(v["comment"].rsplit("/", 1)[-1], v["value"]) for v in data["votes"]}
    assert listed == {(str(voted["liked"].id), "up"), (str(voted["disliked"].id), "down")}
    assert all(v["created_at"] for v in data["votes"])


def test_erasure_takes_the_votes_back_and_fixes_the_counts(database, settings, user_data, voted):
    with database.session(write=True) as session:
        erasure.request_erasure(
            session, voted["leaver"].id, delete_comments=True, grace=timedelta(0)
        )
    retention.purge(database, Outbox.from_settings(settings), settings, user_data)
    with database.session() as session:
        liked = session.get(Comment, voted["liked"].id)
        disliked = session.get(Comment, voted["disliked"].id)
        assert (liked.votes_up, liked.votes_down) == (1, 0)
        assert liked.score == pytest.approx(votes.wilson_lower_bound(1, 0))
        assert (disliked.votes_up, disliked.votes_down, disliked.score) == (0, 0, 0.0)
        left = session.query(CommentVote).all()
        assert [(v.comment_id, v.value) for v in left] == [(liked.id, VoteValue.UP)]
