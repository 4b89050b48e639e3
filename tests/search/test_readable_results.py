"""Search results that read well: plain-text snippets, articles first, a word for an empty query,
and two search landmarks a screen reader tells apart."""

import re

from forum.search.snippets import MARK_END, MARK_START, highlight, plain_text


def hits(client, q, **params):
    response = client.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()["hits"]


def test_snippets_show_the_words_without_markdown_marks(client, make_article, make_user, post):
    body = (
        "> Quoting someone on **the okapi**\n\n"
        "## A heading\n\n"
        "- Read [the okapi notes](https://example.org/okapi) and `okapi_facts`, _really_.\n"
        "<em>okapi</em> &amp; friends ~~gone~~"
    )
    post(make_article(slug="a"), make_user("ann"), body)
    (hit,) = hits(client, "okapi")
    snippet = hit["snippet_html"]
    text = re.sub(r"</?mark>", "", snippet)
    for mark in ("**", "](", "##", "> ", "`", "<em>", "~~", "&amp;amp;", "https://example.org"):
        assert mark not in text, (mark, snippet)
    assert "Quoting someone on the okapi" in text
    assert "Read the okapi notes and okapi_facts, really." in text
    assert "<mark>okapi</mark>" in snippet


def test_snippets_of_articles_are_plain_text_too(client, make_article):
    make_article(slug="a", title="Tapirs", body="The **tapir** is [shy](/terms).")
    (hit,) = hits(client, "tapir", kind="articles")
    assert "**" not in hit["snippet_html"] and "(/terms)" not in hit["snippet_html"]
    assert "<mark>tapir</mark> is shy" in hit["snippet_html"]  # PostgreSQL ends at the word


def test_plain_snippets_stay_escaped(client, make_article, make_user, post):
    post(make_article(slug="a"), make_user("ann"), "**<b>bold</b>** &lt;script&gt; numbat")
    (hit,) = hits(client, "numbat")
    assert "<script>" not in hit["snippet_html"] and "<b>" not in hit["snippet_html"]
    assert "&lt;script&gt; <mark>numbat</mark>" in hit["snippet_html"]


def test_highlight_keeps_marks_balanced_when_a_cut_leaves_one_open():
    assert str(highlight(f"the {MARK_START}quokka")) == "the <mark>quokka</mark>"
    assert str(highlight(f"{MARK_END}the {MARK_START}x{MARK_END}")) == "the <mark>x</mark>"
    assert plain_text("snake_case, 2 * 3 and 5 > 3") == "snake_case, 2 * 3 and 5 > 3"
    assert plain_text('…ong class="x">cut tag and <a href="/y') == "… cut tag and"


def test_an_article_ranks_above_comments_that_quote_it(client, make_article, make_user, post):
    article = make_article(
        slug="serval", title="Night walks", body="A serval crossed the road at night once."
    )
    quote = "> A serval crossed the road at night once.\n\nServal! Serval, serval, serval."
    for name in ("ann", "bob"):
        post(article, make_user(name), quote)
    found = hits(client, "serval")
    assert [h["kind"] for h in found] == ["article", "comment", "comment"]
    assert found[0]["url"] == "/articles/serval"


def test_an_empty_query_says_what_to_type_and_runs_nothing(client, make_article):
    make_article(slug="a", title="Something")
    page = client.get("/search", params={"q": "   "})
    assert page.status_code == 200
    assert "Type a word or two to search for." in page.text
    assert 'aria-describedby="search-error"' in page.text
    assert "search-results" not in page.text and "Nothing found" not in page.text
    first_visit = client.get("/search")
    assert first_visit.status_code == 200 and "Type a word" not in first_visit.text


def test_the_two_search_landmarks_have_different_names(client):
    page = client.get("/search", params={"q": "anything"}).text
    labels = re.findall(r'role="search" aria-label="([^"]+)"', page)
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    assert "Site search" in labels
