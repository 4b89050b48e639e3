"""Comments as a page or the API shows them: the columns a view needs, read as plain rows, and
how one row becomes a ``CommentView`` for one viewer.

Plain rows, never ORM objects: building ORM objects for a thousand comments is a third of the
thread's time (bench/analysis.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, null, select
from sqlalchemy.orm import Session

from forum.accounts.models import Role, User
from forum.accounts.profiles import profile_visible, shown_name
from forum.comments import permissions, tree
from forum.comments.models import Comment, CommentStatus, CommentVote, VoteValue
from forum.comments.visibility import Viewer, status_visible
from forum.i18n import N_, gettext

PLACEHOLDER_STATUSES = frozenset(
    {CommentStatus.DELETED, CommentStatus.HIDDEN, CommentStatus.REJECTED}
)
# Translators: the name shown on a comment whose author (a visitor) gave no name.
ANONYMOUS = N_("Anonymous")
# Translators: the name shown on a comment whose author's account was deleted.
DELETED_USER = N_("[deleted user]")
"""How a comment of an erased account is signed: stored in ``comments.author_name`` as this
English msgid (with no ``author_id``), said in the reader's language where it is shown."""


def unsigned_name(author_name: str | None) -> str:
    """The name on a comment no account stands behind: the name its visitor gave, else
    "Anonymous"; an erased account's "[deleted user]" in the reader's language."""
    if not author_name:
        return gettext(ANONYMOUS)
    if author_name == DELETED_USER:
        return gettext(DELETED_USER)
    return author_name


@dataclass(slots=True)
class CommentView:
    """One comment as a page or the API shows it."""

    id: int
    article_id: int
    parent_id: int | None
    path: str
    depth: int
    status: CommentStatus
    html: str
    created_at: datetime
    edited_at: datetime | None
    author_id: int | None
    author_username: str | None
    author_display: str
    mine: bool = False
    placeholder: bool = False
    """Shown only to keep the thread's shape: '[deleted]' instead of text and author."""
    more: int = 0
    """Replies below this comment that the page left out ("N more replies": its permalink)."""
    votes_up: int = 0
    votes_down: int = 0
    score: float = 0.0
    my_vote: VoteValue | None = None
    """The viewer's own vote on this comment."""
    author_role: Role | None = None
    """The author's role (for the moderator and admin badges); None when not shown."""
    author_login: str | None = None
    """The author's username whatever their profile settings, only to recognise the article's
    author (the OP badge): never shown; ``author_username`` is the shown link."""

    @property
    def facts(self) -> permissions.CommentFacts:
        return permissions.CommentFacts(self.author_id, self.status, self.created_at)


VIEW_COLUMNS = (
    Comment.id,
    Comment.article_id,
    Comment.parent_id,
    Comment.path,
    Comment.depth,
    Comment.status,
    Comment.body_html,
    Comment.created_at,
    Comment.edited_at,
    Comment.author_id,
    Comment.author_name,
    User.username,
    User.display_name,
    User.public_name,
    User.profile_visibility,
    User.role,
)


VOTE_COLUMNS = (Comment.votes_up, Comment.votes_down, Comment.score)
VOTES_AT = len(VIEW_COLUMNS)
"""Where a row's vote columns start: ``VOTE_COLUMNS``, then the viewer's own vote."""


def with_votes(query: Select[*tuple[Any, ...]], viewer: Viewer | None) -> Select[*tuple[Any, ...]]:
    """``query`` over comments with ``VOTE_COLUMNS`` and the viewer's own vote added (found
    by the votes' primary key; none for visitors)."""
    query = query.add_columns(*VOTE_COLUMNS)
    if viewer is None or viewer.user_id is None:
        return query.add_columns(null().label("my_vote"))
    return query.add_columns(CommentVote.value).outerjoin(
        CommentVote,
        and_(CommentVote.comment_id == Comment.id, CommentVote.user_id == viewer.user_id),
    )


def rows_query(viewer: Viewer | None = None) -> Select[*tuple[Any, ...]]:
    """The columns a view needs (``VIEW_COLUMNS`` and the votes), as plain rows."""
    return with_votes(select(*VIEW_COLUMNS).outerjoin(User, User.id == Comment.author_id), viewer)


def author_names(row: Sequence[Any], viewer: Viewer) -> tuple[str | None, str]:
    """The author's username, for the profile link (None when this viewer may not see that
    profile), and the name shown, as the author's privacy settings say (``row``: the author
    columns of ``VIEW_COLUMNS``, from ``author_id`` on)."""
    author_id, author_name, username, display_name, public_name, visibility = row
    if username is None:  # anonymous, or an erased account ('[deleted user]')
        return None, unsigned_name(author_name)
    own = viewer.user_id is not None and author_id == viewer.user_id
    linked = profile_visible(visibility, member=viewer.user_id is not None, own=own)
    return (username if linked else None), shown_name(public_name, username, display_name)


def views_of(rows: Sequence[Row[Any]], viewer: Viewer) -> list[CommentView]:
    """Rows of ``rows_query`` as views: unpacked by position and with each author's name
    worked out once, since this loop is most of a thousand-comment thread's time."""
    views = []
    authors: dict[tuple[Any, ...], tuple[str | None, str]] = {}
    me = viewer.user_id
    for row in rows:
        values: tuple[Any, ...] = tuple(row)
        cid, article_id, parent_id, path, depth, status, html, created, edited = values[:9]
        author: tuple[Any, ...] = values[9:15]
        up, down, score, my_vote = values[VOTES_AT : VOTES_AT + 4]
        author_id, role = author[0], values[15]
        shown = status_visible(viewer, status, author_id)
        names = authors.get(author)
        if names is None:
            names = authors[author] = author_names(author, viewer)
        views.append(
            CommentView(
                cid,
                article_id,
                parent_id,
                path,
                depth,
                status,
                html if shown else "",
                created,
                edited,
                author_id if shown else None,
                names[0] if shown else None,
                names[1] if shown else "",
                me is not None and author_id == me,
                not shown,
                votes_up=up if shown else 0,
                votes_down=down if shown else 0,
                score=score if shown else 0.0,
                my_vote=my_vote if shown else None,
                author_role=role if shown else None,
                author_login=author[2] if shown else None,
            )
        )
    return views


def nest_views(views: list[CommentView]) -> list[tree.Node[CommentView]]:
    """Views in path order as a tree; hidden comments stay as '[deleted]' only where the
    thread's shape needs them."""
    return tree.nest(
        views,
        path_of=lambda v: v.path,
        # A '[deleted]' top-level comment whose readable replies the page left out stays,
        # to carry its "N more replies".
        shown=lambda v: not v.placeholder or (v.more > 0 and v.status in PLACEHOLDER_STATUSES),
        placeholder=lambda v: v.status in PLACEHOLDER_STATUSES,
    )


def view_of(session: Session, comment: Comment, viewer: Viewer) -> CommentView:
    """One comment as ``viewer`` sees it (without its replies)."""
    row = session.execute(rows_query(viewer).where(Comment.id == comment.id)).one()
    return views_of([row], viewer)[0]
