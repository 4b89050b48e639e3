"""What the thread's HTML pages share: what the reader may do with each comment, who answers
whom (names, badges, fold counts, worked out once per page), the remembered sort order, and the
form's timing signals."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import Cookie

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role
from forum.articles.models import Article, CommentMode
from forum.comments import permissions
from forum.comments.config import CommentConfig
from forum.comments.models import CommentStatus
from forum.comments.reading import CommentView, Sort
from forum.comments.tree import Node, walk
from forum.db import utcnow
from forum.errors import Forbidden
from forum.i18n import N_, gettext
from forum.web.forms import field
from forum.web.types import AnyRequest

MAX_INDENT = 8
"""How many levels a page indents; deeper branches continue on the comment's own page."""
NARROW_LEVELS = 4
"""How many levels a narrow screen (a phone) shows before "Continue this thread"."""
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
        *,
        moderator: bool = False,
    ) -> None:
        self.user = user
        self.now = utcnow()
        self.window = config.edit_window
        self.mode = mode
        self.anonymous_allowed = config.anonymous_allowed
        self.down_votes = config.down_votes
        self.refusal = refusal
        """Why a higher layer refuses this user's posts here (a ban…), shown instead of the form."""
        self.moderator = moderator and user is not None
        """Whether the reader moderates this thread (``CommentHooks.moderates_thread``)."""
        self.reports: Mapping[int, int] = {}
        """Open reports per comment id, filled for moderators only (never cached pages)."""

    def can_post(self) -> bool:
        return self.refusal is None and permissions.can_post(
            self.user, self.mode, anonymous_allowed=self.anonymous_allowed
        )

    def can_reply(self, c: CommentView) -> bool:
        return self.can_post() and not c.placeholder and permissions.can_reply(self.user, c.facts)

    def can_edit(self, c: CommentView) -> bool:
        return not c.placeholder and permissions.can_edit(
            self.user, c.facts, moderator=self.moderator, now=self.now, window=self.window
        )

    def can_delete(self, c: CommentView) -> bool:
        return permissions.can_delete(self.user, c.facts, moderator=self.moderator) and (
            not c.placeholder or self.moderator
        )

    def can_restore(self, c: CommentView) -> bool:
        return permissions.can_restore(self.user, c.facts, moderator=self.moderator)

    def can_report(self, c: CommentView) -> bool:
        return (
            self.user is not None
            and not c.placeholder
            and c.status is CommentStatus.PUBLISHED
            and not permissions.is_author(self.user, c.facts)
        )

    def can_vote(self, c: CommentView) -> bool:
        return not c.placeholder and permissions.can_vote(self.user, c.facts)

    def open_reports(self, c: CommentView) -> int:
        """How many readers reported this comment and await a decision (moderators' view)."""
        return self.reports.get(c.id, 0) if self.moderator else 0

    def can_decide(self, c: CommentView) -> bool:
        """Moderators approve or reject a comment where it sits (the decision is theirs)."""
        return self.moderator and c.status in DECIDABLE


@dataclass(frozen=True)
class Badge:
    """A mark beside an author's name: short visible text, and what it means in words."""

    label: str
    meaning: str
    kind: str


# Translators: a short badge beside the name of the article's author in its thread ("original
# poster"); the meaning after it is read out by screen readers and shown on hover.
OP = Badge(N_("OP"), N_("the article's author"), "op")
ROLE_BADGES = {
    # Translators: a short badge beside a moderator's name in a thread.
    Role.MODERATOR: Badge(N_("mod"), N_("moderator"), "moderator"),
    # Translators: a short badge beside an administrator's name in a thread.
    Role.ADMIN: Badge(N_("admin"), N_("administrator"), "admin"),
}
"""The badges, their words marked (``ThreadFacts`` says them in the reader's language)."""


def _said(badge: Badge) -> Badge:
    return Badge(gettext(badge.label), gettext(badge.meaning), badge.kind)


@dataclass(frozen=True)
class Fold:
    """What folding a comment hides: it and its whole subtree, as readable comments (replies
    the page left out included). ``at_least`` when the page cut this subtree short and only the
    thread's total is known: the count is then what is certainly there."""

    count: int
    at_least: bool = False


class ThreadFacts:
    """Who answers whom on one page: the name each comment goes by (for "in reply to"), the
    badges of its author, and what folding it hides. Worked out once, in one pass."""

    narrow_levels = NARROW_LEVELS

    def __init__(
        self, article: Article, nodes: list[Node[CommentView]], also: Iterable[CommentView] = ()
    ) -> None:
        shown = list(walk(nodes))
        views = [n.item for n in shown] + list(also)
        # Translators: the name a deleted comment goes by in "in reply to [deleted]".
        deleted = gettext("[deleted]")
        self.names = {v.id: (deleted if v.placeholder else v.author_display) for v in views}
        byline = article.author_name.casefold()
        said = {badge: _said(badge) for badge in (OP, *ROLE_BADGES.values())}
        self._badges = {v.id: tuple(said[badge] for badge in _badges(v, byline)) for v in views}
        self._folds = _folds(nodes, shown)

    def name(self, comment_id: int | None, default: str | None = None) -> str:
        if comment_id is not None and comment_id in self.names:
            return self.names[comment_id]
        return gettext("an earlier comment") if default is None else default

    def badges(self, c: CommentView) -> tuple[Badge, ...]:
        return self._badges.get(c.id, ())

    def fold(self, c: CommentView) -> Fold:
        return self._folds.get(c.id, Fold(0 if c.placeholder else 1))


def _badges(c: CommentView, byline: str) -> tuple[Badge, ...]:
    """OP when the author's account has the byline's name as username (usernames are unique,
    display names are not); moderator or admin by role. None for anonymous or hidden authors."""
    found = []
    if c.author_login is not None and c.author_login.casefold() == byline:
        found.append(OP)
    if c.author_role in ROLE_BADGES:
        found.append(ROLE_BADGES[c.author_role])
    return tuple(found)


def _folds(roots: list[Node[CommentView]], shown: list[Node[CommentView]]) -> dict[int, Fold]:
    """Each comment's fold count, children before parents (threads may be deep): the readable
    comments of its subtree on the page, plus the replies the page left out of its thread
    (``more``, on a top-level comment). A page loads each thread in path order, so left-out
    replies lie below the chain of children with the greatest paths (the last loaded, whatever
    order siblings are shown in): those counts are lower bounds."""
    counts: dict[int, int] = {}
    for node in reversed(shown):
        own = 0 if node.item.placeholder else 1
        counts[node.item.id] = own + node.item.more + sum(counts[c.item.id] for c in node.children)
    cut: set[int] = set()
    for root in roots:
        node = root
        while root.item.more and node.children:
            node = max(node.children, key=lambda n: n.item.path)
            cut.add(node.item.id)
    return {cid: Fold(count, cid in cut) for cid, count in counts.items()}


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
