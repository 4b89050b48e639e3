"""The mails of the right to erasure: 'your account will be deleted' when it is asked for with
a grace period, and 'your account has been deleted', the last mail to the old address."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from forum.settings import Settings
from forum.web.dates import byline_date


class Outbox(Protocol):
    def queue(self, session: Session, *, to: str, subject: str, text: str) -> object: ...


def send_erasure_scheduled(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    to: str,
    name: str,
    due_at: datetime,
    delete_comments: bool,
) -> None:
    """Tell the owner when their account goes, and how to keep it (in case it was not them)."""
    base = settings.base_url.rstrip("/")
    comments = (
        "Your comments will be deleted."
        if delete_comments
        else "Your comments will stay, signed “[deleted user]”."
    )
    outbox.queue(
        session,
        to=to,
        subject=f"Your account at {settings.site_name} will be deleted",
        text=(
            f"Hello {name},\n\n"
            f"you asked us to delete your account at {settings.site_name}. It will be deleted "
            f"on {byline_date(due_at, settings.tz)} ({settings.timezone}). {comments}\n\n"
            f"Changed your mind, or was it not you? Log in before then and choose "
            f"“Keep my account”:\n\n{base}/account/delete\n"
        ),
    )


def send_erasure_done(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    to: str,
    name: str,
    comments_deleted: bool,
) -> None:
    """The confirmation, queued before the address is forgotten: the last mail we send it."""
    comments = (
        "Your comments have been deleted; replies to them keep their place in the threads."
        if comments_deleted
        else "Your comments stay in their threads, signed “[deleted user]”."
    )
    outbox.queue(
        session,
        to=to,
        subject=f"Your account at {settings.site_name} has been deleted",
        text=(
            f"Hello {name},\n\n"
            f"as you asked, your account at {settings.site_name} has been deleted, with your "
            f"email address, password, sessions, access tokens, consents and settings. "
            f"{comments}\n\n"
            f"This is the last mail we send to this address; once it has gone out we keep no "
            f"copy of it, and the address is in none of our records.\n"
        ),
    )
