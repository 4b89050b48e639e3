"""Notification mails (texts under ``templates/mail/comments/``) and their unsubscribe links.

Every mail names why it came and carries a signed link that stops it without logging in, in the
text and as RFC 8058 ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers, so mail programs
can offer their own "unsubscribe" button.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.models import Comment
from forum.comments.notify.digest import DigestEntry
from forum.comments.notify.models import Reason
from forum.comments.notify.service import Stop, Unsubscribe
from forum.comments.urls import comment_url
from forum.settings import Settings
from forum.signing import BadToken, Signer
from forum.web.mail_templates import in_language_of, render_mail
from forum.web.markdown import teaser

UNSUBSCRIBE_PURPOSE = "unsubscribe"
UNSUBSCRIBE_LINK_DAYS = 365
"""Old mails keep working for a year: people unsubscribe from whatever mail is at hand."""
INSTANT_TEXT_LIMIT = 4000
DIGEST_TEXT_LIMIT = 300


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    headers: dict[str, str]


def _signer(settings: Settings) -> Signer:
    return Signer(settings.effective_secret_key(), UNSUBSCRIBE_PURPOSE)


def unsubscribe_token(settings: Settings, target: Unsubscribe) -> str:
    payload: dict[str, object] = {"u": target.user_id, "s": target.stop.value}
    if target.article_id is not None:
        payload["a"] = target.article_id
    return _signer(settings).sign(payload, max_age_seconds=UNSUBSCRIBE_LINK_DAYS * 86400)


def read_unsubscribe_token(settings: Settings, token: str) -> Unsubscribe:
    """The link's content, or ``BadToken`` (tampered, expired, or for another purpose)."""
    payload = _signer(settings).unsign(token)
    user_id, stop, article_id = payload.get("u"), payload.get("s"), payload.get("a")
    if not isinstance(user_id, int) or stop not in set(Stop):
        raise BadToken("malformed")
    if (stop == Stop.WATCH) != isinstance(article_id, int):
        raise BadToken("malformed")
    return Unsubscribe(user_id, Stop(stop), article_id if isinstance(article_id, int) else None)


def _base(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def unsubscribe_url(settings: Settings, target: Unsubscribe) -> str:
    return f"{_base(settings)}/notifications/unsubscribe/{unsubscribe_token(settings, target)}"


def comment_link(settings: Settings, comment_id: int) -> str:
    """The comment's permalink as a full URL, for a mail."""
    return f"{_base(settings)}{comment_url(comment_id)}"


def _headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _quote(text: str) -> str:
    """The comment's text as a quotation, wrapped for reading in any mail program."""
    lines = textwrap.wrap(text, width=72, break_long_words=False, break_on_hyphens=False)
    return "\n".join(f"> {line}" for line in lines) or ">"


def instant_mail(
    settings: Settings,
    *,
    user: User,
    comment: Comment,
    article: Article,
    author: str,
    reason: Reason,
    mention: bool = False,
) -> Mail:
    """One mail about one comment: a reply to the user, a comment that mentions them, or a new
    comment they watch for."""
    reply = reason is Reason.REPLY
    target = (
        Unsubscribe(user.id, Stop.REPLY_MAILS)
        if reply
        else Unsubscribe(user.id, Stop.WATCH, article.id)
    )
    link = unsubscribe_url(settings, target)
    with in_language_of(user.language, default=settings.language):
        rendered = render_mail(
            "comments/new_comment",
            site_name=settings.site_name,
            display_name=user.display_name,
            reply=reply and not mention,
            mention=reply and mention,
            author=author,
            title=article.title,
            quote=_quote(teaser(comment.body_html, INSTANT_TEXT_LIMIT)),
            comment_link=comment_link(settings, comment.id),
            stop_link=link,
            settings_link=f"{_base(settings)}/account",
        )
    return Mail(subject=rendered.subject, text=rendered.text, headers=_headers(link))


def digest_mail(settings: Settings, *, user: User, entries: Sequence[DigestEntry]) -> Mail:
    """One mail listing every waiting comment, grouped by article, each with its link."""
    by_article: dict[int, list[DigestEntry]] = {}
    for entry in entries:
        by_article.setdefault(entry.article.id, []).append(entry)
    groups = [
        {
            "title": group[0].article.title,
            "stop_link": (
                unsubscribe_url(settings, Unsubscribe(user.id, Stop.WATCH, article_id))
                if any(entry.reason is Reason.WATCH for entry in group)
                else None
            ),
            "entries": [
                {
                    "author": entry.author_name,
                    "reply": entry.reason is Reason.REPLY and not entry.mention,
                    "mention": entry.reason is Reason.REPLY and entry.mention,
                    "quote": _quote(teaser(entry.comment.body_html, DIGEST_TEXT_LIMIT)),
                    "link": comment_link(settings, entry.comment.id),
                }
                for entry in group
            ],
        }
        for article_id, group in by_article.items()
    ]
    link = unsubscribe_url(settings, Unsubscribe(user.id, Stop.ALL))
    with in_language_of(user.language, default=settings.language):
        rendered = render_mail(
            "comments/digest",
            site_name=settings.site_name,
            display_name=user.display_name,
            count=len(entries),
            groups=groups,
            stop_link=link,
            settings_link=f"{_base(settings)}/account",
        )
    return Mail(subject=rendered.subject, text=rendered.text, headers=_headers(link))
