"""One structured log line per request, and a request id echoed in ``X-Request-ID``.

The line holds the method, the route *template* (``/comments/{comment_id:int}``, not the
path with its values), the status, the duration and the request id: no query strings, no
addresses, no user names, no cookies.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("forum.access")

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _SAFE_ID.match(candidate) else None
    return None


class AccessLog:
    """Wraps the app's ASGI handler (outside routing, so unknown paths are logged too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("path_template") or (
                "(static)" if str(scope.get("path", "")).startswith("/static/") else "(unmatched)"
            )
            record: dict[str, Any] = {
                "method": scope.get("method"),
                "route": route,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
            }
            log.info(json.dumps(record, separators=(",", ":")))


def install_access_log(app: Any) -> None:
    """Put the access log around everything the Litestar app does for a request."""
    app.asgi_handler = AccessLog(app.asgi_handler)
