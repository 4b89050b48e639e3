"""The banner and the preference centre without JavaScript: only necessary cookies until a
choice; accept, reject and settings as plain form posts; withdrawal deletes cookies."""

import re

import pytest

from forum.privacy.cookies import COOKIES, NECESSARY_COOKIES, PREFERENCES_COOKIE
from forum.privacy.models import ConsentMethod, PolicyKind
from forum.web.static_assets import static_url
from tests.privacy.conftest import consent_log, consent_of, has_banner, set_cookies

SEEN_BY_VISITORS = {"forum_session", "forum_csrf"}


def every_page(app, article_slug: str, username: str) -> list[str]:
    """Every GET page of the app, path parameters filled with things that exist."""
    fill = {
        "{slug:str}": article_slug,
        "{username:str}": username,
        "{kind:str}": "terms",
        "{version:int}": "1",
        "{token:str}": "not-a-token",
    }
    paths = []
    for route in app.routes:
        if "GET" not in getattr(route, "methods", ()) or route.path.startswith(
            ("/static", "/schema")
        ):
            continue
        if route.path.endswith("/events"):
            continue  # a live thread's event stream, open for minutes: not a page
        path = route.path
        for placeholder, value in fill.items():
            path = path.replace(placeholder, value)
        if "{" not in path:
            paths.append(path)
    return [*paths, "/no/such/page"]


def test_a_fresh_visitor_gets_only_necessary_cookies_on_every_page(
    app, client, make_article, make_user
):
    make_article(slug="a")
    make_user("ann")
    pages = every_page(app, "a", "ann")
    assert {"/", "/articles/a", "/cookies", "/privacy", "/terms", "/login"} <= set(pages)
    for path in pages:
        client.cookies.clear()
        response = client.get(path, follow_redirects=False)
        names = set(set_cookies(response))
        assert names <= SEEN_BY_VISITORS, f"{path} sets {names - SEEN_BY_VISITORS}"
        assert names <= NECESSARY_COOKIES


def test_the_banner_asks_on_the_first_page_with_three_equal_choices(client):
    html = client.get("/").text
    assert has_banner(html)
    banner = html[html.index('<section class="consent-banner"') : html.index("</section>")]
    assert 'role="region"' in banner
    assert 'href="/cookies"' in banner
    buttons = re.findall(
        r'<(button|a) [^>]*class="([^"]*consent-choice[^"]*)"[^>]*>([^<]+)<', banner
    )
    assert [text for _, _, text in buttons] == ["Accept all", "Reject non-essential", "Settings"]
    assert len({cls.replace("button ", "") for _, cls, _ in buttons}) == 1
    assert banner.count('action="/cookies"') == 2
    assert banner.count('name="_csrf_token"') == 2
    assert banner.count('name="next" value="/"') == 2
    assert f'<script src="{static_url("consent.js")}" defer></script>' in html
    assert "onclick" not in html and "style=" not in banner


def test_rejecting_without_javascript_returns_to_the_page_and_the_banner_stays_away(
    client, choose, database
):
    client.get("/terms")
    response = choose("reject", next="/terms")
    assert response.status_code == 303
    assert response.headers["location"] == "/terms"
    assert set(set_cookies(response)) <= NECESSARY_COOKIES
    decision = consent_of(client)
    assert decision is not None
    assert (decision.preferences, decision.analytics) == (False, False)
    assert decision.method is ConsentMethod.BANNER
    for path in ["/", "/terms", "/privacy"]:
        assert not has_banner(client.get(path).text)
    [record] = consent_log(database)
    assert (record.preferences, record.analytics, record.method) == (False, False, "banner")


def test_accepting_all_without_javascript(client, choose):
    client.get("/")
    response = choose("accept_all", next="/privacy")
    assert response.headers["location"] == "/privacy"
    decision = consent_of(client)
    assert (decision.preferences, decision.analytics) == (True, True)
    assert not has_banner(client.get("/").text)


def test_the_settings_page_saves_each_category_on_its_own(client, choose, database):
    page = client.get("/cookies").text
    assert not has_banner(page)
    for name in ["preferences", "analytics"]:
        assert re.search(rf'<input type="checkbox" id="consent-{name}" name="{name}"', page)
        assert f'<label for="consent-{name}">' in page
    assert '<input type="checkbox" id="consent-necessary" checked disabled' in page
    response = choose("save", source="settings", preferences="on")
    assert response.status_code == 303
    assert response.headers["location"] == "/cookies"
    decision = consent_of(client)
    assert (decision.preferences, decision.analytics, decision.method) == (
        True,
        False,
        ConsentMethod.SETTINGS,
    )
    page = client.get("/cookies").text
    assert "Your cookie choices have been saved." in page
    assert 'name="preferences" value="on" checked' in page
    assert 'name="analytics" value="on" aria' in page


def test_the_settings_page_lists_every_cookie_we_set(client):
    page = client.get("/cookies").text
    table = page[page.index("Cookies we set") :]
    for cookie in COOKIES:
        assert f"<code>{cookie.name}</code>" in table
        assert cookie.lifetime.split(" (")[0] in table
    assert "Analytics sets no cookie" in page
    assert "Cookie policy" in page and "Version 1" in page


def test_withdrawing_deletes_the_categorys_cookies_at_once(client, choose):
    client.get("/cookies")
    choose("accept_all", source="settings")
    client.cookies.set(PREFERENCES_COOKIE, "sort=newest", domain="127.0.0.1")
    response = choose("save", source="settings", analytics="on")
    deleted = set_cookies(response)[PREFERENCES_COOKIE]
    assert "Max-Age=0" in deleted
    assert PREFERENCES_COOKIE not in client.cookies
    assert consent_of(client).preferences is False


def test_a_preference_cookie_without_consent_is_deleted(client):
    client.cookies.set(PREFERENCES_COOKIE, "sort=newest", domain="127.0.0.1")
    response = client.get("/")
    assert "Max-Age=0" in set_cookies(response)[PREFERENCES_COOKIE]


def test_a_preference_cookie_with_consent_is_kept(client, choose):
    client.get("/")
    choose("accept_all")
    client.cookies.set(PREFERENCES_COOKIE, "sort=newest", domain="127.0.0.1")
    assert PREFERENCES_COOKIE not in set_cookies(client.get("/"))


def test_with_javascript_the_choice_is_answered_in_place(client, auth):
    client.get("/")
    response = auth.post(
        "/cookies",
        {"choice": "reject", "source": "banner", "next": "/"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"preferences": False, "analytics": False}
    assert consent_of(client) is not None
    script = client.get("/static/consent.js")
    assert script.status_code == 200
    assert "fetch(" in script.text and "application/json" in script.text


def test_a_choice_needs_the_csrf_token(client):
    client.get("/")
    response = client.post("/cookies", data={"choice": "accept_all"}, follow_redirects=False)
    assert response.status_code == 403
    assert consent_of(client) is None


@pytest.mark.parametrize("choice", ["", "accept_everything", "save_all"])
def test_an_unknown_choice_is_refused(choose, choice):
    assert choose(choice).status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_the_way_back_stays_on_this_site(client, choose, target):
    client.get("/")
    response = choose("reject", next=target)
    assert response.headers["location"] == "/cookies"


def test_a_damaged_consent_cookie_counts_as_no_choice(client):
    client.cookies.set("forum_consent", "v1.p1.a1.garbage")
    response = client.get("/")
    assert response.status_code == 200
    assert has_banner(response.text)


def test_the_banner_returns_when_the_cookie_policy_changes(client, choose, publish, database):
    client.get("/")
    choose("accept_all")
    assert not has_banner(client.get("/").text)
    version = publish(PolicyKind.COOKIES, "We now explain more.")
    assert version == 2
    html = client.get("/").text
    assert has_banner(html)
    choose("reject")
    assert not has_banner(client.get("/").text)
    assert [r.policy_version for r in consent_log(database)] == [1, 2]


def test_an_old_decision_allows_nothing_until_the_visitor_chooses_again(client, choose, publish):
    client.get("/")
    choose("accept_all")
    publish(PolicyKind.COOKIES)
    client.cookies.set(PREFERENCES_COOKIE, "sort=newest", domain="127.0.0.1")
    response = client.get("/")
    assert "Max-Age=0" in set_cookies(response)[PREFERENCES_COOKIE]


def test_the_visitor_id_stays_the_same_across_decisions(client, choose, database):
    client.get("/")
    choose("accept_all")
    choose("reject", source="settings")
    first, second = consent_log(database)
    assert first.visitor_id == second.visitor_id == consent_of(client).visitor_id
    assert len(first.visitor_id) == 24
