"""The whole thread's rows, read for ``thread_json.nest_rows`` as cheaply as the database allows.

A thousand comments are read in display order with their own columns only; their authors and
the viewer's votes come in statements of their own. Joined into the comments' SELECT, the
authors' five columns and the votes ride through SQLite's sort of a thousand rows and cost
more than the comments themselves (docs/performance.md, "The whole thread").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import Connection, String, bindparam, literal, select, type_coerce
from sqlalchemy.orm import Session

from forum.accounts.models import ProfileVisibility, PublicName, User
from forum.articles.models import Article
from forum.comments.comment_views import VOTE_COLUMNS
from forum.comments.models import Comment, CommentVote
from forum.comments.reading import Sort
from forum.comments.visibility import Viewer, thread_readable

_AS_STORED = String()
COLUMNS = (
    Comment.id,
    Comment.parent_id,
    type_coerce(Comment.status, _AS_STORED),
    Comment.body_html,
    type_coerce(Comment.created_at, _AS_STORED),
    type_coerce(Comment.edited_at, _AS_STORED),
    Comment.author_id,
    Comment.author_name,
)
"""What the JSON shows of a comment, and who wrote it. Statuses and times are read as the
driver gives them and made into their types in ``nest_rows`` (a thousand rows through
SQLAlchemy's enum and time-zone conversions cost more than the SELECT itself)."""
VOTES_AT = len(COLUMNS)
"""Where ``VOTE_COLUMNS`` start in a row of a thread that has votes."""
AUTHOR_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    type_coerce(User.public_name, _AS_STORED),
    type_coerce(User.profile_visibility, _AS_STORED),
)
AUTHORS_PER_STATEMENT = 1000
"""Authors looked up in one ``IN`` list (every database takes this many parameters)."""
PUBLIC_NAMES: dict[str | None, PublicName] = {name.value: name for name in PublicName}
VISIBILITIES: dict[str | None, ProfileVisibility] = {seen.value: seen for seen in ProfileVisibility}
NO_ACCOUNT = (None, None, None, None)
"""The account columns of an anonymous comment's author, or of an erased account's."""


# Built once: building a statement costs more than running these small ones.
_IN_THREAD = Comment.article_id == bindparam("article_id")
_ROWS = select(*COLUMNS).where(_IN_THREAD).order_by(Comment.root_seq, Comment.path)
_ROWS_VOTED = _ROWS.add_columns(*VOTE_COLUMNS)
_BEYOND = select(literal(1)).where(_IN_THREAD).offset(bindparam("limit")).limit(1)
_ACCOUNTS = select(*AUTHOR_COLUMNS).where(User.id.in_(bindparam("ids", expanding=True)))
_OWN_VOTES = select(CommentVote.comment_id, type_coerce(CommentVote.value, _AS_STORED)).where(
    CommentVote.article_id == bindparam("article_id"), CommentVote.user_id == bindparam("user_id")
)


class WholeRows(NamedTuple):
    """A whole thread as ``whole_thread_rows`` read it."""

    rows: list[tuple[Any, ...]]
    """``COLUMNS`` of each comment in display order, then ``VOTE_COLUMNS`` if ``voted``."""
    accounts: dict[int, tuple[Any, ...]]
    """Each author's username, display name, public name and profile visibility, by id: with
    ``author_id`` and ``author_name``, what ``comment_views.author_names`` reads."""
    voted: bool
    """Whether anyone voted in the thread (without votes, every count is 0)."""
    mine: dict[int, str]
    """The viewer's own votes in the thread, by comment, as stored."""


def whole_thread_rows(
    session: Session, article: Article, viewer: Viewer, *, sort: Sort, limit: int, voted: bool
) -> WholeRows | None:
    """Every comment of the article in display order, or None when there are more than
    ``limit`` or the order is another than the oldest first, which is the order the rows are
    written in (the caller then asks ``service.whole_thread``, which knows every order and
    bounds a thread past the limit).

    ``voted``: whether the thread has votes (``votes.thread_has_votes``); only then are the
    counts and the viewer's own votes read."""
    if sort is not Sort.OLDEST:
        return None
    if not (viewer.moderator or thread_readable(article)):
        return WholeRows([], {}, voted, {})
    connection = session.connection()
    if _more_than(connection, article.id, limit):
        return None
    result = connection.execute(_ROWS_VOTED if voted else _ROWS, {"article_id": article.id})
    try:
        # The driver's own tuples: no column here is converted by SQLAlchemy, and a thousand
        # ``Row`` objects cost a third of the SELECT (tests/comments/test_whole_thread.py).
        rows: list[tuple[Any, ...]] = list(result.cursor.fetchall())
    finally:
        result.close()
    accounts = _accounts(connection, {row[6] for row in rows if row[6] is not None})
    mine = _own_votes(connection, article.id, viewer.user_id) if voted else {}
    return WholeRows(rows, accounts, voted, mine)


def _more_than(connection: Connection, article_id: int, limit: int) -> bool:
    """Whether the article has more than ``limit`` comments, counted in its index only as far
    as ``limit`` (a ``LIMIT`` on the sorted SELECT makes SQLite's sort of it slower)."""
    return connection.scalar(_BEYOND, {"article_id": article_id, "limit": limit}) is not None


def _accounts(connection: Connection, ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    wanted = sorted(ids)
    found: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(wanted), AUTHORS_PER_STATEMENT):
        chunk = wanted[start : start + AUTHORS_PER_STATEMENT]
        result = connection.execute(_ACCOUNTS, {"ids": chunk})
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
        for user_id, username, display, public, visibility in rows:
            found[user_id] = (
                username,
                display,
                PUBLIC_NAMES.get(public),
                VISIBILITIES.get(visibility),
            )
    return found


def _own_votes(connection: Connection, article_id: int, user_id: int | None) -> dict[int, str]:
    if user_id is None:
        return {}
    found = connection.execute(_OWN_VOTES, {"article_id": article_id, "user_id": user_id})
    return dict(found.all())
