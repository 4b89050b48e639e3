"""The thread as readers meet it: the article page, posting, permalinks, edits, feeds."""

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import Engine, event, select, update

from forum.accounts.models import Role
from forum.articles.models import CommentMode
from forum.comments.models import Comment, CommentStatus
from tests.html_safety import assert_harmless


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="comment[^"]*" id="comment-(\d+)"', html)


def comment_html(html: str, comment_id: int) -> str:
    start = html.index(f'id="comment-{comment_id}"')
    return html[start : html.index("</article>", start)]


def test_the_thread_shows_author_time_permalink_and_nesting(client, make_article, make_user, post):
    article = make_article(slug="a")
    ann, bob = make_user("ann", display_name="Ann A."), make_user("bob")
    first = post(article, ann, "Hello *world*")
    reply = post(article, bob, "Hi Ann", parent=first)
    html = client.get("/articles/a").text
    assert cards(html) == [str(first.id), str(reply.id)]
    card = comment_html(html, first.id)
    assert '<a class="author" href="/users/ann">Ann A.</a>' in card
    assert "<time datetime=" in card
    assert f'href="/comments/{first.id}#comment-{first.id}"' in card
    assert "<em>world</em>" in card
    assert f'<details class="fold" open data-fold="{reply.id}">' in html
    assert f'<a class="reply-to" href="#comment-{first.id}">in reply to Ann A.</a>' in html
    assert "2 comments" in html
    assert "2 comments" in client.get("/").text


def test_visitors_are_invited_to_log_in_and_readers_get_a_form(
    client, auth, make_article, make_user
):
    make_article(slug="a")
    assert "Log in</a> or" in client.get("/articles/a").text
    make_user("ann")
    auth.login("ann")
    assert 'action="/articles/a/comments' in auth.client.get("/articles/a").text


def test_posting_lands_back_in_the_thread_at_the_new_comment(
    auth, make_article, make_user, database
):
    make_article(slug="a")
    make_user("ann")
    auth.login("ann")
    response = auth.post("/articles/a/comments", {"body": "My first comment"})
    assert response.status_code == 303
    with database.session() as s:
        comment = s.scalar(select(Comment))
    assert response.headers["location"] == f"/articles/a#comment-{comment.id}"
    page = auth.client.get(response.headers["location"])
    assert "My first comment" in page.text


def test_a_reply_by_form(auth, make_article, make_user, post, database):
    article = make_article(slug="a")
    ann = make_user("ann")
    parent = post(article, ann, "parent")
    auth.login("ann")
    form = auth.client.get(f"/comments/{parent.id}/reply")
    assert form.status_code == 200 and 'name="parent_id"' in form.text
    response = auth.post("/articles/a/comments", {"body": "a reply", "parent_id": str(parent.id)})
    assert response.status_code == 303
    with database.session() as s:
        reply = s.scalar(select(Comment).where(Comment.parent_id == parent.id))
        assert reply.depth == 1


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * 10_001])
def test_an_empty_or_overlong_body_returns_the_form_with_the_text_kept(
    auth, make_article, make_user, body
):
    make_article(slug="a")
    make_user("ann")
    auth.login("ann")
    response = auth.post("/articles/a/comments", {"body": body})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    if body.strip():
        assert body in response.text


def test_replies_to_another_article_or_a_missing_comment_are_refused(
    auth, make_article, make_user, post, database
):
    one = make_article(slug="one")
    make_article(slug="two")
    ann = make_user("ann")
    parent = post(one, ann, "in one")
    auth.login("ann")
    assert (
        auth.post("/articles/two/comments", {"body": "x", "parent_id": str(parent.id)}).status_code
        == 404
    )
    assert (
        auth.post("/articles/one/comments", {"body": "x", "parent_id": "999999"}).status_code == 404
    )
    assert auth.post("/articles/one/comments", {"body": "x", "parent_id": "abc"}).status_code == 400
    with database.session() as s:
        assert len(s.scalars(select(Comment)).all()) == 1


def test_a_closed_article_shows_its_thread_but_takes_no_comments(
    auth, make_article, make_user, post
):
    article = make_article(slug="a", comment_mode=CommentMode.CLOSED)
    ann = make_user("ann")
    with_comment = make_article(slug="b")
    post(with_comment, ann, "fine")
    auth.login("ann")
    page = auth.client.get("/articles/a")
    assert "Comments on this article are closed." in page.text
    assert 'action="/articles/a/comments' not in page.text
    assert auth.post("/articles/a/comments", {"body": "x"}).status_code == 403
    assert article.comment_mode is CommentMode.CLOSED


def test_a_hidden_thread_is_not_shown(client, make_article, make_user, post, database):
    article = make_article(slug="a")
    post(article, make_user("ann"), "now you see me")
    from forum.articles.models import Article

    with database.session(write=True) as s:
        s.execute(update(Article).values(comment_mode=CommentMode.HIDDEN))
    page = client.get("/articles/a")
    assert "now you see me" not in page.text
    assert client.get("/api/articles/a/comments").json()["comments"] == []


def test_sorting_and_pages_of_fifty_threads(client, make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann")
    roots = [post(article, ann, f"root number {n}") for n in range(55)]
    post(article, ann, "reply on page two", parent=roots[52])
    first = client.get("/articles/a").text
    assert len(cards(first)) == 50 and cards(first)[0] == str(roots[0].id)
    assert "?sort=oldest&amp;page=2#comments" in first
    second = client.get("/articles/a?page=2").text
    assert "reply on page two" in second and len(cards(second)) == 6
    newest = client.get("/articles/a?sort=newest").text
    assert cards(newest)[0] == str(roots[54].id)
    assert client.get("/articles/a?page=3").status_code == 404
    assert client.get("/articles/a?sort=sideways").status_code == 400


def test_deep_branches_continue_on_their_own_page(client, make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann")
    chain, parent = [], None
    for n in range(12):
        parent = post(article, ann, f"level {n}", parent=parent)
        chain.append(parent)
    html = client.get("/articles/a").text
    assert cards(html) == [str(c.id) for c in chain[:8]]
    assert f'href="/comments/{chain[7].id}#comment-{chain[7].id}">Continue this thread' in html
    deeper = client.get(f"/comments/{chain[7].id}").text
    assert str(chain[11].id) in cards(deeper)


def test_permalink_shows_ancestors_and_subtree_and_links_back(
    client, make_article, make_user, post
):
    article = make_article(slug="a", title="The article")
    ann = make_user("ann")
    root = post(article, ann, "root words")
    middle = post(article, ann, "middle words", parent=root)
    leaf = post(article, ann, "leaf words", parent=middle)
    other = post(article, ann, "unrelated words")
    page = client.get(f"/comments/{middle.id}")
    assert page.status_code == 200
    assert cards(page.text) == [str(root.id), str(middle.id), str(leaf.id)]
    assert "unrelated words" not in page.text
    assert 'href="/articles/a#comments"' in page.text
    assert client.get("/comments/999999").status_code == 404
    assert other.id


def test_edit_within_the_window_shows_edited(auth, make_article, make_user, post, database):
    article = make_article(slug="a")
    ann = make_user("ann")
    comment = post(article, ann, "typo teh")
    auth.login("ann")
    assert auth.client.get(f"/comments/{comment.id}/edit").status_code == 200
    response = auth.post(f"/comments/{comment.id}/edit", {"body": "typo the"})
    assert response.status_code == 303
    page = auth.client.get("/articles/a").text
    assert "typo the" in page and "(edited" in page


def test_editing_or_deleting_someone_elses_comment_is_403(
    auth, make_article, make_user, post, database
):
    article = make_article(slug="a")
    ann = make_user("ann")
    make_user("bob")
    comment = post(article, ann, "ann's words")
    auth.login("bob")
    assert auth.client.get(f"/comments/{comment.id}/edit").status_code == 403
    assert auth.post(f"/comments/{comment.id}/edit", {"body": "bob was here"}).status_code == 403
    assert auth.post(f"/comments/{comment.id}/delete").status_code == 403
    headers = auth.api_headers()
    assert (
        auth.client.patch(
            f"/api/comments/{comment.id}", json={"body": "x"}, headers=headers
        ).status_code
        == 403
    )
    assert auth.client.delete(f"/api/comments/{comment.id}", headers=headers).status_code == 403
    with database.session() as s:
        stored = s.get(Comment, comment.id)
        assert stored.body_source == "ann's words" and stored.status is CommentStatus.PUBLISHED


def test_the_edit_window_closes(auth, make_article, make_user, post, database):
    from datetime import UTC, datetime, timedelta

    article = make_article(slug="a")
    ann = make_user("ann")
    comment = post(article, ann, "old")
    with database.session(write=True) as s:
        s.execute(update(Comment).values(created_at=datetime.now(UTC) - timedelta(minutes=20)))
    auth.login("ann")
    assert "/edit" not in comment_html(auth.client.get("/articles/a").text, comment.id)
    assert auth.post(f"/comments/{comment.id}/edit", {"body": "new"}).status_code == 403


def test_delete_with_replies_leaves_deleted_and_without_leaves_the_thread(
    auth, make_article, make_user, post
):
    article = make_article(slug="a")
    ann, bob = make_user("ann"), make_user("bob")
    parent = post(article, ann, "parent words")
    post(article, bob, "bob replies", parent=parent)
    alone = post(article, ann, "alone words")
    auth.login("ann")
    assert auth.client.get(f"/comments/{parent.id}/delete").status_code == 200
    assert auth.post(f"/comments/{parent.id}/delete").status_code == 303
    assert auth.post(f"/comments/{alone.id}/delete").status_code == 303
    page = auth.client.get("/articles/a").text
    assert "parent words" not in page and "This comment was deleted." in page
    assert "bob replies" in page
    assert "alone words" not in page and str(alone.id) not in cards(page)


def test_moderators_see_and_restore_deleted_comments(auth, make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann")
    make_user("modo", role=Role.MODERATOR)
    gone = post(article, ann, "gone words")
    auth.login("ann")
    auth.post(f"/comments/{gone.id}/delete")
    auth.logout()
    auth.login("modo")
    page = auth.client.get("/articles/a").text
    assert "gone words" in page and f"/comments/{gone.id}/restore" in page
    assert auth.post(f"/comments/{gone.id}/restore").status_code == 303
    auth.logout()
    assert "gone words" in auth.client.get("/articles/a").text


@pytest.mark.parametrize("settings_overrides", [{"anonymous_comments": True}])
def test_visitors_may_comment_with_a_name_when_allowed(auth, make_article, database):
    make_article(slug="a")
    page = auth.client.get("/articles/a").text
    assert 'name="author_name"' in page
    assert auth.post("/articles/a/comments", {"body": "hi", "author_name": ""}).status_code == 400
    response = auth.post("/articles/a/comments", {"body": "hi", "author_name": "Passer-by"})
    assert response.status_code == 303
    with database.session() as s:
        comment = s.scalar(select(Comment))
        assert comment.author_id is None and comment.author_name == "Passer-by"


def test_visitors_cannot_comment_by_default(auth, make_article, database):
    make_article(slug="a")
    response = auth.post("/articles/a/comments", {"body": "hi"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    with database.session() as s:
        assert s.scalar(select(Comment)) is None


def test_the_forms_and_the_api_take_the_body_limit_from_the_model(auth, make_article, make_user):
    make_article(slug="a")
    make_user("ann")
    auth.login("ann")
    page = auth.client.get("/articles/a").text
    assert f'maxlength="{Comment.BODY_MAX}"' in page
    assert f"At most {Comment.BODY_MAX:,} characters." in page
    too_long = {"body": "x" * (Comment.BODY_MAX + 1)}
    response = auth.client.post(
        "/api/articles/a/comments", json=too_long, headers=auth.api_headers()
    )
    assert response.status_code == 400
    schema = auth.client.get("/schema/openapi.json").json()["components"]["schemas"]
    body = next(s for name, s in schema.items() if name.endswith("NewComment"))
    assert body["properties"]["body"]["maxLength"] == Comment.BODY_MAX


def test_links_to_comments_and_articles_come_from_the_url_helpers(
    client, make_article, make_user, post
):
    from forum.articles.urls import article_url
    from forum.comments.urls import comment_url, thread_url

    article = make_article(slug="a")
    comment = post(article, make_user("ann"), "hello")
    assert comment_url(comment.id) == f"/comments/{comment.id}#comment-{comment.id}"
    assert comment_url(comment.id, anchored=False) == f"/comments/{comment.id}"
    assert thread_url("a") == "/articles/a#comments" == article_url("a", "comments")
    assert thread_url("a", 7) == "/articles/a#comment-7"
    page = client.get("/articles/a").text
    assert f'href="{comment_url(comment.id)}"' in page
    assert f'href="{thread_url("a")}"' in client.get("/").text


def test_hostile_markdown_and_names_render_harmless(client, make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann", display_name="<img src=x onerror=alert(1)>")
    payloads = [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "![x](https://example.org/x.png)",
        "<iframe src=//evil></iframe>",
    ]
    for body in payloads:
        post(article, ann, body)
    html = client.get("/articles/a").text
    thread = html[
        html.index('<section id="comments"') : html.index(
            "</section>", html.index('<section id="comments"')
        )
    ]
    for block in re.findall(r'<div class="comment-body"[^>]*>(.*?)</div>', thread, re.S):
        assert_harmless(block)
    assert "<img" not in thread and "<script" not in thread and "<iframe" not in thread
    assert "&lt;img src=x onerror=alert(1)&gt;" in thread


def test_links_in_comments_are_nofollow_ugc(post, make_article, make_user, client):
    article = make_article(slug="a")
    post(article, make_user("ann"), "see https://example.org and <https://example.org/x>")
    assert 'rel="nofollow ugc noopener"' in client.get("/articles/a").text


def test_comment_feed_is_valid_atom_with_published_comments_only(
    client, make_article, make_user, post, database
):
    article = make_article(slug="a")
    ann = make_user("ann")
    post(article, ann, "visible <b>words</b>")
    held = post(article, ann, "held words")
    with database.session(write=True) as s:
        s.execute(update(Comment).where(Comment.id == held.id).values(status=CommentStatus.PENDING))
    response = client.get("/articles/a/comments.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert "visible" in entries[0].find("a:content", ns).text
    assert "held words" not in response.text
    assert root.find("a:id", ns) is not None and root.find("a:updated", ns) is not None


def test_article_feed_is_valid_atom(client, make_article):
    make_article(slug="a", title="Feed & friends")
    root = ET.fromstring(client.get("/feed.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.find("a:entry/a:title", ns).text == "Feed & friends"


@pytest.mark.parametrize("settings_overrides", [{"mail_worker": False}])
def test_the_article_page_reads_the_database_a_fixed_number_of_times(
    client, make_article, make_user, post
):
    def count_queries(path: str) -> int:
        statements = []
        engine = Engine  # every engine: only the app's runs a page (no mail worker polling)
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    article = make_article(slug="a")
    ann, bob = make_user("ann"), make_user("bob")
    post(article, ann, "one")
    small = (count_queries("/articles/a"), count_queries("/api/articles/a/comments"))
    parent = None
    for n in range(60):
        parent = post(article, bob if n % 2 else ann, f"c{n}", parent=parent if n % 4 else None)
    large = (count_queries("/articles/a"), count_queries("/api/articles/a/comments"))
    assert small == large
