"""The mails accounts send, queued through the one outbox in the caller's transaction."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.accounts.tokens import Signer
from forum.settings import Settings

VERIFY_PURPOSE = "verify-email"


class Outbox(Protocol):
    def queue(
        self, session: Session, *, to: str, subject: str, text: str, html: str | None = None
    ) -> object: ...


def verification_signer(settings: Settings) -> Signer:
    return Signer(settings.effective_secret_key(), VERIFY_PURPOSE)


def verification_link(settings: Settings, user: User) -> str:
    assert user.email is not None
    token = verification_signer(settings).sign(
        {"u": user.id, "e": user.email}, max_age_seconds=settings.verify_link_hours * 3600
    )
    return f"{settings.base_url.rstrip('/')}/verify/{token}"


def send_verification(outbox: Outbox, session: Session, settings: Settings, user: User) -> None:
    assert user.email is not None
    outbox.queue(
        session,
        to=user.email,
        subject=f"Confirm your email address for {settings.site_name}",
        text=(
            f"Hello {user.display_name},\n\n"
            f"please confirm that this is your address by opening this link:\n\n"
            f"{verification_link(settings, user)}\n\n"
            f"The link works for {settings.verify_link_hours} hours. If you did not create an "
            f"account at {settings.site_name}, ignore this mail.\n"
        ),
    )


def send_password_reset(
    outbox: Outbox, session: Session, settings: Settings, user: User, token: str
) -> None:
    assert user.email is not None
    link = f"{settings.base_url.rstrip('/')}/password/reset/{token}"
    outbox.queue(
        session,
        to=user.email,
        subject=f"Reset your password for {settings.site_name}",
        text=(
            f"Hello {user.display_name},\n\n"
            f"someone (we hope you) asked to reset the password of your account "
            f"'{user.username}'. Choose a new one here:\n\n{link}\n\n"
            f"The link works once, for {settings.reset_link_minutes} minutes. If you did not "
            f"ask, ignore this mail: your password stays as it is.\n"
        ),
    )


def send_email_changed(
    outbox: Outbox, session: Session, settings: Settings, user: User, old_email: str
) -> None:
    outbox.queue(
        session,
        to=old_email,
        subject=f"Your email address at {settings.site_name} was changed",
        text=(
            f"Hello {user.display_name},\n\n"
            f"the email address of your account '{user.username}' was changed to a new one. "
            f"If this was not you, reset your password at "
            f"{settings.base_url.rstrip('/')}/password/forgot and contact the site's "
            f"administrators.\n"
        ),
    )
