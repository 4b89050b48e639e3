"""Single comments by id, as the forms that act on one comment (edit, delete, report) and
the pages after them ask for them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.articles.models import Article
from forum.comments.models import Comment, CommentRevision
from forum.comments.visibility import Viewer, visible_to
from forum.errors import NotFound
from forum.i18n import gettext


class CommentNotFound(NotFound):
    """No such comment, or none this viewer may see."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or gettext("There is no such comment."))


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


def revisions(session: Session, comment_id: int) -> list[CommentRevision]:
    """The earlier texts of a comment, newest first (moderators read them)."""
    return list(
        session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment_id)
            .order_by(CommentRevision.replaced_at.desc())
        )
    )


def article_slug(session: Session, article_id: int) -> str:
    """The address of the article a comment belongs to (where to go after deleting it)."""
    slug = session.scalar(select(Article.slug).where(Article.id == article_id))
    if slug is None:
        raise NotFound(gettext("There is no article at this address."))
    return slug
