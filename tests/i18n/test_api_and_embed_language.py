"""The JSON API's problem details and the embedded thread follow the same negotiation as
pages: the account's language, else the visitor's pick, else Accept-Language, else the site's."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar.testing import TestClient

from tests.sites.conftest import make_site as make_site  # a fixture
from tests.sites.test_embed import PAGE


def test_a_problem_is_told_in_the_browser_language(client: TestClient, german: Any):
    response = client.get("/api/articles/nope/comments", headers={"accept-language": "de"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["content-language"] == "de"
    assert "accept-language" in response.headers["vary"].lower()
    problem = response.json()
    assert problem["title"] == "Nicht gefunden"
    assert problem["detail"] == "Unter dieser Adresse gibt es keinen Artikel."
    assert problem["type"] == "about:blank", "machine-readable parts stay as they are"
    english = client.get("/api/articles/nope/comments", headers={"accept-language": "en"})
    assert english.json()["title"] == "Not Found"


def test_the_embedded_thread_speaks_the_reader_language(
    client: TestClient, make_site: Any, german: Any
):
    site = make_site()
    path = f"/embed/{site.id}/thread?url={quote(PAGE)}&title=Socialism"
    german_frame = client.get(path, headers={"accept-language": "de-DE"})
    assert german_frame.status_code == 200
    assert german_frame.headers["content-language"] == "de"
    assert "Zum Kommentieren anmelden" in german_frame.text
    english_frame = client.get(path, headers={"accept-language": "en"})
    assert "Log in to comment" in english_frame.text
    assert "Zum Kommentieren" not in english_frame.text
