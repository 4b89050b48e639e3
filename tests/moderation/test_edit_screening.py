"""An edit passes the same screening as a new comment: links, the block list, holds for held
users and the rejection rate apply to the new text. A published comment whose edit would be
held goes back to the queue (pending, with its new text) until a moderator decides."""

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from forum.articles.models import Article
from forum.comments import service as comments
from forum.comments.compose import UNTIL_DECIDED
from forum.comments.models import Comment, CommentStatus
from forum.moderation import policy as policies
from forum.moderation.actions import Act, Decision, act
from forum.moderation.models import LogAction
from forum.moderation.reach import EVERYTHING
from forum.moderation.users import set_trust
from tests.moderation.conftest import held_for, me
from tests.moderation.test_screening import decided

PENDING = CommentStatus.PENDING
PUBLISHED = CommentStatus.PUBLISHED
SPAM = "Buy now: " + " ".join(f"https://shop{n}.example/deal" for n in range(5))


def edit(database, hooks, comment, user, body):
    with database.session(write=True) as session:
        return comments.edit_comment(
            session, hooks, comment.id, editor=me(user), body=body, window=timedelta(hours=1)
        )


def status_of(database, comment) -> CommentStatus:
    with database.session() as session:
        return session.scalars(select(Comment.status).where(Comment.id == comment.id)).one()


def test_a_held_user_cannot_edit_an_approved_comment_into_link_spam(
    database, ctx, make_article, make_user, moderator, submit, auth
):
    article = make_article(slug="a")
    make_user("bob")
    ann = make_user("ann")
    first = submit(article, ann, "my first, harmless words")
    assert first.status is PENDING and held_for(database, first) == {"new_author"}
    with database.session(write=True) as session:
        act(session, ctx, first.id, me(moderator), Decision(Act.APPROVE), reach=EVERYTHING)
    assert status_of(database, first) is PUBLISHED

    auth.login("ann")
    response = auth.post(f"/comments/{first.id}/edit", {"body": SPAM})
    assert response.status_code == 303
    page = auth.client.get(response.headers["location"])
    assert "Your edit is waiting for a moderator&#39;s approval because" in page.text
    assert "it has more links than the site allows" in page.text  # the author is told why
    assert UNTIL_DECIDED in page.text
    assert "shop4.example" in page.text and "awaiting moderation" in page.text

    assert status_of(database, first) is PENDING  # no longer published…
    assert held_for(database, first) == {"links"}  # …held for what the new text does
    with database.session() as session:
        assert session.get(Article, article.id).comment_count == 0
    for who in (None, "bob"):
        auth.logout() if who is None else auth.login(who)
        assert auth.client.get(f"/comments/{first.id}").status_code == 404
        assert "shop4.example" not in auth.client.get("/articles/a").text
        assert auth.client.get("/api/search", params={"q": "deal"}).json()["total"] == 0
    auth.login("modo")
    queue = auth.client.get("/moderation").text  # it is in the queue, with its new text
    assert f'action="/moderation/comments/{first.id}/approve"' in queue
    assert "shop4.example" in queue


def test_an_edit_through_the_api_is_screened(
    database, settings, make_article, make_regular, submit, auth
):
    with database.session(write=True) as session:
        current = policies.load(session, settings)
        policies.save(session, settings, replace(current, blocked_words=("casino",)))
    article = make_article(slug="a")
    carl = make_regular("carl")
    comment = submit(article, carl, "A fair point.")
    assert comment.status is PUBLISHED
    auth.login("carl")
    response = auth.client.patch(
        f"/api/comments/{comment.id}",
        json={"body": "A fair point. Visit my casino."},
        headers=auth.api_headers(),
    )
    assert response.status_code == 200
    assert response.json()["status"] == "pending"  # the author is told
    assert held_for(database, comment) == {"blocked_word"}


def test_the_block_list_applies_to_a_trusted_users_edit(
    database, settings, make_article, make_user, moderator, submit, mod_hooks
):
    friend = make_user("friend")
    with database.session(write=True) as session:
        current = policies.load(session, settings)
        policies.save(session, settings, replace(current, blocked_domains=("spam.example",)))
        set_trust(session, "friend", me(moderator), True)
    comment = submit(make_article(), friend, "Nice.")
    assert comment.status is PUBLISHED
    assert edit(database, mod_hooks, comment, friend, "Nice. See spam.example").status is PENDING
    assert held_for(database, comment) == {"blocked_domain"}


def test_the_rejection_rate_applies_to_an_edit(
    database, make_article, make_regular, moderator, post, mod_hooks
):
    article, ann = make_article(), make_regular()
    kept = post(article, ann, "published before the rejections")
    earlier = [post(article, ann, f"earlier {n}") for n in range(3)]
    decided(database, moderator, earlier[0], LogAction.REJECT)
    decided(database, moderator, earlier[1], LogAction.APPROVE)
    decided(database, moderator, earlier[2], LogAction.APPROVE)  # 1 of 3 rejected: 33 % > 30 %
    edited = edit(database, mod_hooks, kept, ann, "published before, edited after")
    assert edited.status is PENDING
    assert held_for(database, kept) == {"reject_rate"}


def test_a_clean_edit_stays_published(database, make_article, make_regular, submit, mod_hooks):
    carl = make_regular("carl")
    comment = submit(make_article(), carl, "A fair point.")
    assert edit(database, mod_hooks, comment, carl, "A fair point, I think.").status is PUBLISHED
    assert held_for(database, comment) == set()


def test_a_moderators_edit_of_someone_elses_comment_is_not_screened(
    database, make_article, make_regular, moderator, submit, mod_hooks
):
    comment = submit(make_article(), make_regular("carl"), "A fair point.")
    assert edit(database, mod_hooks, comment, moderator, SPAM).status is PUBLISHED


def test_a_pending_comment_edited_into_spam_is_held_for_its_new_text(
    database, make_article, make_user, submit, mod_hooks
):
    ann = make_user("ann")
    comment = submit(make_article(), ann, "my first words")
    assert held_for(database, comment) == {"new_author"}
    assert edit(database, mod_hooks, comment, ann, SPAM).status is PENDING
    assert held_for(database, comment) == {"new_author", "links"}
