"""Reading the thread: which comments a viewer sees, in display order, as pages or subtrees.

The read side of the comment service (``forum.comments.service`` re-exports it). Rows are read
as plain tuples, never as ORM objects: a thread of a thousand comments is one query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    null,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session, aliased

from forum.accounts.models import Role, User
from forum.accounts.profiles import profile_visible, shown_name
from forum.articles.models import Article, CommentMode
from forum.comments import permissions, tree
from forum.comments.models import (
    TOP_LEVEL,
    Comment,
    CommentRevision,
    CommentStatus,
    CommentVote,
    VoteValue,
)
from forum.comments.visibility import (
    PUBLIC,
    status_visible,
    status_where,
    thread_readable,
    visible_to,
    visible_where,
)
from forum.comments.visibility import Viewer as Viewer  # re-exported for this module's callers
from forum.db import utcnow
from forum.errors import NotFound
from forum.web.pagination import Page, check_page

PLACEHOLDER_STATUSES = frozenset(
    {CommentStatus.DELETED, CommentStatus.HIDDEN, CommentStatus.REJECTED}
)
NOT_PUBLISHED = sorted(set(CommentStatus) - {CommentStatus.PUBLISHED})
MAX_ROOTS = 1_000_000
PAGE_COMMENTS = 200
"""At most this many comments on one page (``FORUM_COMMENTS_PAGE_LIMIT``); the rest of a
thread is "N more replies", a link to its permalink."""


class Sort(StrEnum):
    """A thread's order: of its top-level comments and of the replies at every level."""

    OLDEST = "oldest"
    NEWEST = "newest"
    BEST = "best"
    """By the lower bound of the Wilson score interval of the votes (newer first on a tie)."""


class CommentNotFound(NotFound):
    """No such comment, or none this viewer may see."""

    def __init__(self, message: str = "There is no such comment.") -> None:
        super().__init__(message)


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


@dataclass(frozen=True)
class ThreadPage(Page[tree.Node[CommentView]]):
    """One page of threads: ``items`` are the top-level nodes, ``total`` counts the threads."""

    sort: Sort = Sort.OLDEST

    @property
    def nodes(self) -> list[tree.Node[CommentView]]:
        return self.items

    @property
    def total_roots(self) -> int:
        return self.total


@dataclass
class Subtree:
    article: Article
    ancestors: list[CommentView]
    nodes: list[tree.Node[CommentView]]
    focus_id: int


def effective_mode(
    article: Article, *, close_after_days: int, now: datetime | None = None
) -> CommentMode:
    """The article's comment mode, closed automatically ``close_after_days`` after its date."""
    if (
        article.comment_mode is CommentMode.OPEN
        and close_after_days > 0
        and (now or utcnow()) - article.submitted_at > timedelta(days=close_after_days)
    ):
        return CommentMode.CLOSED
    return article.comment_mode


def _root_listed(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: a top-level comment that starts a visible thread for this viewer (itself or one
    of its replies visible, by the one rule of ``forum.comments.visibility``)."""
    if viewer.moderator:
        return true()
    reply = aliased(Comment)
    has_shown_reply = exists().where(
        reply.article_id == Comment.article_id,
        reply.root_seq == Comment.root_seq,
        reply.depth > 0,
        status_where(viewer, reply),
    )
    return or_(status_where(viewer, Comment), has_shown_reply)


def _author(row: Sequence[Any], viewer: Viewer) -> tuple[str | None, str]:
    """The author's username, for the profile link (None when this viewer may not see that
    profile), and the name shown, as the author's privacy settings say (``row``: the author
    columns of ``VIEW_COLUMNS``, from ``author_id`` on)."""
    author_id, author_name, username, display_name, public_name, visibility = row
    if username is None:  # anonymous, or an erased account ('[deleted user]')
        return None, author_name or "Anonymous"
    own = viewer.user_id is not None and author_id == viewer.user_id
    linked = profile_visible(visibility, member=viewer.user_id is not None, own=own)
    return (username if linked else None), shown_name(public_name, username, display_name)


def _views(rows: Sequence[Row[Any]], viewer: Viewer) -> list[CommentView]:
    """Rows of ``VIEW_COLUMNS`` as views: unpacked by position and with each author's name
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
            names = authors[author] = _author(author, viewer)
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


def _ordered(nodes: list[tree.Node[CommentView]], sort: Sort) -> list[tree.Node[CommentView]]:
    """The nested page with its siblings at every level in ``sort`` order (paths number
    siblings in the order they were written)."""
    if sort is Sort.NEWEST:
        return tree.sort_siblings(nodes, lambda v: v.path, reverse=True)
    if sort is Sort.BEST:
        return tree.sort_siblings(nodes, lambda v: (v.score, v.path), reverse=True)
    return nodes


def _nest(views: list[CommentView], viewer: Viewer) -> list[tree.Node[CommentView]]:
    return tree.nest(
        views,
        path_of=lambda v: v.path,
        # A '[deleted]' top-level comment whose readable replies the page left out stays,
        # to carry its "N more replies".
        shown=lambda v: not v.placeholder or (v.more > 0 and v.status in PLACEHOLDER_STATUSES),
        placeholder=lambda v: v.status in PLACEHOLDER_STATUSES,
    )


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


def _rows_query(viewer: Viewer | None = None) -> Select[*tuple[Any, ...]]:
    """The columns a view needs, as plain rows: building ORM objects for a thousand comments
    is a third of the thread's time (bench/analysis.md)."""
    return with_votes(select(*VIEW_COLUMNS).outerjoin(User, User.id == Comment.author_id), viewer)


def _root_order(sort: Sort) -> tuple[Any, ...]:
    """SQL: top-level comments in ``sort`` order (each order has its index)."""
    if sort is Sort.BEST:
        return (Comment.score.desc(), Comment.root_seq.desc())
    return (Comment.root_seq.desc(),) if sort is Sort.NEWEST else (Comment.root_seq.asc(),)


def _listed_total(session: Session, article: Article, viewer: Viewer) -> int:
    """How many threads this viewer sees, without reading the thread: top-level comments are
    numbered 1..n (``root_seq``, never reused, never removed), so it is the last number, read
    from the index, less the top-level comments that are not listed (few, found through the
    article/status index). Its cost does not grow with the thread."""
    if not (viewer.moderator or thread_readable(article)):
        return 0
    last = (
        select(func.max(Comment.root_seq)).where(Comment.article_id == article.id).scalar_subquery()
    )
    if viewer.moderator:
        return session.scalar(select(last)) or 0
    unlisted = (
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.article_id == article.id,
            Comment.status.in_(NOT_PUBLISHED),
            Comment.depth == 0,
            not_(_root_listed(viewer)),
        )
        .scalar_subquery()
    )
    return session.scalar(select(func.coalesce(last, 0) - unlisted)) or 0


def _bounded_rows(
    session: Session, article: Article, viewer: Viewer, roots: Any, sort: Sort, limit: int
) -> list[Row[Any]]:
    """The page's rows with their threads in ``sort`` order, each thread in path order: every
    top-level comment of the page, and the first ``limit`` comments of its threads; each row
    carries how many comments of its thread this viewer may read (``visible``), so that what
    was left out can be counted."""
    visible = (
        func.sum(case((status_where(viewer, Comment), 1), else_=0))
        .over(partition_by=Comment.root_seq)
        .label("visible")
    )
    where = (Comment.article_id == article.id, Comment.root_seq.in_(roots))
    if sort is not Sort.BEST:
        order = (*_root_order(sort), Comment.path)
        rank = func.row_number().over(order_by=order).label("rank")
        ranked = select(Comment.id.label("cid"), rank, visible).where(*where)
    else:  # a reply ranks by its top-level comment's score, found in the same window
        top_score = func.max(case((Comment.depth == 0, Comment.score), else_=0.0))
        scored = (
            select(
                Comment.id.label("cid"),
                Comment.root_seq.label("seq"),
                Comment.path.label("path"),
                visible,
                top_score.over(partition_by=Comment.root_seq).label("top_score"),
            )
            .where(*where)
            .subquery()
        )
        order = (scored.c.top_score.desc(), scored.c.seq.desc(), scored.c.path)
        rank = func.row_number().over(order_by=order).label("rank")
        ranked = select(scored.c.cid, rank, scored.c.visible)
    page = ranked.subquery()
    return list(  # Core rows: the ORM's result machinery adds a fifth to a big thread's time
        session.connection()
        .execute(
            _rows_query(viewer)
            .add_columns(page.c.visible)
            .join(page, page.c.cid == Comment.id)
            .where(or_(page.c.rank <= limit, Comment.depth == 0))
            .order_by(page.c.rank)
        )
        .all()
    )


def _count_left_out(rows: Sequence[Row[Any]], views: list[CommentView]) -> None:
    """Mark each top-level comment with the readable replies of its thread the page left out."""
    loaded: dict[str, int] = {}
    tops: dict[str, CommentView] = {}
    for row, view in zip(rows, views, strict=True):
        top = view.path[: view.path.index(tree.SEPARATOR) + 1]
        loaded[top] = loaded.get(top, 0) + (0 if view.placeholder else 1)
        if view.depth == 0:
            tops[top] = view
            view.more = int(row.visible or 0)
    for top, view in tops.items():
        view.more = max(0, view.more - loaded[top])


def thread_page(
    session: Session,
    article: Article,
    viewer: Viewer,
    *,
    sort: Sort,
    page: int,
    per_page: int,
    max_comments: int = PAGE_COMMENTS,
) -> ThreadPage:
    """One page of an article's thread: ``per_page`` top-level comments with their replies, at
    most ``max_comments`` comments in all (a thread cut short says how many replies it left
    out), in display order; three indexed queries whatever the thread's size."""
    readable = viewer.moderator or thread_readable(article)
    listed = and_(
        Comment.article_id == article.id,
        Comment.depth == 0,
        _root_listed(viewer) if readable else false(),
    )
    total = _listed_total(session, article, viewer)
    check_page(page, per_page, total)
    roots = (
        select(Comment.root_seq)
        .where(listed, text(TOP_LEVEL) if sort is Sort.BEST else true())
        .order_by(*_root_order(sort))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .scalar_subquery()
    )
    rows = _bounded_rows(session, article, viewer, roots, sort, max_comments)
    views = _views(rows, viewer)
    _count_left_out(rows, views)
    nodes = _ordered(_nest(views, viewer), sort)
    return ThreadPage(items=nodes, number=page, per_page=per_page, total=total, sort=sort)


def whole_thread(
    session: Session, article: Article, viewer: Viewer, *, sort: Sort, limit: int
) -> ThreadPage:
    """Every thread of an article on one page, read as the plain floor is: one indexed SELECT
    of the rows in display order, nested in one pass (threads nobody may read fall out in the
    nesting). A thread of more than ``limit`` comments is the bounded page instead: every
    top-level comment, the first ``limit`` comments, and "more" where replies were left out."""
    if not (viewer.moderator or thread_readable(article)):
        return ThreadPage(items=[], number=1, per_page=1, total=0, sort=sort)
    rows = (
        session.connection()
        .execute(
            _rows_query(viewer)
            .where(Comment.article_id == article.id)
            .order_by(Comment.root_seq, Comment.path)
            .limit(limit + 1)
        )
        .all()
    )
    if len(rows) > limit:
        return thread_page(
            session, article, viewer, sort=sort, page=1, per_page=MAX_ROOTS, max_comments=limit
        )
    nodes = _ordered(_nest(_views(rows, viewer), viewer), sort)
    return ThreadPage(
        items=nodes, number=1, per_page=max(1, len(nodes)), total=len(nodes), sort=sort
    )


def thread_etag(
    session: Session, article: Article, viewer: Viewer, *, sort: Sort, page: int, extra: str = ""
) -> str:
    """A validator for one page of a thread as this viewer sees it (one indexed query)."""
    latest = session.scalar(
        select(func.max(Comment.updated_at)).where(Comment.article_id == article.id)
    )
    key = "|".join(
        str(part)
        for part in (
            article.id,
            article.updated_at.isoformat(),
            latest.isoformat() if latest else "-",
            viewer.user_id,
            viewer.moderator,
            sort.value,
            page,
            extra,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def get_comment(session: Session, comment_id: int) -> Comment:
    """The comment with this id, whatever its status, or ``CommentNotFound``."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise CommentNotFound()
    return comment


def visible_comment(session: Session, comment_id: int, viewer: Viewer) -> Comment:
    """The comment with this id if ``viewer`` may see it (``visible_to``), else
    ``CommentNotFound``: the forms that show one comment (edit, delete, report) ask this."""
    comment = session.get(Comment, comment_id)
    article = session.get(Article, comment.article_id) if comment is not None else None
    if comment is None or article is None or not visible_to(viewer, comment, article):
        raise CommentNotFound()
    return comment


def subtree(session: Session, comment_id: int, viewer: Viewer) -> Subtree:
    """A comment with its ancestors (for context) and its whole subtree, in one query.

    ``CommentNotFound`` unless ``viewer`` may see the thread (``thread_readable``, or a
    moderator) and the comment itself, or it stands as '[deleted]' above replies they see.
    """
    focus = get_comment(session, comment_id)
    article = session.get(Article, focus.article_id)
    if article is None or not (viewer.moderator or thread_readable(article)):
        raise CommentNotFound()
    ancestors = tree.ancestor_paths(focus.path)
    below = Comment.path.startswith(focus.path, autoescape=True)
    rows = session.execute(
        _rows_query(viewer)
        .where(
            Comment.article_id == focus.article_id,
            Comment.root_seq == focus.root_seq,
            or_(Comment.path.in_(ancestors), below) if ancestors else below,
        )
        .order_by(Comment.path)
    ).all()
    views = _views(rows, viewer)
    above = [v for v in views if v.path in set(ancestors)]
    nodes = _nest([v for v in views if v.path.startswith(focus.path)], viewer)
    if not nodes or nodes[0].item.id != focus.id:
        raise CommentNotFound()
    return Subtree(article=article, ancestors=above, nodes=nodes, focus_id=focus.id)


def view_of(session: Session, comment: Comment, viewer: Viewer) -> CommentView:
    """One comment as ``viewer`` sees it (without its replies)."""
    row = session.execute(_rows_query(viewer).where(Comment.id == comment.id)).one()
    return _views([row], viewer)[0]


def revisions(session: Session, comment_id: int) -> list[CommentRevision]:
    """The earlier texts of a comment, newest first (moderators read them)."""
    return list(
        session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment_id)
            .order_by(CommentRevision.replaced_at.desc())
        )
    )


def latest_published(session: Session, article_id: int, limit: int = 50) -> list[CommentView]:
    """The newest comments of an article that anyone may see (``visible_where`` for a
    visitor: none for an unpublished article or a hidden thread), for its feed."""
    rows = session.execute(
        _rows_query()
        .join(Article, Article.id == Comment.article_id)
        .where(Comment.article_id == article_id, visible_where(PUBLIC))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    ).all()
    return _views(rows, PUBLIC)


def article_slug(session: Session, article_id: int) -> str:
    """The address of the article a comment belongs to (where to go after deleting it)."""
    slug = session.scalar(select(Article.slug).where(Article.id == article_id))
    if slug is None:
        raise NotFound("There is no article at this address.")
    return slug
