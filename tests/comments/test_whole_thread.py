"""The whole thread in one JSON answer (``?all=1``): what it shows is exactly what the pages
show, by the one visibility rule, whoever asks; it revalidates with 304; past
``FORUM_COMMENTS_ALL_LIMIT`` it is bounded like a page and says where the rest is."""

import random

import msgspec
import pytest
from sqlalchemy import update

from forum.accounts.current import CurrentUser
from forum.accounts.models import ProfileVisibility, PublicName, User
from forum.comments import service, thread_json, thread_rows, votes
from forum.comments.api import comment_out
from forum.comments.models import Comment, CommentStatus, VoteValue
from forum.comments.reading import MAX_ROOTS
from forum.comments.service import Sort, Viewer
from tests.comments.test_query_counts import grow


def _paged(db, article, viewer, sort):
    """The thread as the paged API builds it: every thread on one page, nothing left out."""
    found = service.thread_page(
        db, article, viewer, sort=sort, page=1, per_page=MAX_ROOTS, max_comments=10_000
    )
    return msgspec.to_builtins([comment_out(node) for node in found.nodes])


def _whole(db, article, viewer, sort):
    voted = votes.thread_has_votes(db, article.id)
    rows = thread_rows.whole_thread_rows(db, article, viewer, sort=sort, limit=10_000, voted=voted)
    if rows is None:  # an order the bounded page keeps
        return _paged(db, article, viewer, sort)
    return msgspec.to_builtins(thread_json.nest_rows(rows, viewer))


@pytest.mark.parametrize("voting", [True, False], ids=["with votes", "nobody voted"])
@pytest.mark.parametrize("seed", range(6))
def test_the_whole_thread_shows_what_the_pages_show_to_every_viewer(
    db, database, make_article, make_user, seed, voting
):
    article = make_article()
    ann, bob, cy = make_user("ann"), make_user("bob"), make_user("cyd")
    names = {  # each author's name settings: shown name and profile link follow them
        ann.id: {"display_name": "Ann A.", "public_name": PublicName.DISPLAY_NAME},
        bob.id: {"profile_visibility": ProfileVisibility.MEMBERS},
        cy.id: {"display_name": "Cyd", "profile_visibility": ProfileVisibility.NOBODY},
    }
    rows = grow(database, article, ann, [6, 0, 3, 9, 1, 0, 4])
    chance = random.Random(seed)
    with database.session(write=True) as session:  # a viewer's own votes are shown too
        voter = CurrentUser.of(bob, via="session")
        for comment in chance.sample(rows, len(rows) // 2 if voting else 0):
            value = chance.choice(list(VoteValue))
            votes.cast_vote(session, comment.id, voter=voter, value=value)
    for comment in rows:
        status = chance.choice([*CommentStatus, CommentStatus.PUBLISHED, CommentStatus.PUBLISHED])
        author = chance.choice([ann.id, bob.id, cy.id, None])
        db.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(status=status, author_id=author, author_name="" if author else "Guest")
        )
    for user_id, values in names.items():
        db.execute(update(User).where(User.id == user_id).values(**values))
    db.commit()
    viewers = [Viewer(), Viewer(ann.id), Viewer(bob.id), Viewer(None, moderator=True)]
    for viewer in viewers:
        for sort in Sort:
            assert _whole(db, article, viewer, sort) == _paged(db, article, viewer, sort), (
                viewer,
                sort,
            )


def test_a_deleted_comment_stands_only_above_replies_someone_may_read(
    db, database, make_article, make_user
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    top, reply, below = grow(database, article, ann, [2])
    statuses = {top.id: CommentStatus.DELETED, reply.id: CommentStatus.HIDDEN}
    for cid, status in statuses.items():
        db.execute(update(Comment).where(Comment.id == cid).values(status=status))
    db.execute(
        update(Comment)
        .where(Comment.id == below.id)
        .values(status=CommentStatus.PENDING, author_id=bob.id)
    )
    db.commit()
    assert _whole(db, article, Viewer(), Sort.OLDEST) == []  # nothing readable below
    (shown,) = _whole(db, article, Viewer(bob.id), Sort.OLDEST)
    assert (shown["status"], shown["author"], shown["html"]) == ("deleted", None, "")
    (middle,) = shown["replies"]
    assert middle["status"] == "deleted" and middle["replies"][0]["status"] == "pending"


def test_the_whole_thread_is_one_answer_with_an_etag(client, database, make_article, make_user):
    article = make_article(slug="a")
    grow(database, article, make_user("ann"), [5, 0, 2])
    response = client.get("/api/articles/a/comments?all=1")
    assert response.status_code == 200
    data = response.json()
    assert (data["page"], data["pages"], data["total_threads"]) == (1, 1, 3)
    assert [len(c["replies"]) for c in data["comments"]] == [2, 0, 1]
    again = client.get(
        "/api/articles/a/comments?all=1", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert response.headers["etag"] != client.get("/api/articles/a/comments").headers["etag"]


def test_a_thread_of_exactly_the_limit_is_whole_and_one_more_is_not(
    db, database, make_article, make_user
):
    article = make_article()
    rows = grow(database, article, make_user("ann"), [3, 0, 2])
    size = len(rows)

    def read(limit):
        return thread_rows.whole_thread_rows(
            db, article, Viewer(), sort=Sort.OLDEST, limit=limit, voted=False
        )

    assert len(read(size).rows) == size
    assert read(size - 1) is None  # the caller bounds it as a page
