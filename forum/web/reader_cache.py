"""The reader cache: a logged-in reader's article page, kept for exactly the request that made
it and answered in front of Litestar when the same reader loads the same page again.

A reader's page is theirs alone (their name, buttons, pending comments, consent, CSRF token),
so an entry is keyed by everything in the request that can make it differ (``reader_key``:
the path and query, the whole ``Cookie`` header with the session id, the CSRF and consent
cookies, and the language and privacy signals) and is only ever answered to a request with
that same key. What the page shows from the database is current as the front cache's is: an
entry is stale once the process's write generation moved (any committed write) and after
``FORUM_FRONT_CACHE_MS`` for other processes' writes and for what time alone changes (the
edit window, an idle session's end). Every request of another method that reaches this
process (a logout, a login, a consent choice, any form) also drops every entry, when it
begins and when it ends, so server-side logout or a rotated session ends access here at once
and within that bound elsewhere. An answer is kept only when nothing in it is new to this
request: status 200, no ``Set-Cookie``, the session as it was loaded (a flash shown once is
not kept), and the handler registered it (``offer(scope)``). It stays ``no-store``.

What this speeds up is a *repeated* load (a reload, a reader's tabs, a page polled): the first
load of a page by a reader goes through Litestar untouched (nothing is held, decoded or
compressed for it: most readers load a page once); the same request again within ``SEEN_SECONDS``
is kept, and answered from the entry while it is fresh.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from typing import Any

from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from forum.settings import Settings
from forum.web.access_log import log_answer
from forum.web.front_cache import FrontCache, request_header
from forum.web.front_cache import offer as front_offer
from forum.web.front_entries import Entry, Headers, Offer, body_for, header_value
from forum.web.sessions import LOADED_KEY, SESSION_COOKIE
from forum.web.spliced_gzip import QUICK_LEVEL

OFFER_KEY = "forum_reader_cache"
PAGE = re.compile(r"/articles/[^/]+")
VARIES = frozenset({b"cookie", b"accept-language", b"sec-gpc", b"x-forum-frame-session"})
"""Request headers a reader's page may differ by: each is part of the entry's key."""
MAX_ENTRIES = 256
MAX_BYTES = 8 * 1024 * 1024
SEEN_SECONDS = 60.0
"""A request seen again within this is worth keeping (a first one passes through as it is)."""
MAX_SEEN = 4096


def reader_key(scope: dict[str, Any]) -> bytes | None:
    """The key of a logged-in reader's ``GET`` of an article page (a session cookie, no
    ``Authorization``), else None: everything in the request the page may differ by."""
    if scope["method"] != "GET" or not PAGE.fullmatch(scope["path"]):
        return None
    varies: list[bytes] = []
    for name, value in scope["headers"]:
        if name == b"authorization":
            return None
        if name in VARIES:
            varies.append(name + b":" + bytes(value))
    if not any(name.startswith(b"cookie:") and SESSION_COOKIE.encode() in name for name in varies):
        return None
    query: bytes = scope.get("query_string", b"")
    return b"\n".join([scope["path"].encode() + b"?" + query, *sorted(varies)])


def offer(scope: Any) -> Offer | None:
    """The reader cache's offer for this request, when it may keep the answer."""
    return front_offer(scope, OFFER_KEY)


class ReaderCache(FrontCache):
    """One process's kept reader pages; ``forget()`` drops them all."""

    offer_key = OFFER_KEY
    max_entries, max_bytes = MAX_ENTRIES, MAX_BYTES
    token_varies = False
    """A reader's entry is answered with their own token, the one it was made with: it stays in
    the text (their page has it in every comment's forms: 105 cuts on a page of 100 comments
    made keeping it cost 45 ms, and every answer of it a few hundred microseconds)."""
    level = QUICK_LEVEL
    """A reader's entry is answered a few times, to them alone: made quickly."""

    def __init__(self, *, seconds: float, log: bool) -> None:
        super().__init__(
            new_token=lambda: "",
            cookie=lambda token: token,
            seconds=seconds,
            log_answer=log_answer if log else None,
        )
        self.epoch = 0
        """Moves with every ``forget()``: an answer begun before it is not kept."""
        self.seen: OrderedDict[bytes, float] = OrderedDict()
        """When each request was last let through as a first load (its key)."""

    key_of = staticmethod(reader_key)

    def forget(self) -> None:
        """Drop every entry (a request that may change a reader's state began or ended)."""
        self.epoch += 1
        self.entries.clear()
        self.size = 0

    async def answer(
        self, scope: dict[str, Any], receive: Any, send: Any, app: Any, key: bytes
    ) -> None:
        if self._first(key):
            await app(scope, receive, send)
            return
        scope.setdefault("state", {})["forum_reader_epoch"] = self.epoch
        await super().answer(scope, receive, send, app, key)

    def _first(self, key: bytes) -> bool:
        """Whether this request is new (not kept, not being kept, not seen lately): noted."""
        if key in self.entries or key in self.building:
            return False
        now = time.monotonic()
        last = self.seen.pop(key, None)
        self.seen[key] = now
        if len(self.seen) > MAX_SEEN:
            self.seen.popitem(last=False)
        return last is None or now - last > SEEN_SECONDS

    async def _keep(
        self, key: bytes, scope: dict[str, Any], found: Offer, start: Any, body: bytes
    ) -> tuple[Entry, str, str | None] | None:
        headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
        state = scope.get("state", {})
        token = value_or_default(ScopeState.from_scope(scope).csrf_token, "")  # type: ignore[arg-type]
        encoding = header_value(headers, b"content-encoding")
        if (
            start["status"] != 200
            or found.etag is None
            or not token
            or any(k == b"set-cookie" for k, _ in headers)
            or scope.get("session") != state.get(LOADED_KEY)
            or state.get("forum_reader_epoch") != self.epoch
            or encoding not in (b"", b"gzip", b"br")
        ):
            return None
        entry = await self._build(scope, found, headers, body, encoding, token)
        entry.token = token
        if state.get("forum_reader_epoch") != self.epoch:  # forgotten while it was built
            return None
        self._store(key, entry)
        return entry, token, header_value(headers, b"x-request-id").decode() or None

    def _response(
        self, scope: dict[str, Any], entry: Entry, token: str | None
    ) -> tuple[int, Headers, bytes]:
        """The reader's own page as it was: their token, no cookie, no validator."""
        body, encoding = body_for(entry, entry.token, request_header(scope, b"accept-encoding"))
        headers = [(b"vary", entry.vary), *entry.headers]
        if encoding:
            headers.append((b"content-encoding", encoding))
        headers.append((b"content-length", b"%d" % len(body)))
        return 200, headers, body


def make_reader_cache(settings: Settings) -> ReaderCache | None:
    """The reader cache of one process (``FORUM_FRONT_CACHE_MS=0``: none)."""
    if not settings.front_cache_ms:
        return None
    return ReaderCache(seconds=settings.front_cache_ms / 1000, log=settings.access_log)
