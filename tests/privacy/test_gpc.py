"""Global Privacy Control: ``Sec-GPC: 1`` means 'reject non-essential', logged once per
visitor, unless the visitor opted in on the settings page."""

from forum.privacy.cookies import NECESSARY_COOKIES, PREFERENCES_COOKIE
from forum.privacy.models import ConsentMethod, PolicyKind
from tests.privacy.conftest import consent_log, consent_of, has_banner, set_cookies

GPC = {"Sec-GPC": "1"}


def test_gpc_is_treated_as_reject_and_logged_once(client, database):
    for path in ["/", "/privacy", "/terms", "/"]:
        response = client.get(path, headers=GPC)
        assert set(set_cookies(response)) <= NECESSARY_COOKIES
        assert not has_banner(response.text)
    decision = consent_of(client)
    assert (decision.preferences, decision.analytics, decision.method) == (
        False,
        False,
        ConsentMethod.GPC,
    )
    [record] = consent_log(database)
    assert record.method is ConsentMethod.GPC
    assert (record.preferences, record.analytics) == (False, False)
    assert record.visitor_id == decision.visitor_id
    assert record.policy_version == 1


def test_gpc_outranks_an_earlier_banner_choice_and_deletes_its_cookies(client, choose, database):
    client.get("/")
    choose("accept_all")
    client.cookies.set(PREFERENCES_COOKIE, "sort=newest", domain="127.0.0.1")
    response = client.get("/", headers=GPC)
    assert "Max-Age=0" in set_cookies(response)[PREFERENCES_COOKIE]
    assert consent_of(client).method is ConsentMethod.GPC
    assert [r.method for r in consent_log(database)] == [ConsentMethod.BANNER, ConsentMethod.GPC]


def test_an_explicit_opt_in_on_the_settings_page_outranks_gpc(client, auth, database):
    page = client.get("/cookies", headers=GPC).text
    assert "Global Privacy Control" in page
    auth.post(
        "/cookies",
        {"choice": "save", "source": "settings", "preferences": "on"},
        headers=GPC,
    )
    client.cookies.set(PREFERENCES_COOKIE, "sort=newest", domain="127.0.0.1")
    for _ in range(2):
        response = client.get("/", headers=GPC)
        assert PREFERENCES_COOKIE not in set_cookies(response)
    assert consent_of(client).preferences is True
    assert [r.method for r in consent_log(database)] == [ConsentMethod.GPC, ConsentMethod.SETTINGS]


def test_a_banner_accept_does_not_outrank_gpc(client, choose, database):
    client.get("/")
    choose("accept_all", next="/")
    client.get("/", headers=GPC)
    client.get("/", headers=GPC)
    assert consent_of(client).method is ConsentMethod.GPC
    assert [r.method for r in consent_log(database)] == [ConsentMethod.BANNER, ConsentMethod.GPC]


def test_without_gpc_the_visitor_is_asked_again(client):
    client.get("/", headers=GPC)
    assert has_banner(client.get("/").text)


def test_gpc_is_logged_again_under_a_new_cookie_policy(client, publish, database):
    client.get("/", headers=GPC)
    publish(PolicyKind.COOKIES)
    client.get("/", headers=GPC)
    client.get("/", headers=GPC)
    assert [r.policy_version for r in consent_log(database)] == [1, 2]


def test_gpc_of_a_logged_in_user_is_logged_with_the_user(client, auth, make_user, database):
    user = make_user("ann")
    auth.login("ann")
    client.get("/", headers=GPC)
    [record] = consent_log(database)
    assert record.user_id == user.id
