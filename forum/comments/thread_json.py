"""The thread as the JSON API sends it, and the whole thread built straight into it.

The whole thread (``GET /api/articles/{slug}/comments?all=1``) is the API's biggest answer: a
thousand comments and more. It is built as the plain floor is (bench/speed_probe.py): one
indexed SELECT of columns in display order, and one pass over the rows that makes each
comment's JSON struct and hangs it under its parent, with no view objects or tree nodes in
between. Which comments are shown, and which stand as '[deleted]' above replies that are, is
the one rule of ``forum.comments.visibility`` and the nesting rule of ``forum.comments.tree``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

import msgspec
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from forum.accounts.models import ProfileVisibility, PublicName, User
from forum.articles.models import Article
from forum.comments.comment_views import PLACEHOLDER_STATUSES, VOTE_COLUMNS, author_names
from forum.comments.models import Comment, CommentStatus, CommentVote
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
"""Where ``VOTE_COLUMNS`` start in a row of a thread that has votes."""
NO_VOTES = votes_out(0, 0, 0.0, None)
"""The votes of every comment of a thread nobody voted in (one struct, only ever encoded)."""


class WholeRows(NamedTuple):
    """A whole thread's rows as ``whole_thread_rows`` read them."""

    rows: list[tuple[Any, ...]]
    """``COLUMNS`` of each comment in display order, then ``VOTE_COLUMNS`` if ``voted``."""
    voted: bool
    """Whether anyone voted in the thread (without votes, every count is 0)."""
    mine: dict[int, str]
    """The viewer's own votes in the thread, by comment, as stored."""


def whole_thread_rows(
    session: Session, article: Article, viewer: Viewer, *, sort: Sort, limit: int, voted: bool
) -> WholeRows | None:
    """Every comment of the article in display order (one indexed SELECT of columns), or None
    when there are more than ``limit`` or the order is another than the oldest first, which
    is the order the rows are written in (the caller then asks ``service.whole_thread``, which
    knows every order and bounds a thread past the limit).

    ``voted``: whether the thread has votes (``votes.thread_has_votes``). Only then are the
    counts read, and the viewer's own votes, in one more query of the thread's few votes by
    this viewer (a join of the votes into a thousand rows cost a quarter of the SELECT)."""
    if sort is not Sort.OLDEST:
        return None
    if not (viewer.moderator or thread_readable(article)):
        return WholeRows([], voted, {})
    result = session.connection().execute(
        select(*COLUMNS, *(VOTE_COLUMNS if voted else ()))
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.article_id == article.id)
        .order_by(Comment.root_seq, Comment.path)
        .limit(limit + 1)
    )
    try:
        # The driver's own tuples: no column here is converted by SQLAlchemy (``COLUMNS``; the
        # counts are plain numbers), and a thousand ``Row`` objects cost a third of the SELECT
        # (tests/comments/test_whole_thread.py compares both).
        rows: list[tuple[Any, ...]] = list(result.cursor.fetchall())
    finally:
        result.close()
    if len(rows) > limit:
        return None
    mine = _own_votes(session, article.id, viewer.user_id) if voted else {}
    return WholeRows(rows, voted, mine)


def _own_votes(session: Session, article_id: int, user_id: int | None) -> dict[int, str]:
    if user_id is None:
        return {}
    found = session.execute(
        select(CommentVote.comment_id, type_coerce(CommentVote.value, _AS_STORED)).where(
            CommentVote.article_id == article_id, CommentVote.user_id == user_id
        )
    )
    return dict(found.all())


def nest_rows(found: WholeRows, viewer: Viewer) -> list[CommentOut]:
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
    voted, mine = found.voted, found.mine
    for values in found.rows:
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
            if voted:
                up, down, score = values[VOTES_AT : VOTES_AT + 3]
                out.votes = votes_out(up, down, score, mine.get(cid))
            else:
                out.votes = NO_VOTES
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
