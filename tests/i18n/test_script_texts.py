"""Our scripts' words come from the page, translated, with one text per plural category."""

import json

from forum.i18n import use_language
from forum.web.language_tags import text_direction
from forum.web.script_texts import script_texts


def test_every_plural_category_of_the_language_has_its_text():
    with use_language("ar"):
        forms = script_texts()["live_news"]
    assert set(forms) == {"zero", "one", "two", "few", "many", "other"}
    assert all("{num}" in text for text in forms.values())


def test_english_texts_are_the_scripts_own_fallbacks():
    texts = script_texts()
    assert texts["live_news"] == {
        "one": "{num} new comment — show",
        "other": "{num} new comments — show",
    }
    assert texts["reply_button"] == "Post reply"
    assert texts["mention_added"] == "{name} added."


def test_the_texts_survive_json_unchanged():
    texts = script_texts()
    assert json.loads(json.dumps(texts)) == texts


def test_arabic_is_written_right_to_left_and_the_others_left_to_right():
    assert text_direction("ar") == "rtl"
    assert [text_direction(code) for code in ("en", "de", "fr", "es")] == ["ltr"] * 4
    assert text_direction("xx-unknown") == "ltr"
    with use_language("ar"):
        assert text_direction() == "rtl"
