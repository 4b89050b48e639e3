"""A logged-in user's choice follows them to other devices: stored with the account, merged
at login (the latest choice wins)."""

from datetime import timedelta

from sqlalchemy import select

from forum.privacy import service
from forum.privacy.models import ConsentMethod, UserConsent
from tests.privacy.conftest import age_consent_cookie, consent_log, consent_of, has_banner


def shift_stored_decision(database, by: timedelta) -> None:
    """Make the stored decision older or newer than the one a browser holds."""
    with database.session(write=True) as session:
        row = session.scalar(select(UserConsent))
        row.decided_at += by


def test_a_choice_made_logged_in_follows_the_user_to_another_device(
    auth, choose, make_user, second_device, database
):
    user = make_user("ann")
    auth.login("ann")
    auth.client.get("/")
    choose("accept_all")
    with database.session() as session:
        stored = service.user_decision(session, user.id)
    assert (stored.preferences, stored.analytics) == (True, True)
    [record] = consent_log(database)
    assert record.user_id == user.id

    phone = second_device()
    assert has_banner(phone.client.get("/").text)
    phone.login("ann")
    decision = consent_of(phone.client)
    assert decision is not None
    assert (decision.preferences, decision.analytics) == (True, True)
    assert not has_banner(phone.client.get("/").text)


def test_a_later_choice_on_this_device_wins_at_login_and_is_stored(
    auth, choose, make_user, second_device, database
):
    user = make_user("ann")
    auth.login("ann")
    auth.client.get("/")
    choose("accept_all")
    shift_stored_decision(database, timedelta(hours=-1))
    age_consent_cookie(auth.client, timedelta(hours=1))
    phone = second_device()
    phone.client.get("/")
    phone.post("/cookies", {"choice": "reject", "source": "banner"})
    phone.login("ann")
    assert consent_of(phone.client).preferences is False
    with database.session() as session:
        stored = service.user_decision(session, user.id)
    assert (stored.preferences, stored.method) == (False, ConsentMethod.BANNER)
    # and the first device follows on its next page
    auth.client.get("/")
    assert consent_of(auth.client).preferences is False


def test_an_older_choice_on_this_device_gives_way_at_login(
    auth, choose, make_user, second_device, database
):
    make_user("ann")
    phone = second_device()
    phone.client.get("/")
    phone.post("/cookies", {"choice": "reject", "source": "banner"})
    auth.login("ann")
    auth.client.get("/")
    choose("accept_all")
    shift_stored_decision(database, timedelta(hours=1))
    visitor = consent_of(phone.client).visitor_id
    phone.login("ann")
    decision = consent_of(phone.client)
    assert (decision.preferences, decision.analytics) == (True, True)
    assert decision.visitor_id == visitor, "the device keeps its own visitor id"


def test_a_visitor_choice_becomes_the_users_at_login(auth, choose, make_user, database):
    user = make_user("ann")
    auth.client.get("/")
    choose("save", source="settings", analytics="on")
    auth.login("ann")
    with database.session() as session:
        stored = service.user_decision(session, user.id)
    assert (stored.preferences, stored.analytics, stored.method) == (
        False,
        True,
        ConsentMethod.SETTINGS,
    )
    assert len(consent_log(database)) == 1, "a merge is not a new decision"


def test_logging_in_without_any_choice_stores_nothing(auth, make_user, database):
    user = make_user("ann")
    auth.login("ann")
    with database.session() as session:
        assert service.user_decision(session, user.id) is None
    assert has_banner(auth.client.get("/").text)
