"""A label that starts a line gets a capital first letter and nothing else changed, so a language
with capitals inside its words (German nouns) keeps them: Jinja's ``capitalize`` would write
"Beleidigung oder drohung"."""

from collections.abc import Iterator

import pytest

from tests.i18n.conftest import speaking

GERMAN = {
    "abuse (insults, harassment or threats)": "beleidigung oder Drohung",
    "reject": "ablehnung eines Kommentars",
    "%(action)s by %(actor)s": "%(action)s durch %(actor)s",
}


@pytest.fixture
def german() -> Iterator[None]:
    with speaking("de", GERMAN):
        yield


@pytest.fixture
def comment(make_article, make_user, make_regular, submit, moderator):
    article = make_article(slug="a")
    make_user("ann")
    return submit(article, make_regular("carl"), "rude words")


GERMAN_PAGE = {"Accept-Language": "de"}


def test_the_report_reasons_keep_their_inner_capitals(comment, auth, german):
    auth.login("ann")
    page = auth.client.get(f"/comments/{comment.id}/report", headers=GERMAN_PAGE).text
    assert "Beleidigung oder Drohung</label>" in page


def test_a_handled_item_keeps_the_capitals_of_its_action(comment, auth, german):
    auth.login("modo")
    auth.post(f"/moderation/comments/{comment.id}/reject", {"violation": "abuse", "reason": "x"})
    page = auth.client.get("/moderation/handled", headers=GERMAN_PAGE).text
    assert "Ablehnung eines Kommentars durch modo" in page


def test_english_reads_as_before(comment, auth):
    auth.login("ann")
    page = auth.client.get(f"/comments/{comment.id}/report").text
    assert "Abuse (insults, harassment or threats)</label>" in page
