"""The shipped catalogues, read into ``forum.i18n`` once per process.

``make install`` compiles each ``forum/locale/<lang>/LC_MESSAGES/messages.po`` to a ``.mo``
beside it (``.mo`` files are build products, not committed). Where the ``.mo`` is missing or
older than its ``.po`` (a fresh clone, a translator's edit) the ``.po`` is compiled in memory
instead, so ``make run`` and the tests always speak the catalogue as it is written. Untranslated
and fuzzy messages are left out: they are said in English.
"""

from __future__ import annotations

from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from forum.i18n import SOURCE_LANGUAGE, install_catalogue

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
"""``forum/locale``: ``messages.pot``, ``babel.cfg`` and one folder per language."""
DOMAIN = "messages"

_installed: set[str] = set()


def catalogue_path(language: str, suffix: str = ".po", locale_dir: Path = LOCALE_DIR) -> Path:
    """Where ``language``'s catalogue is (``suffix`` ``.po`` or ``.mo``)."""
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def read_catalogue(language: str, locale_dir: Path = LOCALE_DIR) -> NullTranslations:
    """``language``'s translations: the compiled ``.mo`` when it is current, else the ``.po``
    compiled now; no catalogue at all is English (``NullTranslations``)."""
    po = catalogue_path(language, ".po", locale_dir)
    mo = catalogue_path(language, ".mo", locale_dir)
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as compiled:
            return GNUTranslations(compiled)
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as source:
        catalogue = read_po(source, locale=language, domain=DOMAIN)
    compiled_now = BytesIO()
    write_mo(compiled_now, catalogue, use_fuzzy=False)
    compiled_now.seek(0)
    return GNUTranslations(compiled_now)


def load_catalogues(languages: tuple[str, ...]) -> None:
    """Install the catalogue of each of ``languages`` (once per process; English needs none)."""
    for language in languages:
        if language == SOURCE_LANGUAGE or language in _installed:
            continue
        install_catalogue(language, read_catalogue(language))
        _installed.add(language)
