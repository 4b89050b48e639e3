"""Where a reader lands after posting, replying, editing or deleting: the page of the article
that shows the comment, scrolled to it, so that they stay in the thread.

A comment the reader no longer sees (their reply deleted without replies of its own, a
visitor's comment waiting for a moderator) lands on the nearest comment above it that they
see, or on the top of the thread. A comment the article page does not show (deeper than the
page indents, or past the page's comment limit) lands on its own permalink.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from forum.articles.models import Article
from forum.articles.urls import article_url
from forum.comments.comment_views import PLACEHOLDER_STATUSES
from forum.comments.models import Comment
from forum.comments.reading import Sort, root_listed
from forum.comments.urls import comment_url
from forum.comments.visibility import Viewer, status_visible, status_where, thread_readable


@dataclass(frozen=True)
class ThreadLayout:
    """How the reader's article page lays out the thread (their sort, the page sizes)."""

    sort: Sort
    per_page: int
    max_comments: int
    max_depth: int
    """Comments this deep or deeper continue on a permalink ("Continue this thread")."""


def landing_url(session: Session, comment: Comment, viewer: Viewer, layout: ThreadLayout) -> str:
    """The address that shows ``comment`` (or what is left of its place) to ``viewer``."""
    article = session.get(Article, comment.article_id)
    assert article is not None  # a comment's article is never deleted before it
    target: Comment | None = comment
    while target is not None and not _shown(session, target, viewer):
        target = session.get(Comment, target.parent_id) if target.parent_id else None
    if target is None or not (viewer.moderator or thread_readable(article)):
        return article_url(article.slug, "comments")
    if target.depth >= layout.max_depth:
        return comment_url(target.id)
    page = _page_of(session, target, viewer, layout)
    if page is None:
        return comment_url(target.id)
    query = f"?page={page}" if page > 1 else ""
    return article_url(article.slug + query, f"comment-{target.id}")


def _shown(session: Session, comment: Comment, viewer: Viewer) -> bool:
    """Whether the thread shows ``comment`` to ``viewer``: as itself, or as '[deleted]' (a
    placeholder) above replies they see."""
    if status_visible(viewer, comment.status, comment.author_id):
        return True
    if comment.status not in PLACEHOLDER_STATUSES:
        return False
    reply = aliased(Comment)
    below = exists().where(
        reply.article_id == comment.article_id,
        reply.root_seq == comment.root_seq,
        reply.path.startswith(comment.path, autoescape=True),
        reply.id != comment.id,
        status_where(viewer, reply),
    )
    return bool(session.scalar(select(below)))


def _root_before(root: Any, target_root: Comment, sort: Sort) -> ColumnElement[bool]:
    """SQL: top-level comment ``root`` (a table or alias) comes before ``target_root`` in
    ``sort`` order (the thread page's order: ``forum.comments.reading``)."""
    if sort is Sort.BEST:
        return or_(
            root.score > target_root.score,
            and_(root.score == target_root.score, root.root_seq > target_root.root_seq),
        )
    later: ColumnElement[bool] = root.root_seq > target_root.root_seq
    earlier: ColumnElement[bool] = root.root_seq < target_root.root_seq
    return later if sort is Sort.NEWEST else earlier


def _root_order(sort: Sort) -> tuple[Any, ...]:
    if sort is Sort.BEST:
        return (Comment.score.desc(), Comment.root_seq.desc())
    return (Comment.root_seq.desc(),) if sort is Sort.NEWEST else (Comment.root_seq.asc(),)


def _page_of(session: Session, target: Comment, viewer: Viewer, layout: ThreadLayout) -> int | None:
    """The number of the thread page that shows ``target``; None when that page leaves it out
    (its thread is cut short by the page's comment limit before it: a page takes the threads
    in order, each thread's comments in path order)."""
    target_root = target
    if target.depth > 0:
        target_root = session.scalars(
            select(Comment).where(
                Comment.article_id == target.article_id,
                Comment.root_seq == target.root_seq,
                Comment.depth == 0,
            )
        ).one()
    listed = and_(Comment.article_id == target.article_id, Comment.depth == 0, root_listed(viewer))
    before = _root_before(Comment, target_root, layout.sort)
    earlier = session.scalar(select(func.count()).select_from(Comment).where(listed, before)) or 0
    page = earlier // layout.per_page + 1
    if target.depth == 0:
        return page
    roots = (
        select(Comment.root_seq)
        .where(listed)
        .order_by(*_root_order(layout.sort))
        .limit(layout.per_page)
        .offset((page - 1) * layout.per_page)
        .scalar_subquery()
    )
    top = aliased(Comment)
    ahead = session.scalar(
        select(func.count())
        .select_from(Comment)
        .join(
            top,
            and_(
                top.article_id == Comment.article_id,
                top.root_seq == Comment.root_seq,
                top.depth == 0,
            ),
        )
        .where(
            Comment.article_id == target.article_id,
            Comment.root_seq.in_(roots),
            or_(
                _root_before(top, target_root, layout.sort),
                and_(Comment.root_seq == target.root_seq, Comment.path < target.path),
            ),
        )
    )
    return page if (ahead or 0) < layout.max_comments else None
