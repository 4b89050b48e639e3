"""First-party analytics: page views are counted in our database only with consent."""

from sqlalchemy import select

from forum.privacy.models import PageViewCount


def counts(database) -> dict[str, int]:
    with database.session() as session:
        return {row.path: row.views for row in session.scalars(select(PageViewCount))}


def test_nothing_is_counted_before_a_choice(client, database):
    for path in ["/", "/privacy", "/cookies"]:
        client.get(path)
    assert counts(database) == {}


def test_nothing_is_counted_after_reject_or_with_gpc(client, choose, second_device, database):
    client.get("/")
    choose("reject")
    client.get("/")
    other = second_device()
    other.client.get("/", headers={"Sec-GPC": "1"})
    other.client.get("/terms", headers={"Sec-GPC": "1"})
    assert counts(database) == {}


def test_a_page_view_is_counted_with_consent(client, choose, database, make_article):
    make_article(slug="a")
    client.get("/")
    choose("save", source="settings", analytics="on")
    client.get("/")
    client.get("/")
    client.get("/articles/a")
    client.get("/no/such/page")
    assert counts(database) == {"/": 2, "/articles/a": 1}


def test_preferences_alone_count_nothing(client, choose, database):
    client.get("/")
    choose("save", source="settings", preferences="on")
    client.get("/")
    assert counts(database) == {}


def test_admin_pages_and_other_responses_are_not_counted(auth, choose, admin, database):
    auth.login("boss")
    auth.client.get("/")
    choose("accept_all")
    auth.client.get("/admin/privacy")
    auth.client.get("/static/forum.css")
    auth.client.get("/api/articles")
    assert counts(database) == {}
