"""What the thread's HTML pages share: what the reader may do with each comment, the names
replies point to, the remembered sort order, and the form's timing signals."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from litestar.datastructures import Cookie

from forum.accounts.current import CurrentUser
from forum.articles.models import CommentMode
from forum.comments import permissions
from forum.comments.config import CommentConfig
from forum.comments.models import CommentStatus
from forum.comments.reading import CommentView, Sort, Viewer
from forum.comments.tree import Node, walk
from forum.db import utcnow
from forum.errors import Forbidden
from forum.web.forms import field
from forum.web.types import AnyRequest

MAX_INDENT = 8
"""How many levels a page indents; deeper branches continue on the comment's own page."""
DECIDABLE = frozenset({CommentStatus.PENDING, CommentStatus.HIDDEN, CommentStatus.PUBLISHED})
SORT_COOKIE = "forum_prefs"
"""The preferences cookie (listed in privacy's cookie table); set only with consent."""
SORT_COOKIE_SECONDS = 365 * 24 * 3600


class ThreadActions:
    """What the templates ask about each comment for the current reader."""

    def __init__(
        self,
        user: CurrentUser | None,
        config: CommentConfig,
        mode: CommentMode,
        refusal: Forbidden | None = None,
    ) -> None:
        self.user = user
        self.now = utcnow()
        self.window = config.edit_window
        self.mode = mode
        self.anonymous_allowed = config.anonymous_allowed
        self.refusal = refusal
        """Why a higher layer refuses this user's posts here (a ban…), shown instead of the form."""
        self.moderator = Viewer.of(user).moderator

    def can_post(self) -> bool:
        return self.refusal is None and permissions.can_post(
            self.user, self.mode, anonymous_allowed=self.anonymous_allowed
        )

    def can_reply(self, c: CommentView) -> bool:
        return self.can_post() and not c.placeholder and permissions.can_reply(self.user, c.facts)

    def can_edit(self, c: CommentView) -> bool:
        return not c.placeholder and permissions.can_edit(
            self.user, c.facts, now=self.now, window=self.window
        )

    def can_delete(self, c: CommentView) -> bool:
        return permissions.can_delete(self.user, c.facts) and (not c.placeholder or self.moderator)

    def can_restore(self, c: CommentView) -> bool:
        return permissions.can_restore(self.user, c.facts)

    def can_report(self, c: CommentView) -> bool:
        return (
            self.user is not None
            and not c.placeholder
            and c.status is CommentStatus.PUBLISHED
            and not permissions.is_author(self.user, c.facts)
        )

    def can_decide(self, c: CommentView) -> bool:
        """Moderators approve or reject a comment where it sits (the decision is theirs)."""
        return self.moderator and c.status in DECIDABLE


def names(nodes: Iterable[Node[CommentView]], also: Iterable[CommentView] = ()) -> dict[int, str]:
    """The name each shown comment goes by, for the 'in reply to …' links."""
    views = [n.item for n in walk(nodes)] + list(also)
    return {v.id: ("[deleted]" if v.placeholder else v.author_display) for v in views}


def remembered_sort(request: AnyRequest, config: CommentConfig) -> Sort | None:
    """The thread order this reader chose before, if they allowed preference cookies."""
    if not config.preferences_allowed(request):
        return None
    value = request.cookies.get(SORT_COOKIE, "")
    try:
        return Sort(value.removeprefix("sort:")) if value.startswith("sort:") else None
    except ValueError:
        return None


def sort_cookie(sort: Sort, *, secure: bool) -> Cookie:
    return Cookie(
        key=SORT_COOKIE,
        value=f"sort:{sort.value}",
        max_age=SORT_COOKIE_SECONDS,
        path="/",
        samesite="lax",
        httponly=True,
        secure=secure,
    )


def form_signals(data: dict[str, Any]) -> dict[str, object]:
    """What moderation may want to know about how the form was filled in."""
    started = field(data, "form_started")
    elapsed = None
    if started.isdigit():
        elapsed = time.time() - int(started)
    return {"honeypot": field(data, "website"), "seconds_to_submit": elapsed}
