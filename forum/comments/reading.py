"""Reading the thread: which comments a viewer sees, in display order, a page at a time.

The read side of the comment service (``forum.comments.service`` re-exports it). Rows are read
as plain tuples, never as ORM objects: a thread of a thousand comments is one query. Views are
built in ``comment_views``, the order lives in ``ordering``, one comment's permalink in
``subtree``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session, aliased

from forum.articles.models import Article, CommentMode
from forum.comments import tree
from forum.comments.comment_lookups import (
    CommentNotFound as CommentNotFound,  # re-exported: pages.py imports it from here
)
from forum.comments.comment_views import CommentView as CommentView  # re-exported for callers
from forum.comments.comment_views import nest_views, rows_query, views_of
from forum.comments.models import TOP_LEVEL, Comment, CommentStatus
from forum.comments.ordering import Sort as Sort  # re-exported for this module's callers
from forum.comments.ordering import ordered, root_order
from forum.comments.subtree import Subtree as Subtree  # re-exported: pages.py imports it here
from forum.comments.visibility import PUBLIC, status_where, thread_readable, visible_where
from forum.comments.visibility import Viewer as Viewer  # re-exported for this module's callers
from forum.db import utcnow
from forum.web.pagination import Page, check_page

NOT_PUBLISHED = sorted(set(CommentStatus) - {CommentStatus.PUBLISHED})
MAX_ROOTS = 1_000_000
PAGE_COMMENTS = 200
"""At most this many comments on one page (``FORUM_COMMENTS_PAGE_LIMIT``); the rest of a
thread is "N more replies", a link to its permalink."""


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


def root_listed(viewer: Viewer) -> ColumnElement[bool]:
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
            not_(root_listed(viewer)),
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
        order = (*root_order(sort), Comment.path)
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
            rows_query(viewer)
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
        root_listed(viewer) if readable else false(),
    )
    total = _listed_total(session, article, viewer)
    check_page(page, per_page, total)
    roots = (
        select(Comment.root_seq)
        .where(listed, text(TOP_LEVEL) if sort is Sort.BEST else true())
        .order_by(*root_order(sort))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .scalar_subquery()
    )
    rows = _bounded_rows(session, article, viewer, roots, sort, max_comments)
    views = views_of(rows, viewer)
    _count_left_out(rows, views)
    nodes = ordered(nest_views(views), sort)
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
            rows_query(viewer)
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
    nodes = ordered(nest_views(views_of(rows, viewer)), sort)
    return ThreadPage(
        items=nodes, number=1, per_page=max(1, len(nodes)), total=len(nodes), sort=sort
    )


def latest_published(session: Session, article_id: int, limit: int = 50) -> list[CommentView]:
    """The newest comments of an article that anyone may see (``visible_where`` for a
    visitor: none for an unpublished article or a hidden thread), for its feed."""
    rows = session.execute(
        rows_query()
        .join(Article, Article.id == Comment.article_id)
        .where(Comment.article_id == article_id, visible_where(PUBLIC))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    ).all()
    return views_of(rows, PUBLIC)
