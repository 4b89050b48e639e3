"""Turning newly published comments into mail: at once, or into the recipient's digest.

``Notifier.comment_changed`` is a ``CommentHooks.on_change`` listener: it runs in the
transaction that publishes the comment and queues mail through the outbox in that same
transaction, so a post that rolls back mails nobody. ``send_digests`` is the daily round
(``forum notifications digest``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from forum.articles.models import Article
from forum.comments.models import Comment, CommentStatus
from forum.comments.notify import digest, mails, recipients
from forum.comments.notify.models import WatchMode
from forum.db import Database, utcnow
from forum.mail.message import InvalidMail
from forum.settings import Settings

log = logging.getLogger("forum.notifications")


class Outbox(Protocol):
    def queue(
        self,
        session: Session,
        *,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> object: ...


@dataclass(frozen=True)
class DigestReport:
    mails: int = 0
    comments: int = 0


@dataclass
class Notifier:
    settings: Settings
    outbox: Outbox
    clock: Callable[[], datetime] = field(default=utcnow)

    def comment_changed(
        self, session: Session, comment: Comment, previous: CommentStatus | None
    ) -> None:
        """Announce a comment the first time it is published (new, or approved later).

        Later, a text changed since it was announced (an edit that left it published —
        ``previous`` is its status: only edits announce that —, or one approved after being
        held) tells the users it newly mentions, and nobody else.
        """
        if comment.status is not CommentStatus.PUBLISHED:
            return
        now = self.clock()
        first = previous is not CommentStatus.PUBLISHED and recipients.claim_first_publication(
            session, comment.id, now
        )
        since = None if first else recipients.claim_changed_text(session, comment, now)
        if not first and since is None:
            return
        article = session.get(Article, comment.article_id)
        if article is None or not recipients.readers_can_see(article, comment):
            return
        if since is not None:
            targets = recipients.new_mentions(session, comment, since=since)
        else:
            targets = recipients.recipients(session, comment)
        if targets:
            self._announce(session, comment, article, targets)

    def _announce(
        self,
        session: Session,
        comment: Comment,
        article: Article,
        targets: list[recipients.Recipient],
    ) -> None:
        """A mail to each target now, or an item in their digest when over the hourly cap."""
        now = self.clock()
        author = recipients.author_name(session, comment)
        for target in targets:
            instant = target.mode is WatchMode.INSTANT and digest.take_hourly_slot(
                session, target.user.id, now=now, limit=self.settings.notify_max_per_hour
            )
            if not instant:
                digest.add_digest_item(session, target.user.id, comment.id, target.reason, now=now)
                continue
            mail = mails.instant_mail(
                self.settings,
                user=target.user,
                comment=comment,
                article=article,
                author=author,
                reason=target.reason,
                mention=target.mention,
            )
            self._queue(session, target.user.email, mail)

    def send_digest(self, session: Session, user_id: int) -> int:
        """Queue one user's digest (in ``session``'s transaction); the number of comments."""
        user, entries = digest.take_digest(session, user_id)
        if user is None or not entries:
            return 0
        self._queue(
            session, user.email, mails.digest_mail(self.settings, user=user, entries=entries)
        )
        return len(entries)

    def send_digests(self, database: Database) -> DigestReport:
        """The daily round: each recipient's digest in a transaction of its own."""
        with database.session() as session:
            user_ids = digest.digest_recipients(session)
        sent = comments = 0
        for user_id in user_ids:
            with database.session(write=True) as session:
                count = self.send_digest(session, user_id)
            if count:
                sent += 1
                comments += count
        return DigestReport(mails=sent, comments=comments)

    def _queue(self, session: Session, to: str | None, mail: mails.Mail) -> None:
        """Queue ``mail``; an address the outbox refuses must not fail the comment's post."""
        assert to is not None  # recipients have verified addresses
        try:
            self.outbox.queue(
                session, to=to, subject=mail.subject, text=mail.text, headers=mail.headers
            )
        except InvalidMail as exc:
            log.warning("notification not queued: %s", type(exc).__name__)
