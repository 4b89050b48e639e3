"""The right of access and to portability (GDPR art. 15 and 20): one JSON document with
everything the forum holds about a user.

Read-only. Every module that stores personal data contributes its part through the user-data
registry (``forum.accounts.user_data``); this module only frames the document. Secrets never
leave: no password hash, no token hash, no session id. Other people are not named in it. The
document's shape is versioned (``format`` / ``version``) so scripts can rely on it; the
README's *Privacy and cookies* section lists the parts.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.accounts.user_data import Document, UserDataRegistry, iso
from forum.db import utcnow
from forum.errors import NotFound
from forum.i18n import gettext

FORMAT = "forum-personal-data"
VERSION = 1
SECTIONS = (
    "account",
    "privacy_settings",
    "notifications",
    "consents",
    "comments",
    "votes",
    "reports",
    "appeals",
    "moderation",
    "articles_edited",
    "sessions",
    "access_tokens",
    "linked_sign_ins",
    "moderates_sites",
    "mail_waiting",
    "erasure_request",
)
"""The parts of format version 1, in the order the document lists them (a part a module
adds later follows them)."""


def export_user(
    session: Session,
    user_id: int,
    user_data: UserDataRegistry,
    *,
    base_url: str,
    current_login: str | None = None,
) -> Document:
    """Everything held about ``user_id``, as JSON-ready values; ``NotFound`` if no user.

    ``current_login`` marks the session the export was asked from.
    """
    if session.get(User, user_id) is None:
        raise NotFound(gettext("There is no such account."))
    parts = user_data.export(session, user_id, current_login=current_login)
    ordered = {key: parts.pop(key) for key in SECTIONS if key in parts}
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": iso(utcnow()),
        "site": base_url.rstrip("/"),
        **ordered,
        **parts,
    }
