"""Writing keeps the reader in the thread: posting, replying, editing and deleting come back to
the article page at the comment with a message saying what happened (the real reason when it
waits for a moderator); Preview renders the text with the one renderer and saves nothing; the
edit form says how long editing is still possible; the comment box is at the top too."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from forum.accounts.current import CurrentUser
from forum.comments import votes
from forum.comments.compose import COMPOSE_HEADER, UNTIL_DECIDED
from forum.comments.models import Comment, CommentStatus, VoteValue
from forum.db import utcnow
from tests.conftest import shared_corpus
from tests.html_safety import assert_harmless

JS = {COMPOSE_HEADER: "1"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """New authors' first comments are not held here (other holds are); three threads a page;
    visitors may comment with a name."""
    return {"moderation_min_approved": 0, "comments_per_page": 3, "anonymous_comments": True}


def only_comment(database: Any, body: str) -> Comment:
    with database.session() as session:
        return session.scalars(select(Comment).where(Comment.body_source == body)).one()


def count_comments(database: Any) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Comment)) or 0


def flash(page: str) -> str:
    match = re.search(r'<(p|div) class="flash [^"]*" role="status">(.*?)</\1>', page, re.S)
    assert match, "the page shows a message"
    return match.group(2)


def preview_html(page: str) -> str:
    start = page.index('<section class="comment-preview"')
    body = page.index('<div class="comment-body">', start) + len('<div class="comment-body">')
    return page[body : page.index("</div>", body)]


@pytest.fixture
def ann(make_user: Any, auth: Any) -> Any:
    user = make_user("ann", display_name="Ann")
    auth.login("ann")
    return user


def test_a_published_comment_lands_at_itself_in_the_thread_saying_published(
    auth, ann, make_article, database
):
    make_article(slug="a")
    response = auth.post("/articles/a/comments", {"body": "Hello all"})
    comment = only_comment(database, "Hello all")
    assert response.status_code == 303
    assert response.headers["location"] == f"/articles/a#comment-{comment.id}"
    page = auth.client.get(response.headers["location"]).text
    assert flash(page) == "Published."
    assert f'id="comment-{comment.id}"' in page


def test_a_new_comment_lands_on_the_last_page_and_a_reply_on_its_threads_page(
    auth, ann, make_article, make_user, post, database
):
    article = make_article(slug="a")
    bob = make_user("bob")
    first = post(article, bob, "one")
    for body in ("two", "three", "four"):
        post(article, bob, body)
    response = auth.post("/articles/a/comments", {"body": "five"})
    five = only_comment(database, "five")
    assert response.headers["location"] == f"/articles/a?page=2#comment-{five.id}"
    assert f'id="comment-{five.id}"' in auth.client.get(response.headers["location"]).text
    reply = auth.post("/articles/a/comments", {"body": "to one", "parent_id": str(first.id)})
    to_one = only_comment(database, "to one")
    assert reply.headers["location"] == f"/articles/a#comment-{to_one.id}"


def test_in_a_thread_sorted_by_best_a_reply_lands_on_the_page_of_its_voted_thread(
    auth, ann, make_article, make_user, post, database
):
    article = make_article(slug="a")
    bob, cat = make_user("bob"), make_user("cat")
    threads = [post(article, bob, f"thread {n}") for n in range(5)]
    with database.session(write=True) as session:  # votes make 'best' the thread's order
        voter = CurrentUser.of(cat, via="session")
        votes.cast_vote(session, threads[0].id, voter=voter, value=VoteValue.UP)
    response = auth.post("/articles/a/comments", {"body": "to 0", "parent_id": str(threads[0].id)})
    assert (
        response.headers["location"] == f"/articles/a#comment-{only_comment(database, 'to 0').id}"
    )
    response = auth.post("/articles/a/comments", {"body": "to 1", "parent_id": str(threads[1].id)})
    to_1 = only_comment(database, "to 1")
    assert response.headers["location"] == f"/articles/a?page=2#comment-{to_1.id}"
    assert f'id="comment-{to_1.id}"' in auth.client.get(response.headers["location"]).text


def test_a_reply_deeper_than_the_page_indents_lands_on_its_permalink(
    auth, ann, make_article, make_user, post, database
):
    article = make_article(slug="a")
    bob = make_user("bob")
    parent = post(article, bob, "level 0")
    for depth in range(1, 8):
        parent = post(article, bob, f"level {depth}", parent=parent)
    response = auth.post("/articles/a/comments", {"body": "deep", "parent_id": str(parent.id)})
    deep = only_comment(database, "deep")
    assert response.headers["location"] == f"/comments/{deep.id}#comment-{deep.id}"


def test_a_held_comment_says_it_waits_because_the_address_is_unconfirmed_with_a_resend_form(
    auth, make_user, make_article, database, settings
):
    make_user("ann", verified=False)
    auth.login("ann")
    make_article(slug="a")
    response = auth.post("/articles/a/comments", {"body": "Held words"})
    held = only_comment(database, "Held words")
    assert held.status is CommentStatus.PENDING
    landing = f"/articles/a#comment-{held.id}"
    assert response.headers["location"] == landing
    page = auth.client.get(landing).text
    message = flash(page)
    assert message.startswith(
        "Waiting for a moderator because your email address is not confirmed yet."
    )
    assert '<form class="inline" method="post" action="/verify/resend">' in message
    assert f'<input type="hidden" name="next" value="{landing}">' in message
    assert "Resend the link</button>" in message
    resent = auth.post("/verify/resend", {"next": landing})
    assert resent.status_code == 303 and resent.headers["location"] == landing
    assert "We have sent a new link to ann@example.org." in auth.client.get(landing).text


def test_a_visitors_held_comment_lands_on_the_thread_and_says_why(auth, make_article, database):
    make_article(slug="a")
    response = auth.post("/articles/a/comments", {"body": "From afar", "author_name": "Zed"})
    assert only_comment(database, "From afar").status is CommentStatus.PENDING
    assert response.headers["location"] == "/articles/a#comments"
    message = flash(auth.client.get("/articles/a").text)
    assert message == (
        "Waiting for a moderator because a moderator reads comments written without an account."
    )


def test_an_edit_lands_at_the_comment_saying_it_is_saved(auth, ann, make_article, post, database):
    article = make_article(slug="a")
    mine = post(article, ann, "first words")
    response = auth.post(f"/comments/{mine.id}/edit", {"body": "better words"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/articles/a#comment-{mine.id}"
    page = auth.client.get(response.headers["location"]).text
    assert flash(page) == "Your edit is saved." and "better words" in page


def test_a_held_edit_says_why_and_who_sees_it(auth, ann, make_article, post, database):
    article = make_article(slug="a")
    mine = post(article, ann, "plain words")
    links = " ".join(f"https://shop{n}.example/x" for n in range(6))
    response = auth.post(f"/comments/{mine.id}/edit", {"body": f"Buy: {links}"})
    message = flash(auth.client.get(response.headers["location"]).text)
    assert message == (
        "Your edit is waiting for a moderator&#39;s approval because it has more links than the "
        f"site allows in one comment. {UNTIL_DECIDED}"
    )


def test_deleting_lands_where_the_comment_was_or_at_its_parent(
    auth, ann, make_article, make_user, post
):
    article = make_article(slug="a")
    parent = post(article, ann, "parent words")
    post(article, make_user("bob"), "bob replies", parent=parent)
    alone = post(article, ann, "alone", parent=parent)
    gone = auth.post(f"/comments/{alone.id}/delete")
    assert gone.headers["location"] == f"/articles/a#comment-{parent.id}"
    assert flash(auth.client.get("/articles/a").text) == "Your comment is deleted."
    kept = auth.post(f"/comments/{parent.id}/delete")
    assert kept.headers["location"] == f"/articles/a#comment-{parent.id}"
    page = auth.client.get("/articles/a").text
    assert flash(page) == "Deleted: “[deleted]” keeps its place above the replies."
    assert "This comment was deleted." in page


@pytest.mark.parametrize("url", ["/articles/a/comments", "/articles/a/comments/preview"])
def test_preview_shows_the_rendered_text_in_the_form_and_saves_nothing(
    auth, ann, make_article, database, url
):
    make_article(slug="a")
    response = auth.post(url, {"body": "**bold** and <b>raw</b>", "action": "preview"})
    assert response.status_code == 200
    assert preview_html(response.text) == "<p><strong>bold</strong> and &lt;b&gt;raw&lt;/b&gt;</p>"
    assert "**bold** and &lt;b&gt;raw&lt;/b&gt;</textarea>" in response.text  # text kept
    assert count_comments(database) == 0


def test_previews_do_not_spend_the_comment_rate_limit(auth, ann, make_article, database):
    make_article(slug="a")
    for n in range(6):
        preview = auth.post("/articles/a/comments/preview", {"body": f"try {n}"})
        assert preview.status_code == 200
    assert auth.post("/articles/a/comments", {"body": "posted"}).status_code == 303
    assert count_comments(database) == 1


def test_an_empty_preview_shows_the_form_with_the_error(auth, ann, make_article, database):
    make_article(slug="a")
    response = auth.post("/articles/a/comments/preview", {"body": "  "})
    assert response.status_code == 400
    assert 'class="field-error"' in response.text and "comment-preview" not in response.text


def test_a_reply_preview_shows_the_reply_form_under_its_comment(
    auth, ann, make_article, post, database
):
    article = make_article(slug="a")
    parent = post(article, ann, "parent")
    response = auth.post(
        "/articles/a/comments/preview", {"body": "_soft_", "parent_id": str(parent.id)}
    )
    assert response.status_code == 200
    assert preview_html(response.text) == "<p><em>soft</em></p>"
    assert f'<input type="hidden" name="parent_id" value="{parent.id}">' in response.text
    assert count_comments(database) == 1


def test_every_corpus_payload_previews_harmless(auth, ann, make_article, database):
    make_article(slug="a")
    lines = shared_corpus("xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    payloads = [line for line in lines if line and not line.startswith("#")]
    for line in shared_corpus("xss_payloads_multiline.jsonl").read_text().splitlines():
        payloads.append(json.loads(line)["value"])
    shown = 0
    for payload in payloads:
        response = auth.post("/articles/a/comments/preview", {"body": payload}, headers=JS)
        assert response.status_code in (200, 400), payload
        if response.status_code == 200:
            assert_harmless(preview_html(response.text))
            shown += 1
    assert shown > 400
    assert count_comments(database) == 0


def test_the_edit_form_tells_the_time_left_and_previews_without_saving(
    auth, ann, make_article, post, database
):
    article = make_article(slug="a")
    mine = post(article, ann, "as written")
    with database.session(write=True) as session:
        earlier = utcnow() - timedelta(minutes=3, seconds=30)
        session.execute(update(Comment).where(Comment.id == mine.id).values(created_at=earlier))
    form = auth.client.get(f"/comments/{mine.id}/edit").text
    assert "You can edit for 12 more minutes." in form  # the default window is 15 minutes
    assert '<details class="markdown-help">' in form
    response = auth.post(f"/comments/{mine.id}/edit", {"body": "as *meant*", "action": "preview"})
    assert response.status_code == 200 and preview_html(response.text) == "<p>as <em>meant</em></p>"
    assert only_comment(database, "as written").edited_at is None


def test_compose_js_gets_a_fragment_with_the_message_and_where_the_comment_is(
    auth, ann, make_article, database
):
    make_article(slug="a")
    response = auth.post("/articles/a/comments", {"body": "in place"}, headers=JS)
    comment = only_comment(database, "in place")
    assert response.status_code == 200 and "<html" not in response.text
    assert f'data-comment-id="{comment.id}"' in response.text
    assert f'data-location="/articles/a#comment-{comment.id}"' in response.text
    assert flash(response.text) == "Published."
    refused = auth.post("/articles/a/comments", {"body": ""}, headers=JS)
    assert refused.status_code == 400 and "data-error" in refused.text
    preview = auth.post("/articles/a/comments/preview", {"body": "`x`"}, headers=JS)
    assert preview_html(preview.text) == "<p><code>x</code></p>"
    assert count_comments(database) == 1


def test_add_a_comment_is_offered_at_the_top_of_the_thread_too(
    auth, client, make_article, make_user, post
):
    article = make_article(slug="a")
    post(article, make_user("bob"), "a first comment")
    for reader in ("visitor", "ann"):
        if reader == "ann":
            make_user("ann")
            auth.login("ann")
        page = auth.client.get("/articles/a").text
        top = page.index('<a class="button" href="#new-comment-heading" data-compose-jump>')
        assert top < page.index('id="comment-') < page.index('<h3 id="new-comment-heading">')
