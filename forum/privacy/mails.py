"""The mails of the right to erasure: 'your account will be deleted' when it is asked for with
a grace period, and 'your account has been deleted', the last mail to the old address.

The texts are templates under ``templates/mail/privacy/``."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from forum.settings import Settings
from forum.web.dates import byline_date
from forum.web.mail_templates import MailText, in_language_of, render_mail


class Outbox(Protocol):
    def queue(
        self, session: Session, *, to: str, subject: str, text: str, html: str | None = None
    ) -> object: ...


def _send(outbox: Outbox, session: Session, to: str, mail: MailText) -> None:
    outbox.queue(session, to=to, subject=mail.subject, text=mail.text, html=mail.html)


def send_erasure_scheduled(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    to: str,
    name: str,
    due_at: datetime,
    delete_comments: bool,
    language: str | None,
) -> None:
    """Tell the owner when their account goes, and how to keep it (in case it was not them)."""
    with in_language_of(language, default=settings.language):
        mail = render_mail(
            "privacy/erasure_scheduled",
            site_name=settings.site_name,
            name=name,
            due=byline_date(due_at, settings.tz),
            timezone=settings.timezone,
            delete_comments=delete_comments,
            keep_link=f"{settings.base_url.rstrip('/')}/account/delete",
        )
    _send(outbox, session, to, mail)


def send_erasure_done(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    to: str,
    name: str,
    comments_deleted: bool,
    language: str | None,
) -> None:
    """The confirmation, queued before the address is forgotten: the last mail we send it."""
    with in_language_of(language, default=settings.language):
        mail = render_mail(
            "privacy/erasure_done",
            site_name=settings.site_name,
            name=name,
            comments_deleted=comments_deleted,
        )
    _send(outbox, session, to, mail)
