"""The event stream of a thread: one handler, two addresses.

``/articles/{slug}/events`` is what the article page's script listens to;
``/api/articles/{slug}/comments/events`` is the same stream documented for API clients.
Both send ``comment`` events (``{"id": …, "parent_id": …}``) for comments published while
the stream is open, and the ones missed since ``Last-Event-ID`` on a reconnect.
"""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from litestar.response import ServerSentEvent

from forum.articles.dependencies import ARTICLE_DEPENDENCY, PublishedArticle
from forum.comments.live import LiveThreads, missed_since
from forum.comments.visibility import thread_readable
from forum.errors import NotFound, Unavailable
from forum.i18n import gettext
from forum.web.unit_of_work import DbSession

LastEventId = Annotated[
    int | None,
    HeaderParameter(
        name="Last-Event-ID",
        description="The last event id received: comments published since are sent first",
        ge=0,
    ),
]
NO_COMPRESSION = "skip_compression"
"""Handler opt that keeps the compression middleware off a stream (it would hold events back)."""


class LiveThreadApi(Controller):
    tags = ["comments"]
    dependencies = dict(ARTICLE_DEPENDENCY)

    @get(
        ["/articles/{slug:str}/events", "/api/articles/{slug:str}/comments/events"],
        opt={NO_COMPRESSION: True},
        include_in_schema=True,
    )
    async def events(
        self,
        db: DbSession,
        live: NamedDependency[LiveThreads],
        article: PublishedArticle,
        last_event_id: LastEventId = None,
    ) -> ServerSentEvent:
        """Server-Sent Events: a ``comment`` event for each comment published in this thread
        while the stream is open (ids only; fetch the thread for the comments). The stream ends
        after about ten minutes; EventSource reconnects and gets what it missed."""
        if not thread_readable(article):
            raise NotFound(gettext("This thread is not shown."))
        if live.full():
            raise Unavailable(gettext("Too many readers are following threads; try again shortly."))
        missed = await to_thread.run_sync(missed_since, db, article, last_event_id)
        return ServerSentEvent(
            live.stream(article.id, missed),
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
