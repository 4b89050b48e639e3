"""A small made-up German catalogue, until the translators' one is written: tests here see
that the right catalogue is chosen, not what it says."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from gettext import GNUTranslations
from io import BytesIO

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from forum.i18n import LANGUAGES, install_catalogue
from forum.i18n.catalogues import read_catalogue

GERMAN = {
    "Log in": "Anmelden",
    "No comments yet.": "Noch keine Kommentare.",
    "The language of the pages and of the mails we send you": "Die Sprache der Seiten und Mails",
    "Please log in to continue.": "Bitte melde dich an.",
    "Not Found": "Nicht gefunden",
    "There is no article at this address.": "Unter dieser Adresse gibt es keinen Artikel.",
    "Log in to comment": "Zum Kommentieren anmelden",
}


def made_up_catalogue(language: str, translations: dict[str, str]) -> GNUTranslations:
    catalogue = Catalog(locale=language, domain="messages")
    for msgid, msgstr in translations.items():
        catalogue.add(msgid, msgstr)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return GNUTranslations(compiled)


def put_back_shipped_catalogues() -> None:
    """Every language says its shipped catalogue again (after a test installed made-up ones)."""
    for language in LANGUAGES[1:]:
        install_catalogue(language, read_catalogue(language))


@contextmanager
def speaking(language: str, translations: dict[str, str]) -> Iterator[None]:
    """Within the block ``language`` says only ``translations``; then the shipped catalogues."""
    install_catalogue(language, made_up_catalogue(language, translations))
    try:
        yield
    finally:
        put_back_shipped_catalogues()


@pytest.fixture
def german() -> Iterator[dict[str, str]]:
    """German says the words of ``GERMAN``; the shipped catalogues are back afterwards."""
    with speaking("de", GERMAN):
        yield GERMAN
