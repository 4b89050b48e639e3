"""Consent as values: the categories, a decision, its cookie form, and the per-request check.

``allows(request_or_scope, category)`` is the one question other modules may ask (through a
hook that ``app.py`` wires, since they must not import privacy). The answer was worked out
once for the request by ``ConsentMiddleware`` and kept in the scope's state; where it was not
(API, static files), nothing optional is allowed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from forum.privacy.models import ConsentMethod
from forum.signing import BadToken, Signer

CONSENT_COOKIE = "forum_consent"
STATE_KEY = "forum.privacy.consent"
PENDING_KEY = "forum.privacy.consent_pending"
NARROWED_KEY = "forum.privacy.consent_narrowed"


class Category(StrEnum):
    """Cookie (and data) categories a visitor chooses among."""

    NECESSARY = "necessary"
    """Session, CSRF and the consent record itself: always on, the site cannot work without."""
    PREFERENCES = "preferences"
    """Comforts such as a remembered thread sort or collapsed threads."""
    ANALYTICS = "analytics"
    """First-party page-view counts kept by the forum itself."""


OPTIONAL_CATEGORIES = (Category.PREFERENCES, Category.ANALYTICS)


class ConsentCheck(Protocol):
    """The shape of ``allows``, for modules that receive it as a hook."""

    def __call__(self, request_or_scope: Any, category: str, /) -> bool: ...


def new_visitor_id() -> str:
    """A random id for a browser's consent cookie; it identifies nothing but that cookie."""
    return secrets.token_hex(12)


def now_in_seconds() -> datetime:
    """The time a decision is made, to whole seconds (as the cookie keeps it)."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Decision:
    """What a visitor chose, under which cookie-policy version, how and when."""

    version: int
    preferences: bool
    analytics: bool
    visitor_id: str
    method: ConsentMethod
    decided_at: datetime

    def allows(self, category: Category) -> bool:
        if category is Category.NECESSARY:
            return True
        if category is Category.PREFERENCES:
            return self.preferences
        return self.analytics

    def same_choice(self, other: Decision | None) -> bool:
        return other is not None and (
            self.version,
            self.preferences,
            self.analytics,
            self.method,
        ) == (other.version, other.preferences, other.analytics, other.method)

    def for_visitor(self, visitor_id: str | None) -> Decision:
        """The same decision carried by another browser's cookie."""
        return replace(self, visitor_id=visitor_id) if visitor_id else self


_VISITOR = re.compile(r"[0-9a-f]{8,32}")
_METHODS = {m.value: m for m in ConsentMethod}
MAX_COOKIE = 200


class ConsentCodec:
    """The consent cookie: ``v<version>.p<0|1>.a<0|1>.<visitor>.<method>.<epoch>.<mac>``.

    The MAC (``forum.signing``, 12 bytes, under the consent cookie's own key) makes a
    hand-made or damaged cookie count as no decision at all, as does anything else that does not
    parse.
    """

    PURPOSE = "consent-cookie"

    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, self.PURPOSE, mac_bytes=12)

    def encode(self, decision: Decision) -> str:
        payload = ".".join(
            [
                f"v{decision.version}",
                f"p{int(decision.preferences)}",
                f"a{int(decision.analytics)}",
                decision.visitor_id,
                decision.method.value,
                str(int(decision.decided_at.timestamp())),
            ]
        )
        return self._signer.seal(payload)

    def decode(self, value: str | None) -> Decision | None:
        if not value or len(value) > MAX_COOKIE:
            return None
        try:
            payload = self._signer.unseal(value)
        except BadToken:
            return None
        parts = payload.split(".")
        if len(parts) != 6:
            return None
        version, prefs, analytics, visitor, method, epoch = parts
        try:
            if not (version[:1] == "v" and version[1:].isdigit() and int(version[1:]) >= 1):
                return None
            if prefs not in {"p0", "p1"} or analytics not in {"a0", "a1"}:
                return None
            if not _VISITOR.fullmatch(visitor) or method not in _METHODS:
                return None
            decided_at = datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            return None
        return Decision(
            version=int(version[1:]),
            preferences=prefs == "p1",
            analytics=analytics == "a1",
            visitor_id=visitor,
            method=_METHODS[method],
            decided_at=decided_at,
        )


@dataclass
class ConsentState:
    """The consent that applies to one request."""

    policy_version: int
    """The cookie policy in effect: a decision counts only if it was made under it."""
    decision: Decision | None
    """The decision in effect, or None: nothing optional is allowed and the banner shows."""
    visitor_id: str | None
    """This browser's visitor id, from any earlier consent cookie (kept across versions)."""
    gpc: bool
    """The request carried ``Sec-GPC: 1``."""

    def allows(self, category: Category) -> bool:
        if category is Category.NECESSARY:
            return True
        return self.decision is not None and self.decision.allows(category)

    @property
    def decided(self) -> bool:
        return self.decision is not None


def effective_decision(
    stored: Decision | None, *, policy_version: int, gpc: bool
) -> tuple[Decision | None, bool]:
    """The decision in effect, and whether GPC asks for a new 'reject' decision to be recorded.

    Only a decision made under the current cookie policy counts. With GPC, only an explicit
    choice on the settings page stands; a banner choice (or none) gives way to 'reject'. A
    decision that GPC made stops counting once the browser no longer sends GPC: the visitor is
    asked again.
    """
    current = stored if stored is not None and stored.version == policy_version else None
    if gpc:
        if current is not None and current.method in {ConsentMethod.SETTINGS, ConsentMethod.GPC}:
            return current, False
        return None, True
    if current is not None and current.method is ConsentMethod.GPC:
        return None, False
    return current, False


def gpc_decision(policy_version: int, visitor_id: str | None) -> Decision:
    """'Reject non-essential', as Global Privacy Control asks."""
    return Decision(
        version=policy_version,
        preferences=False,
        analytics=False,
        visitor_id=visitor_id or new_visitor_id(),
        method=ConsentMethod.GPC,
        decided_at=now_in_seconds(),
    )


def newer(first: Decision | None, second: Decision | None) -> Decision | None:
    """The later of two decisions (the first on a tie): at login, the latest choice wins."""
    if first is None:
        return second
    if second is None:
        return first
    return second if second.decided_at > first.decided_at else first


# --- the per-request state ------------------------------------------------------------------


def _scope(request_or_scope: Any) -> Any:
    return getattr(request_or_scope, "scope", request_or_scope)


def consent_state(request_or_scope: Any) -> ConsentState | None:
    """The consent worked out for this request, None where the middleware does not run."""
    state = _scope(request_or_scope).get("state") or {}
    found = state.get(STATE_KEY)
    return found if isinstance(found, ConsentState) else None


def allows(request_or_scope: Any, category: str) -> bool:
    """Whether this request's visitor allows ``category`` ('preferences', 'analytics').

    Necessary is always allowed; an unknown category never is.
    """
    try:
        wanted = Category(category)
    except ValueError:
        return False
    if wanted is Category.NECESSARY:
        return True
    if narrowed(request_or_scope):
        return False
    state = consent_state(request_or_scope)
    return state is not None and state.allows(wanted)


def narrow_to_necessary(request_or_scope: Any) -> None:
    """Allow nothing optional in this request, whatever the visitor chose: a site that frames
    a thread may pass its own reader's decision in, to narrow it, never to widen it. The
    visitor's own decision and cookies stay as they are."""
    _scope(request_or_scope).setdefault("state", {})[NARROWED_KEY] = True


def narrowed(request_or_scope: Any) -> bool:
    return bool((_scope(request_or_scope).get("state") or {}).get(NARROWED_KEY))


def remember(request_or_scope: Any, decision: Decision) -> None:
    """Put ``decision`` in effect for the rest of the request and in this response's cookie.

    ``ConsentMiddleware`` writes the cookie and deletes the cookies of categories it does not
    allow.
    """
    scope = _scope(request_or_scope)
    state = scope.setdefault("state", {})
    state[PENDING_KEY] = decision
    current = state.get(STATE_KEY)
    if isinstance(current, ConsentState):
        current.decision, _ = effective_decision(
            decision, policy_version=current.policy_version, gpc=current.gpc
        )
        current.visitor_id = decision.visitor_id


def pending(scope: Any) -> Decision | None:
    found = (_scope(scope).get("state") or {}).get(PENDING_KEY)
    return found if isinstance(found, Decision) else None
