"""What a read costs does not grow with the thread, and a page is bounded in comments.

Every read page (the article, the JSON thread, a permalink, the front page) runs the same
number of SQL statements for a thread of 10 comments as for one of 500; a page holds at most
``FORUM_COMMENTS_PAGE_LIMIT`` comments, and a thread cut short ends in "N more replies": a link
to its permalink in HTML (no JavaScript needed), ``more`` with a count and an address in JSON.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from forum.articles.models import Article
from forum.comments import service, tree
from forum.comments.models import Comment, CommentStatus
from forum.comments.service import Sort, Viewer
from forum.comments.tree import walk

START = datetime(2026, 1, 1, tzinfo=UTC)


def grow(database, article, author, shape):
    """Write a thread in one transaction: ``shape`` lists, for each top-level comment, how
    many replies it gets (each a reply to the one before, down to depth 4, then again from
    the top-level comment). Returns the comments in display order."""
    with database.session(write=True) as session:
        seq = session.scalar(
            select(func.max(Comment.root_seq)).where(Comment.article_id == article.id)
        )
        seq, made = seq or 0, []
        children: dict[int, int] = {}
        for replies in shape:
            seq += 1
            root = previous = None
            for _ in range(replies + 1):
                parent = None if root is None else previous if previous.depth < 4 else root
                number = seq if parent is None else children.get(parent.id, 0) + 1
                at = START + timedelta(seconds=len(made))
                comment = Comment(
                    article_id=article.id,
                    parent_id=parent.id if parent else None,
                    author_id=author.id,
                    root_seq=seq,
                    path=tree.child_path(parent.path if parent else "", number),
                    depth=parent.depth + 1 if parent else 0,
                    body_source=f"comment {len(made)}",
                    body_html=f"<p>comment {len(made)}</p>",
                    created_at=at,
                    updated_at=at,
                )
                session.add(comment)
                session.flush()
                if parent is not None:
                    children[parent.id] = number
                root, previous = root or comment, comment
                made.append(comment)
        session.execute(
            update(Article)
            .where(Article.id == article.id)
            .values(comment_count=Article.comment_count + len(made))
        )
    made.sort(key=lambda c: c.path)
    return made


@contextmanager
def statements(database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def cost(client, database, url: str) -> int:
    with statements(database) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


def reads(small, large, small_root, large_root):
    return [
        (f"/articles/{small.slug}", f"/articles/{large.slug}"),
        (f"/api/articles/{small.slug}/comments", f"/api/articles/{large.slug}/comments"),
        (
            f"/api/articles/{small.slug}/comments?all=1",
            f"/api/articles/{large.slug}/comments?all=1",
        ),
        (f"/comments/{small_root.id}", f"/comments/{large_root.id}"),
        (f"/api/comments/{small_root.id}", f"/api/comments/{large_root.id}"),
    ]


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "reader"])
def test_read_pages_run_as_many_statements_for_500_comments_as_for_10(
    client, database, make_article, make_user, auth, logged_in
):
    ann = make_user("ann")
    if logged_in:
        make_user("reader")
        assert auth.login().status_code in (302, 303)
    small, large = make_article(slug="small"), make_article(slug="large")
    small_rows = grow(database, small, ann, [4, 0, 3])
    large_rows = grow(database, large, ann, [40] * 6 + [3] * 60 + [0] * 14)
    assert (len(small_rows), len(large_rows)) == (10, 500)
    for small_url, large_url in reads(small, large, small_rows[0], large_rows[0]):
        assert cost(client, database, small_url) == cost(client, database, large_url), small_url
    front_small = cost(client, database, "/")
    grow(database, make_article(slug="more"), ann, [99] * 5)
    assert cost(client, database, "/") == front_small


def test_a_page_is_bounded_in_comments_and_counts_what_it_left_out(
    db, database, make_article, make_user
):
    article = make_article()
    ann = make_user("ann")
    first, *_ = rows = grow(database, article, ann, [8, 2, 0])
    second, third = rows[9], rows[12]
    found = service.thread_page(
        db, article, Viewer(), sort=Sort.OLDEST, page=1, per_page=50, max_comments=5
    )
    shown = list(walk(found.nodes))
    assert [n.item.id for n in found.nodes] == [first.id, second.id, third.id]
    assert len(shown) == 5 + 2  # five in display order, then the other top-level comments
    assert [n.item.more for n in found.nodes] == [4, 2, 0]
    assert found.total_roots == 3
    whole = service.thread_page(db, article, Viewer(), sort=Sort.OLDEST, page=1, per_page=50)
    assert len(list(walk(whole.nodes))) == 13 and all(n.item.more == 0 for n in whole.nodes)


def test_left_out_replies_count_only_what_the_viewer_may_read(
    db, database, make_article, make_user
):
    article = make_article()
    ann = make_user("ann")
    rows = grow(database, article, ann, [6])
    db.execute(
        update(Comment)
        .where(Comment.id.in_([rows[5].id, rows[6].id]))
        .values(status=CommentStatus.PENDING)
    )
    db.commit()

    def more(viewer):
        found = service.thread_page(
            db, article, viewer, sort=Sort.OLDEST, page=1, per_page=50, max_comments=2
        )
        return found.nodes[0].item.more

    assert more(Viewer()) == 3  # five replies left out, two of them pending
    assert more(Viewer(ann.id)) == 5  # the author sees their own pending replies
    assert more(Viewer(None, moderator=True)) == 5


def test_the_thread_count_leaves_out_threads_nobody_may_read_without_reading_them(
    db, database, make_article, make_user
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    rows = grow(database, article, ann, [0, 1, 0, 0])
    hidden_alone, deleted_above_reply, pending = rows[0], rows[1], rows[3]
    for comment, status in [
        (hidden_alone, CommentStatus.HIDDEN),
        (deleted_above_reply, CommentStatus.DELETED),
        (pending, CommentStatus.PENDING),
    ]:
        db.execute(update(Comment).where(Comment.id == comment.id).values(status=status))
    db.commit()

    def total(viewer):
        return service.thread_page(
            db, article, viewer, sort=Sort.OLDEST, page=1, per_page=50
        ).total_roots

    # Visitors: the '[deleted]' one above a published reply, and the last one.
    assert total(Viewer()) == 2 and total(Viewer(bob.id)) == 2
    assert total(Viewer(ann.id)) == 3  # and her own pending one
    assert total(Viewer(None, moderator=True)) == 4


@pytest.mark.parametrize(
    "settings_overrides", [{"comments_page_limit": 5, "comments_all_limit": 7}]
)
def test_the_json_thread_says_how_many_replies_it_left_out_and_where_they_are(
    client, database, make_article, make_user
):
    article = make_article(slug="a")
    ann = make_user("ann")
    rows = grow(database, article, ann, [8, 2, 0])
    data = client.get("/api/articles/a/comments").json()
    first, second, third = data["comments"]
    assert first["more"] == {"count": 4, "href": f"/api/comments/{rows[0].id}"}
    assert second["more"] == {"count": 2, "href": f"/api/comments/{rows[9].id}"}
    assert "more" not in third and second["replies"] == []

    rest = client.get(first["more"]["href"]).json()
    assert rest["id"] == rows[0].id and "more" not in rest
    assert len(list(_walk_json(rest))) == 9

    whole = client.get("/api/articles/a/comments?all=1").json()
    assert (whole["page"], whole["pages"], len(whole["comments"])) == (1, 1, 3)
    assert whole["comments"][0]["more"]["count"] == 2  # seven comments, then the roots
    assert whole["comments"][1]["more"]["count"] == 2


@pytest.mark.parametrize("settings_overrides", [{"comments_page_limit": 5}])
def test_the_article_page_follows_the_comment_limit_setting(
    client, auth, database, make_article, make_user
):
    article = make_article(slug="a")
    ann = make_user("ann")
    grow(database, article, ann, [8, 2, 0])
    visitor = client.get("/articles/a").text
    assert visitor.count('class="comment-meta"') == 5 + 2  # and the other two threads
    assert "4 more replies" in visitor
    auth.login("ann")
    reader = client.get("/articles/a").text
    assert reader.count('class="comment-meta"') == 5 + 2 and "4 more replies" in reader


def _walk_json(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current["replies"])


def test_the_article_page_links_to_the_replies_it_left_out_without_javascript(
    client, database, make_article, make_user
):
    article = make_article(slug="big")
    ann = make_user("ann")
    rows = grow(database, article, ann, [250, 3])
    page = client.get("/articles/big").text
    first, second = rows[0], rows[251]
    assert page.count('class="comment-meta"') == 200 + 1
    assert f'<a href="/comments/{first.id}#comment-{first.id}" data-more-replies' in page
    assert "51 more replies" in page and "3 more replies" in page
    assert f'data-more-replies="{second.id}"' in page
    permalink = client.get(f"/comments/{first.id}").text
    assert permalink.count('class="comment-meta"') == 251 and "more replies" not in permalink


@contextmanager
def sqlite_steps(db) -> Iterator[list[int]]:
    """How much work SQLite does (virtual machine steps, in tens) while the block runs."""
    raw = db.connection().connection.driver_connection
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    raw.set_progress_handler(tick, 10)
    try:
        yield steps
    finally:
        raw.set_progress_handler(None, 10)


@pytest.mark.parametrize("viewer", [Viewer(), Viewer(None, moderator=True)], ids=["visitor", "mod"])
def test_page_one_costs_the_same_for_60_and_for_1500_top_level_comments(
    db, database, database_url, make_article, make_user, viewer
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite counts its steps; the plan is the same on PostgreSQL")
    ann = make_user("ann")
    small, large = make_article(), make_article()
    grow(database, small, ann, [0] * 60)
    grow(database, large, ann, [0] * 1500)

    def steps(article):
        with sqlite_steps(db) as done:
            found = service.thread_page(db, article, viewer, sort=Sort.NEWEST, page=1, per_page=50)
        assert len(found.nodes) == 50
        return done[0], found.total_roots

    (few, total_few), (many, total_many) = steps(small), steps(large)
    assert (total_few, total_many) == (60, 1500)
    assert many <= few * 1.2, (few, many)


def test_a_deleted_thread_past_the_limit_still_offers_its_replies(
    db, database, make_article, make_user
):
    article = make_article()
    ann = make_user("ann")
    rows = grow(database, article, ann, [5, 3])
    deleted = rows[6]
    db.execute(update(Comment).where(Comment.id == deleted.id).values(status=CommentStatus.DELETED))
    db.commit()
    found = service.thread_page(
        db, article, Viewer(), sort=Sort.OLDEST, page=1, per_page=50, max_comments=3
    )
    first, second = found.nodes
    assert (first.item.more, second.item.id, second.item.placeholder) == (3, deleted.id, True)
    assert second.item.more == 3 and second.children == []
