"""Which threads a moderator works: every article for the forum's moderators and admins, or
only some articles for people a higher module appoints (a site's moderators moderate the
threads of that site's pages).

Moderation knows nothing of those modules: each offers a ``ReachSource`` that ``create_app``
puts in a ``Reaches`` registry. The reach is worked out once per request (``ReachHook``, in the
request's read transaction) and kept in the request's state; ``moderators_only`` admits anyone
who has one, and every service that reads or acts on a queue takes the ``reach`` and refuses
what lies outside it (``Reach.require``), so HTML and API share one check per action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy import ColumnElement, CompoundSelect, Select, literal, select, true, union
from sqlalchemy.orm import QueryableAttribute, Session

from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser, current_user
from forum.accounts.permissions import can_moderate
from forum.errors import Forbidden
from forum.i18n import N_, gettext
from forum.web.types import AnyRequest

OUTSIDE = N_("This is not one of the threads you moderate.")
REACH_KEY = "moderation_reach"

ArticleIds = Select[int] | CompoundSelect[int]
"""A query for the ids of the articles a moderator may moderate."""
Column = ColumnElement[Any] | QueryableAttribute[Any]


class Reach:
    """The articles whose threads one person moderates; ``articles`` None: all of them.

    ``names`` says what the part is called where it is not everything (the sites' names).
    A plain class, not a dataclass: handlers receive it as an opaque dependency.
    """

    __slots__ = ("articles", "names")

    def __init__(self, articles: ArticleIds | None = None, names: tuple[str, ...] = ()) -> None:
        self.articles = articles
        self.names = names

    @property
    def everything(self) -> bool:
        return self.articles is None

    def covers(self, column: Column) -> ColumnElement[bool]:
        """A condition on an article id column: inside the reach."""
        return true() if self.articles is None else column.in_(self.articles)

    def includes(self, session: Session, article_id: int) -> bool:
        """Whether the article's thread is inside the reach (everything: no query)."""
        if self.articles is None:
            return True
        return bool(session.scalar(select(literal(article_id).in_(self.articles))))

    def require(self, session: Session, article_id: int) -> None:
        """``Forbidden`` unless the article's thread is inside the reach."""
        if not self.includes(session, article_id):
            raise Forbidden(gettext(OUTSIDE))


EVERYTHING = Reach()


class ReachSource(Protocol):
    """A higher module's answer to 'which articles does this person moderate?' (None: none)."""

    def reach_of(self, session: Session, user_id: int) -> Reach | None: ...


@dataclass(frozen=True)
class Reaches:
    """Every ``ReachSource``, filled in ``create_app``."""

    sources: Sequence[ReachSource] = ()

    def of(self, session: Session, user: CurrentUser) -> Reach | None:
        """The forum's moderators reach everything; others what the sources give them. Worked
        out once per database session (a request's: the header badge and every question the
        thread asks share it)."""
        if can_moderate(user):
            return EVERYTHING
        known = session.info.setdefault(REACH_KEY, {})
        if user.id not in known:
            known[user.id] = self._worked_out(session, user)
        found: Reach | None = known[user.id]
        return found

    def _worked_out(self, session: Session, user: CurrentUser) -> Reach | None:
        parts = [r for r in (s.reach_of(session, user.id) for s in self.sources) if r]
        if not parts:
            return None
        queries = [p.articles for p in parts if p.articles is not None]
        if len(queries) < len(parts):
            return EVERYTHING
        names = tuple(name for p in parts for name in p.names)
        return Reach(queries[0] if len(queries) == 1 else union(*queries), names)


@dataclass(frozen=True)
class ModeratesThread:
    """The comments module's question "does this person moderate this article's thread?"
    (``CommentHooks.moderates``), answered by the reach: so a site's moderators get held
    comments, report flags and the moderation controls on their site's threads, and what a
    reader gets elsewhere."""

    reaches: Reaches

    def __call__(self, session: Session, user: CurrentUser, article_id: int) -> bool:
        reach = self.reaches.of(session, user)
        return reach is not None and reach.includes(session, article_id)


def reach_of_request(connection: ASGIConnection[Any, Any, Any, Any]) -> Reach | None:
    """What ``ReachHook`` worked out for this request (the forum's moderators: everything)."""
    user = current_user(connection)
    found = connection.scope.get("state", {}).get(REACH_KEY)
    if isinstance(found, Reach) and user is not None:
        return found
    return EVERYTHING if can_moderate(user) else None


def moderators_only(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Anyone who moderates some threads; visitors are asked to log in first."""
    login_required(connection, handler)
    if reach_of_request(connection) is None:
        raise Forbidden(gettext("Only moderators can do that."))


def provide_reach(request: AnyRequest) -> Reach:
    """Dependency ``reach``: the threads the current moderator works (behind
    ``moderators_only``)."""
    found = reach_of_request(request)
    if found is None:
        raise Forbidden(gettext("Only moderators can do that."))
    return found


Moderates = NamedDependency[Reach]
"""How a handler asks for it: ``reach: Moderates``."""
