"""Signing in from inside a framed thread, where the browser blocks our cookies.

The frame opens a popup on the forum (first-party: the reader's own login there, or the login
page with its sign-in buttons). Once logged in, the popup gets a ``ticket``: a token for this
site's frame, this login and the nonce the frame made, good for ``TICKET_SECONDS`` and once.
The popup posts it to the frame that opened it (our origin only); the frame trades it
(``redeem``) for a session of its own, carried in a header (``forum.web.sessions``). That
session names the same login, so logging out anywhere ends both. docs/embedding.md tells the
whole story and its threat model.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from forum.signing import BadToken, Signer, equal
from forum.sites.handoff import Refused, spend_nonce

PURPOSE = "embed-signin"
TICKET_SECONDS = 60
"""How long a ticket may take from the popup to the frame (it is handed over at once)."""
POPUP_SECONDS = 600
"""How long the popup's pages keep their opener while the reader logs in."""
NONCE_MIN, NONCE_MAX = 16, 64
NONCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class TicketRefused(Exception):
    """A ticket that is forged, stale, used, for another site or another frame."""


@dataclass(frozen=True)
class Ticket:
    """What a redeemed ticket stands for: a live login, for one site's frame."""

    site_id: int
    login_id: str


def well_formed_nonce(nonce: str) -> bool:
    """The frame's nonce: random URL-safe text, long enough not to be guessed."""
    return NONCE_MIN <= len(nonce) <= NONCE_MAX and set(nonce) <= NONCE_CHARS


def issue(secret_key: str, site_id: int, login_id: str, nonce: str) -> str:
    """A ticket for the frame of ``site_id`` that asked with ``nonce``."""
    payload = {"s": site_id, "l": login_id, "n": nonce, "j": secrets.token_urlsafe(18)}
    return Signer(secret_key, PURPOSE).sign(payload, max_age_seconds=TICKET_SECONDS)


def redeem(session: Session, secret_key: str, site_id: int, ticket: str, nonce: str) -> Ticket:
    """The login a ticket names, spent now (a second use is refused), or ``TicketRefused``:
    a forged or stale ticket, one for another site, or one another frame asked for."""
    try:
        payload = Signer(secret_key, PURPOSE).unsign(ticket)
    except BadToken as exc:
        raise TicketRefused(str(exc)) from None
    login_id, asked, jti = payload.get("l"), payload.get("n"), payload.get("j")
    if not (isinstance(login_id, str) and isinstance(asked, str) and isinstance(jti, str)):
        raise TicketRefused("malformed")
    if payload.get("s") != site_id or not equal(nonce, asked):
        raise TicketRefused("another frame's ticket")
    try:
        spend_nonce(session, site_id, f"frame:{jti}")
    except Refused:
        raise TicketRefused("used") from None
    return Ticket(site_id, login_id)
