"""What privacy's middleware, hooks and pages need, built once in ``create_app`` and handed
to them (the middleware in their constructor, handlers as the ``privacy`` dependency)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from litestar.datastructures import Cookie
from sqlalchemy.orm import Session

from forum.privacy.consent import CONSENT_COOKIE, ConsentCodec, Decision
from forum.privacy.cookies import CONSENT_DAYS
from forum.settings import Settings


@dataclass(frozen=True)
class ReplyMails:
    """The notifications' reply-mail switch, shown on ``/account/privacy``. Handed in by
    ``create_app``: privacy does not import notifications."""

    get: Callable[[Session, int], bool]
    set: Callable[[Session, int, bool], None]


def _no_reply_mails(session: Session, user_id: int) -> bool:
    return False


def _ignore(session: Session, user_id: int, on: bool) -> None:
    return None


NO_REPLY_MAILS = ReplyMails(get=_no_reply_mails, set=_ignore)
"""For a forum without notifications."""


@dataclass(frozen=True)
class PrivacyConfig:
    """Privacy's settings and collaborators."""

    codec: ConsentCodec
    secure: bool
    timezone: ZoneInfo
    reply_mails: ReplyMails = NO_REPLY_MAILS

    @classmethod
    def from_settings(
        cls, settings: Settings, *, reply_mails: ReplyMails = NO_REPLY_MAILS
    ) -> PrivacyConfig:
        return cls(
            codec=ConsentCodec(settings.effective_secret_key()),
            secure=settings.https,
            timezone=settings.tz,
            reply_mails=reply_mails,
        )

    def consent_cookie(self, decision: Decision) -> str:
        return Cookie(
            key=CONSENT_COOKIE,
            value=self.codec.encode(decision),
            max_age=CONSENT_DAYS * 24 * 3600,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        ).to_header(header="")

    def deleted_cookie(self, name: str) -> str:
        return Cookie(
            key=name, value="", max_age=0, expires=0, path="/", secure=self.secure, samesite="lax"
        ).to_header(header="")
