"""Finding old discussions: ranked results with highlights, and nothing that is not public."""

import pytest
from sqlalchemy import update

from forum.accounts.current import CurrentUser
from forum.articles.models import Article, CommentMode
from forum.comments import service as comments
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment, CommentStatus
from forum.search.query import QueryProblem, parse


def results(client, q, **params):
    response = client.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_new_comment_is_found_at_once_with_a_highlighted_snippet(
    client, make_article, make_user, post
):
    article = make_article(slug="a", title="Allotments")
    post(article, make_user("ann"), "The marrows were enormous this year.")
    data = results(client, "marrows")
    assert data["total"] == 1
    (hit,) = data["hits"]
    assert hit["kind"] == "comment" and hit["url"].startswith("/comments/")
    assert "<mark>marrows</mark>" in hit["snippet_html"]
    assert hit["title"] == "Allotments"


def test_articles_are_found_by_title_and_body_and_rank_above_passing_mentions(client, make_article):
    make_article(slug="bees", title="Bees on the allotment", body="Bees, bees and more bees.")
    make_article(slug="other", title="Other news", body="Somebody mentioned bees once.")
    hits = results(client, "bees", kind="articles")["hits"]
    assert [h["url"] for h in hits] == ["/articles/bees", "/articles/other"]


def test_stemming_finds_other_forms_of_a_word(client, make_article):
    make_article(slug="a", body="We were organising the tenants.")
    assert results(client, "organise")["total"] == 1


@pytest.mark.parametrize(
    "status",
    [CommentStatus.PENDING, CommentStatus.HIDDEN, CommentStatus.REJECTED, CommentStatus.DELETED],
)
def test_hidden_pending_rejected_and_deleted_comments_are_never_found(
    client, database, make_article, make_user, post, status
):
    article = make_article(slug="a")
    comment = post(article, make_user("ann"), "a zanzibar secret")
    assert results(client, "zanzibar")["total"] == 1
    with database.session(write=True) as s:
        s.execute(update(Comment).where(Comment.id == comment.id).values(status=status))
    assert results(client, "zanzibar")["total"] == 0
    with database.session(write=True) as s:
        s.execute(
            update(Comment).where(Comment.id == comment.id).values(status=CommentStatus.PUBLISHED)
        )
    assert results(client, "zanzibar")["total"] == 1


def test_edits_are_searchable_and_the_old_text_is_not(
    client, database, make_article, make_user, post, hooks
):
    article = make_article(slug="a")
    ann = make_user("ann")
    comment = post(article, ann, "original aardvark")
    from datetime import timedelta

    with database.session(write=True) as s:
        comments.edit_comment(
            s,
            hooks,
            comment.id,
            editor=CurrentUser.of(ann, via="session"),
            body="improved pangolin",
            window=timedelta(minutes=15),
        )
    assert results(client, "aardvark")["total"] == 0
    assert results(client, "pangolin")["total"] == 1


def test_drafts_and_hidden_threads_are_not_found(client, database, make_article, make_user, post):
    draft = make_article(slug="draft", title="Unpublished quokka", published=False)
    hidden = make_article(slug="hidden")
    post(hidden, make_user("ann"), "quokka in a hidden thread")
    with database.session(write=True) as s:
        s.execute(
            update(Article).where(Article.id == hidden.id).values(comment_mode=CommentMode.HIDDEN)
        )
    assert results(client, "quokka")["total"] == 0
    assert draft.slug == "draft"


def test_filters_by_kind_and_author(client, make_article, make_user, post):
    article = make_article(slug="a", title="Wombat news", body="wombat article")
    post(article, make_user("ann"), "ann on the wombat")
    post(article, make_user("bob"), "bob on the wombat")
    assert results(client, "wombat")["total"] == 3
    assert results(client, "wombat", kind="comments")["total"] == 2
    assert [h["author_username"] for h in results(client, "wombat", author="BOB")["hits"]] == [
        "bob"
    ]


def test_twenty_results_a_page(client, make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann")
    for n in range(25):
        post(article, ann, f"capybara number {n}")
    first = results(client, "capybara")
    assert len(first["hits"]) == 20 and first["pages"] == 2
    assert len(results(client, "capybara", page=2)["hits"]) == 5
    page = client.get("/search?q=capybara&kind=comments").text
    assert 'aria-label="Result pages"' in page and "Page 1 of 2" in page
    assert 'href="/search?q=capybara&amp;kind=comments&amp;author=&amp;page=2"' in page
    assert 'rel="prev"' not in page
    second = client.get("/search?q=capybara&kind=comments&page=2").text
    assert 'href="/search?q=capybara&amp;kind=comments&amp;author=&amp;page=1"' in second


@pytest.mark.parametrize(
    "q",
    [
        '"unclosed',
        "AND OR NOT",
        "a*b(c)",
        "NEAR(x y)",
        "^",
        "'; DROP TABLE comments; --",
        "%_%",
        "title:foo",
        "*",
        "-",
        "x" * 150,
        "ünïcödé",
        "\u202edrow",
    ],
)
def test_awkward_queries_never_fail(client, make_article, q):
    make_article(slug="a")
    response = client.get("/api/search", params={"q": q})
    assert response.status_code in (200, 400)
    assert response.status_code != 500
    page = client.get("/search", params={"q": q})
    assert page.status_code in (200, 400) and "Traceback" not in page.text


def test_empty_and_overlong_queries_get_a_clear_message(client):
    empty = client.get("/api/search", params={"q": "  "})
    assert empty.status_code == 400 and "Type a word" in empty.json()["detail"]
    long = client.get("/api/search", params={"q": "word " * 200})
    assert long.status_code == 400 and "too long" in long.json()["detail"]
    page = client.get("/search", params={"q": "word " * 200})
    assert page.status_code == 400 and "too long" in page.text
    assert client.get("/search").status_code == 200


def test_snippets_are_escaped(client, make_article, make_user, post):
    post(make_article(slug="a"), make_user("ann"), "look <script>alert(1)</script> kinkajou")
    hit = results(client, "kinkajou")["hits"][0]
    assert "<script>" not in hit["snippet_html"]
    assert "alert(1)" in hit["snippet_html"] and "<mark>kinkajou</mark>" in hit["snippet_html"]
    html = client.get("/search", params={"q": "kinkajou"}).text
    assert "<script>alert" not in html


def test_every_page_has_a_search_box(client, make_article):
    make_article(slug="a")
    for path in ["/", "/articles/a", "/privacy"]:
        assert 'action="/search" role="search"' in client.get(path).text


def test_query_parsing():
    assert parse('"tenants union" rent').fts5() == '"tenants union" "rent"'
    with pytest.raises(QueryProblem):
        parse("!!!")
    assert CommentHooks is not None
