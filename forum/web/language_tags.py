"""What a page tells the browser about languages: which way a language is written.

``<html lang dir>`` says it for the page, a ``lang`` attribute for content written in another
language than the page's (an article, its comments). Babel's CLDR data knows the direction, so
adding a language never means editing a list here.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError

from forum.i18n import current_language


@cache
def _direction(language: str) -> str:
    try:
        order = Locale.parse(language.replace("-", "_")).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def text_direction(language: str | None = None) -> str:
    """``rtl`` or ``ltr``: the ``dir`` of ``language`` (the current language when None)."""
    return _direction(language or current_language())
