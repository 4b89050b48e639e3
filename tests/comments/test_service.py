"""The thread's rules on the database: order, pages, subtrees, edits, deletes, counts."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, update

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role, User
from forum.articles.models import Article, CommentMode
from forum.comments import service
from forum.comments.models import Comment, CommentRevision, CommentStatus
from forum.comments.service import Sort, Viewer
from forum.comments.tree import walk
from forum.errors import Conflict, Forbidden, Invalid, LoginNeeded, NotFound


def ids(nodes):
    return [n.item.id for n in walk(nodes)]


def page(db, article, viewer=Viewer(), sort=Sort.OLDEST, number=1, per_page=50):
    return service.thread_page(db, article, viewer, sort=sort, page=number, per_page=per_page)


def test_replies_nest_in_conversation_order(db, make_article, make_user, post):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    first = post(article, ann, "first")
    second = post(article, bob, "second")
    reply = post(article, bob, "reply to first", parent=first)
    nested = post(article, ann, "reply to reply", parent=reply)
    late_reply = post(article, ann, "late reply to first", parent=first)
    nodes = page(db, article).nodes
    assert ids(nodes) == [first.id, reply.id, nested.id, late_reply.id, second.id]
    assert [n.depth for n in walk(nodes)] == [0, 1, 2, 1, 0]


def test_newest_first_sorts_threads_and_the_replies_at_every_level(
    db, make_article, make_user, post
):
    article = make_article()
    ann = make_user("ann")
    first = post(article, ann, "first")
    r1 = post(article, ann, "r1", parent=first)
    r2 = post(article, ann, "r2", parent=first)
    second = post(article, ann, "second")
    assert ids(page(db, article, sort=Sort.NEWEST).nodes) == [second.id, first.id, r2.id, r1.id]


def test_pages_hold_top_level_comments_with_all_their_replies(db, make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    roots = [post(article, ann, f"root {n}") for n in range(5)]
    reply = post(article, ann, "reply", parent=roots[2])
    first = page(db, article, per_page=2)
    third = page(db, article, number=2, per_page=2)
    assert ids(first.nodes) == [roots[0].id, roots[1].id]
    assert ids(third.nodes) == [roots[2].id, reply.id, roots[3].id]
    assert first.pages == 3 and first.total_roots == 5


def test_a_thread_page_reads_the_rows_in_one_query(db, database, make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    parent = None
    for n in range(30):
        parent = post(article, ann, f"c{n}", parent=parent if n % 3 else None)
    statements = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    db.expire_all()
    page(db, article)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # count the threads, read the rows


def test_a_subtree_loads_with_its_ancestors(db, make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    root = post(article, ann, "root")
    child = post(article, ann, "child", parent=root)
    grandchild = post(article, ann, "grandchild", parent=child)
    sibling = post(article, ann, "sibling", parent=root)
    sub = service.subtree(db, child.id, Viewer())
    assert [a.id for a in sub.ancestors] == [root.id]
    assert ids(sub.nodes) == [child.id, grandchild.id]
    assert sibling.id not in ids(sub.nodes)


def test_counts_follow_published_comments(db, database, make_article, make_user, post, hooks):
    article = make_article()
    ann = make_user("ann")
    comment = post(article, ann, "hello")
    post(article, ann, "again")
    with database.session() as s:
        assert s.get(Article, article.id).comment_count == 2
        assert s.get(User, ann.id).comment_count == 2
    with database.session(write=True) as s:
        service.delete_comment(s, hooks, comment.id, actor=CurrentUser.of(ann, via="session"))
    with database.session() as s:
        assert s.get(Article, article.id).comment_count == 1
        assert s.get(User, ann.id).comment_count == 1


def test_deleting_a_comment_with_replies_leaves_a_placeholder(
    db, database, make_article, make_user, post, hooks
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    parent = post(article, ann, "secret words")
    reply = post(article, bob, "a reply", parent=parent)
    lonely = post(article, ann, "nobody answered")
    with database.session(write=True) as s:
        me = CurrentUser.of(ann, via="session")
        service.delete_comment(s, hooks, parent.id, actor=me)
        service.delete_comment(s, hooks, lonely.id, actor=me)
    nodes = page(db, article).nodes
    assert ids(nodes) == [parent.id, reply.id]
    placeholder = nodes[0].item
    assert placeholder.placeholder and placeholder.html == "" and placeholder.author_display == ""
    moderator = Viewer(user_id=None, moderator=True)
    assert lonely.id in ids(page(db, article, moderator).nodes)


def test_moderators_restore_deleted_comments(database, make_article, make_user, post, hooks):
    article = make_article()
    ann = make_user("ann")
    mod = make_user("modo", role=Role.MODERATOR)
    comment = post(article, ann)
    with database.session(write=True) as s:
        service.delete_comment(s, hooks, comment.id, actor=CurrentUser.of(ann, via="session"))
    with database.session(write=True) as s, pytest.raises(Forbidden):
        service.restore_comment(s, hooks, comment.id, actor=CurrentUser.of(ann, via="session"))
    with database.session(write=True) as s:
        service.restore_comment(s, hooks, comment.id, actor=CurrentUser.of(mod, via="session"))
    with database.session() as s:
        assert s.get(Comment, comment.id).status is CommentStatus.PUBLISHED
        assert s.get(Article, article.id).comment_count == 1


def test_pending_comments_are_seen_by_their_author_and_moderators_only(
    db, database, make_article, make_user, post
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    held = post(article, ann, "held")
    with database.session(write=True) as s:
        s.execute(update(Comment).values(status=CommentStatus.PENDING))
    assert ids(page(db, article, Viewer(ann.id)).nodes) == [held.id]
    assert ids(page(db, article, Viewer(bob.id)).nodes) == []
    assert ids(page(db, article, Viewer()).nodes) == []
    assert ids(page(db, article, Viewer(None, moderator=True)).nodes) == [held.id]
    assert page(db, article, Viewer(bob.id)).total_roots == 0


def test_edits_keep_the_earlier_text_and_mark_the_comment(
    database, make_article, make_user, post, hooks
):
    article = make_article()
    ann = make_user("ann")
    comment = post(article, ann, "first text")
    with database.session(write=True) as s:
        edited = service.edit_comment(
            s,
            hooks,
            comment.id,
            editor=CurrentUser.of(ann, via="session"),
            body="better text",
            window=timedelta(minutes=15),
        )
        assert edited.edited_at is not None and "better text" in edited.body_html
    with database.session() as s:
        (revision,) = s.scalars(select(CommentRevision)).all()
        assert revision.body_source == "first text"


def test_authors_edit_within_the_window_and_moderators_always(
    database, make_article, make_user, post, hooks
):
    article = make_article()
    ann = make_user("ann")
    mod = make_user("modo", role=Role.MODERATOR)
    comment = post(article, ann, "text")
    with database.session(write=True) as s:
        s.execute(update(Comment).values(created_at=datetime.now(UTC) - timedelta(minutes=16)))
    with database.session(write=True) as s, pytest.raises(Forbidden, match="passed"):
        service.edit_comment(
            s,
            hooks,
            comment.id,
            editor=CurrentUser.of(ann, via="session"),
            body="late",
            window=timedelta(minutes=15),
        )
    with database.session(write=True) as s:
        service.edit_comment(
            s,
            hooks,
            comment.id,
            editor=CurrentUser.of(mod, via="session"),
            body="by a mod",
            window=timedelta(minutes=15),
        )


def test_someone_elses_comment_cannot_be_edited_or_deleted(
    database, make_article, make_user, post, hooks
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    comment = post(article, ann, "mine")
    bob_user = CurrentUser.of(bob, via="session")
    with database.session(write=True) as s, pytest.raises(Forbidden):
        service.edit_comment(s, hooks, comment.id, editor=bob_user, body="x", window=timedelta(1))
    with database.session(write=True) as s, pytest.raises(Forbidden):
        service.delete_comment(s, hooks, comment.id, actor=bob_user)
    with database.session() as s:
        stored = s.get(Comment, comment.id)
        assert stored.body_source == "mine" and stored.status is CommentStatus.PUBLISHED


@pytest.mark.parametrize("body", ["", "   ", "\u200b", "x" * 10_001, "nul \x00 byte"])
def test_bad_bodies_are_refused(make_article, make_user, post, body):
    article = make_article()
    with pytest.raises(Invalid) as info:
        post(article, make_user("ann"), body)
    assert set(info.value.errors) == {"body"}


def test_replies_must_stay_in_their_thread(database, make_article, make_user, post, hooks):
    one, two = make_article(), make_article()
    ann = make_user("ann")
    parent = post(one, ann, "in article one")
    with pytest.raises(NotFound):
        post(two, ann, "reply across threads", parent=parent)
    with database.session(write=True) as s:
        service.delete_comment(s, hooks, parent.id, actor=CurrentUser.of(ann, via="session"))
    with pytest.raises(Conflict):
        post(one, ann, "reply to a deleted comment", parent=parent)
    with database.session() as s:
        assert len(s.scalars(select(Comment)).all()) == 1


def test_closed_and_hidden_articles_take_no_comments(database, make_article, make_user, post):
    closed = make_article(comment_mode=CommentMode.CLOSED)
    hidden = make_article(comment_mode=CommentMode.HIDDEN)
    ann = make_user("ann")
    for article in (closed, hidden):
        with pytest.raises(Forbidden, match="closed"):
            post(article, ann)


def test_comments_close_automatically_after_the_set_number_of_days(make_article):
    article = make_article(submitted_at=datetime.now(UTC) - timedelta(days=31))
    assert service.effective_mode(article, close_after_days=0) is CommentMode.OPEN
    assert service.effective_mode(article, close_after_days=30) is CommentMode.CLOSED
    assert service.effective_mode(article, close_after_days=60) is CommentMode.OPEN


def test_deep_threads_nest_without_limit_in_storage(db, make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    parent = None
    for n in range(40):
        parent = post(article, ann, f"level {n}", parent=parent)
    nodes = page(db, article).nodes
    assert [n.depth for n in walk(nodes)] == list(range(40))


def test_a_deleted_thread_start_stays_as_a_placeholder_above_the_authors_pending_reply(
    db, database, make_article, make_user, post, hooks
):
    article = make_article()
    ann = make_user("ann")
    root = post(article, ann, "root")
    reply = post(article, ann, "held reply", parent=root)
    with database.session(write=True) as s:
        s.execute(
            update(Comment).where(Comment.id == reply.id).values(status=CommentStatus.PENDING)
        )
        service.delete_comment(s, hooks, root.id, actor=CurrentUser.of(ann, via="session"))
    mine = page(db, article, Viewer(ann.id))
    assert ids(mine.nodes) == [root.id, reply.id] and mine.total_roots == 1
    assert mine.nodes[0].item.placeholder
    assert ids(page(db, article, Viewer()).nodes) == []


def test_visitors_are_asked_to_log_in_unless_anonymous_comments_are_allowed(
    database, make_article, hooks
):
    article = make_article()
    with database.session(write=True) as s, pytest.raises(LoginNeeded):
        service.post_comment(
            s,
            hooks,
            article=article,
            author=None,
            request=service.PostRequest(body="hello", author_name="Passer-by"),
            anonymous_allowed=False,
            close_after_days=0,
        )


def test_an_anonymous_comment_needs_a_name(make_article, post):
    with pytest.raises(Invalid) as info:
        post(make_article(), None, "hello", author_name="  ")
    assert set(info.value.errors) == {"author_name"}


def test_a_body_at_the_limit_is_taken_and_one_more_character_is_not(make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    assert post(article, ann, "x" * Comment.BODY_MAX).body_source == "x" * Comment.BODY_MAX
    with pytest.raises(Invalid):
        post(article, ann, "x" * (Comment.BODY_MAX + 1))
