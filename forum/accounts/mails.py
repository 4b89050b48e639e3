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
from forum.web.mail_templates import in_language_of, render_mail

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


def _send(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    user: User,
    name: str,
    *,
    to: str | None = None,
    default: str | None = None,
    **context: object,
) -> None:
    """Queue mail ``accounts/<name>`` to ``to`` (the user's own address unless said), written
    in the user's language, else ``default`` (the page's: they asked for it just now)."""
    address = user.email if to is None else to
    assert address is not None
    with in_language_of(user.language, default=default or current_language()):
        mail = render_mail(
            f"accounts/{name}",
            site_name=settings.site_name,
            display_name=user.display_name,
            **context,
        )
    outbox.queue(session, to=address, subject=mail.subject, text=mail.text, html=mail.html)


def send_verification(outbox: Outbox, session: Session, settings: Settings, user: User) -> None:
    _send(
        outbox,
        session,
        settings,
        user,
        "verify_email",
        link=verification_link(settings, user),
        hours=settings.verify_link_hours,
    )


def send_password_reset(
    outbox: Outbox, session: Session, settings: Settings, user: User, token: str
) -> None:
    _send(
        outbox,
        session,
        settings,
        user,
        "password_reset",
        username=user.username,
        link=_link(settings, f"/password/reset/{token}"),
        minutes=settings.reset_link_minutes,
    )


def send_email_changed(
    outbox: Outbox, session: Session, settings: Settings, user: User, old_email: str
) -> None:
    _send(
        outbox,
        session,
        settings,
        user,
        "email_changed",
        to=old_email,
        username=user.username,
        forgot_link=_link(settings, "/password/forgot"),
    )


def send_login_link(
    outbox: Outbox, session: Session, settings: Settings, user: User, token: str
) -> None:
    """The one-time link that logs in while password logins are throttled."""
    _send(
        outbox,
        session,
        settings,
        user,
        "login_link",
        username=user.username,
        link=_link(settings, f"/login/link/{token}"),
        minutes=settings.login_link_minutes,
    )


def send_address_taken(
    outbox: Outbox, session: Session, settings: Settings, owner: User, *, change: bool
) -> None:
    """Tell the owner of an address that someone registered with it (or asked to move an
    account to it): the form said nothing, so that it reveals no account."""
    _send(
        outbox,
        session,
        settings,
        owner,
        "address_taken",
        default=settings.language,  # the one asking is not the owner: the site's language
        username=owner.username,
        login_link=_link(settings, "/login"),
        forgot_link=_link(settings, "/password/forgot"),
        change=change,
    )


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
    _send(
        outbox,
        session,
        settings,
        user,
        "confirm_new_email",
        to=new_email,
        username=user.username,
        link=new_email_link(settings, user, new_email),
        hours=settings.verify_link_hours,
    )
