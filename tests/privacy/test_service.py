"""Privacy rules over the database: policy versions, decisions, the log, page-view counts."""

from datetime import UTC, date, datetime, timedelta

import pytest

from forum.privacy import policies, service
from forum.privacy.consent import Decision
from forum.privacy.defaults import DEFAULT_SOURCES
from forum.privacy.models import ConsentMethod, ConsentRecord, PolicyKind

TODAY = date(2026, 6, 1)


def decision(at: datetime, *, preferences=True, method=ConsentMethod.BANNER) -> Decision:
    return Decision(1, preferences, False, "ab" * 12, method, at.replace(microsecond=0))


def test_until_one_is_published_version_1_is_the_built_in_text(db):
    for kind in PolicyKind:
        doc = policies.current_policy(db, kind)
        assert (doc.version, doc.stored) == (1, False)
        assert doc.source == DEFAULT_SOURCES[kind]
        assert doc.html.startswith("<")
        assert "<br" not in doc.html, "the built-in texts are not broken mid-sentence"
        assert [d.version for d in policies.policy_history(db, kind)] == [1]


def test_the_first_publication_keeps_the_built_in_text_as_version_1(db):
    row = policies.publish_policy(
        db, PolicyKind.TERMS, source="New", effective_on=TODAY, by_user_id=None, today=TODAY
    )
    assert row.version == 2
    history = policies.policy_history(db, PolicyKind.TERMS)
    assert [(d.version, d.stored) for d in history] == [(2, True), (1, True)]
    assert history[1].source == DEFAULT_SOURCES[PolicyKind.TERMS]
    assert policies.current_version(db, PolicyKind.TERMS, today=TODAY) == 2
    assert policies.current_version(db, PolicyKind.PRIVACY, today=TODAY) == 1


def test_a_version_applies_from_its_day(db):
    later = TODAY + timedelta(days=10)
    policies.publish_policy(
        db, PolicyKind.COOKIES, source="Later", effective_on=later, by_user_id=None, today=TODAY
    )
    assert policies.current_version(db, PolicyKind.COOKIES, today=TODAY) == 1
    assert policies.current_version(db, PolicyKind.COOKIES, today=later) == 2
    assert policies.current_policy(db, PolicyKind.COOKIES, today=later).source == "Later"
    assert policies.policy_version(db, PolicyKind.COOKIES, 2).source == "Later"


def test_record_decision_logs_it_and_stores_it_for_the_user(db, make_user):
    user = make_user("ann")
    now = datetime.now(UTC)
    service.record_decision(db, decision(now), user_id=user.id)
    service.record_decision(db, decision(now, preferences=False), user_id=None)
    rows = db.query(ConsentRecord).order_by(ConsentRecord.id).all()
    assert [(r.user_id, r.preferences, r.policy_version) for r in rows] == [
        (user.id, True, 1),
        (None, False, 1),
    ]
    assert service.user_decision(db, user.id) == decision(now)


@pytest.mark.parametrize("browser_is_newer", [True, False])
def test_at_login_the_newer_decision_wins(db, make_user, browser_is_newer):
    user = make_user("ann")
    now = datetime.now(UTC)
    stored = decision(now - timedelta(minutes=5), preferences=True)
    browser = decision(now if browser_is_newer else now - timedelta(hours=1), preferences=False)
    service.save_user_decision(db, user.id, stored)
    winner = service.merge_at_login(db, user.id, browser)
    expected = browser if browser_is_newer else stored
    assert winner == expected
    assert service.user_decision(db, user.id) == expected


def test_purging_the_log_removes_only_old_records(db):
    now = datetime.now(UTC)
    service.record_decision(db, decision(now - timedelta(days=2000)), user_id=None)
    service.record_decision(db, decision(now), user_id=None)
    assert service.purge_consent_log(db, before=now - timedelta(days=1825)) == 1
    assert db.query(ConsentRecord).count() == 1


def test_page_views_add_up_per_path_and_day(db):
    for path, day in [("/", TODAY), ("/", TODAY), ("/a", TODAY), ("/", TODAY - timedelta(1))]:
        service.count_page_view(db, path, day)
    stats = service.page_view_stats(db, days=30, today=TODAY)
    assert stats.total == 4
    assert stats.top_paths == [("/", 3), ("/a", 1)]
    assert stats.days[-1] == (TODAY, 3) and stats.days[-2] == (TODAY - timedelta(1), 1)
    assert len(stats.days) == 30


def test_very_long_paths_are_cut_to_the_column(db):
    service.count_page_view(db, "/" + "x" * 500, TODAY)
    [(path, views)] = service.page_view_stats(db, today=TODAY).top_paths
    assert len(path) == 200 and views == 1
