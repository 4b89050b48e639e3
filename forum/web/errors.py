"""Error responses: an HTML page in the site's layout, or a JSON problem under ``/api``.

Nothing but the status and a plain message is shown; tracebacks only when debug is on. Faults
(Redis or the database down or slow, a full disk) are 503s with ``Retry-After``, logged once
per minute and kind (``FaultLog``), never 500s with a traceback per request.
"""

from __future__ import annotations

import errno
import logging
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from redis.exceptions import RedisError

from forum import errors
from forum.i18n import N_, gettext, translate

log = logging.getLogger("forum.errors")

API_PREFIX = "/api/"

ExceptionHandler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]

FRIENDLY = {
    400: N_("The request could not be understood."),
    401: N_("Please log in to do that."),
    403: N_("You are not allowed to do that."),
    404: N_("There is nothing here. The page may have moved or never existed."),
    405: N_("That action is not possible here."),
    409: N_("That conflicts with something that changed in the meantime. Please try again."),
    413: N_("That was too large."),
    429: N_("Too many attempts. Please wait a moment and try again."),
    500: N_("Something went wrong on our side. Please try again later."),
    503: N_("The site is briefly unavailable. Please try again in a moment."),
}
"""What each status means for a person (marked; translated when an answer is made)."""

TITLES = {
    # Translators: the names of HTTP statuses, the heading of an error page and the "title" of
    # an API problem document.
    400: N_("Bad Request"),
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    406: N_("Not Acceptable"),
    409: N_("Conflict"),
    413: N_("Request Entity Too Large"),
    415: N_("Unsupported Media Type"),
    422: N_("Unprocessable Entity"),
    429: N_("Too Many Requests"),
    500: N_("Internal Server Error"),
    503: N_("Service Unavailable"),
}
"""The statuses this site answers with, by the names HTTP gives them (marked)."""


def friendly(status: int, default: str = "") -> str:
    """What ``status`` means for a person, in the current language."""
    message = FRIENDLY.get(status)
    return gettext(message) if message else default or gettext("Error")


def title_of(status: int) -> str:
    """The heading of an error with ``status``, in the current language where we have it."""
    if status in TITLES:
        return gettext(TITLES[status])
    if status in HTTPStatus._value2member_map_:
        return HTTPStatus(status).phrase
    return gettext("Error")


def wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/api"


def _message(exc: HTTPException) -> str:
    detail = exc.detail
    default = (
        HTTPStatus(exc.status_code).phrase
        if exc.status_code in HTTPStatus._value2member_map_
        else ""
    )
    if isinstance(exc, ValidationException) or not detail or detail == default:
        return friendly(exc.status_code, default)
    # A detail raised before the language was chosen (authentication) is a msgid, said here.
    return translate(str(detail))


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if extra:
        body.update(extra)
    return Response(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def error_response(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    *,
    headers: dict[str, str] | None = None,
    trace: str | None = None,
    extra: dict[str, Any] | None = None,
    action: tuple[str, str] | None = None,
) -> Response[Any]:
    """The error in the form the client asked for."""
    title = title_of(status)
    if wants_json(request):
        return problem(status, title, message, headers=headers, extra=extra)
    return Template(
        "errors/error.html",
        context={
            "status": status,
            "title": title,
            "message": message,
            "trace": trace,
            "action": action,
        },
        status_code=status,
        headers=headers,
        media_type=MediaType.HTML,
    )


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    headers = dict(exc.headers or {})
    extra = None
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        extra = {"errors": [_safe_error(e) for e in exc.extra]}
    return error_response(request, exc.status_code, _message(exc), headers=headers, extra=extra)


def _safe_error(error: Any) -> dict[str, str]:
    if isinstance(error, dict):
        return {k: str(v)[:200] for k, v in error.items() if k in {"key", "message", "source"}}
    return {"message": str(error)[:200]}


def make_unexpected_handler(debug: bool) -> ExceptionHandler:
    """The handler for anything unexpected: logged with its traceback, shown without it."""

    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        log.error(
            "unhandled error on %s %s",
            request.method,
            request.scope.get("path_template", "?"),
            exc_info=exc,
        )
        trace = "".join(traceback.format_exception(exc)) if debug else None
        return error_response(request, 500, friendly(500), trace=trace)

    return handler


SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o")


def _unavailable(exc: Exception) -> bool:
    """Whether an OperationalError means "the database cannot be reached right now" (503).

    PostgreSQL drivers raise it for lost connections; SQLite also for mistakes in SQL, which are
    our bugs and must surface as 500s with a logged traceback.
    """
    import sqlite3

    original = getattr(exc, "orig", None)
    if isinstance(original, sqlite3.Error):
        return any(word in str(original).lower() for word in SQLITE_UNAVAILABLE)
    return True


RETRY_AFTER = 5
"""Seconds a client is asked to wait after a 503 for a fault (Redis, database, full disk)."""
STORE_DOWN = N_(
    "We cannot reach the session store right now, so we cannot tell who you are. "
    "Please try again in a moment."
)
DISK_FULL = N_(
    "The server has run out of storage space, so nothing was saved. Please try again later."
)


class FaultLog:
    """A warning per kind of fault at most once per ``interval`` seconds, saying how many
    went unlogged since: an outage writes a line a minute, not one per request."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger, self.interval, self.clock = logger, interval, clock
        self._last: dict[str, float] = {}
        self._missed: dict[str, int] = {}
        self._lock = threading.Lock()

    def warn(self, kind: str, message: str, *args: object) -> None:
        now = self.clock()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.interval:
                self._missed[kind] = self._missed.get(kind, 0) + 1
                return
            self._last[kind] = now
            missed = self._missed.pop(kind, 0)
        if missed:
            message += f" (and {missed} times more since the last report)"
        self.logger.warning(message, *args)


def _cause(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return f"{type(original).__name__}: {str(original).splitlines()[0] if str(original) else ''}"


def unavailable(request: Request[Any, Any, Any], message: str) -> Response[Any]:
    """The 503 saying ``message`` (a msgid: translated here)."""
    headers = {"Retry-After": str(RETRY_AFTER)}
    return error_response(request, 503, gettext(message), headers=headers)


def fault_response(
    request: Request[Any, Any, Any], exc: BaseException, faults: FaultLog
) -> Response[Any] | None:
    """The 503 for Redis down or slow (``RedisError``) or a full disk (``ENOSPC``), logged
    through ``faults``; None when ``exc`` is neither."""
    if isinstance(exc, RedisError):
        faults.warn("store", "session store (Redis) unavailable: %s", _cause(exc))
        return unavailable(request, STORE_DOWN)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        faults.warn("disk", "disk full: %s", _cause(exc))
        return unavailable(request, DISK_FULL)
    return None


def make_fault_handler(debug: bool = False) -> ExceptionHandler:
    """Redis and disk faults are 503s; any other ``OSError`` is our bug, a 500 with its
    traceback logged."""
    faults = FaultLog(log)
    unexpected = make_unexpected_handler(debug)

    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return fault_response(request, exc, faults) or unexpected(request, exc)

    return handler


def _disk_full(exc: Exception) -> bool:
    """SQLite's "database or disk is full" (SQLITE_FULL)."""
    return "database or disk is full" in str(getattr(exc, "orig", "")).lower()


def make_database_error_handler(debug: bool = False) -> ExceptionHandler:
    """Safety net for database errors that input checks did not catch first.

    Bad values (e.g. a NUL byte PostgreSQL refuses) are the client's 400; a constraint that a
    concurrent request won is a 409; a database that cannot be reached is a 503 that clears
    when it comes back.
    """
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    unexpected = make_unexpected_handler(debug)
    faults = FaultLog(log)

    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        if isinstance(exc, DataError):
            message = gettext("The request holds a value that cannot be stored.")
            return error_response(request, 400, message)
        if isinstance(exc, IntegrityError):
            return error_response(request, 409, friendly(409))
        if isinstance(exc, OperationalError) and _disk_full(exc):
            faults.warn("disk", "database disk full: %s", _cause(exc))
            return unavailable(request, DISK_FULL)
        if isinstance(exc, PoolTimeout) or (
            isinstance(exc, OperationalError) and _unavailable(exc)
        ):
            faults.warn(
                "database",
                "database unavailable on %s %s: %s",
                request.method,
                request.scope.get("path_template", "?"),
                _cause(exc),
            )
            return unavailable(request, FRIENDLY[503])
        return unexpected(request, exc)

    return handler


NESTED_TOO_DEEPLY = N_("The request body is nested too deeply.")


def make_nesting_handler(debug: bool = False) -> ExceptionHandler:
    """A body nested deeper than the JSON decoder recurses (``[[[…]]]`` 10,000 levels) is the
    client's 400; any other RecursionError is our bug, logged as a 500."""
    unexpected = make_unexpected_handler(debug)

    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        if "deserializ" in str(exc):
            return error_response(request, 400, gettext(NESTED_TOO_DEEPLY))
        return unexpected(request, exc)

    return handler


def overflow_handler(request: Request[Any, Any, Any], exc: OverflowError) -> Response[Any]:
    """A number too large for the database (an id of 30 digits in a URL) is the client's 400."""
    return error_response(request, 400, gettext("A number in the request is too large."))


DOMAIN_STATUS: dict[type, int] = {
    errors.Invalid: 400,
    errors.LoginNeeded: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.RateLimited: 429,
    errors.Unavailable: 503,
}
"""Each domain error class and its HTTP status: the one mapping, used for HTML and JSON."""


def status_of(exc: errors.DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return 400


def domain_error_handler(request: Request[Any, Any, Any], exc: errors.DomainError) -> Response[Any]:
    """A domain error as the page or problem the client asked for (the unit of work has
    already rolled back: the ``db`` dependency saw the error first)."""
    status = status_of(exc)
    if isinstance(exc, errors.LoginNeeded) and not wants_json(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return Redirect("/login?next=" + quote(target, safe="/"), status_code=303)
    headers: dict[str, str] = {}
    if isinstance(exc, errors.RateLimited | errors.Unavailable):
        headers["Retry-After"] = str(exc.retry_after)
    extra: dict[str, Any] | None = None
    if isinstance(exc, errors.Invalid):
        extra = {"errors": dict(exc.errors)}
    message = exc.message or friendly(status)
    return error_response(request, status, message, headers=headers, extra=extra, action=exc.action)
