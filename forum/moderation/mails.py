"""The mails moderation sends: statements of reasons, ban notices, appeal outcomes, reminders.

Each is queued in the acting transaction (``outbox.queue``), so an action that fails sends
nothing. Statements follow the Digital Services Act's list (art. 17): what was decided, on what
ground, whether a person or an automatic rule decided it, and how to appeal. The texts are
templates under ``templates/mail/moderation/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.models import Comment
from forum.comments.urls import comment_url
from forum.i18n import N_, gettext
from forum.moderation.models import Ban, LogAction, LogEntry, Violation
from forum.settings import Settings
from forum.web.dates import byline_date
from forum.web.mail_templates import MailText, in_language_of, render_mail

VIOLATIONS = {
    # Translators: the site's rules, read in "it breaks our rule against %(rule)s".
    Violation.SPAM: N_("spam (advertising, repeated or automated posting)"),
    Violation.ABUSE: N_("abuse (insults, harassment or threats)"),
    Violation.OFF_TOPIC: N_("off-topic (not about the article or the conversation)"),
    Violation.ILLEGAL: N_("illegal content"),
    Violation.OTHER: N_("another rule of the site"),
}
"""Each rule in words (marked: translated where said, in a mail inside its language block)."""
STATED_ACTIONS = frozenset({LogAction.REJECT, LogAction.HIDE})
"""The decisions a statement of reasons tells of; its template chooses its sentences by the
action's value ("reject", "hide"), never by a word that is translated."""
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


def _link(settings: Settings, path: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}"


def _send(outbox: Outbox, session: Session, to: str | None, mail: MailText) -> None:
    assert to is not None
    outbox.queue(session, to=to, subject=mail.subject, text=mail.text, html=mail.html)


def _about(
    settings: Settings, author: User, comment: Comment, article: Article
) -> dict[str, object]:
    """What every statement about one comment says: whose, which, where, and how to appeal."""
    link = _link(settings, comment_url(comment.id, anchored=False))
    return {
        "site_name": settings.site_name,
        "display_name": author.display_name,
        "title": article.title,
        "comment_date": _when(comment.created_at, settings),
        "excerpt": _excerpt(comment),
        "comment_link": link,
        "appeal_link": f"{link}/appeal",
    }


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
    if decision.action not in STATED_ACTIONS:
        raise ValueError(f"no statement of reasons for {decision.action}")
    with in_language_of(author.language, default=settings.language):
        mail = render_mail(
            "moderation/statement_of_reasons",
            **_about(settings, author, comment, article),
            action=decision.action.value,
            rule=gettext(VIOLATIONS[decision.violation or Violation.OTHER]),
            reason=decision.reason or "",
            decided_date=_when(decision.created_at, settings),
        )
    _send(outbox, session, author.email, mail)


def auto_hidden_statement(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    author: User,
    comment: Comment,
    article: Article,
    decision: LogEntry,
    reported: Sequence[Violation],
) -> None:
    """The statement of reasons for a comment the report threshold hid: automated, on
    readers' reports (their reasons, never who), with the way to appeal."""
    counts = {v: reported.count(v) for v in dict.fromkeys(reported)}
    with in_language_of(author.language, default=settings.language):
        mail = render_mail(
            "moderation/auto_hidden",
            **_about(settings, author, comment, article),
            reports=[f"{gettext(VIOLATIONS[v])}: {n}" for v, n in counts.items()],
            decided_date=_when(decision.created_at, settings),
        )
    _send(outbox, session, author.email, mail)


def held_statement(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    author: User,
    comment: Comment,
    article: Article,
    grounds: Sequence[str],
) -> None:
    """The statement of reasons for a new comment a rule held for review: automated, why
    (``grounds``: marked clauses, said here) and what happens next (a person decides; a
    rejection can be appealed)."""
    with in_language_of(author.language, default=settings.language):
        mail = render_mail(
            "moderation/held",
            **_about(settings, author, comment, article),
            grounds=[gettext(ground) for ground in grounds],
        )
    _send(outbox, session, author.email, mail)


def ban_notice(
    outbox: Outbox,
    session: Session,
    settings: Settings,
    *,
    user: User,
    ban: Ban,
    rejected: int,
) -> None:
    with in_language_of(user.language, default=settings.language):
        mail = render_mail(
            "moderation/ban_notice",
            site_name=settings.site_name,
            display_name=user.display_name,
            until=None if ban.expires_at is None else _when(ban.expires_at, settings),
            reason=ban.reason,
            rejected=rejected,
        )
    _send(outbox, session, user.email, mail)


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
    reviewer: str,
) -> None:
    """``reviewer`` says truthfully who decided: 'another moderator' only when it was (a
    msgid, said here in the author's language)."""
    with in_language_of(author.language, default=settings.language):
        mail = render_mail(
            "moderation/appeal_outcome",
            site_name=settings.site_name,
            display_name=author.display_name,
            title=article.title,
            reviewer=gettext(reviewer),
            overturned=overturned,
            reason=reason,
            comment_link=_link(settings, comment_url(comment.id, anchored=False)),
        )
    _send(outbox, session, author.email, mail)


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
    with in_language_of(moderator.language, default=settings.language):
        mail = render_mail(
            "moderation/reminder",
            site_name=settings.site_name,
            display_name=moderator.display_name,
            count=count,
            hours=hours,
            lines=lines,
            queue_link=_link(settings, "/moderation"),
            settings_link=_link(settings, "/moderation/reminders"),
        )
    _send(outbox, session, moderator.email, mail)
