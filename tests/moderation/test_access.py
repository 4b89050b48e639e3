"""Every moderation page and API endpoint refuses readers (403) and visitors (login / 401);
admins can do everything moderators can; the settings are for admins only."""

import pytest

from forum.accounts.models import Role

MODERATOR_ROUTES = [
    ("GET", "/moderation"),
    ("GET", "/moderation/reported"),
    ("GET", "/moderation/handled"),
    ("GET", "/moderation/appeals"),
    ("GET", "/moderation/log"),
    ("GET", "/moderation/reminders"),
    ("POST", "/moderation/reminders"),
    ("POST", "/moderation/bulk"),
    ("GET", "/moderation/comments/{comment}"),
    ("POST", "/moderation/comments/{comment}/approve"),
    ("POST", "/moderation/comments/{comment}/reject"),
    ("POST", "/moderation/comments/{comment}/hide"),
    ("POST", "/moderation/comments/{comment}/restore"),
    ("GET", "/moderation/comments/{comment}/delete"),
    ("POST", "/moderation/comments/{comment}/delete"),
    ("GET", "/moderation/comments/{comment}/edit"),
    ("POST", "/moderation/comments/{comment}/edit"),
    ("POST", "/moderation/comments/{comment}/lock"),
    ("POST", "/moderation/comments/{comment}/unlock"),
    ("POST", "/moderation/appeals/{appeal}"),
    ("GET", "/moderation/articles/a"),
    ("POST", "/moderation/articles/a/close"),
    ("POST", "/moderation/articles/a/reopen"),
    ("POST", "/moderation/articles/a/moderate-all"),
    ("POST", "/moderation/articles/a/moderate-usual"),
    ("GET", "/moderation/users/carl"),
    ("POST", "/moderation/users/carl/ban"),
    ("POST", "/moderation/users/carl/unban"),
    ("POST", "/moderation/users/carl/trust"),
    ("POST", "/moderation/users/carl/untrust"),
    ("GET", "/api/moderation/queues/pending"),
    ("GET", "/api/moderation/counts"),
    ("GET", "/api/moderation/log"),
    ("POST", "/api/moderation/comments/{comment}/actions"),
    ("POST", "/api/moderation/actions"),
    ("POST", "/api/moderation/appeals/{appeal}"),
    ("POST", "/api/moderation/users/carl"),
]
ADMIN_ROUTES = [("GET", "/admin/moderation"), ("POST", "/admin/moderation")]
JSON_BODIES = {
    "/actions": {"action": "approve"},
    "/api/moderation/actions": {"action": "approve", "comment_ids": [1]},
    "/appeals": {"outcome": "uphold"},
    "/users": {"action": "trust"},
}


@pytest.fixture
def world(make_article, make_user, make_regular, submit):
    """An article, a held comment by ann and a reader; ``{comment}``/``{appeal}`` fill-ins."""
    make_article(slug="a")
    make_user("bob")
    make_regular("carl")
    comment = submit(make_article(slug="b"), make_user("ann"), "held words")
    return {"comment": comment.id, "appeal": 1}


def request(auth, method, path, world):
    url = path.format(**world)
    if method == "GET":
        return auth.client.get(url, follow_redirects=False)
    if url.startswith("/api/"):
        body = next((b for key, b in JSON_BODIES.items() if key in url), {})
        return auth.client.post(url, json=body, headers=auth.api_headers(), follow_redirects=False)
    return auth.post(url, {})


def test_the_list_names_every_moderation_route(app):
    """A new route must be added to the lists above, so the checks below cover it."""
    listed = {(method, _shape(path)) for method, path in MODERATOR_ROUTES + ADMIN_ROUTES}
    served = set()
    for route in app.routes:
        if not route.path.startswith(("/moderation", "/api/moderation", "/admin/moderation")):
            continue
        for method in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}:
            served.add((method, _shape(route.path)))
    assert served == listed


def _shape(path: str) -> str:
    """'/moderation/comments/{comment_id:int}/edit' and '/moderation/comments/{comment}/edit'
    alike; literal slugs and usernames become parameters too."""
    import re

    path = re.sub(r"\{[^}]+\}", "{}", path)
    path = re.sub(r"/articles/a(/|$)", r"/articles/{}\1", path)
    path = re.sub(r"/users/carl(/|$)", r"/users/{}\1", path)
    path = re.sub(r"/queues/pending$", "/queues/{}", path)
    return path.rstrip("/") or "/"


@pytest.mark.parametrize(("method", "path"), MODERATOR_ROUTES + ADMIN_ROUTES)
def test_readers_get_403(world, auth, method, path):
    auth.login("bob")
    assert request(auth, method, path, world).status_code == 403


@pytest.mark.parametrize(("method", "path"), MODERATOR_ROUTES + ADMIN_ROUTES)
def test_visitors_are_sent_to_log_in_or_get_401(world, auth, method, path):
    response = request(auth, method, path, world)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code in {302, 303}
        assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_moderators_cannot_change_the_settings(world, auth, moderator, method, path):
    auth.login("modo")
    assert request(auth, method, path, world).status_code == 403


def test_admins_can_do_what_moderators_can(world, auth, make_user):
    make_user("judy", role=Role.ADMIN)
    auth.login("judy")
    assert auth.client.get("/moderation").status_code == 200
    assert "held words" in auth.client.get("/moderation").text
    assert "Moderation (1)" in auth.client.get("/").text
    response = auth.client.post(
        f"/api/moderation/comments/{world['comment']}/actions",
        json={"action": "approve"},
        headers=auth.api_headers(),
    )
    assert response.status_code == 200 and response.json()["status"] == "published"


def test_the_header_counts_waiting_items_for_moderators_only(world, auth, moderator):
    auth.login("bob")
    assert "Moderation (" not in auth.client.get("/").text
    auth.logout()
    auth.login("modo")
    assert '<a href="/moderation">Moderation (1)</a>' in auth.client.get("/").text
