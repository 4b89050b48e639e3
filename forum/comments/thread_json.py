"""The thread as the JSON API sends it, and the whole thread built straight into it.

The whole thread (``GET /api/articles/{slug}/comments?all=1``) is the API's biggest answer: a
thousand comments and more. It is built as the plain floor is (bench/speed_probe.py): one
indexed SELECT of columns in display order, and one pass over the rows that makes each
comment's JSON struct and hangs it under its parent, with no view objects or tree nodes in
between. Which comments are shown, and which stand as '[deleted]' above replies that are, is
the one rule of ``forum.comments.visibility`` and the nesting rule of ``forum.comments.tree``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from forum.accounts.models import ProfileVisibility, PublicName, User
from forum.articles.models import Article
from forum.comments.comment_views import PLACEHOLDER_STATUSES, author_names, with_votes
from forum.comments.models import Comment, CommentStatus
from forum.comments.reading import Sort
from forum.comments.visibility import Viewer, status_visible, thread_readable
from forum.comments.vote_json import VotesOut, votes_out


class MoreOut(msgspec.Struct):
    """Replies the page left out, and where to read them."""

    count: int
    href: str


class CommentOut(msgspec.Struct, omit_defaults=True):
    id: int
    parent_id: int | None
    author: str | None
    """The author's display name; null for a placeholder ('[deleted]')."""
    author_username: str | None
    html: str
    status: str
    created_at: datetime
    edited_at: datetime | None
    replies: list[CommentOut]
    more: MoreOut | None = None
    """Only when the page left replies out: ``GET more.href`` gives this comment's subtree."""
    votes: VotesOut | None = None
    """The votes on it (not on a placeholder)."""


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
    User.username,
    User.display_name,
    type_coerce(User.public_name, _AS_STORED),
    type_coerce(User.profile_visibility, _AS_STORED),
)
"""What the JSON shows of a comment and its author; from ``author_id`` on, the author columns
``comment_views.author_names`` works the shown name out of. Statuses, names' settings and times
are read as the driver gives them and made into their types in ``nest_rows`` (a thousand
rows through SQLAlchemy's enum and time-zone conversions cost more than the SELECT itself)."""
STATUSES = {status.value: status for status in CommentStatus}


def _moment(value: str | datetime) -> datetime:
    """A stored time as ``UTCDateTime`` reads it: SQLite gives its text, PostgreSQL a
    ``datetime``; both come back aware, in UTC."""
    if isinstance(value, str):
        try:  # as UTCDateTime writes it: naive, in UTC (one parse; ``replace`` costs 5 times it)
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:  # written with an offset of its own
            value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _author(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """The author columns with the settings as their enums (``author_names`` reads them)."""
    author_id, name, username, display_name, public_name, visibility = values
    return (
        author_id,
        name,
        username,
        display_name,
        PublicName(public_name) if public_name is not None else None,
        ProfileVisibility(visibility) if visibility is not None else None,
    )


VOTES_AT = len(COLUMNS)
"""Where the vote columns of ``comment_views.with_votes`` start in a row."""


def whole_thread_rows(
    session: Session, article: Article, viewer: Viewer, *, sort: Sort, limit: int
) -> list[tuple[Any, ...]] | None:
    """Every comment of the article in display order (one indexed SELECT of columns), or None
    when there are more than ``limit`` or the order is another than the oldest first, which
    is the order the rows are written in (the caller then asks ``service.whole_thread``, which
    knows every order and bounds a thread past the limit)."""
    if sort is not Sort.OLDEST:
        return None
    if not (viewer.moderator or thread_readable(article)):
        return []
    result = session.connection().execute(
        with_votes(select(*COLUMNS).outerjoin(User, User.id == Comment.author_id), viewer)
        .where(Comment.article_id == article.id)
        .order_by(Comment.root_seq, Comment.path)
        .limit(limit + 1)
    )
    try:
        # The driver's own tuples: no column here is converted by SQLAlchemy (``COLUMNS``; the
        # viewer's vote is its stored text), and a thousand ``Row`` objects cost a third of
        # the SELECT (tests/comments/test_whole_thread.py compares both).
        rows: list[tuple[Any, ...]] = list(result.cursor.fetchall())
    finally:
        result.close()
    return None if len(rows) > limit else rows


def nest_rows(rows: Sequence[tuple[Any, ...]], viewer: Viewer) -> list[CommentOut]:
    """Rows of ``COLUMNS`` in display order as nested JSON structs, in one pass.

    A comment this viewer may not see is left out with its replies, unless its status makes it
    a placeholder ('[deleted]'): a placeholder waits aside and joins the tree only when a reply
    below it is shown (its siblings after it come after its replies, so the order holds).
    """
    top: list[CommentOut] = []
    placed: dict[int, CommentOut] = {}
    waiting: dict[int, tuple[CommentOut, int | None]] = {}
    left_out: set[int] = set()
    authors: dict[tuple[Any, ...], tuple[str | None, str]] = {}
    for values in rows:
        cid, parent_id, stored, html, created, edited = values[:6]
        status = STATUSES[stored]
        if parent_id in left_out:
            left_out.add(cid)
        elif status_visible(viewer, status, values[6]):
            author = values[6:VOTES_AT]
            names = authors.get(author)
            if names is None:
                names = authors[author] = author_names(_author(author), viewer)
            out = CommentOut(
                cid,
                parent_id,
                names[1],
                names[0],
                html,
                stored,
                _moment(created),
                _moment(edited) if edited is not None else None,
                [],
            )
            out.votes = votes_out(*values[VOTES_AT : VOTES_AT + 4])
            if parent_id in waiting:
                _place_waiting(top, placed, waiting, parent_id)
            (placed[parent_id].replies if parent_id in placed else top).append(out)
            placed[cid] = out
        elif status in PLACEHOLDER_STATUSES:
            out = CommentOut(
                cid,
                parent_id,
                None,
                None,
                "",
                "deleted",
                _moment(created),
                _moment(edited) if edited is not None else None,
                [],
            )
            waiting[cid] = (out, parent_id)
        else:
            left_out.add(cid)
    return top


def _place_waiting(
    top: list[CommentOut],
    placed: dict[int, CommentOut],
    waiting: dict[int, tuple[CommentOut, int | None]],
    parent_id: int | None,
) -> None:
    """Put the placeholders above a shown comment into the tree, topmost first."""
    chain: list[tuple[int, CommentOut, int | None]] = []
    while parent_id is not None and parent_id in waiting:
        out, above = waiting.pop(parent_id)
        chain.append((parent_id, out, above))
        parent_id = above
    for cid, out, above in reversed(chain):
        (placed[above].replies if above is not None and above in placed else top).append(out)
        placed[cid] = out
