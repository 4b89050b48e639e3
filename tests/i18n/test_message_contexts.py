"""A short word that means two things ("Register" an account or a site; "published" said of a
comment or of an article) has a context, so each language can say each one its own way."""

from __future__ import annotations

import pytest

from forum.i18n import gettext, npgettext, pgettext, use_language
from forum.settings import Settings
from forum.web.mail_templates import mail_environment
from forum.web.templating import make_environment
from tests.i18n.conftest import put_back_shipped_catalogues


@pytest.fixture(autouse=True)
def shipped_catalogues() -> None:
    put_back_shipped_catalogues()


def test_python_says_the_word_meant_in_its_context() -> None:
    with use_language("fr"):
        assert gettext("Register") == "Inscription"  # the sign-up link
        assert pgettext("site", "Register") == "Enregistrer"  # the button that registers a site
    with use_language("es"):
        assert gettext("Register") == "Registrarse"
        assert pgettext("site", "Register") == "Registrar"
    assert pgettext("site", "Register") == "Register"  # English is the source


def test_a_context_without_a_translation_falls_back_to_english_and_formats() -> None:
    with use_language("de"):
        assert pgettext("nowhere", "%(name)s waits", name="Ann") == "Ann waits"
        assert npgettext("nowhere", "%(num)s day", "%(num)s days", 3) == "3 days"


def test_pages_and_mails_both_know_contexts(settings: Settings) -> None:
    text = '{{ pgettext("site", "Register") }} / {{ _("Register") }}'
    with use_language("fr"):
        assert make_environment(settings).from_string(text).render() == "Enregistrer / Inscription"
        assert mail_environment().from_string(text).render() == "Enregistrer / Inscription"
