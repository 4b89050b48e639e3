"""One comment's permalink: the comment with its ancestors (for context) and its replies."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy.orm import Session

from forum.articles.models import Article
from forum.comments import tree
from forum.comments.comment_lookups import CommentNotFound, get_comment
from forum.comments.comment_views import CommentView, nest_views, rows_query, views_of
from forum.comments.models import Comment
from forum.comments.visibility import Viewer, thread_readable


@dataclass
class Subtree:
    article: Article
    ancestors: list[CommentView]
    nodes: list[tree.Node[CommentView]]
    focus_id: int


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
        rows_query(viewer)
        .where(
            Comment.article_id == focus.article_id,
            Comment.root_seq == focus.root_seq,
            or_(Comment.path.in_(ancestors), below) if ancestors else below,
        )
        .order_by(Comment.path)
    ).all()
    views = views_of(rows, viewer)
    above = [v for v in views if v.path in set(ancestors)]
    nodes = nest_views([v for v in views if v.path.startswith(focus.path)])
    if not nodes or nodes[0].item.id != focus.id:
        raise CommentNotFound()
    return Subtree(article=article, ancestors=above, nodes=nodes, focus_id=focus.id)
