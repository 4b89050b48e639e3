"""A site's own login hand-off: the site signs who its reader is, the forum signs them in.

The site sends the reader's browser to ``/login/site/{site}`` with ``user`` (its stable id),
``name``, optionally ``email`` (an address the site has verified), ``ts`` (Unix seconds) and
``nonce`` (16-64 letters, digits, ``-`` or ``_``), and ``sig``: the hex HMAC-SHA256, keyed
with the site's secret, of those five values joined by newlines (an absent email is empty).
A signature that does not match, a ``ts`` more than five minutes away from now, or a nonce
already used is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import signing
from forum.db import utcnow
from forum.identity.service import ExternalClaim
from forum.sites.models import HandoffNonce, Site

FRESH_SECONDS = 300
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
USER_MAX = 255
NAME_MAX = 60
EMAIL_MAX = 254


class Refused(Exception):
    """A hand-off that is not accepted; the message says why (for the log, not the reader)."""


@dataclass(frozen=True)
class Handoff:
    """The values a site sent, as received."""

    user: str
    name: str
    email: str
    ts: str
    nonce: str
    sig: str

    def message(self) -> bytes:
        return "\n".join([self.user, self.name, self.email, self.ts, self.nonce]).encode()


def sign(secret: str, handoff: Handoff) -> str:
    """The signature a site computes (and the forum compares)."""
    return signing.shared_key_mac(secret, handoff.message())


def check(site: Site, handoff: Handoff, now: float) -> ExternalClaim:
    """The claim the hand-off makes, or ``Refused`` (bad shape, signature or time)."""
    if not handoff.user or len(handoff.user) > USER_MAX or len(handoff.name) > NAME_MAX:
        raise Refused("user or name missing or too long")
    if len(handoff.email) > EMAIL_MAX or not NONCE.fullmatch(handoff.nonce):
        raise Refused("email too long or nonce malformed")
    if not signing.equal(handoff.sig.lower(), sign(site.secret, handoff)):
        raise Refused("signature does not match")
    if not handoff.ts.isdigit() or abs(now - int(handoff.ts)) > FRESH_SECONDS:
        raise Refused("stale or malformed timestamp")
    return ExternalClaim(
        issuer=f"site:{site.id}",
        subject=handoff.user,
        label=site.name[:NAME_MAX],
        email=handoff.email or None,
        email_verified=bool(handoff.email),
        preferred_username=handoff.name,
    )


def spend_nonce(session: Session, site_id: int, nonce: str) -> None:
    """Record the nonce as used, or ``Refused`` if it was (a replay); forgets nonces too old
    to matter (a hand-off with them would be stale anyway)."""
    cutoff = utcnow() - timedelta(seconds=2 * FRESH_SECONDS)
    session.execute(delete(HandoffNonce).where(HandoffNonce.used_at < cutoff))
    try:
        with session.begin_nested():
            session.add(HandoffNonce(site_id=site_id, nonce=nonce))
            session.flush()
    except IntegrityError:
        raise Refused("nonce already used") from None
