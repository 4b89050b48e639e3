"""CSRF protection: Litestar's double-submit middleware, skipped for bearer-token requests,
with a new token at login.

A request with ``Authorization: Bearer`` is authenticated by that header alone (cookies are
ignored), so a forged cross-site request cannot carry it and needs no CSRF token. The same holds
for a framed thread's ``X-Forum-Frame-Session`` (``forum.web.sessions``): its session comes from
the header alone, which no other site's page can make a browser send to us.

Over https the cookie is ``__Host-forum_csrf``: browsers then accept it only when Secure, for
Path=/ and without a Domain, so a sibling subdomain cannot plant a token of its choosing. A
login gives the browser a new token (``rotate_csrf``), so a token known before the login (one
planted, or read from a shared machine) is worthless after it.
"""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Message, Receive, Scope, Send

from forum.settings import Settings
from forum.signing import purpose_secret
from forum.web.random_tokens import csrf_token
from forum.web.sessions import frame_session_id

CSRF_COOKIE = "forum_csrf"
CSRF_HEADER = "x-csrftoken"
HOST_PREFIX = "__Host-"
ROTATE_CSRF_KEY = "forum_rotate_csrf"


def cookie_name(name: str, settings: Settings) -> str:
    """``name``, with the ``__Host-`` prefix when the site is served over https."""
    return HOST_PREFIX + name if settings.https else name


def rotate_csrf(scope: Scope) -> None:
    """Give this response a new CSRF token (at login)."""
    scope.setdefault("state", {})[ROTATE_CSRF_KEY] = True


def header_value(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def has_bearer_token(scope: Scope) -> bool:
    value = header_value(scope, b"authorization")
    return value is not None and value[:7].lower() == "bearer "


def make_csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=purpose_secret(settings.effective_secret_key(), "csrf"),
        cookie_name=cookie_name(CSRF_COOKIE, settings),
        header_name=CSRF_HEADER,
        cookie_secure=settings.https,
        cookie_samesite="lax",
        cookie_httponly=False,  # the page's script reads it to send the header on API calls
        cookie_path="/",
        cookie_domain=None,
    )


def csrf_cookie(config: CSRFConfig, token: str) -> str:
    """The ``Set-Cookie`` value that gives a browser ``token`` (as Litestar's middleware
    writes it; the rotation at login and the front cache send the same)."""
    cookie = Cookie(
        key=config.cookie_name,
        value=token,
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )
    return cookie.to_header(header="")


class ForumCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and (
            has_bearer_token(scope) or frame_session_id(scope) is not None
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, self._rotating(scope, send))

    def _rotating(self, scope: Scope, send: Send) -> Send:
        """``send``, adding a new token cookie to a response whose handler asked for one."""

        async def wrapped(message: Message) -> None:
            state = scope.get("state", {})
            if message["type"] == "http.response.start" and state.pop(ROTATE_CSRF_KEY, False):
                token = csrf_token(self.config.secret)
                MutableScopeHeaders.from_message(message).add(
                    "set-cookie", csrf_cookie(self.config, token)
                )
            await send(message)

        return wrapped
