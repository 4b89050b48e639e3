"""The moderation JSON API: queues with filters and paging, actions, appeals, users, schema."""

import pytest

from forum.comments.models import CommentStatus


@pytest.fixture
def queue(make_article, make_user, submit, moderator, auth):
    """Three held comments (oldest first): two by ann on 'a', one by bea on 'b'."""
    a, b = make_article(slug="a"), make_article(slug="b")
    ann, bea = make_user("ann"), make_user("bea")
    held = [submit(a, ann, "first"), submit(b, bea, "second"), submit(a, ann, "third")]
    assert {c.status for c in held} == {CommentStatus.PENDING}
    auth.login("modo")
    return held


def test_a_queue_lists_items_oldest_first_with_their_context(queue, auth):
    data = auth.client.get("/api/moderation/queues/pending").json()
    assert data["total"] == 3 and data["queue"] == "pending"
    assert [i["comment_id"] for i in data["items"]] == [c.id for c in queue]
    first = data["items"][0]
    assert first["article_slug"] == "a" and first["body"] == "first"
    assert first["author"]["username"] == "ann" and first["author"]["approved"] == 0
    assert first["held"] == [{"rule": "new_author", "detail": "0 of 1"}]
    assert first["age_seconds"] >= 0


def test_queues_filter_and_page(queue, auth):
    by_article = auth.client.get("/api/moderation/queues/pending?article=b").json()
    assert [i["body"] for i in by_article["items"]] == ["second"]
    by_author = auth.client.get("/api/moderation/queues/pending?author=ann").json()
    assert [i["body"] for i in by_author["items"]] == ["first", "third"]
    page2 = auth.client.get("/api/moderation/queues/pending?per_page=2&page=2").json()
    assert (page2["pages"], [i["body"] for i in page2["items"]]) == (2, ["third"])
    assert auth.client.get("/api/moderation/queues/pending?page=3&per_page=2").status_code == 404
    assert auth.client.get("/api/moderation/queues/nonsense").status_code == 404


def test_counts(queue, auth):
    counts = auth.client.get("/api/moderation/counts").json()
    assert counts == {"pending": 3, "reported": 0, "handled": 0, "appeals": 0}


def test_acting_on_one_item(queue, auth):
    headers = auth.api_headers()
    url = f"/api/moderation/comments/{queue[0].id}/actions"
    missing_rule = auth.client.post(url, json={"action": "reject"}, headers=headers)
    assert missing_rule.status_code == 400
    response = auth.client.post(
        url, json={"action": "reject", "violation": "spam", "reason": "ad"}, headers=headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["status"] == "rejected" and body["log_id"]
    again = auth.client.post(
        url, json={"action": "approve", "expected_status": "pending"}, headers=headers
    )
    assert again.status_code == 409
    unknown = auth.client.post(url, json={"action": "approve", "extra": 1}, headers=headers)
    assert unknown.status_code == 400
    handled = auth.client.get("/api/moderation/queues/handled").json()["items"]
    assert handled[0]["handled_action"] == "reject" and handled[0]["handled_by"] == "modo"


def test_acting_on_many_items(queue, auth):
    ids = [c.id for c in queue] + [999999]
    response = auth.client.post(
        "/api/moderation/actions",
        json={"action": "approve", "comment_ids": ids},
        headers=auth.api_headers(),
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, True, True, False]
    assert results[-1]["message"] == "There is no such comment."
    assert auth.client.get("/api/moderation/counts").json()["pending"] == 0


def test_banning_and_trusting_through_the_api(queue, auth):
    headers = auth.api_headers()
    banned = auth.client.post(
        "/api/moderation/users/ann",
        json={"action": "ban", "reason": "spam", "days": 3, "reject_all": True},
        headers=headers,
    )
    assert banned.status_code == 200
    body = banned.json()
    assert body["banned"] and body["banned_until"] and len(body["rejected"]) == 2
    trusted = auth.client.post(
        "/api/moderation/users/bea", json={"action": "trust"}, headers=headers
    )
    assert trusted.json()["trusted"] is True


def test_the_moderation_api_is_in_the_openapi_schema(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in (
        "/api/moderation/queues/{queue}",
        "/api/moderation/counts",
        "/api/moderation/comments/{comment_id}/actions",
        "/api/moderation/actions",
        "/api/moderation/log",
        "/api/moderation/appeals/{appeal_id}",
        "/api/moderation/users/{username}",
        "/api/comments/{comment_id}/reports",
    ):
        assert path in paths, path
    assert not any(p.startswith("/moderation") for p in paths)
