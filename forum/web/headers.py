"""Security headers on every response, including errors and static files.

Installed as a ``before_send`` hook, which Litestar runs for every message of every response
(a route middleware would miss 404s for unknown paths).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from forum.web.sessions import LOADED_KEY

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)

BASE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": PERMISSIONS_POLICY,
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}

HSTS = "max-age=31536000; includeSubDomains"
FRAME_ANCESTORS_KEY = "forum_frame_ancestors"
"""Scope state a handler sets to the origins that may frame its answer (a thread embedded on
a registered site); every other response may be framed by nobody."""


OPENER_KEY = "forum_keep_opener"
"""Scope state (this response), or a session key holding a deadline in epoch seconds (every
page until then): the answer keeps its window's opener (``Cross-Origin-Opener-Policy:
unsafe-none``). The pages of a framed thread's sign-in popup need it: ``same-origin`` would
cut the popup from the frame that opened it, and the popup could not hand its token back."""


def keep_opener(scope: Scope) -> None:
    """Let this response's window keep its opener (see ``OPENER_KEY``)."""
    scope.setdefault("state", {})[OPENER_KEY] = True


def keeps_opener(scope: Scope) -> bool:
    """Whether this response keeps its opener: asked by its handler, or the session (as the
    request brought it, or as it leaves: a login replaces it) is in a sign-in popup."""
    state = scope.get("state", {})
    if state.get(OPENER_KEY):
        return True
    for session in (state.get(LOADED_KEY), scope.get("session")):
        deadline = session.get(OPENER_KEY) if isinstance(session, dict) else None
        if isinstance(deadline, int | float) and deadline > time.time():
            return True
    return False


def allow_framing(scope: Scope, origins: Iterable[str]) -> None:
    """Let exactly ``origins`` frame this response (``frame-ancestors``, no X-Frame-Options)."""
    scope.setdefault("state", {})[FRAME_ANCESTORS_KEY] = " ".join(origins) or "'none'"


def content_security_policy(
    image_hosts: Iterable[str] = (), form_targets: Iterable[str] = ()
) -> str:
    """Our CSP; ``image_hosts`` (``FORUM_ARTICLE_IMAGE_HOSTS``) may serve images over https;
    ``form_targets`` are the origins of sign-in providers, where a sign-in form's redirect
    leads (browsers apply ``form-action`` to redirects too)."""
    policy = CONTENT_SECURITY_POLICY
    extra = " ".join(f"https://{host}" for host in sorted(image_hosts))
    if extra:
        policy = policy.replace("img-src 'self'", f"img-src 'self' {extra}", 1)
    targets = " ".join(sorted(set(form_targets)))
    if targets:
        policy = policy.replace("form-action 'self'", f"form-action 'self' {targets}", 1)
    return policy


def security_headers(
    *, https: bool, image_hosts: Iterable[str] = (), form_targets: Iterable[str] = ()
) -> dict[str, str]:
    """The headers every response carries (also those answered in front of Litestar)."""
    headers = dict(BASE_HEADERS)
    headers["content-security-policy"] = content_security_policy(image_hosts, form_targets)
    if https:
        headers["strict-transport-security"] = HSTS
    return headers


def make_security_headers_hook(
    *, https: bool, image_hosts: Iterable[str] = (), form_targets: Iterable[str] = ()
) -> BeforeMessageSendHookHandler:
    """A ``before_send`` hook that adds our headers; HSTS only when the site is served over https.

    HTML gets ``Cache-Control: no-store`` unless its handler chose otherwise: pages carry a CSRF
    token and, when logged in, personal data that no shared cache may keep. The operator's
    article image hosts are the only third parties a page may load anything from.
    """
    headers_to_add = security_headers(
        https=https, image_hosts=image_hosts, form_targets=form_targets
    )

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        ancestors = scope.get("state", {}).get(FRAME_ANCESTORS_KEY)
        for name, value in headers_to_add.items():
            if name not in headers:
                headers[name] = value
        if ancestors:
            policy = headers["content-security-policy"]
            framed = policy.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
            headers["content-security-policy"] = framed
            del headers["x-frame-options"]
        if keeps_opener(scope):
            headers["cross-origin-opener-policy"] = "unsafe-none"
        content_type = headers.get("content-type", "")
        if "cache-control" not in headers and (
            content_type.startswith("text/html") or "json" in content_type
        ):
            headers["cache-control"] = "no-store"

    return add_security_headers
