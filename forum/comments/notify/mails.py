"""The text of notification mails, and their signed one-click unsubscribe links.

Every mail names why it came and carries a link that stops it without logging in, in the text
and as RFC 8058 ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers, so mail programs can
offer their own "unsubscribe" button.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from forum.accounts.models import User
from forum.accounts.tokens import BadToken, Signer
from forum.articles.models import Article
from forum.comments.models import Comment
from forum.comments.notify.models import Reason
from forum.comments.notify.service import DigestEntry, Stop, Unsubscribe
from forum.settings import Settings
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


def comment_url(settings: Settings, comment_id: int) -> str:
    return f"{_base(settings)}/comments/{comment_id}#comment-{comment_id}"


def _headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _line(text: str) -> str:
    return " ".join(text.split())


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
) -> Mail:
    """One mail about one comment: a reply to the user, or a new comment they watch for."""
    title = _line(article.title)
    if reason is Reason.REPLY:
        target = Unsubscribe(user.id, Stop.REPLY_MAILS)
        subject = f"{_line(author)} replied to your comment on “{title}”"
        intro = f"{author} replied to your comment on “{title}”:"
        why = f"You get this mail because someone replied to your comment at {settings.site_name}."
        stop = "Stop mails about replies to your comments"
    else:
        target = Unsubscribe(user.id, Stop.WATCH, article.id)
        subject = f"New comment on “{title}”"
        intro = f"{author} commented on “{title}”, a discussion you watch:"
        why = f"You get this mail because you watch this discussion at {settings.site_name}."
        stop = "Stop watching this discussion"
    link = unsubscribe_url(settings, target)
    text = (
        f"Hello {user.display_name},\n\n"
        f"{intro}\n\n"
        f"{_quote(teaser(comment.body_html, INSTANT_TEXT_LIMIT))}\n\n"
        f"Read it and reply:\n{comment_url(settings, comment.id)}\n\n"
        f"-- \n{why}\n"
        f"{stop}: {link}\n"
        f"All your notification settings: {_base(settings)}/account\n"
    )
    return Mail(subject=subject, text=text, headers=_headers(link))


def digest_mail(settings: Settings, *, user: User, entries: Sequence[DigestEntry]) -> Mail:
    """One mail listing every waiting comment, grouped by article, each with its link."""
    count = len(entries)
    subject = f"{count} new comment{'s' if count != 1 else ''} at {settings.site_name}"
    parts = [f"Hello {user.display_name},\n\nhere is what was written since your last digest.\n"]
    by_article: dict[int, list[DigestEntry]] = {}
    for entry in entries:
        by_article.setdefault(entry.article.id, []).append(entry)
    for article_id, group in by_article.items():
        parts.append(f"\n== {_line(group[0].article.title)} ==\n")
        if any(entry.reason is Reason.WATCH for entry in group):
            target = Unsubscribe(user.id, Stop.WATCH, article_id)
            parts.append(f"(Stop watching: {unsubscribe_url(settings, target)})\n")
        for entry in group:
            what = "replied to you" if entry.reason is Reason.REPLY else "wrote"
            parts.append(
                f"\n{entry.author_name} {what}:\n"
                f"{_quote(teaser(entry.comment.body_html, DIGEST_TEXT_LIMIT))}\n"
                f"{comment_url(settings, entry.comment.id)}\n"
            )
    link = unsubscribe_url(settings, Unsubscribe(user.id, Stop.ALL))
    parts.append(
        f"\n-- \nYou get this digest because you watch discussions or get reply mails at "
        f"{settings.site_name}.\n"
        f"Stop all notification mails: {link}\n"
        f"All your notification settings: {_base(settings)}/account\n"
    )
    return Mail(subject=subject, text="".join(parts), headers=_headers(link))
