"""The consent cookie and the rules of which decision applies (pure, no database)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.privacy.consent import (
    Category,
    ConsentCodec,
    ConsentState,
    Decision,
    allows,
    effective_decision,
    newer,
    remember,
)
from forum.privacy.models import ConsentMethod

codec = ConsentCodec("a secret key of sufficient length for tests")
WHEN = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def decision(
    version=1, preferences=True, analytics=False, method=ConsentMethod.BANNER, at=WHEN
) -> Decision:
    return Decision(version, preferences, analytics, "0123456789abcdef01234567", method, at)


@pytest.mark.parametrize("method", list(ConsentMethod))
def test_a_decision_survives_the_cookie(method):
    original = decision(version=7, analytics=True, method=method)
    value = codec.encode(original)
    assert value.startswith("v7.p1.a1.0123456789abcdef01234567.")
    assert codec.decode(value) == original


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "null",
        "v1.p1.a1",
        "v1.p1.a1.0123456789abcdef01234567.banner.1777636800",
        "v0.p1.a1.0123456789abcdef01234567.banner.1777636800.xxxxxxxxxxxxxxxx",
        "x" * 5000,
        "v1.p2.a1.0123456789abcdef01234567.banner.1777636800.AAAAAAAAAAAAAAAA",
    ],
)
def test_garbage_is_no_decision(garbage):
    assert codec.decode(garbage) is None


def test_a_changed_cookie_is_no_decision():
    value = codec.encode(decision(preferences=False))
    assert codec.decode(value.replace(".p0.", ".p1.")) is None
    other_site = ConsentCodec("another secret key of sufficient length")
    assert other_site.decode(value) is None


@given(st.text(max_size=300))
def test_any_text_decodes_to_a_decision_or_none_without_error(text):
    assert codec.decode(text) is None or isinstance(codec.decode(text), Decision)


def test_only_a_decision_under_the_current_policy_counts():
    assert effective_decision(decision(version=1), policy_version=2, gpc=False) == (None, False)
    current = decision(version=2)
    assert effective_decision(current, policy_version=2, gpc=False) == (current, False)


@pytest.mark.parametrize("method", [ConsentMethod.BANNER, None])
def test_gpc_outranks_the_banner_and_no_choice(method):
    stored = decision(method=method) if method else None
    assert effective_decision(stored, policy_version=1, gpc=True) == (None, True)


def test_gpc_respects_an_explicit_choice_on_the_settings_page():
    chosen = decision(method=ConsentMethod.SETTINGS, analytics=True)
    assert effective_decision(chosen, policy_version=1, gpc=True) == (chosen, False)


def test_a_gpc_decision_lapses_when_the_browser_stops_sending_gpc():
    by_gpc = decision(method=ConsentMethod.GPC, preferences=False)
    assert effective_decision(by_gpc, policy_version=1, gpc=True) == (by_gpc, False)
    assert effective_decision(by_gpc, policy_version=1, gpc=False) == (None, False)


def test_the_later_decision_wins_and_the_first_on_a_tie():
    early, late = decision(at=WHEN), decision(at=WHEN + timedelta(seconds=1), preferences=False)
    assert newer(early, late) is late
    assert newer(late, early) is late
    tie = decision(at=WHEN, analytics=True)
    assert newer(early, tie) is early
    assert newer(None, early) is early and newer(early, None) is early


def test_allows_reads_the_state_of_the_request():
    scope: dict = {"state": {}}
    assert allows(scope, "necessary")
    assert not allows(scope, "preferences")
    scope["state"]["forum.privacy.consent"] = ConsentState(1, None, None, gpc=False)
    assert not allows(scope, Category.PREFERENCES)
    remember(scope, decision(preferences=True, analytics=False))
    assert allows(scope, "preferences")
    assert not allows(scope, "analytics")
    assert not allows(scope, "marketing")


def test_remembering_an_old_decision_allows_nothing():
    scope: dict = {"state": {"forum.privacy.consent": ConsentState(2, None, None, gpc=False)}}
    remember(scope, decision(version=1, preferences=True))
    assert not allows(scope, "preferences")
