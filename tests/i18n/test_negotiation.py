"""Which language a page is in: the account's, the visitor's pick, the browser's, the site's."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from forum.accounts.models import User
from forum.db import Database
from forum.i18n.catalogues import read_catalogue
from forum.web.language import negotiate, parse_accept_language
from tests.conftest import AuthActions


def test_accept_language_is_read_by_weight_and_order():
    header = "de-AT, en;q=0.5, fr;q=0.9, *;q=0.1, es;q=0, it;q=nonsense"
    assert parse_accept_language(header) == ["de-AT", "fr", "en"]


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de-AT,en;q=0.5", "de"),
        ("FR-ca", "fr"),
        ("en-GB, de", "en"),
        ("ar-EG", "ar"),
        ("pt-BR, es;q=0.3", "es"),
        ("zh, ja", "en"),
        ("", "en"),
    ],
)
def test_the_browser_language_is_matched_to_a_shipped_one(header: str, language: str):
    assert negotiate(default="en", accept_language=header) == language


def test_hostile_language_headers_and_cookies_are_ignored(client: TestClient):
    assert parse_accept_language("de;q=nan, fr;q=inf, es;q=-1, ar;q=2, en;q=0.5") == ["en"]
    for cookie in ('forum_language="de', "forum_language=xx; x=\x00", "forum_language=../de"):
        response = client.get("/login", headers={"cookie": cookie, "accept-language": "fr"})
        assert response.status_code == 200
        assert response.headers["content-language"] == "fr"
    assert parse_accept_language(",".join(["xx"] * 10_000) + ",de") == ["xx"] * 40


def test_the_account_comes_first_then_the_visitor_pick_then_the_browser_then_the_site():
    assert negotiate(default="es", account="ar", chosen="fr", accept_language="de") == "ar"
    assert negotiate(default="es", account=None, chosen="fr", accept_language="de") == "fr"
    assert negotiate(default="es", account="xx", chosen="yy", accept_language="de") == "de"
    assert negotiate(default="es", accept_language="zh") == "es"


def test_a_page_is_said_in_the_browser_language(client: TestClient, german: Any):
    response = client.get("/login", headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})
    assert response.status_code == 200
    assert "Anmelden" in response.text
    assert '<html lang="de"' in response.text
    assert response.headers["content-language"] == "de"
    assert "accept-language" in response.headers["vary"].lower()
    english = client.get("/login", headers={"accept-language": "en-US"})
    assert "Anmelden" not in english.text
    assert english.headers["content-language"] == "en"


def test_the_site_language_answers_a_browser_that_asks_for_none_we_speak(
    client: TestClient, german: Any
):
    response = client.get("/login", headers={"accept-language": "ja"})
    assert response.headers["content-language"] == "en"


@pytest.mark.parametrize("settings_overrides", [{"language": "de"}])
def test_forum_language_sets_the_site_language(client: TestClient, german: Any):
    response = client.get("/login", headers={"accept-language": "ja"})
    assert response.headers["content-language"] == "de"
    assert "Anmelden" in response.text


def test_a_page_that_does_not_exist_is_said_in_the_browser_language(client, german):
    response = client.get("/no/such/page", headers={"accept-language": "de"})
    assert response.status_code == 404
    assert response.headers["content-language"] == "de"
    assert "Anmelden" in response.text


def test_a_visitor_pick_is_kept_in_a_cookie_only_when_asked(
    client: TestClient, auth: AuthActions, german: Any
):
    client.get("/login", headers={"accept-language": "de"})
    assert "forum_language" not in client.cookies, "browsing alone sets no language cookie"
    picked = auth.post("/language", {"language": "de", "next": "/login?x=1"})
    assert picked.status_code == 303
    assert picked.headers["location"] == "/login?x=1"
    assert client.cookies.get("forum_language") == "de"
    assert "Anmelden" in client.get("/login", headers={"accept-language": "en"}).text
    back = auth.post("/language", {"language": "", "next": "/login"})
    assert back.status_code == 303
    assert "forum_language" not in client.cookies
    assert "Anmelden" not in client.get("/login", headers={"accept-language": "en"}).text


def test_the_switcher_goes_back_only_to_this_site(client: TestClient, auth: AuthActions):
    picked = auth.post("/language", {"language": "fr", "next": "//evil.example/"})
    assert picked.headers["location"] == "/"


def test_a_language_we_do_not_ship_is_refused(client: TestClient, auth: AuthActions):
    refused = auth.post("/language", {"language": "xx", "next": "/"})
    assert refused.status_code == 400
    assert "forum_language" not in client.cookies


def test_the_switcher_is_in_every_page_footer_and_needs_no_script(client: TestClient):
    page = client.get("/login").text
    footer = page[page.index("<footer") :]
    assert 'action="/language"' in footer
    assert 'name="_csrf_token"' in footer
    assert '<option value="ar" lang="ar">العربية</option>' in footer


def test_a_reader_pick_is_kept_with_the_account_and_comes_before_the_browser(
    client: TestClient, auth: AuthActions, make_user: Any, database: Database, german: Any
):
    make_user("reader")
    auth.login()
    picked = auth.post("/language", {"language": "de", "next": "/account"})
    assert picked.status_code == 303
    assert "forum_language" not in client.cookies, "a reader's account keeps it"
    with database.session() as session:
        assert session.scalar(select(User.language).where(User.username == "reader")) == "de"
    # /account is answered in a worker thread: the language reaches it there too.
    account = client.get("/account", headers={"accept-language": "fr"})
    assert account.headers["content-language"] == "de"
    assert "Die Sprache der Seiten und Mails" in account.text
    assert client.get("/account/export").json()["account"]["language"] == "de"
    auth.post("/language", {"language": "", "next": "/account"})
    with database.session() as session:
        assert session.scalar(select(User.language).where(User.username == "reader")) is None
    assert (
        client.get("/account", headers={"accept-language": "fr"}).headers["content-language"]
        == "fr"
    )


def test_the_shipped_german_catalogue_speaks_on_pages(client: TestClient):
    log_in = read_catalogue("de").gettext("Log in")
    assert log_in != "Log in", "German is translated"
    page = client.get("/login", headers={"accept-language": "de-DE"})
    assert f">{log_in}</a>" in page.text
