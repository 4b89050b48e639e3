"""``POST /language``: the language switcher at the foot of every page, and the account's field.

Works without JavaScript (a form with a menu and a button). A reader's choice is kept with
their account; a visitor's in a functional cookie that is set only because they asked for it
(the cookie table in forum/privacy/cookies.py lists it). Then back to the page they were on.
"""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect

from forum.accounts import languages
from forum.accounts.current import CurrentUser
from forum.settings import Settings
from forum.web.csrf import cookie_name
from forum.web.forms import FormData, field, safe_next
from forum.web.language import LANGUAGE_COOKIE, LANGUAGE_COOKIE_DAYS
from forum.web.unit_of_work import DbSession


def _language_cookie(settings: Settings, language: str | None) -> Cookie:
    """The visitor's choice for a year; none picked ("as my browser asks") deletes it."""
    return Cookie(
        key=cookie_name(LANGUAGE_COOKIE, settings),
        value=language or "",
        max_age=int(timedelta(days=LANGUAGE_COOKIE_DAYS).total_seconds()) if language else 0,
        path="/",
        secure=settings.https,
        httponly=True,
        samesite="lax",
    )


class LanguageChoice(Controller):
    """The reader picks the language the forum speaks to them."""

    path = "/language"
    include_in_schema = False

    @post("/", name="choose_language", sync_to_thread=True)
    def choose(
        self,
        db: DbSession,
        current_user: NamedDependency[CurrentUser | None],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Redirect:
        """Keep the language picked (account or cookie) and go back to the page."""
        back = safe_next(field(data, "next"))
        if current_user is not None:
            languages.choose_language(db, current_user.id, field(data, "language"))
            return Redirect(back, status_code=303)
        language = languages.checked_language(field(data, "language"))
        return Redirect(back, status_code=303, cookies=[_language_cookie(settings, language)])
