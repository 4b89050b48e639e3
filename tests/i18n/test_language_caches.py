"""Caches keep one answer per language: a German visitor never gets the cached English page,
nor an English one the German (front cache, the thread's render cache, ETags)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.comments.caching import article as article  # a fixture
from tests.comments.test_front_cache import handled as handled  # a fixture
from tests.comments.test_front_cache import visit


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Entries live long here: only the language may make the page differ."""
    return {"front_cache_ms": 600_000}


def test_the_same_thread_in_two_languages_from_the_caches(
    client: TestClient, article: Any, german: Any, handled: list[int]
):
    path = f"/articles/{article.slug}"
    first_german = visit(client, path, **{"accept-language": "de"})
    first_english = visit(client, path, **{"accept-language": "en"})
    assert len(handled) == 2, "each language is made once"
    again_german = visit(client, path, **{"accept-language": "de-CH, en;q=0.5"})
    again_english = visit(client, path)
    assert len(handled) == 2, "then each comes from the front cache"
    for german_page in (first_german, again_german):
        assert "Noch keine Kommentare." in german_page.text  # the cached thread section
        assert "Anmelden" in german_page.text
        assert german_page.headers["content-language"] == "de"
        assert "accept-language" in german_page.headers["vary"].lower()
    for english_page in (first_english, again_english):
        assert "No comments yet." in english_page.text
        assert "Noch keine" not in english_page.text
        assert english_page.headers["content-language"] == "en"


def test_a_german_etag_does_not_revalidate_the_english_page(
    client: TestClient, article: Any, german: Any
):
    path = f"/articles/{article.slug}"
    german_page = visit(client, path, **{"accept-language": "de"})
    english_page = visit(client, path, **{"accept-language": "en"})
    assert german_page.headers["etag"].split(".")[0] != english_page.headers["etag"].split(".")[0]
    same = visit(
        client, path, **{"accept-language": "de", "if-none-match": german_page.headers["etag"]}
    )
    assert same.status_code == 304
    other = visit(
        client, path, **{"accept-language": "en", "if-none-match": german_page.headers["etag"]}
    )
    assert other.status_code == 200
    assert "No comments yet." in other.text


@pytest.mark.parametrize("settings_overrides", [{"front_cache_ms": 0}])
def test_the_thread_section_render_cache_is_kept_per_language(
    client: TestClient, article: Any, german: Any
):
    path = f"/articles/{article.slug}"
    assert "Noch keine Kommentare." in visit(client, path, **{"accept-language": "de"}).text
    english = visit(client, path, **{"accept-language": "en"})
    assert "No comments yet." in english.text
    assert "Noch keine" not in english.text
    assert "Noch keine Kommentare." in visit(client, path, **{"accept-language": "de"}).text
