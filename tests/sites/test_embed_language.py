"""The embed speaks the host page's language: the frame and the listing's "N comments" follow
its ``data-lang`` (or ``<html lang>``) when the forum speaks it, and a thread made from the page
takes it as the article's language (a tag that is not one is ignored)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from forum.articles.models import Article
from forum.i18n.catalogues import read_catalogue
from tests.sites.test_counts import counts
from tests.sites.test_embed import PAGE, frame


def _german(message: str) -> str:
    said = read_catalogue("de").gettext(message)
    assert said != message, "the shipped German catalogue says it"
    return said


def _german_count(n: int) -> str:
    said = read_catalogue("de").ngettext("%(num)s comment", "%(num)s comments", n)
    assert said != "%(num)s comments", "the shipped German catalogue says it"
    return said % {"num": n}


def _languages(database: Any) -> list[str | None]:
    with database.session() as s:
        return list(s.scalars(select(Article.language)))


def _frame_saying(client: Any, site: Any, lang: str, accept_language: str = "") -> Any:
    """The frame for ``PAGE`` on a host page whose language is ``lang``."""
    headers = {"accept-language": accept_language} if accept_language else {}
    query = f"url={quote(PAGE)}&title=T&lang={quote(lang)}"
    return client.get(f"/embed/{site.id}/thread?{query}", headers=headers)


def test_the_frame_speaks_the_host_pages_language_and_tells_the_page_its_title(
    client: Any, make_site: Any
):
    site = make_site()
    response = _frame_saying(client, site, "de-AT", accept_language="fr")
    assert response.status_code == 200
    assert '<html lang="de"' in response.text
    assert f'data-frame-title="{_german("Comments")}"' in response.text
    assert response.headers["content-language"] == "de"


def test_a_language_we_do_not_speak_leaves_the_frame_to_the_readers_browser(
    client: Any, make_site: Any
):
    site = make_site()
    response = _frame_saying(client, site, "pt-BR", accept_language="de")
    assert '<html lang="de"' in response.text


@pytest.mark.parametrize(("lang", "stored"), [("pt-br", "pt-BR"), ("not a tag!", None), ("", None)])
def test_a_thread_made_from_a_page_takes_its_language_when_it_is_a_tag(
    client: Any, make_site: Any, database: Any, lang: str, stored: str | None
):
    site = make_site()
    response = _frame_saying(client, site, lang)
    assert response.status_code == 200
    assert _languages(database) == [stored]


def test_the_listings_counts_come_in_words_of_the_host_pages_language(client: Any, make_site: Any):
    site = make_site()
    frame(client, site)
    query = f"url={quote(PAGE)}&lang=de"
    german = client.get(f"/api/sites/{site.id}/counts?{query}")
    assert german.json()["texts"] == {PAGE: _german_count(0)}
    assert "accept-language" in german.headers["vary"].lower()
    assert german.headers["content-language"] == "de"
    english = counts(client, site, PAGE)
    assert english.json()["texts"] == {PAGE: "0 comments"}


def test_without_a_page_language_the_counts_follow_the_browser(client: Any, make_site: Any):
    site = make_site()
    answer = client.get(
        f"/api/sites/{site.id}/counts?url={quote(PAGE)}", headers={"accept-language": "de"}
    )
    assert answer.json()["texts"] == {PAGE: _german_count(0)}
