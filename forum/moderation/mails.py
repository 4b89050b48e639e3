"""The mails moderation sends: statements of reasons, ban notices, appeal outcomes, reminders.

Each is queued in the acting transaction (``outbox.queue``), so an action that fails sends
nothing. Statements follow the Digital Services Act's list (art. 17): what was decided, on what
ground, that a person decided it, and how to appeal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.models import Comment
from forum.moderation.models import Ban, LogAction, LogEntry, Violation
from forum.settings import Settings
from forum.web.dates import byline_date

VIOLATIONS = {
    Violation.SPAM: "spam (advertising, repeated or automated posting)",
    Violation.ABUSE: "abuse (insults, harassment or threats)",
    Violation.OFF_TOPIC: "off-topic (not about the article or the conversation)",
    Violation.ILLEGAL: "illegal content",
    Violation.OTHER: "another rule of the site",
}
DECISIONS = {LogAction.REJECT: "rejected", LogAction.HIDE: "hidden"}
EXCERPT = 300


class Outbox(Protocol):
    def queue(
        self, session: Session, *, to: str, subject: str, text: str, html: str | None = None
    ) -> object: ...


def _excerpt(comment: Comment) -> str:
    text = " ".join(comment.body_source.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _when(moment: datetime, settings: Settings) -> str:
    return byline_date(moment, settings.tz)


def until_text(ban: Ban, settings: Settings) -> str:
    return "for good" if ban.expires_at is None else f"until {_when(ban.expires_at, settings)}"


def statement_of_reasons(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    author: User,
    comment: Comment,
    article: Article,
    decision: LogEntry,
) -> None:
    assert author.email is not None
    base = settings.base_url.rstrip("/")
    what = DECISIONS[decision.action]
    rule = VIOLATIONS[decision.violation or Violation.OTHER]
    reason = f"\nThe moderator's words:\n\n  {decision.reason}\n" if decision.reason else ""
    outbox.queue(
        session,
        to=author.email,
        subject=f"Your comment on {article.title} was {what}",
        text=(
            f"Hello {author.display_name},\n\n"
            f"a moderator of {settings.site_name} has {what} your comment of "
            f"{_when(comment.created_at, settings)} on “{article.title}”:\n\n"
            f"  {_excerpt(comment)}\n\n"
            f"Why: it breaks our rule against {rule}.\n{reason}\n"
            f"This was decided by a person, not automatically, on "
            f"{_when(decision.created_at, settings)}. Others no longer see the comment; you "
            f"still can, at {base}/comments/{comment.id}\n\n"
            f"If you think this is wrong, you can appeal once, and another moderator will "
            f"decide:\n\n{base}/comments/{comment.id}/appeal\n"
        ),
    )


def ban_notice(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    user: User,
    ban: Ban,
    rejected: int,
) -> None:
    assert user.email is not None
    removed = f"\n{rejected} of your comments were rejected with it.\n" if rejected else ""
    outbox.queue(
        session,
        to=user.email,
        subject=f"You can no longer comment on {settings.site_name}",
        text=(
            f"Hello {user.display_name},\n\n"
            f"a moderator of {settings.site_name} has banned you from commenting "
            f"{until_text(ban, settings)}.\n\nWhy: {ban.reason}\n{removed}\n"
            f"You can still read everything, and log in to see your account and data.\n"
        ),
    )


def appeal_outcome(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    author: User,
    comment: Comment,
    article: Article,
    overturned: bool,
    reason: str,
) -> None:
    assert author.email is not None
    base = settings.base_url.rstrip("/")
    outcome = (
        "Your appeal was successful: the comment is published again."
        if overturned
        else "Your appeal was not successful: the decision stands."
    )
    words = f"\nThe moderator's words:\n\n  {reason}\n" if reason else ""
    outbox.queue(
        session,
        to=author.email,
        subject=f"Your appeal about your comment on {article.title}",
        text=(
            f"Hello {author.display_name},\n\n"
            f"another moderator of {settings.site_name} has looked at your appeal about your "
            f"comment on “{article.title}”.\n\n{outcome}\n{words}\n"
            f"{base}/comments/{comment.id}\n"
        ),
    )


def reminder(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    moderator: User,
    lines: Sequence[str],
    count: int,
    hours: int,
) -> None:
    assert moderator.email is not None
    base = settings.base_url.rstrip("/")
    items = "\n".join(f"- {line}" for line in lines)
    outbox.queue(
        session,
        to=moderator.email,
        subject=f"{count} moderation items have waited over {hours} hours",
        text=(
            f"Hello {moderator.display_name},\n\n"
            f"these items in the moderation queues of {settings.site_name} have waited "
            f"longer than {hours} hours:\n\n{items}\n\n{base}/moderation\n\n"
            f"You asked for these mails; turn them off at {base}/moderation/reminders\n"
        ),
    )
