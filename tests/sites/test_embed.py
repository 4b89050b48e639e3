"""A site's page shows its thread in a frame of ours: only the site's origins may frame it,
one page (however spelt) has one thread, made on its first view when the site allows it."""

import gzip
from urllib.parse import quote

import pytest
from sqlalchemy import select

from forum.articles.models import Article
from forum.sites.models import SitePage
from tests.conftest import shared_corpus

PAGE = "https://blog.example/2003/04/what-do-we-mean"


def frame(client, site, url=PAGE, title="What do we mean by socialism?", parent=""):
    query = f"url={quote(url)}&title={quote(title)}"
    if parent:
        query += f"&parent={quote(parent)}"
    return client.get(f"/embed/{site.id}/thread?{query}")


def articles(database) -> list[tuple[str, str]]:
    with database.session() as s:
        rows = s.execute(
            select(Article.title, SitePage.canonical_url).join(
                SitePage, SitePage.article_id == Article.id
            )
        )
        return [tuple(row) for row in rows]


def test_the_embed_script_is_small_has_a_content_hashed_address_and_a_long_cache(client):
    stable = client.get("/embed.js", follow_redirects=False)
    assert stable.status_code == 302 and stable.headers["cache-control"] == "public, max-age=300"
    hashed = client.get(stable.headers["location"])
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["cross-origin-resource-policy"] == "cross-origin"
    assert hashed.headers["content-type"].startswith("text/javascript")
    assert len(gzip.compress(hashed.content, 9)) <= 5 * 1024
    assert b"import" not in hashed.content and b'createElement("script")' not in hashed.content
    stale = client.get("/embed.js?v=0123", follow_redirects=False)
    assert stale.headers["location"] == stable.headers["location"]


def test_the_first_view_makes_the_thread_with_the_pages_title_and_address(
    client, make_site, database
):
    site = make_site()
    response = frame(client, site)
    assert response.status_code == 200
    assert articles(database) == [("What do we mean by socialism?", PAGE)]
    assert '<base target="_top">' in response.text
    assert "What do we mean by socialism?" in response.text


def test_only_the_sites_origins_may_frame_the_thread(client, make_site):
    site = make_site()
    response = frame(client, site)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors https://blog.example http://127.0.0.1:8001;" in policy + ";"
    assert "x-frame-options" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    other = client.get("/")
    assert "frame-ancestors 'none'" in other.headers["content-security-policy"]
    assert other.headers["x-frame-options"] == "DENY"


def test_every_spelling_of_a_page_meets_in_one_thread(client, make_site, database):
    site = make_site()
    frame(client, site)
    frame(client, site, url="HTTPS://Blog.Example:443/2003/04/what-do-we-mean/?utm_source=x#c")
    assert len(articles(database)) == 1


def test_a_page_on_another_origin_gets_no_thread(client, make_site, database):
    site = make_site()
    response = frame(client, site, url="https://elsewhere.example/a")
    assert response.status_code == 403
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert articles(database) == []


@pytest.mark.parametrize("url", ["not a web address", "javascript:alert(1)", "https://x" * 300])
def test_a_bad_page_address_is_refused_with_a_message(client, make_site, url):
    assert frame(client, make_site(), url=url).status_code == 400


def test_an_unknown_site_is_not_found(client):
    assert client.get(f"/embed/999/thread?url={quote(PAGE)}").status_code == 404


def test_a_site_that_starts_no_threads_shows_only_existing_ones(client, make_site, database):
    site = make_site(create_on_view=False)
    response = frame(client, site)
    assert response.status_code == 404 and "no thread yet" in response.text
    assert articles(database) == []


def test_the_frame_talks_to_the_embedding_page_only_if_it_is_the_sites(client, make_site):
    site = make_site()
    assert (
        'data-parent="http://127.0.0.1:8001"'
        in frame(client, site, parent="http://127.0.0.1:8001").text
    )
    assert "data-parent" not in frame(client, site, parent="https://evil.example").text


def test_a_title_is_cut_to_one_line_and_shown_as_text(client, make_site, database):
    site = make_site()
    lines = shared_corpus("xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    payloads = [line for line in lines if "<" in line and not line.startswith("#")][:40]
    assert payloads
    for n, payload in enumerate(payloads):
        response = frame(client, site, url=f"{PAGE}-{n}", title=payload + "\n" + "x" * 400)
        assert response.status_code == 200
        head = response.text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "<" not in head, payload
    for title, _url in articles(database):
        assert "\n" not in title and len(title) <= 200


def test_the_noscript_link_leads_to_the_thread_on_the_forum(client, make_site, database):
    site = make_site()
    frame(client, site)
    response = client.get(f"/embed/{site.id}/go?url={quote(PAGE)}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("#comments")
    unknown = client.get(f"/embed/{site.id}/go?url={quote(PAGE + '/other')}")
    assert unknown.status_code == 404


def test_each_sites_frame_keeps_its_own_ancestors_for_cookieless_visitors(client, make_site):
    first = make_site()
    second = make_site(name="News", origins="https://news.example")
    for _ in range(2):
        for site, origins in (
            (first, "https://blog.example http://127.0.0.1:8001"),
            (second, "https://news.example"),
        ):
            client.cookies.clear()
            url = PAGE if site is first else "https://news.example/a"
            policy = frame(client, site, url=url).headers["content-security-policy"]
            assert f"frame-ancestors {origins};" in policy + ";"


def test_a_flood_of_made_up_pages_stops_starting_threads(client, make_site, database, monkeypatch):
    from forum.sites import pages

    monkeypatch.setattr(pages, "NEW_THREADS_PER_HOUR", 2)
    site = make_site()
    assert frame(client, site, url=PAGE + "?x=1").status_code == 200
    assert frame(client, site, url=PAGE + "?x=2").status_code == 200
    refused = frame(client, site, url=PAGE + "?x=3")
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert frame(client, site, url=PAGE + "?x=1").status_code == 200  # existing ones still show
    assert len(articles(database)) == 2
