"""The access log: one JSON line per request, and a request id echoed in ``X-Request-ID``.

A line holds the time, the level, the method, the route *template*
(``/comments/{comment_id:int}``, not the path with its values), the status, the duration and
the request id: no query strings, no addresses, no user names, no cookies.

``AccessLog`` is a Litestar plugin: it adds a middleware that notes when a request began, a
``before_send`` hook that stamps the id and writes the line when the response is complete, and
the ``forum.access`` logger to the app's ``LoggingConfig`` (forum/web/log_lines.py: a thread
that formats and writes in batches, so the event loop never waits on the terminal). The app's
ASGI handler stays Litestar's own. Requests that no route matched (404/405) never reach
middleware; the hook still logs them, timed from when their answer was ready.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from litestar.config.app import AppConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.logging.config import LoggingConfig
from litestar.middleware import ASGIMiddleware
from litestar.plugins import InitPlugin
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from forum.web.log_lines import LOGGER, BatchedStderr, JsonLines, access_record
from forum.web.random_tokens import token_hex

log = logging.getLogger(LOGGER)

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
STATE_KEY = "forum_access"


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _SAFE_ID.match(candidate) else None
    return None


@dataclass(slots=True)
class _Exchange:
    """What the log line needs to remember between the request and the end of its response."""

    request_id: str
    started: float
    status: int = 500
    logged: bool = False


def _begin(scope: Scope) -> _Exchange:
    exchange = _Exchange(_incoming_id(scope) or token_hex(8), time.perf_counter())
    scope.setdefault("state", {})[STATE_KEY] = exchange
    return exchange


def _route(scope: Scope) -> str:
    template = scope.get("path_template")
    if template:
        return str(template)
    return "(static)" if str(scope.get("path", "")).startswith("/static/") else "(unmatched)"


def _write_line(scope: Scope, exchange: _Exchange) -> None:
    exchange.logged = True
    if not log.isEnabledFor(logging.INFO):
        return
    fields = {
        "method": scope.get("method"),
        "route": _route(scope),
        "status": exchange.status,
        "duration_ms": round((time.perf_counter() - exchange.started) * 1000, 2),
        "request_id": exchange.request_id,
    }
    handlers = log.handlers
    if len(handlers) == 1 and not log.filters:
        (handler,) = handlers
        if isinstance(handler, BatchedStderr) and handler.direct():
            handler.take(fields)  # no record: the writer formats the fields themselves
            return
    log.handle(access_record(fields))


def log_answer(scope: Scope, status: int, started: float) -> str:
    """Log an answer made in front of Litestar (the front cache's): the same line, an id of
    its own (the client's ``X-Request-ID`` when it sent a usable one); returns the id."""
    exchange = _Exchange(_incoming_id(scope) or token_hex(8), started, status)
    _write_line(scope, exchange)
    return exchange.request_id


class AccessLogMiddleware(ASGIMiddleware):
    """Notes the start and the id of every routed request (outermost, so the time includes
    the unit of work's commit).

    An exception raised by a middleware (CSRF's 403) passes through here: the app's exception
    handler answers it further out, and the hook logs that answer. A handler that returned
    without completing its response (the client left mid-stream) is logged here, as far as
    it got.
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        exchange = _begin(scope)
        await next_app(scope, receive, send)
        if not exchange.logged:
            _write_line(scope, exchange)


async def stamp_and_log(message: Message, scope: Scope) -> None:
    """``before_send`` hook: the id goes on the response's head, the line out after its body."""
    if message["type"] == "http.response.start":
        exchange = scope.get("state", {}).get(STATE_KEY) or _begin(scope)
        exchange.status = message["status"]
        MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = exchange.request_id
    elif message["type"] == "http.response.body" and not message.get("more_body", False):
        exchange = scope.get("state", {}).get(STATE_KEY)
        if exchange is not None and not exchange.logged:
            _write_line(scope, exchange)


def add_access_logger(config: LoggingConfig) -> None:
    """Give ``forum.access`` its JSON-lines handler in the app's logging configuration."""
    config.formatters["forum_json_lines"] = {"()": JsonLines}
    config.handlers["forum_access"] = {"()": BatchedStderr, "formatter": "forum_json_lines"}
    config.loggers[LOGGER] = {"level": "INFO", "handlers": ["forum_access"], "propagate": False}


class AccessLog(InitPlugin):
    """Installs the access log when ``enabled`` (``FORUM_ACCESS_LOG``); does nothing otherwise."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        if not self.enabled:
            return app_config
        if isinstance(app_config.logging_config, LoggingConfig):
            add_access_logger(app_config.logging_config)
        app_config.middleware.insert(0, AccessLogMiddleware())
        app_config.before_send.append(stamp_and_log)
        return app_config
