"""The shipped catalogues are read at start-up: compiled ones when current, else the .po."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from forum.i18n import LANGUAGES, gettext, install_catalogue, ngettext, use_language
from forum.i18n.catalogues import LOCALE_DIR, catalogue_path, read_catalogue
from tests.i18n.conftest import put_back_shipped_catalogues


@pytest.fixture(autouse=True)
def shipped_catalogues_afterwards() -> Iterator[None]:
    """Tests here install made-up catalogues; the shipped ones are put back after each."""
    yield
    put_back_shipped_catalogues()


def _write_po(locale_dir: Path, language: str, translations: dict[str, object]) -> Path:
    catalogue = Catalog(locale=language, domain="messages")
    for msgid, msgstr in translations.items():
        catalogue.add(msgid, msgstr)  # type: ignore[arg-type]
    path = catalogue_path(language, ".po", locale_dir)
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        write_po(out, catalogue)
    return path


def test_every_shipped_language_but_english_has_a_catalogue():
    for language in LANGUAGES:
        assert catalogue_path(language).is_file() == (language != "en"), language
    assert (LOCALE_DIR / "messages.pot").is_file()


def test_a_catalogue_without_a_compiled_file_is_compiled_from_its_po(tmp_path: Path):
    _write_po(tmp_path, "de", {"Log in": "Anmelden", "Log out": ""})
    install_catalogue("de", read_catalogue("de", tmp_path))
    with use_language("de"):
        assert gettext("Log in") == "Anmelden"
        assert gettext("Log out") == "Log out", "untranslated: said in English"
    assert gettext("Log in") == "Log in"


def test_arabic_plurals_follow_the_catalogue_forms(tmp_path: Path):
    forms = ("صفر", "واحد", "اثنان", "قليل", "آخر", "كثير")
    singular, plural = "%(num)s comment", "%(num)s comments"
    _write_po(tmp_path, "ar", {(singular, plural): tuple(f"%(num)s {f}" for f in forms)})
    install_catalogue("ar", read_catalogue("ar", tmp_path))
    with use_language("ar"):
        said = {n: ngettext(singular, plural, n) for n in (0, 1, 2, 5, 11, 100)}
    assert said[1] == "1 واحد"
    assert said[2] == "2 اثنان"
    assert said[5] == "5 قليل"
    assert len(set(said.values())) == len(said), said


def test_a_compiled_catalogue_is_used_while_it_is_current(tmp_path: Path):
    po = _write_po(tmp_path, "fr", {"Log in": "Se connecter"})
    compiled = Catalog(locale="fr", domain="messages")
    compiled.add("Log in", "Connexion (compilé)")
    with catalogue_path("fr", ".mo", tmp_path).open("wb") as out:
        write_mo(out, compiled)
    assert read_catalogue("fr", tmp_path).gettext("Log in") == "Connexion (compilé)"
    later = po.stat().st_mtime + 10
    os.utime(po, (later, later))  # a translator edited the .po since: the .mo is stale
    assert read_catalogue("fr", tmp_path).gettext("Log in") == "Se connecter"


def test_a_missing_catalogue_speaks_english(tmp_path: Path):
    assert read_catalogue("es", tmp_path).gettext("Log in") == "Log in"
