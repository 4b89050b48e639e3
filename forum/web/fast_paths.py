"""Answers that need nothing of the app: ``/healthz`` and the files under ``/static/``; and
the front cache (forum/web/front_cache.py): article pages and JSON threads for visitors
without a cookie, as their handler registered them.

They are answered in front of Litestar, before any middleware: no unit of work, session,
CSRF, consent, rate limit or access log line (a probe every second is noise there; the front
cache logs its answers itself). The responses carry the same security headers as every other
(forum/web/headers.py); a 304 carries only what updates the client's stored copy (its cache
headers and validator, RFC 9110 15.4.5), which keeps the security headers of its 200.
Anything else (another method, an unknown static name) goes on to Litestar as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.types import Receive, Send

from forum.i18n import set_language
from forum.web.front_cache import FrontCache, request_header
from forum.web.reader_cache import ReaderCache
from forum.web.static_assets import Asset, StaticAssets
from forum.web.unit_of_work import SAFE_METHODS

HEALTH_BODY = b'{"status":"ok"}'
_Headers = list[tuple[bytes, bytes]]
Scope = dict[str, Any]
"""An HTTP scope (Litestar's union type would have us prove it is not a websocket's)."""


class FastPaths:
    """Precomputed answers: ``answer()`` sends one and returns True, or returns False."""

    def __init__(
        self,
        assets: StaticAssets,
        security_headers: dict[str, str],
        front_cache: FrontCache | None = None,
        reader_cache: ReaderCache | None = None,
    ) -> None:
        self.assets = assets
        self.front_cache = front_cache
        self.reader_cache = reader_cache
        self.base: _Headers = [(k.encode(), v.encode()) for k, v in security_headers.items()]
        self.health: _Headers = [
            (b"content-type", b"application/json"),
            (b"cache-control", b"no-store"),
            (b"content-length", str(len(HEALTH_BODY)).encode()),
            *self.base,
        ]

    async def answer(self, scope: Scope, send: Any) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return False
        path = scope["path"]
        if path == "/healthz":
            await self._send(scope, send, 200, self.health, HEALTH_BODY)
            return True
        found = self.assets.by_path.get(path) if path.startswith("/static/") else None
        if found is None:
            return False
        await self._static(scope, send, *found)
        return True

    async def _static(self, scope: Scope, send: Any, asset: Asset, cache: bytes) -> None:
        headers = [(b"cache-control", cache), (b"etag", asset.etag)]
        if asset.gzip is not None:
            headers.append((b"vary", b"accept-encoding"))
        if request_header(scope, b"if-none-match") == asset.etag:  # what updates the copy only
            await self._send(scope, send, 304, headers, b"")
            return
        headers += self.base
        body, encoding = asset.body_for(request_header(scope, b"accept-encoding"))
        if encoding is not None:
            headers.append((b"content-encoding", encoding))
        headers += [(b"content-type", asset.content_type), (b"content-length", b"%d" % len(body))]
        await self._send(scope, send, 200, headers, body)

    @staticmethod
    async def _send(scope: Scope, send: Any, status: int, headers: _Headers, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        head = scope["method"] == "HEAD"
        await send({"type": "http.response.body", "body": b"" if head else body})


class ForumApp(Litestar):
    """Litestar with ``FastPaths`` in front of it (``fast_paths=None``: none), and each
    request's language chosen before anything answers it (``language_of``: web/language.py)."""

    def __init__(
        self,
        *args: Any,
        fast_paths: FastPaths | None = None,
        language_of: Callable[[Any], str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fast_paths = fast_paths
        self.language_of = language_of

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:  # type: ignore[override]
        fast = self.fast_paths
        if fast is not None and scope["type"] == "http" and await fast.answer(scope, send):
            return  # /healthz and /static/ say no words of ours: no language to choose
        if self.language_of is not None and scope["type"] in ("http", "websocket"):
            set_language(self.language_of(scope))  # this request's task only
        if fast is not None and scope["type"] == "http":
            front = fast.front_cache
            key = front.key_of(scope) if front is not None else None
            if front is not None and key is not None:
                await front.answer(scope, receive, send, super().__call__, key)
                return
            readers = fast.reader_cache
            if readers is not None:
                await self._for_readers(readers, scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _for_readers(
        self, readers: ReaderCache, scope: Any, receive: Receive, send: Send
    ) -> None:
        """A reader's page again from the reader cache; any other method than a read drops
        the reader cache's entries when it begins and when it ends (it may log out, rotate a
        session, change a consent or a role)."""
        key = readers.key_of(scope)
        if key is not None:
            await readers.answer(scope, receive, send, super().__call__, key)
            return
        if scope["method"] in SAFE_METHODS:
            await super().__call__(scope, receive, send)
            return
        readers.forget()
        try:
            await super().__call__(scope, receive, send)
        finally:
            readers.forget()
