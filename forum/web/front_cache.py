"""The front cache: what every cookieless visitor gets alike, answered in front of Litestar.

A ``GET`` of an article page or of its JSON thread, with no ``Cookie``, no ``Authorization``
and no ``Sec-GPC``, is the same answer for everyone but for the values each request gets of
its own: a new CSRF token (in the page and in its ``Set-Cookie``, as Litestar's CSRF
middleware does for a browser without one), the comment form's nonce and start time, the
request id. The first such request goes through Litestar; its handler, if it serves every
visitor alike, *registers* the answer (``offer(scope).register``) with marks where those
values go. The front cache keeps the complete response (status, headers, body cut at the
marks, gzip precompressed around the cuts, brotli when there is no cut) and answers the next
visitors itself, each with its own token, in a few microseconds.

An entry is fresh while the process's write generation (``forum.db.generation``: it moves
after every committed write) has not moved since the request that built it began, and for at
most ``FORUM_FRONT_CACHE_MS`` (writes made by other processes are seen after that bound). A
stale entry is rebuilt through Litestar. ``If-None-Match`` with the entry's validator gets 304
(forum/web/front_entries.py keeps the entries): for a page, with the CSRF cookie of the copy
the client shows, named by its tag; a tag naming no token of ours gets the page again. A JSON
thread's 304 is the same for every client and carries no cookie (its body holds no token).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from anyio import to_thread

from forum.db import generation
from forum.i18n import current_language
from forum.settings import Settings
from forum.web.access_log import log_answer
from forum.web.csrf import csrf_cookie, make_csrf_config
from forum.web.front_entries import (
    TOKEN,
    Entry,
    Headers,
    Offer,
    body_for,
    build,
    decode,
    filled,
    header_value,
    tag_of,
    token_part,
    validator_of,
)
from forum.web.random_tokens import csrf_token, csrf_token_of
from forum.web.spliced_gzip import LEVEL

OFFER_KEY = "forum_front_cache"
ROUTES = re.compile(r"/articles/[^/]+(/comments)?")
"""The article page and, under ``/api``, its JSON thread (``fullmatch`` on the path)."""
PERSONAL = frozenset({b"cookie", b"authorization", b"sec-gpc", b"x-forum-frame-session"})
"""A request with any of these may get an answer of its own: Litestar answers it."""
MAX_ENTRIES = 512
MAX_BYTES = 24 * 1024 * 1024
"""Bounds of one process's entries (least recently used go first)."""
COOKIE_MARK = "csrf0token0mark"


def request_header(scope: dict[str, Any], name: bytes) -> bytes:
    """The value of a request's header ``name`` (lower case), else empty."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""


def offer(scope: Any, key: str = OFFER_KEY) -> Offer | None:
    """The front cache's offer for this request, when it may keep the answer."""
    found = scope.get("state", {}).get(key)
    return found if isinstance(found, Offer) else None


class FrontCache:
    """The entries of one process, with the CSRF cookie each answer gets."""

    offer_key = OFFER_KEY
    """Where a request's ``Offer`` goes in its state (a handler looks for it there)."""
    max_entries, max_bytes = MAX_ENTRIES, MAX_BYTES
    """Bounds of the entries (least recently used go first)."""
    token_varies = True
    """Whether each answer of an entry carries a token of its own (cut out where it goes)."""
    level = LEVEL
    """The gzip level of an entry (shared by every visitor: worth the smallest body)."""

    def __init__(
        self,
        *,
        new_token: Callable[[], str],
        cookie: Callable[[str], str],
        seconds: float,
        log_answer: Callable[[Any, int, float], str] | None = None,
        copy_token: Callable[[str], str | None] = lambda _part: None,
    ) -> None:
        self.new_token = new_token
        self.copy_token = copy_token
        """The whole CSRF token of the random part a page's tag carries (None: not one)."""
        self.cookie_parts = cookie(COOKIE_MARK).partition(COOKIE_MARK)[0::2]
        self.seconds = seconds
        self.log_answer = log_answer
        self.entries: OrderedDict[bytes, Entry] = OrderedDict()
        self.size = 0
        self.building: dict[bytes, asyncio.Future[None]] = {}
        """Requests on their way through Litestar to make an entry, by key."""

    @staticmethod
    def key_of(scope: dict[str, Any]) -> bytes | None:
        """The entry key of a request the front cache may answer, else None."""
        if scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if not ROUTES.fullmatch(path.removeprefix("/api")) or (
            path.endswith("/comments") != path.startswith("/api/")
        ):
            return None
        for key, _ in scope["headers"]:
            if key in PERSONAL:
                return None
        query: bytes = scope.get("query_string", b"")
        # Pages speak the visitor's language (Accept-Language): one entry per language.
        return path.encode() + b"?" + query + b"#" + current_language().encode()

    async def answer(
        self, scope: dict[str, Any], receive: Any, send: Any, app: Any, key: bytes
    ) -> None:
        """Answer from a fresh entry, or let ``app`` answer (and keep what it registers)."""
        started, arrived = time.perf_counter(), time.monotonic()
        building = self.building.get(key)
        if building is not None:  # another request is making it: wait rather than make it too
            await asyncio.shield(building)
        entry = self.entries.get(key)
        if entry is not None and entry.fresh(arrived):
            self.entries.move_to_end(key)
            await self._send(scope, send, entry, None, None, started)
            return
        if building is not None:
            await self._through(scope, receive, send, app, key, started)
            return
        done = self.building[key] = asyncio.get_running_loop().create_future()
        try:
            await self._through(scope, receive, send, app, key, started)
        finally:
            del self.building[key]
            done.set_result(None)

    async def _through(
        self, scope: dict[str, Any], receive: Any, send: Any, app: Any, key: bytes, started: float
    ) -> None:
        """Litestar answers; an answer its handler registered is kept, then sent from the entry."""
        found = Offer(generation.value)
        scope.setdefault("state", {})[self.offer_key] = found
        # The page itself is what is kept: the 304, if due, is answered from the entry.
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"if-none-match"]
        held: list[dict[str, Any]] = []

        async def hold(message: dict[str, Any]) -> None:
            if held or (message["type"] == "http.response.start" and found.etag is not None):
                held.append(message)
            else:
                await send(message)

        await app(scope, receive, hold)
        if not held:
            return
        start, body = held[0], b"".join(m.get("body", b"") for m in held[1:])
        kept = await self._keep(key, scope, found, start, body)
        if kept is None:  # registered, but not an answer to keep (another status, cookies)
            start, body = filled(start, body, found)
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        entry, token, request_id = kept
        await self._send(scope, send, entry, token, request_id, started)

    async def _keep(
        self, key: bytes, scope: dict[str, Any], found: Offer, start: Any, body: bytes
    ) -> tuple[Entry, str, str | None] | None:
        headers: Headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
        cookies = [v for k, v in headers if k == b"set-cookie"]
        token = _token_of(cookies, *self.cookie_parts)
        if start["status"] != 200 or token is None or found.etag is None:
            return None
        encoding = header_value(headers, b"content-encoding")
        if encoding not in (b"", b"gzip", b"br"):
            return None
        entry = await self._build(scope, found, headers, body, encoding, token)
        self._store(key, entry)
        return entry, token, header_value(headers, b"x-request-id").decode() or None

    async def _build(
        self,
        scope: dict[str, Any],
        found: Offer,
        headers: Headers,
        body: bytes,
        encoding: bytes,
        token: str,
    ) -> Entry:
        """The entry of an answer to keep, fresh for ``seconds`` from when its request began."""
        route = str(scope.get("path_template") or scope["path"])
        expires = found.made + self.seconds
        # Compressing a large page takes milliseconds: off the event loop (zlib and brotli
        # let other threads run meanwhile).
        return await to_thread.run_sync(
            lambda: build(
                found,
                headers,
                decode(body, encoding),
                token,
                route=route,
                expires=expires,
                cut_token=self.token_varies,
                level=self.level,
            )
        )

    def _store(self, key: bytes, entry: Entry) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old.size
        if entry.size > MAX_BYTES // 8:
            return
        self.entries[key] = entry
        self.size += entry.size
        while self.size > self.max_bytes or len(self.entries) > self.max_entries:
            _, dropped = self.entries.popitem(last=False)
            self.size -= dropped.size

    def _response(
        self, scope: dict[str, Any], entry: Entry, token: str | None
    ) -> tuple[int, Headers, bytes]:
        """The status, headers and body ``entry`` is answered with, carrying ``token`` (None:
        a new one, made only when the answer needs one: a page's 304 gives back its copy's)."""
        sent = request_header(scope, b"if-none-match").decode("latin-1")
        if sent and entry.fixed_304 is not None and _naming(entry, sent):
            return 304, [*entry.fixed_304], b""
        kept = self._revalidated(entry, sent, token) if sent else None
        if kept is not None:
            return 304, self._head(entry, kept) + entry.head_304, b""
        token = token or self.new_token()
        headers = self._head(entry, token)
        body, encoding = body_for(entry, token, request_header(scope, b"accept-encoding"))
        if encoding:
            headers.append((b"content-encoding", encoding))
        headers += entry.headers
        headers.append((b"content-length", b"%d" % len(body)))
        return 200, headers, body

    def _head(self, entry: Entry, token: str) -> Headers:
        """The validator, ``Vary`` and CSRF cookie of an answer carrying ``token``."""
        return [
            (b"etag", tag_of(entry.etag, token).encode()),
            (b"vary", entry.vary),
            (b"set-cookie", (self.cookie_parts[0] + token + self.cookie_parts[1]).encode()),
        ]

    def _revalidated(self, entry: Entry, sent: str, token: str | None) -> str | None:
        """The token of a 304 when one of the client's tags names the entry's content: for a
        body that carries a token (a page's forms), the one in the client's copy, named by its
        tag (a new cookie would not match the forms it shows); else ``token``. None: a 200."""
        for tag in _naming(entry, sent):
            if TOKEN not in entry.cuts:
                return token or self.new_token()
            copied = self.copy_token(token_part(tag))
            if copied is not None:
                return copied
        return None

    async def _send(
        self,
        scope: dict[str, Any],
        send: Any,
        entry: Entry,
        token: str | None,
        request_id: str | None,
        started: float,
    ) -> None:
        status, headers, body = self._response(scope, entry, token)
        if self.log_answer is not None:
            scope["path_template"] = entry.route
            request_id = request_id or self.log_answer(scope, status, started)
            headers.append((b"x-request-id", request_id.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _naming(entry: Entry, sent: str) -> list[str]:
    """The tags of ``If-None-Match`` that name the content of ``entry``."""
    return [tag for tag in sent.split(",") if validator_of(tag) == entry.validator]


def _token_of(cookies: list[bytes], prefix: str, suffix: str) -> str | None:
    """The CSRF token of an answer whose only cookie is a new CSRF cookie (else None)."""
    if len(cookies) != 1:
        return None
    value = cookies[0].decode("latin-1")
    if not (value.startswith(prefix) and value.endswith(suffix)):
        return None
    token = value[len(prefix) : len(value) - len(suffix)]
    return token if token.isalnum() else None


def make_front_cache(settings: Settings) -> FrontCache | None:
    """The front cache of one process, with the CSRF cookie as Litestar's middleware sets it
    (``FORUM_FRONT_CACHE_MS=0``: none)."""
    if not settings.front_cache_ms:
        return None
    config = make_csrf_config(settings)
    return FrontCache(
        new_token=lambda: csrf_token(config.secret),
        cookie=lambda token: csrf_cookie(config, token),
        seconds=settings.front_cache_ms / 1000,
        log_answer=log_answer if settings.access_log else None,
        copy_token=lambda part: csrf_token_of(part, config.secret),
    )
