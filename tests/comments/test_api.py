"""The thread's JSON API: the nested tree, ETags, and writing with session or token."""

import pytest
from sqlalchemy import select

from forum.comments.models import Comment


def test_the_thread_is_a_nested_tree(client, make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann", display_name="Ann")
    root = post(article, ann, "root *text*")
    reply = post(article, ann, "reply", parent=root)
    data = client.get("/api/articles/a/comments").json()
    assert data["page"] == 1 and data["pages"] == 1 and data["total_threads"] == 1
    (top,) = data["comments"]
    assert {"id", "parent_id", "author", "html", "created_at", "edited_at", "replies"} <= set(top)
    assert top["id"] == root.id and top["parent_id"] is None and top["author"] == "Ann"
    assert top["html"] == "<p>root <em>text</em></p>"
    assert top["replies"][0]["id"] == reply.id and top["replies"][0]["parent_id"] == root.id


def test_thread_reads_answer_if_none_match_with_304(client, make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann")
    post(article, ann, "one")
    first = client.get("/api/articles/a/comments")
    etag = first.headers["etag"]
    again = client.get("/api/articles/a/comments", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    post(article, ann, "two")
    changed = client.get("/api/articles/a/comments", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    other_sort = client.get("/api/articles/a/comments?sort=newest", headers={"If-None-Match": etag})
    assert other_sort.status_code == 200


# Moderation would hold a new author's first comment; this test is about the API itself.
@pytest.mark.parametrize("settings_overrides", [{"moderation_min_approved": 0}])
def test_post_edit_and_delete_through_the_api(auth, make_article, make_user, database):
    make_article(slug="a")
    make_user("ann")
    auth.login("ann")
    headers = auth.api_headers()
    created = auth.client.post(
        "/api/articles/a/comments", json={"body": "via api"}, headers=headers
    )
    assert created.status_code == 201
    comment_id = created.json()["id"]
    reply = auth.client.post(
        "/api/articles/a/comments", json={"body": "reply", "parent_id": comment_id}, headers=headers
    )
    assert reply.status_code == 201 and reply.json()["parent_id"] == comment_id
    edited = auth.client.patch(
        f"/api/comments/{comment_id}", json={"body": "edited"}, headers=headers
    )
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    one = auth.client.get(f"/api/comments/{comment_id}").json()
    assert one["html"] == "<p>edited</p>" and one["replies"][0]["html"] == "<p>reply</p>"
    assert auth.client.delete(f"/api/comments/{comment_id}", headers=headers).status_code == 204
    tree = auth.client.get("/api/articles/a/comments").json()["comments"]
    assert tree[0]["author"] is None and tree[0]["html"] == ""  # kept as a placeholder


def test_api_writes_need_login_csrf_and_valid_input(auth, make_article, make_user, database):
    make_article(slug="a")
    assert (
        auth.client.post(
            "/api/articles/a/comments", json={"body": "x"}, headers=auth.api_headers()
        ).status_code
        == 401
    )
    make_user("ann")
    auth.login("ann")
    assert auth.client.post("/api/articles/a/comments", json={"body": "x"}).status_code == 403
    headers = auth.api_headers()
    for bad in [
        {"body": ""},
        {"body": "x", "status": "published"},
        {"body": "x", "parent_id": 0},
        {},
    ]:
        response = auth.client.post("/api/articles/a/comments", json=bad, headers=headers)
        assert response.status_code == 400, bad
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (
        auth.client.post(
            "/api/articles/nope/comments", json={"body": "x"}, headers=headers
        ).status_code
        == 404
    )
    with database.session() as s:
        assert s.scalar(select(Comment)) is None


def test_the_comment_api_is_in_the_openapi_schema(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/articles/{slug}/comments"])
    assert {"get", "patch", "delete"} <= set(paths["/api/comments/{comment_id}"])
