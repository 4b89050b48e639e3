"""CSRF protection: Litestar's double-submit middleware, skipped for bearer-token requests.

A request with ``Authorization: Bearer`` is authenticated by that header alone (cookies are
ignored), so a forged cross-site request cannot carry it and needs no CSRF token.
"""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig
from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send

from forum.settings import Settings
from forum.signing import purpose_secret

CSRF_COOKIE = "forum_csrf"
CSRF_HEADER = "x-csrftoken"


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
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.https,
        cookie_samesite="lax",
        cookie_httponly=False,  # the page's script reads it to send the header on API calls
    )


class ForumCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and has_bearer_token(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
