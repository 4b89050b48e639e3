"""The thread as the JSON API sends it, and the whole thread built straight into it.

The whole thread (``GET /api/articles/{slug}/comments?all=1``) is the API's biggest answer: a
thousand comments and more. It is built as the plain floor is (bench/speed_probe.py): the
rows in display order (``forum.comments.thread_rows``), and one pass over them that makes each
comment's JSON struct and hangs it under its parent, with no view objects or tree nodes in
between. Which comments are shown, and which stand as '[deleted]' above replies that are, is
the one rule of ``forum.comments.visibility`` and the nesting rule of ``forum.comments.tree``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from forum.comments.comment_views import PLACEHOLDER_STATUSES, author_names
from forum.comments.models import CommentStatus
from forum.comments.thread_rows import NO_ACCOUNT, VOTES_AT, WholeRows
from forum.comments.visibility import Viewer, status_visible
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


NO_VOTES = votes_out(0, 0, 0.0, None)
"""The votes of every comment of a thread nobody voted in (one struct, only ever encoded)."""


def nest_rows(found: WholeRows, viewer: Viewer) -> list[CommentOut]:
    """A whole thread's rows (``thread_rows.whole_thread_rows``) as nested JSON structs, in
    one pass.

    A comment this viewer may not see is left out with its replies, unless its status makes it
    a placeholder ('[deleted]'): a placeholder waits aside and joins the tree only when a reply
    below it is shown (its siblings after it come after its replies, so the order holds).
    """
    top: list[CommentOut] = []
    placed: dict[int, CommentOut] = {}
    waiting: dict[int, tuple[CommentOut, int | None]] = {}
    left_out: set[int] = set()
    authors: dict[tuple[Any, ...], tuple[str | None, str]] = {}
    accounts, voted, mine = found.accounts, found.voted, found.mine
    for values in found.rows:
        cid, parent_id, stored, html, created, edited = values[:6]
        status = STATUSES[stored]
        if parent_id in left_out:
            left_out.add(cid)
        elif status_visible(viewer, status, values[6]):
            author = values[6:VOTES_AT]
            names = authors.get(author)
            if names is None:
                account = accounts.get(author[0], NO_ACCOUNT)
                names = authors[author] = author_names((*author, *account), viewer)
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
