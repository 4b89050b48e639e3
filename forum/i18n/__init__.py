"""What we say, in the reader's language: gettext for every layer.

The language is a context variable: the web layer sets it for each request (after negotiating
it), mail sending sets it to the recipient's for each mail, and everything else just calls
``gettext``/``ngettext`` and gets the right catalogue. English is the source language: a message
without a translation is said in English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from gettext import NullTranslations

from babel.numbers import format_decimal

SOURCE_LANGUAGE = "en"
"""The language the messages are written in (the msgids)."""
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "ar")
"""The languages the forum speaks: English and one catalogue under ``forum/locale`` for each
other. Adding one: README, "Languages"."""
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
}
"""Each language's name in itself, as the language switcher offers it (never translated)."""

_NULL = NullTranslations()
_catalogues: dict[str, NullTranslations] = {}
_current: ContextVar[str] = ContextVar("forum_language", default=SOURCE_LANGUAGE)


def install_catalogue(language: str, catalogue: NullTranslations) -> None:
    """Make ``catalogue`` the translations used while ``language`` is the current language."""
    _catalogues[language] = catalogue


def current_language() -> str:
    """The language being spoken now (``en`` outside any request or mail)."""
    return _current.get()


def set_language(language: str) -> None:
    """Speak ``language`` for the rest of this context (a request's task, a worker's job)."""
    _current.set(language)


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block (a mail to a recipient), then the language before."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def _catalogue() -> NullTranslations:
    return _catalogues.get(_current.get(), _NULL)


def translate(message: str) -> str:
    """``message`` in the current language, unformatted (Jinja's newstyle gettext formats it)."""
    return _catalogue().gettext(message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    """The plural form for ``n`` in the current language, unformatted."""
    return _catalogue().ngettext(singular, plural, n)


def translate_in_context(context: str, message: str) -> str:
    """``message`` as meant in ``context`` ("Register" a site, not an account), unformatted."""
    return _catalogue().pgettext(context, message)


def translate_plural_in_context(context: str, singular: str, plural: str, n: int) -> str:
    """The plural form for ``n`` of a message meant in ``context``, unformatted."""
    return _catalogue().npgettext(context, singular, plural, n)


def format_number(number: int | float) -> str:
    """``number`` with digits grouped as the current language groups them (``1,234`` in
    English, ``1.234`` in German, ``1 234`` in French): every count we show goes through here."""
    return format_decimal(number, locale=current_language())


def gettext(message: str, /, **variables: object) -> str:
    """``message`` translated, with ``%(name)s`` placeholders filled from ``variables``.

    Formats exactly as templates do (Jinja's newstyle gettext): always with ``%``, so a literal
    percent sign is written ``%%`` in every message.
    """
    return translate(message) % variables


def ngettext(singular: str, plural: str, n: int, /, **variables: object) -> str:
    """The form for ``n`` translated; ``%(num)s`` is ``n`` written in the current language
    (``format_number``) unless ``variables`` says otherwise."""
    variables.setdefault("num", format_number(n))
    return translate_plural(singular, plural, n) % variables


def pgettext(context: str, message: str, /, **variables: object) -> str:
    """Like ``gettext``, for a short message that means different things in different places:
    ``context`` tells the translator which one (Babel extracts it as the msgctxt)."""
    return translate_in_context(context, message) % variables


def npgettext(context: str, singular: str, plural: str, n: int, /, **variables: object) -> str:
    """Like ``ngettext``, for a message that needs a ``context`` (see ``pgettext``)."""
    variables.setdefault("num", format_number(n))
    return translate_plural_in_context(context, singular, plural, n) % variables


def N_(message: str) -> str:  # the name xgettext and Babel look for
    """Mark ``message`` for the catalogue without translating it (module constants).

    Translate it where it is shown, with ``gettext(message)``.
    """
    return message
