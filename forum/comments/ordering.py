"""A thread's display order: the ``Sort`` a reader picks and what it means for the top-level
comments (in SQL, each order with its index) and for the replies at every level."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from forum.comments import tree
from forum.comments.comment_views import CommentView
from forum.comments.models import Comment


class Sort(StrEnum):
    """A thread's order: of its top-level comments and of the replies at every level."""

    OLDEST = "oldest"
    NEWEST = "newest"
    BEST = "best"
    """By the lower bound of the Wilson score interval of the votes (newer first on a tie)."""


def root_order(sort: Sort) -> tuple[Any, ...]:
    """SQL: top-level comments in ``sort`` order (each order has its index)."""
    if sort is Sort.BEST:
        return (Comment.score.desc(), Comment.root_seq.desc())
    return (Comment.root_seq.desc(),) if sort is Sort.NEWEST else (Comment.root_seq.asc(),)


def ordered(nodes: list[tree.Node[CommentView]], sort: Sort) -> list[tree.Node[CommentView]]:
    """The nested page with its siblings at every level in ``sort`` order (paths number
    siblings in the order they were written)."""
    if sort is Sort.NEWEST:
        return tree.sort_siblings(nodes, lambda v: v.path, reverse=True)
    if sort is Sort.BEST:
        return tree.sort_siblings(nodes, lambda v: (v.score, v.path), reverse=True)
    return nodes
