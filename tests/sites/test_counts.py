"""A site's listing page asks, in one request, how many comments each of its pages has."""

from urllib.parse import quote

from sqlalchemy import update

from forum.articles.models import Article, CommentMode
from tests.sites.test_embed import PAGE, frame

OTHER = "https://blog.example/2003/05/another"


def counts(client, site, *urls, origin="https://blog.example"):
    query = "&".join(f"url={quote(u)}" for u in urls)
    return client.get(f"/api/sites/{site.id}/counts?{query}", headers={"origin": origin})


def set_count(database, n, **changes):
    with database.session(write=True) as s:
        s.execute(update(Article).values(comment_count=n, **changes))


def test_each_page_gets_its_count_under_the_address_it_was_asked_by(client, make_site, database):
    site = make_site()
    frame(client, site)
    set_count(database, 3)
    spelt = PAGE + "/?utm_source=feed"
    response = counts(client, site, PAGE, spelt, OTHER)
    assert response.status_code == 200
    assert response.json() == {
        "counts": {PAGE: 3, spelt: 3, OTHER: 0},
        "texts": {PAGE: "3 comments", spelt: "3 comments", OTHER: "0 comments"},
    }
    assert response.headers["cache-control"] == "public, max-age=60"


def test_only_the_sites_origins_may_read_the_counts_from_their_pages(client, make_site):
    site = make_site()
    mine = counts(client, site, PAGE, origin="http://127.0.0.1:8001")
    assert mine.headers["access-control-allow-origin"] == "http://127.0.0.1:8001"
    assert "origin" in mine.headers["vary"].lower()
    theirs = counts(client, site, PAGE, origin="https://evil.example")
    assert "access-control-allow-origin" not in theirs.headers


def test_a_hidden_or_unpublished_thread_counts_nothing(client, make_site, database):
    site = make_site()
    frame(client, site)
    set_count(database, 5, comment_mode=CommentMode.HIDDEN)
    assert counts(client, site, PAGE).json()["counts"][PAGE] == 0
    set_count(database, 5, comment_mode=CommentMode.OPEN, published=False)
    assert counts(client, site, PAGE).json()["counts"][PAGE] == 0


def test_too_many_or_foreign_or_bad_addresses_are_refused_as_problems(client, make_site):
    site = make_site()
    many = [f"{PAGE}/{n}" for n in range(51)]
    assert counts(client, site, *many).status_code == 400
    foreign = counts(client, site, "https://elsewhere.example/a")
    assert foreign.status_code == 403
    assert foreign.headers["content-type"].startswith("application/problem+json")
    assert counts(client, site, "not an address").status_code == 400
    assert client.get(f"/api/sites/{site.id}/counts").status_code == 400
    assert client.get(f"/api/sites/999/counts?url={quote(PAGE)}").status_code == 404


def test_the_count_script_is_small_and_cached_like_the_embed(client):
    stable = client.get("/count.js", follow_redirects=False)
    assert stable.status_code == 302 and stable.headers["location"].startswith("/count.js?v=")
    script = client.get(stable.headers["location"])
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert len(script.content) < 2048
