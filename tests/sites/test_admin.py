"""Administrators register the sites that may frame our threads at /admin/sites."""

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.sites.models import Site, SiteModerator

FORM = {
    "name": "Janine's blog",
    "origins": "https://Blog.Example\nhttp://127.0.0.1:8001/\nhttps://blog.example",
    "create_on_view": "on",
    "comment_mode": "open",
    "moderators": "mona",
}


@pytest.fixture
def admin(make_user, auth):
    make_user("judy", role=Role.ADMIN)
    make_user("mona")
    auth.login("judy")


def only_site(database) -> Site:
    with database.session() as s:
        (site,) = s.scalars(select(Site))
        s.expunge(site)
        return site


def test_a_registered_site_keeps_its_origins_in_one_spelling(admin, auth, database):
    response = auth.post("/admin/sites", FORM)
    assert response.status_code == 303
    site = only_site(database)
    assert response.headers["location"] == f"/admin/sites/{site.id}"
    assert site.origin_list == ["https://blog.example", "http://127.0.0.1:8001"]
    assert site.create_on_view and len(site.secret) == 64
    with database.session() as s:
        assert len(s.scalars(select(SiteModerator)).all()) == 1
    page = auth.client.get(f"/admin/sites/{site.id}")
    assert "mona</textarea>" in page.text and site.secret in page.text
    assert page.headers["cache-control"] == "no-store"
    assert f'src="http://127.0.0.1:8000/embed.js" data-site="{site.id}"' in page.text.replace(
        "&#34;", '"'
    ).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert "Janine&#39;s blog" in auth.client.get("/admin/sites").text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("origins", "https://blog.example/comments", "must be scheme://host[:port] only"),
        ("origins", "blog.example", "is not an origin"),
        ("origins", "", "needs at least one origin"),
        ("name", "", "needs between 1 and 100 characters"),
        ("moderators", "nobody_here", "there is nobody called nobody_here"),
        ("comment_mode", "sometimes", "must be open, closed or hidden"),
    ],
)
def test_a_bad_field_is_refused_with_a_message_and_nothing_is_saved(
    admin, auth, database, field, value, message
):
    response = auth.post("/admin/sites", {**FORM, field: value})
    assert response.status_code == 400
    assert message in response.text and f'id="{field}-error"' in response.text
    with database.session() as s:
        assert s.scalars(select(Site)).all() == []


def test_two_sites_cannot_share_a_name(admin, auth):
    assert auth.post("/admin/sites", FORM).status_code == 303
    response = auth.post("/admin/sites", {**FORM, "name": " Janine's   blog "})
    assert response.status_code == 400 and "another site has this name" in response.text


def test_editing_a_site_replaces_its_settings_and_moderators(admin, auth, database, make_user):
    auth.post("/admin/sites", FORM)
    site = only_site(database)
    make_user("otto")
    changed = {**FORM, "origins": "https://news.example", "create_on_view": "", "moderators": ""}
    changed["comment_mode"] = "closed"
    assert auth.post(f"/admin/sites/{site.id}", changed).status_code == 303
    saved = only_site(database)
    assert saved.origin_list == ["https://news.example"]
    assert not saved.create_on_view and saved.comment_mode.value == "closed"
    with database.session() as s:
        assert s.scalars(select(SiteModerator)).all() == []
    bad = auth.post(f"/admin/sites/{site.id}", {**changed, "origins": "https://x.example/path"})
    assert bad.status_code == 400
    assert only_site(database).origin_list == ["https://news.example"]


def test_rotating_the_secret_makes_a_new_one(admin, auth, database):
    auth.post("/admin/sites", FORM)
    before = only_site(database)
    assert auth.post(f"/admin/sites/{before.id}/secret").status_code == 303
    assert only_site(database).secret != before.secret


def test_only_administrators_see_the_sites(make_user, auth, client):
    assert client.get("/admin/sites", follow_redirects=False).status_code in {302, 303}
    make_user("maria", role=Role.MODERATOR)
    auth.login("maria")
    assert client.get("/admin/sites").status_code == 403
    assert auth.post("/admin/sites", FORM).status_code == 403


def test_a_form_without_its_csrf_token_is_refused(admin, client, database):
    response = client.post("/admin/sites", data=FORM)
    assert response.status_code == 403
    with database.session() as s:
        assert s.scalars(select(Site)).all() == []


def test_an_unknown_site_is_not_found(admin, auth):
    assert auth.client.get("/admin/sites/999").status_code == 404
    assert auth.post("/admin/sites/999/secret").status_code == 404
