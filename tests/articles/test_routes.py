"""The front page and the article page, as a reader sees them."""

import re
from datetime import UTC, datetime, timedelta

import pytest


def test_front_page_shows_title_byline_teaser_and_comment_count(client, make_article):
    make_article(
        title="What do we mean by socialism?",
        slug="socialism",
        body="The revolution of *October 1917* and what followed.",
    )
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/articles/socialism">What do we mean by socialism?</a>' in html
    assert 'Submitted by <span class="author">Janine</span> on' in html
    assert "15 April, 2003 - 9:12" in html
    assert "The revolution of October 1917 and what followed." in html
    assert "No comments" in html


def test_article_page_shows_the_byline_exactly_as_users_know_it(client, make_article):
    make_article(slug="socialism", body="Body text")
    html = client.get("/articles/socialism").text
    text = re.sub(r"<[^>]+>", "", html)
    assert "Submitted by Janine on 15 April, 2003 - 9:12" in text
    assert '<time datetime="2003-04-15T09:12:00+00:00">' in html
    assert 'id="comments"' in html


def test_byline_uses_no_leading_zeros_and_a_24_hour_clock(client, make_article):
    make_article(slug="evening", submitted_at=datetime(2010, 3, 5, 21, 7, tzinfo=UTC))
    assert "5 March, 2010 - 21:07" in client.get("/articles/evening").text


def test_front_page_paginates_twenty_per_page(client, make_article):
    base = datetime(2020, 1, 1, tzinfo=UTC)
    for n in range(25):
        make_article(title=f"Story {n:02d}", submitted_at=base + timedelta(hours=n))
    first = client.get("/").text
    assert first.count('class="teaser"') == 20
    assert "Story 24" in first and "Story 04" not in first
    assert 'href="?page=2"' in first
    second = client.get("/?page=2").text
    assert second.count('class="teaser"') == 5
    assert 'href="?page=1"' in second and "Story 04" in second


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", "99999999999999999999"])
def test_malformed_page_numbers_get_a_clear_400(client, page):
    response = client.get(f"/?page={page}")
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert "<footer" in response.text


def test_a_page_past_the_end_is_404_in_the_site_layout(client, make_article):
    make_article()
    response = client.get("/?page=99999")
    assert response.status_code == 404
    assert "There is no page 99999." in response.text


def test_unknown_and_overlong_slugs_get_the_404_page(client):
    for slug in ["no-such-article", "x" * 5000, "%00", "..%2F..%2Fetc"]:
        response = client.get(f"/articles/{slug}")
        assert response.status_code == 404, slug
        assert "<footer" in response.text
        assert "Traceback" not in response.text


def test_drafts_are_neither_listed_nor_shown(client, make_article):
    make_article(title="Secret draft", slug="draft", published=False)
    assert "Secret draft" not in client.get("/").text
    assert client.get("/articles/draft").status_code == 404


def test_titles_and_authors_are_escaped(client, make_article):
    make_article(title="<script>alert(1)</script>", author_name="<b>x</b>", slug="xss")
    html = client.get("/").text + client.get("/articles/xss").text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html
    assert "<b>x</b>" not in html


def test_api_lists_and_shows_articles(client, make_article):
    make_article(title="Hello", slug="hello")
    listing = client.get("/api/articles").json()
    assert listing["total"] == 1
    assert listing["items"][0]["slug"] == "hello"
    assert listing["items"][0]["comment_count"] == 0
    detail = client.get("/api/articles/hello").json()
    assert detail["html"] == "<p>Body of article 1.</p>"
    missing = client.get("/api/articles/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
