"""Every cookie the forum sets: the table on ``/cookies`` and what withdrawal deletes.

A module that wants a new cookie adds a row here first; a cookie of a category the visitor
has not allowed is deleted from their browser on their next page.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.privacy.consent import CONSENT_COOKIE, Category
from forum.settings import Settings
from forum.web.language import LANGUAGE_COOKIE

PREFERENCES_COOKIE = "forum_prefs"
"""The preferences cookie (the thread sort): set only when preferences are
allowed, by the module that owns the preference."""

CONSENT_DAYS = 182
PREFERENCES_DAYS = 365


@dataclass(frozen=True)
class CookieInfo:
    name: str
    purpose: str
    category: Category
    lifetime: str


def cookie_table(settings: Settings) -> tuple[CookieInfo, ...]:
    """The cookies with their lifetimes as this site is configured."""
    idle = settings.session_idle_minutes
    idle_text = f"{idle // 60} hours" if idle % 60 == 0 else f"{idle} minutes"
    return (
        CookieInfo(
            "forum_session",
            "Keeps you logged in. Holds only a random id; what it stands for stays on our "
            "server. Also carries one-off messages such as 'your settings have been saved'.",
            Category.NECESSARY,
            f"Until you close the browser (ends after {idle_text} without a visit), or "
            f"{settings.remember_days} days with 'remember me'",
        ),
        CookieInfo(
            "forum_csrf",
            "Protects your forms against being sent by other sites (CSRF protection).",
            Category.NECESSARY,
            "Until you close the browser",
        ),
        CookieInfo(
            CONSENT_COOKIE,
            "Remembers your cookie choices, the cookie-policy version you made them under and "
            "a random id that proves them in our consent log.",
            Category.NECESSARY,
            "6 months",
        ),
        CookieInfo(
            LANGUAGE_COOKIE,
            "Remembers the language you picked in the language menu at the foot of every page "
            "(set only when you pick one; logged in, your account keeps it instead).",
            Category.NECESSARY,
            "1 year",
        ),
        CookieInfo(
            PREFERENCES_COOKIE,
            "Remembers comforts you chose, such as how threads are sorted.",
            Category.PREFERENCES,
            "1 year",
        ),
        CookieInfo(
            "forum.folds",
            "Not a cookie but browser storage (localStorage), never sent to us: which comments "
            "you folded in each thread, so they stay folded when you come back. Emptied on the "
            "next thread page once preferences are no longer allowed.",
            Category.PREFERENCES,
            "Until preferences are withdrawn; a thread not visited for a year is forgotten",
        ),
    )


COOKIES = cookie_table(Settings())
"""The table with default settings: the names and categories never depend on settings."""

NECESSARY_COOKIES = frozenset(c.name for c in COOKIES if c.category is Category.NECESSARY)


def cookies_of(category: Category) -> tuple[str, ...]:
    return tuple(c.name for c in COOKIES if c.category is category)
