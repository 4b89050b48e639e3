"""Which language a request is answered in: one rule for pages, the API, the embed and mails.

The reader's account setting first (``users.language``), else the visitor's own choice (the
functional cookie the language switcher sets, only when they ask), else what the browser asks
for (``Accept-Language``, matched by Babel: ``de-AT`` gets German), else the site's
``FORUM_LANGUAGE``. ``ForumApp`` sets it for every request before anything answers (so the
front cache, error pages and 404s speak it too); authentication then puts the account's in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from babel import negotiate_locale
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from forum.i18n import LANGUAGES, current_language
from forum.settings import Settings
from forum.web.csrf import cookie_name

LANGUAGE_COOKIE = "forum_language"
"""The visitor's chosen language (functional: set only when they pick one in the switcher)."""
LANGUAGE_COOKIE_DAYS = 365
SPOKEN_TYPES = ("text/html", "text/plain", "application/problem+json", "application/atom+xml")
"""Answers whose words are the forum's (pages, problem details, feeds): they carry
``Content-Language`` and vary by ``Accept-Language``. JSON data (a thread) is the readers' own."""
HOST_PAGE_PATHS = ("/embed/", "/api/sites/")
"""What a site's page loads from us (the framed thread, the counts): they may be asked for in
the host page's language (``?lang=``, the embed's ``data-lang`` or the page's ``<html lang>``)."""
MAX_ACCEPT_LANGUAGE = 40
"""Ranges of ``Accept-Language`` looked at; a longer header is cut (nobody reads 40)."""
MAX_REMEMBERED_HEADER = 200
"""Longer ``Accept-Language`` headers are read each time, not remembered."""


def parse_accept_language(header: str) -> list[str]:
    """The language ranges of an ``Accept-Language`` header, most wanted first (``q=0`` and
    ``*`` left out; an unreadable weight counts as 0)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:MAX_ACCEPT_LANGUAGE]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and tag != "*" and 0 < weight <= 1:
            ranked.append((-weight, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def shipped(language: str | None) -> str | None:
    """``language`` when the forum speaks it (a stored or sent value may be anything)."""
    return language if language in LANGUAGES else None


def negotiate(
    *,
    default: str,
    account: str | None = None,
    chosen: str | None = None,
    accept_language: str = "",
) -> str:
    """The language to answer in: the account's, the visitor's choice, the browser's, the site's."""
    for given in (account, chosen):
        if given is not None and shipped(given):
            return given
    if len(accept_language) > MAX_REMEMBERED_HEADER:
        return _browser_language(accept_language) or default
    return browser_language(accept_language) or default


def _browser_language(accept_language: str) -> str | None:
    wanted = parse_accept_language(accept_language)
    found = negotiate_locale(wanted, list(LANGUAGES), sep="-") if wanted else None
    return shipped(found.lower() if found else None)


browser_language = lru_cache(maxsize=512)(_browser_language)
"""The shipped language an ``Accept-Language`` header asks for first, or None; remembered,
since browsers send a handful of distinct headers and every request asks (a bounded cache: a
client sending a new header each time only pushes out the oldest)."""


def host_page_language(path: str, query_string: bytes) -> str | None:
    """The shipped language matching a host page's ``?lang=`` (``de-AT`` → ``de``) on what a
    site's page loads from us; None elsewhere, or for a tag we do not speak."""
    if not path.startswith(HOST_PAGE_PATHS) or b"lang=" not in query_string:
        return None
    tags = parse_qs(query_string.decode("latin-1")[:2000]).get("lang", [])
    if not tags or len(tags[0]) > 35:
        return None
    found = negotiate_locale([tags[0].replace("_", "-")], list(LANGUAGES), sep="-")
    return shipped(found.lower() if found else None)


def chosen_language(cookie_header: str, settings: Settings) -> str | None:
    """The language a visitor chose in the switcher, from a ``Cookie`` header."""
    name = cookie_name(LANGUAGE_COOKIE, settings)
    if name not in cookie_header:  # most requests: no choice made (and parsing costs ~50 µs)
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return shipped(morsel.value) if morsel is not None else None


def language_of_scope(settings: Settings) -> Callable[[Any], str]:
    """For ``ForumApp``: an ASGI scope's language before anyone is authenticated (a host
    page's language, on what it loads from us, comes before the visitor's pick)."""

    def language_of(scope: Any) -> str:
        accept, cookie = "", ""
        for name, value in scope.get("headers", ()):
            if name == b"accept-language":
                accept = value.decode("latin-1")
            elif name == b"cookie":
                cookie = value.decode("latin-1")
        page = host_page_language(scope.get("path", ""), scope.get("query_string", b""))
        return negotiate(
            default=settings.language,
            chosen=page or chosen_language(cookie, settings),
            accept_language=accept,
        )

    return language_of


async def add_content_language(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: ``Content-Language`` on what the forum says in the request's
    language, and ``Vary: Accept-Language`` so that no cache hands it to a reader of another."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    if not headers.get("content-type", "").startswith(SPOKEN_TYPES):
        return
    headers["content-language"] = current_language()
    vary = headers.get("vary", "")
    if "accept-language" not in vary.lower() and vary.strip() != "*":
        headers["vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
