"""Dates and numbers as each language writes them; English keeps the byline our users know."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from forum.i18n import format_number, ngettext, use_language
from forum.web.dates import byline_date, long_date
from forum.web.templating import make_environment
from tests.i18n.conftest import put_back_shipped_catalogues

JANINE = datetime(2003, 4, 15, 8, 12, tzinfo=UTC)  # 9:12 in London (summer time)
LONDON = ZoneInfo("Europe/London")


def test_the_english_byline_stays_exactly_as_users_know_it():
    with use_language("en"):
        assert byline_date(JANINE, LONDON) == "15 April, 2003 - 9:12"
    assert byline_date(JANINE, LONDON) == "15 April, 2003 - 9:12"  # outside any request


def test_english_keeps_no_leading_zeros_and_a_24_hour_clock():
    with use_language("en"):
        assert byline_date(datetime(2010, 3, 5, 21, 7, tzinfo=UTC), ZoneInfo("UTC")) == (
            "5 March, 2010 - 21:07"
        )


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("de", "15. April 2003, 09:12"),
        ("fr", "15 avril 2003, 09:12"),
        ("es", "15 de abril de 2003, 9:12"),
        ("ar", "15 أبريل 2003، 9:12 ص"),
    ],
)
def test_each_language_writes_the_date_its_own_way(language, written):
    with use_language(language):
        assert byline_date(JANINE, LONDON) == written


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    with use_language("fr"):
        assert byline_date(datetime(2026, 11, 1, 10, 5, tzinfo=UTC), ZoneInfo("UTC")) == (
            "1er novembre 2026, 10:05"
        )
        assert long_date(date(2026, 5, 1)) == "1er mai 2026"
        assert long_date(date(2026, 5, 11)) == "11 mai 2026"


def test_a_date_is_in_the_sites_time_zone_in_every_language():
    with use_language("de"):
        assert byline_date(JANINE, ZoneInfo("Asia/Tokyo")) == "15. April 2003, 17:12"


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "1,234,567"), ("de", "1.234.567"), ("fr", "1\u202f234\u202f567"), ("es", "1.234.567")],
)
def test_counts_are_grouped_as_the_language_groups_digits(language, written):
    with use_language(language):
        assert format_number(1234567) == written


def test_templates_date_and_count_in_the_current_language(settings):
    env = make_environment(settings)
    template = env.from_string("{{ when | byline_date }} · {{ n | number }}")
    with use_language("de"):
        german = template.render(when=JANINE, n=12345)
    english = template.render(when=JANINE, n=12345)
    assert german.endswith(" · 12.345")
    assert "April 2003" in german and " - " not in german
    assert english.endswith(" · 12,345")
    assert " - " in english


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "12,345 comments"),
        ("de", "12.345 Kommentare"),
        ("fr", "12\u202f345 commentaires"),
        ("es", "12.345 comentarios"),
    ],
)
def test_a_count_in_a_sentence_is_grouped_in_templates_and_in_python(settings, language, written):
    put_back_shipped_catalogues()
    env = make_environment(settings)
    template = env.from_string(
        '{% import "_macros.html" as m %}{{ m.comment_count(n) }}|'
        '{{ ngettext("%(num)s comment", "%(num)s comments", n) }}'
    )
    with use_language(language):
        page, python = template.render(n=12345).split("|")
        assert python == page == written
        assert ngettext("%(num)s comment", "%(num)s comments", 12345) == written


def test_a_limit_in_an_error_message_is_grouped_in_the_readers_language():
    from forum.comments.service import COMMENT_WORDS

    put_back_shipped_catalogues()
    with use_language("de"):
        assert "10.000" in COMMENT_WORDS.too_long(10_000)
    with use_language("fr"):
        assert "10\u202f000" in COMMENT_WORDS.too_long(10_000)
    assert "10,000" in COMMENT_WORDS.too_long(10_000)


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "5 March 2026"),
        ("de", "5. März 2026"),
        ("fr", "5 mars 2026"),
        ("es", "5 de marzo de 2026"),
    ],
)
def test_a_policys_effective_day_names_its_month_in_the_readers_language(
    settings, language, written
):
    env = make_environment(settings)
    template = env.from_string('{% from "privacy/_date.html" import day %}{{ day(when) }}')
    with use_language(language):
        html = template.render(when=date(2026, 3, 5))
    assert html == f'<time datetime="2026-03-05">{written}</time>'
