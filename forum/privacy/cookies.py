"""Every cookie the forum sets: the table on ``/cookies`` and what withdrawal deletes.

A module that wants a new cookie adds a row here first; a cookie of a category the visitor
has not allowed is deleted from their browser on their next page.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.i18n import gettext, ngettext
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
    idle_text = (
        ngettext("%(num)s hour", "%(num)s hours", idle // 60)
        if idle % 60 == 0
        else ngettext("%(num)s minute", "%(num)s minutes", idle)
    )
    # Translators: %(idle)s is a duration ("2 hours"); 'remember me' is the login box.
    remember = ngettext(
        "Until you close the browser (ends after %(idle)s without a visit), or %(num)s day "
        "with 'remember me'",
        "Until you close the browser (ends after %(idle)s without a visit), or %(num)s days "
        "with 'remember me'",
        settings.remember_days,
        idle=idle_text,
    )
    return (
        CookieInfo(
            "forum_session",
            gettext(
                "Keeps you logged in. Holds only a random id; what it stands for stays on our "
                "server. Also carries one-off messages such as 'your settings have been saved'."
            ),
            Category.NECESSARY,
            remember,
        ),
        CookieInfo(
            "forum_csrf",
            gettext("Protects your forms against being sent by other sites (CSRF protection)."),
            Category.NECESSARY,
            gettext("Until you close the browser"),
        ),
        CookieInfo(
            CONSENT_COOKIE,
            gettext(
                "Remembers your cookie choices, the cookie-policy version you made them under "
                "and a random id that proves them in our consent log."
            ),
            Category.NECESSARY,
            ngettext("%(num)s month", "%(num)s months", 6),
        ),
        CookieInfo(
            LANGUAGE_COOKIE,
            gettext(
                "Remembers the language you picked in the language menu at the foot of every "
                "page (set only when you pick one; logged in, your account keeps it instead)."
            ),
            Category.NECESSARY,
            ngettext("%(num)s year", "%(num)s years", 1),
        ),
        CookieInfo(
            PREFERENCES_COOKIE,
            gettext("Remembers comforts you chose, such as how threads are sorted."),
            Category.PREFERENCES,
            ngettext("%(num)s year", "%(num)s years", 1),
        ),
        CookieInfo(
            "forum.folds",
            gettext(
                "Not a cookie but browser storage (localStorage), never sent to us: which "
                "comments you folded in each thread, so they stay folded when you come back. "
                "Emptied on the next thread page once preferences are no longer allowed."
            ),
            Category.PREFERENCES,
            gettext(
                "Until preferences are withdrawn; a thread not visited for a year is forgotten"
            ),
        ),
    )


COOKIES = cookie_table(Settings())
"""The table with default settings: the names and categories never depend on settings."""

NECESSARY_COOKIES = frozenset(c.name for c in COOKIES if c.category is Category.NECESSARY)


def cookies_of(category: Category) -> tuple[str, ...]:
    return tuple(c.name for c in COOKIES if c.category is category)
