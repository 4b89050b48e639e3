"""Every moderator action does what it says and leaves exactly one audit entry."""

import pytest
from sqlalchemy import select, update

from forum.accounts.models import Role
from forum.articles.models import Article, CommentMode
from forum.comments.models import Comment, CommentRevision, CommentStatus
from forum.moderation.models import LogAction, LogEntry, ThreadLock, TrustedUser

S = CommentStatus


@pytest.fixture
def thread(make_article, make_user, make_regular, submit, moderator):
    article = make_article(slug="a", title="The article")
    make_user("bob")
    return article, make_regular("carl")


def set_status(database, comment, status):
    with database.session(write=True) as s:
        s.execute(update(Comment).where(Comment.id == comment.id).values(status=status))


def entries(database):
    with database.session() as s:
        return list(s.scalars(select(LogEntry).order_by(LogEntry.id)))


def status_of(database, comment):
    with database.session() as s:
        return s.get(Comment, comment.id).status


@pytest.mark.parametrize(
    ("action", "before", "after", "fields"),
    [
        ("approve", S.PENDING, S.PUBLISHED, {}),
        ("reject", S.PENDING, S.REJECTED, {"violation": "spam", "reason": "an advert"}),
        ("reject", S.PUBLISHED, S.REJECTED, {"violation": "abuse"}),
        ("hide", S.PUBLISHED, S.HIDDEN, {"violation": "off_topic", "reason": "not about it"}),
        ("restore", S.HIDDEN, S.PUBLISHED, {}),
        ("restore", S.REJECTED, S.PUBLISHED, {}),
        ("restore", S.DELETED, S.PUBLISHED, {}),
        ("delete", S.PUBLISHED, S.DELETED, {"reason": "duplicate"}),
    ],
)
def test_each_comment_action_changes_the_status_and_is_logged(
    thread, submit, auth, database, moderator, action, before, after, fields
):
    article, carl = thread
    comment = submit(article, carl, "the words")
    set_status(database, comment, before)
    auth.login("modo")
    response = auth.post(
        f"/moderation/comments/{comment.id}/{action}", {"expected": before.value, **fields}
    )
    assert response.status_code == 303
    assert status_of(database, comment) is after
    (entry,) = entries(database)
    assert entry.action.value == action
    assert (entry.actor_id, entry.comment_id, entry.article_id, entry.target_user_id) == (
        moderator.id,
        comment.id,
        article.id,
        carl.id,
    )
    assert entry.reason == fields.get("reason", "")
    assert (entry.violation.value if entry.violation else None) == fields.get("violation")
    assert entry.detail.startswith(f"was {before.value}")


def test_counts_follow_approval_and_rejection(thread, submit, make_user, auth, database):
    article, _ = thread
    held = submit(article, make_user("ann"), "new here")
    auth.login("modo")
    auth.post(f"/moderation/comments/{held.id}/approve", {"expected": "pending"})
    with database.session() as s:
        assert s.get(Article, article.id).comment_count == 1
    auth.post(
        f"/moderation/comments/{held.id}/reject", {"expected": "published", "violation": "spam"}
    )
    with database.session() as s:
        assert s.get(Article, article.id).comment_count == 0


def test_reject_and_hide_need_the_rule_broken(thread, submit, auth, database):
    article, carl = thread
    comment = submit(article, carl)
    auth.login("modo")
    assert auth.post(f"/moderation/comments/{comment.id}/reject", {}).status_code == 400
    assert auth.post(f"/moderation/comments/{comment.id}/hide", {}).status_code == 400
    assert status_of(database, comment) is S.PUBLISHED and entries(database) == []


def test_approving_a_reported_comment_dismisses_its_reports(thread, submit, auth, database):
    article, carl = thread
    comment = submit(article, carl, "fine words")
    auth.login("bob")
    auth.post(f"/comments/{comment.id}/report", {"reason": "spam"})
    auth.logout()
    auth.login("modo")
    assert "fine words" in auth.client.get("/moderation/reported").text
    auth.post(f"/moderation/comments/{comment.id}/approve", {"expected": "published"})
    assert "fine words" not in auth.client.get("/moderation/reported").text
    assert status_of(database, comment) is S.PUBLISHED
    (entry,) = entries(database)
    assert entry.action is LogAction.APPROVE and "1 reports closed" in entry.detail


def test_edit_keeps_the_earlier_text_and_is_logged(thread, submit, auth, database):
    article, carl = thread
    comment = submit(article, carl, "you idiot, read this")
    auth.login("modo")
    assert auth.client.get(f"/moderation/comments/{comment.id}/edit").status_code == 200
    response = auth.post(
        f"/moderation/comments/{comment.id}/edit",
        {"body": "[removed insult], read this", "reason": "insult"},
    )
    assert response.status_code == 303
    with database.session() as s:
        assert s.get(Comment, comment.id).body_source == "[removed insult], read this"
        (revision,) = s.scalars(select(CommentRevision))
        assert revision.body_source == "you idiot, read this"
        assert revision.editor_id is not None
    (entry,) = entries(database)
    assert entry.action is LogAction.EDIT and entry.reason == "insult"


def test_deleting_asks_for_confirmation_first(thread, submit, auth):
    article, carl = thread
    comment = submit(article, carl, "doomed words")
    auth.login("modo")
    page = auth.client.get(f"/moderation/comments/{comment.id}/delete")
    assert page.status_code == 200 and "Delete this comment?" in page.text
    assert f'action="/moderation/comments/{comment.id}/delete"' in page.text


def test_a_locked_thread_takes_no_replies_below_the_comment(
    thread, submit, auth, database, make_regular
):
    article, carl = thread
    root = submit(article, carl, "root")
    child = submit(article, make_regular("dora"), "child", parent=root)
    auth.login("modo")
    assert auth.post(f"/moderation/comments/{child.id}/lock").status_code == 303
    auth.logout()
    auth.login("carl")
    below = auth.post("/articles/a/comments", {"body": "reply", "parent_id": str(child.id)})
    assert below.status_code == 403 and "locked" in below.text
    beside = auth.post("/articles/a/comments", {"body": "reply", "parent_id": str(root.id)})
    assert beside.status_code == 303
    grandchild_parent = submit(article, carl, "late", parent=root)
    assert grandchild_parent.status is S.PUBLISHED
    auth.logout()
    auth.login("modo")
    assert auth.post(f"/moderation/comments/{child.id}/unlock").status_code == 303
    auth.logout()
    auth.login("carl")
    again = auth.post("/articles/a/comments", {"body": "reply", "parent_id": str(child.id)})
    assert again.status_code == 303
    with database.session() as s:
        assert s.scalar(select(ThreadLock)) is None
    assert [e.action for e in entries(database)] == [LogAction.LOCK, LogAction.UNLOCK]


def test_a_lock_covers_the_whole_subtree(thread, submit, auth, make_regular):
    article, carl = thread
    root = submit(article, carl, "root")
    child = submit(article, make_regular("dora"), "child", parent=root)
    auth.login("modo")
    auth.post(f"/moderation/comments/{root.id}/lock")
    auth.logout()
    auth.login("carl")
    deep = auth.post("/articles/a/comments", {"body": "reply", "parent_id": str(child.id)})
    assert deep.status_code == 403


def test_closing_and_reopening_an_article(thread, auth, database, make_regular):
    make_regular("dora")
    auth.login("modo")
    assert auth.client.get("/moderation/articles/a").status_code == 200
    assert auth.post("/moderation/articles/a/close", {"reason": "too heated"}).status_code == 303
    with database.session() as s:
        assert s.scalar(select(Article)).comment_mode is CommentMode.CLOSED
    auth.logout()
    auth.login("dora")
    assert auth.post("/articles/a/comments", {"body": "hello"}).status_code == 403
    auth.logout()
    auth.login("modo")
    assert auth.post("/moderation/articles/a/reopen").status_code == 303
    auth.logout()
    auth.login("dora")
    assert auth.post("/articles/a/comments", {"body": "hello"}).status_code == 303
    assert [(e.action, e.reason) for e in entries(database)] == [
        (LogAction.CLOSE, "too heated"),
        (LogAction.REOPEN, ""),
    ]


def test_moderate_all_on_one_article_is_logged_and_applies(thread, auth, database, make_regular):
    make_regular("dora")
    auth.login("modo")
    auth.post("/moderation/articles/a/moderate-all")
    auth.logout()
    auth.login("dora")
    auth.post("/articles/a/comments", {"body": "hello"})
    with database.session() as s:
        assert s.scalar(select(Comment)).status is S.PENDING
    auth.logout()
    auth.login("modo")
    auth.post("/moderation/articles/a/moderate-usual")
    assert [e.action for e in entries(database)] == [
        LogAction.MODERATE_ALL,
        LogAction.MODERATE_USUAL,
    ]


def test_trusting_a_user_is_logged_and_lets_them_skip_pre_moderation(
    thread, auth, database, make_user
):
    make_user("newbie")
    auth.login("modo")
    assert auth.client.get("/moderation/users/newbie").status_code == 200
    assert auth.post("/moderation/users/newbie/trust").status_code == 303
    with database.session() as s:
        assert s.scalar(select(TrustedUser)).user_id is not None
    auth.logout()
    auth.login("newbie")
    auth.post("/articles/a/comments", {"body": "my first"})
    auth.logout()
    auth.login("modo")
    auth.post("/moderation/users/newbie/untrust")
    with database.session() as s:
        assert s.scalar(select(Comment)).status is S.PUBLISHED
        assert s.scalar(select(TrustedUser)) is None
    assert [e.action for e in entries(database)] == [LogAction.TRUST, LogAction.UNTRUST]


def test_moderators_cannot_be_banned_or_ban_themselves(thread, auth, make_user):
    make_user("other", role=Role.MODERATOR)
    auth.login("modo")
    for name in ("modo", "other"):
        response = auth.post(f"/moderation/users/{name}/ban", {"reason": "x", "duration": "7"})
        assert response.status_code == 403


def test_bulk_approve_reject_and_delete(thread, submit, make_user, auth, database):
    article, _ = thread
    ann, bea = make_user("ann"), make_user("bea")
    held = [submit(article, ann, "one"), submit(article, bea, "two"), submit(article, ann, "3")]
    auth.login("modo")
    ids = [str(c.id) for c in held[:2]]
    response = auth.post("/moderation/bulk", {"action": "approve", "ids": ids})
    assert response.status_code == 303
    assert [status_of(database, c) for c in held] == [S.PUBLISHED, S.PUBLISHED, S.PENDING]
    auth.post("/moderation/bulk", {"action": "reject", "ids": [str(held[2].id)]})
    assert status_of(database, held[2]) is S.REJECTED
    confirm = auth.post("/moderation/bulk", {"action": "delete", "ids": ids})
    assert confirm.status_code == 200 and "Delete 2 comments?" in confirm.text
    assert status_of(database, held[0]) is S.PUBLISHED
    auth.post("/moderation/bulk", {"action": "delete", "ids": ids, "confirmed": "1"})
    assert [status_of(database, c) for c in held[:2]] == [S.DELETED, S.DELETED]
    assert [e.action for e in entries(database)] == [LogAction.APPROVE] * 2 + [LogAction.REJECT] + [
        LogAction.DELETE
    ] * 2


def test_a_bulk_action_skips_items_already_handled(thread, submit, make_user, auth, database):
    article, _ = thread
    one, two = submit(article, make_user("ann"), "one"), submit(article, make_user("bea"), "2")
    set_status(database, one, S.REJECTED)
    auth.login("modo")
    auth.post("/moderation/bulk", {"action": "approve", "ids": [str(one.id), str(two.id)]})
    assert (status_of(database, one), status_of(database, two)) == (S.REJECTED, S.PUBLISHED)
    assert [e.comment_id for e in entries(database)] == [two.id]


def test_moderators_do_not_unhide_an_article_by_reopening_it(make_article, moderator, auth):
    make_article(slug="h", comment_mode=CommentMode.HIDDEN)
    auth.login("modo")
    assert auth.post("/moderation/articles/h/reopen").status_code == 409
    assert auth.post("/moderation/articles/h/close").status_code == 409
