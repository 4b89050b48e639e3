"""Readers report a comment once, with a reason; enough reports hide it until a decision."""

import pytest
from sqlalchemy import func, select

from forum.comments.models import Comment, CommentStatus
from forum.moderation.models import LogAction, LogEntry, Report


@pytest.fixture
def target(make_article, make_user, make_regular, submit):
    article = make_article(slug="a")
    comment = submit(article, make_regular("carl"), "rude words")
    assert comment.status is CommentStatus.PUBLISHED
    for name in ("ann", "bob", "dan", "eve"):
        make_user(name)
    return comment


def report(auth, comment, username, reason="abuse", note=""):
    auth.logout()
    auth.login(username)
    return auth.post(f"/comments/{comment.id}/report", {"reason": reason, "note": note})


def test_the_comment_card_links_to_the_report_form(target, auth):
    auth.login("ann")
    assert f'href="/comments/{target.id}/report"' in auth.client.get("/articles/a").text
    form = auth.client.get(f"/comments/{target.id}/report")
    assert form.status_code == 200
    for reason in ("spam", "abuse", "off_topic", "illegal", "other"):
        assert f'value="{reason}"' in form.text


def test_a_reader_reports_a_comment_with_a_reason(target, auth, database):
    response = report(auth, target, "ann", "spam", "selling things")
    assert response.status_code == 303
    with database.session() as s:
        saved = s.scalar(select(Report))
        assert (saved.reason.value, saved.note, saved.resolved_at) == (
            "spam",
            "selling things",
            None,
        )


def test_a_second_report_by_the_same_reader_is_refused_clearly(target, auth, database):
    assert report(auth, target, "ann").status_code == 303
    again = auth.post(f"/comments/{target.id}/report", {"reason": "spam"})
    assert again.status_code == 409
    assert "already reported" in again.text
    api = auth.client.post(
        f"/api/comments/{target.id}/reports", json={"reason": "spam"}, headers=auth.api_headers()
    )
    assert api.status_code == 409
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == 1


def test_other_needs_a_note(target, auth):
    response = report(auth, target, "ann", "other", "")
    assert response.status_code == 400 and "Note is required" in response.text
    assert report(auth, target, "ann", "other", "it spoils the film").status_code == 303


def test_authors_cannot_report_their_own_comment(target, auth):
    auth.login("carl")
    assert auth.client.get(f"/comments/{target.id}/report").status_code == 403
    assert auth.post(f"/comments/{target.id}/report", {"reason": "spam"}).status_code == 403


def test_visitors_are_sent_to_log_in(target, client):
    response = client.get(f"/comments/{target.id}/report", follow_redirects=False)
    assert response.status_code in {302, 303} and "/login" in response.headers["location"]


def test_the_threshold_of_reports_hides_the_comment_until_a_decision(target, auth, database):
    report(auth, target, "ann")
    report(auth, target, "bob")
    auth.logout()
    assert "rude words" in auth.client.get("/articles/a").text
    report(auth, target, "dan")
    auth.logout()
    page = auth.client.get("/articles/a").text
    assert "rude words" not in page
    assert "rude words" not in auth.client.get("/api/articles/a/comments").text
    with database.session() as s:
        assert s.get(Comment, target.id).status is CommentStatus.HIDDEN
        entry = s.scalar(select(LogEntry))
        assert entry.action is LogAction.AUTO_HIDE and entry.actor_id is None
        assert entry.comment_id == target.id


@pytest.mark.parametrize(
    "settings_overrides", [{"mail_worker": False, "moderation_reports_to_hide": 1}]
)
def test_the_threshold_is_a_setting(target, auth, database):
    report(auth, target, "ann")
    with database.session() as s:
        assert s.get(Comment, target.id).status is CommentStatus.HIDDEN


def test_reports_reach_the_reported_queue_with_their_reasons(target, auth, moderator):
    report(auth, target, "ann", "spam", "a link farm")
    report(auth, target, "bob", "abuse")
    auth.logout()
    auth.login("modo")
    page = auth.client.get("/moderation/reported").text
    assert "rude words" in page and "a link farm" in page
    assert 'Reported <span class="count">(1)</span>' in page
    assert "Reports (2 open)" in page


def test_reporting_through_the_api(target, auth):
    auth.login("ann")
    response = auth.client.post(
        f"/api/comments/{target.id}/reports",
        json={"reason": "illegal", "note": "a stolen photo"},
        headers=auth.api_headers(),
    )
    assert response.status_code == 201
    assert response.json() == {"comment_id": target.id, "reason": "illegal", "hidden": False}
