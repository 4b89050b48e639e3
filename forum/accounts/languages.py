"""The language a reader reads the forum in, kept with their account."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.accounts.service import get_user
from forum.errors import Invalid
from forum.i18n import LANGUAGES, gettext


def checked_language(raw: str) -> str | None:
    """A language picked in a form: a shipped one, or None for "as my browser asks" ('')."""
    if not raw:
        return None
    if raw not in LANGUAGES:
        raise Invalid({"language": gettext("Please choose one of the languages offered.")})
    return raw


def choose_language(db: Session, user_id: int, raw: str) -> str | None:
    """Keep the language picked as the reader's ('' forgets it: the browser's then)."""
    language = checked_language(raw)
    get_user(db, user_id).language = language
    return language
