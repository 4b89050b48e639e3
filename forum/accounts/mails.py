"""The mails accounts send, queued through the one outbox in the caller's transaction.

Their texts are templates under ``templates/mail/accounts/``.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.i18n import current_language
from forum.settings import Settings
from forum.signing import Signer
from forum.web.mail_templates import MailText, in_language_of, render_mail

VERIFY_PURPOSE = "verify-email"


class Outbox(Protocol):
    def queue(
        self, session: Session, *, to: str, subject: str, text: str, html: str | None = None
    ) -> object: ...


def verification_signer(settings: Settings) -> Signer:
    return Signer(settings.effective_secret_key(), VERIFY_PURPOSE)


def _link(settings: Settings, path: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}"


def verification_link(settings: Settings, user: User) -> str:
    assert user.email is not None
    token = verification_signer(settings).sign(
        {"u": user.id, "e": user.email}, max_age_seconds=settings.verify_link_hours * 3600
    )
    return _link(settings, f"/verify/{token}")


def _send(outbox: Outbox, session: Session, to: str, mail: MailText) -> None:
    outbox.queue(session, to=to, subject=mail.subject, text=mail.text, html=mail.html)


def send_verification(outbox: Outbox, session: Session, settings: Settings, user: User) -> None:
    assert user.email is not None
    with in_language_of(user.language, default=current_language()):
        mail = render_mail(
            "accounts/verify_email",
            site_name=settings.site_name,
            display_name=user.display_name,
            link=verification_link(settings, user),
            hours=settings.verify_link_hours,
        )
    _send(outbox, session, user.email, mail)


def send_password_reset(
    outbox: Outbox, session: Session, settings: Settings, user: User, token: str
) -> None:
    assert user.email is not None
    with in_language_of(user.language, default=current_language()):
        mail = render_mail(
            "accounts/password_reset",
            site_name=settings.site_name,
            display_name=user.display_name,
            username=user.username,
            link=_link(settings, f"/password/reset/{token}"),
            minutes=settings.reset_link_minutes,
        )
    _send(outbox, session, user.email, mail)


def send_email_changed(
    outbox: Outbox, session: Session, settings: Settings, user: User, old_email: str
) -> None:
    with in_language_of(user.language, default=current_language()):
        mail = render_mail(
            "accounts/email_changed",
            site_name=settings.site_name,
            display_name=user.display_name,
            username=user.username,
            forgot_link=_link(settings, "/password/forgot"),
        )
    _send(outbox, session, old_email, mail)


def send_login_link(
    outbox: Outbox, session: Session, settings: Settings, user: User, token: str
) -> None:
    """The one-time link that logs in while password logins are throttled."""
    assert user.email is not None
    with in_language_of(user.language, default=current_language()):
        mail = render_mail(
            "accounts/login_link",
            site_name=settings.site_name,
            display_name=user.display_name,
            username=user.username,
            link=_link(settings, f"/login/link/{token}"),
            minutes=settings.login_link_minutes,
        )
    _send(outbox, session, user.email, mail)


def send_address_taken(
    outbox: Outbox, session: Session, settings: Settings, owner: User, *, change: bool
) -> None:
    """Tell the owner of an address that someone registered with it (or asked to move an
    account to it): the form said nothing, so that it reveals no account."""
    assert owner.email is not None
    with in_language_of(owner.language, default=settings.language):
        mail = render_mail(
            "accounts/address_taken",
            site_name=settings.site_name,
            display_name=owner.display_name,
            username=owner.username,
            login_link=_link(settings, "/login"),
            forgot_link=_link(settings, "/password/forgot"),
            change=change,
        )
    _send(outbox, session, owner.email, mail)


def new_email_link(settings: Settings, user: User, new_email: str) -> str:
    """A signed link that moves ``user`` from their current address to ``new_email``."""
    token = verification_signer(settings).sign(
        {"u": user.id, "e": new_email, "from": user.email or ""},
        max_age_seconds=settings.verify_link_hours * 3600,
    )
    return _link(settings, f"/verify/{token}")


def send_confirm_new_email(
    outbox: Outbox, session: Session, settings: Settings, user: User, new_email: str
) -> None:
    """Ask ``new_email`` to confirm an address change (the account keeps its address until)."""
    with in_language_of(user.language, default=current_language()):
        mail = render_mail(
            "accounts/confirm_new_email",
            site_name=settings.site_name,
            display_name=user.display_name,
            username=user.username,
            link=new_email_link(settings, user, new_email),
            hours=settings.verify_link_hours,
        )
    _send(outbox, session, new_email, mail)
