"""Live threads: readers of an article hear about comments published while they read.

``LiveThreads.comment_changed`` is a ``CommentHooks.on_change`` listener: a comment that
becomes visible to everyone (posted and published, or approved from the queue) is announced
on its article's topic once the writing transaction has committed, never before (a rolled back
comment is never announced). ``stream`` is what an open event stream sends: the comments
missed since the reader's last event, then each new one as it comes, a keep-alive comment
now and then, and an end after ``max_seconds`` (EventSource reconnects by itself and says
where it was with ``Last-Event-ID``).

An announcement carries ids only; the reader's page fetches the comments through the
ordinary thread, where the one visibility rule applies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from litestar.response import ServerSentEventMessage
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forum.articles.models import Article
from forum.comments.models import Comment, CommentStatus
from forum.web.broadcast import Broadcast

EVENT = "comment"
RETRY_MILLISECONDS = 5000
MISSED_LIMIT = 100
"""At most this many missed comments are sent on reconnecting; the page shows a count only."""


def topic(article_id: int) -> str:
    return f"article:{article_id}"


@dataclass(frozen=True)
class Announcement:
    comment_id: int
    parent_id: int | None

    def message(self) -> ServerSentEventMessage:
        data = f'{{"id": {self.comment_id}, "parent_id": {_json_int(self.parent_id)}}}'
        return ServerSentEventMessage(data=data, event=EVENT, id=self.comment_id)


def _json_int(value: int | None) -> str:
    return "null" if value is None else str(value)


class LiveThreads:
    """Announces published comments and streams them to readers (one per app)."""

    def __init__(
        self, broadcast: Broadcast, *, keep_alive_seconds: float = 20.0, max_seconds: float = 600.0
    ) -> None:
        self.broadcast = broadcast
        self.keep_alive_seconds = keep_alive_seconds
        self.max_seconds = max_seconds

    def comment_changed(
        self, session: Session, comment: Comment, previous: CommentStatus | None
    ) -> None:
        if comment.status is not CommentStatus.PUBLISHED or previous is CommentStatus.PUBLISHED:
            return
        if comment.id is None:
            session.flush()
        article_id, message = comment.article_id, {"id": comment.id, "parent_id": comment.parent_id}

        def committed(_session: Session) -> None:
            self.broadcast.publish(topic(article_id), message)

        event.listen(session, "after_commit", committed, once=True)

    def full(self) -> bool:
        """Whether this process already serves all the streams it may."""
        return self.broadcast.streams >= self.broadcast.max_streams

    async def stream(
        self, article_id: int, missed: Sequence[Announcement]
    ) -> AsyncIterator[ServerSentEventMessage]:
        """The events of one reader's stream (ends after ``max_seconds``)."""
        async with self.broadcast.subscribe(topic(article_id)) as queue:
            yield ServerSentEventMessage(data=None, comment="live", retry=RETRY_MILLISECONDS)
            for announcement in missed:
                yield announcement.message()
            ends = time.monotonic() + self.max_seconds
            while (left := ends - time.monotonic()) > 0:
                try:
                    raw = await asyncio.wait_for(queue.get(), min(left, self.keep_alive_seconds))
                except TimeoutError:
                    yield ServerSentEventMessage(data=None, comment="keep-alive")
                    continue
                yield Announcement(int(raw["id"]), raw.get("parent_id")).message()


def missed_since(session: Session, article: Article, last_id: int | None) -> list[Announcement]:
    """Comments of ``article`` published after the reader's last event (ids grow with time)."""
    if last_id is None:
        return []
    rows = session.execute(
        select(Comment.id, Comment.parent_id)
        .where(
            Comment.article_id == article.id,
            Comment.status == CommentStatus.PUBLISHED,
            Comment.id > last_id,
        )
        .order_by(Comment.id)
        .limit(MISSED_LIMIT)
    )
    return [Announcement(row.id, row.parent_id) for row in rows]
