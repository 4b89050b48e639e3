"""The comments part of the user-data registry (``forum.accounts.user_data``): every comment a
person wrote, with its earlier texts; on erasure deleted or kept signed '[deleted user]'; the
client addresses kept for abuse control go after their retention period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from forum.accounts.user_data import Document, iso
from forum.articles.models import Article
from forum.comments import idempotency
from forum.comments import service as comments
from forum.comments.comment_views import DELETED_USER
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment, CommentRevision, CommentStatus
from forum.db import utcnow

# DELETED_USER (comment_views) is how a comment of an erased account is signed: stored in
# ``comments.author_name`` (with no ``author_id``), so every page, feed, search hit and mail
# shows it without asking privacy.


class CommentData:
    """Comments and their revisions. Status changes go through ``hooks``, so counts,
    moderation and listeners stay right."""

    name = "comments"
    tables = ("comments", "comment_revisions", "comment_post_keys")

    def __init__(
        self, hooks: CommentHooks, *, base_url: str, client_address_retention_days: int
    ) -> None:
        self.hooks = hooks
        self.base = base_url.rstrip("/")
        self.address_retention = timedelta(days=client_address_retention_days)

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        """Every comment the user wrote, whatever its status, with the earlier texts."""
        base = self.base
        rows = session.execute(
            select(Comment, Article.slug, Article.title)
            .join(Article, Article.id == Comment.article_id)
            .where(Comment.author_id == user_id)
            .order_by(Comment.created_at, Comment.id)
        ).all()
        revisions = self._revisions(session, user_id)
        return {
            "comments": [
                {
                    "id": comment.id,
                    "url": f"{base}/comments/{comment.id}",
                    "article": {"title": title, "url": f"{base}/articles/{slug}"},
                    "in_reply_to": f"{base}/comments/{comment.parent_id}"
                    if comment.parent_id
                    else None,
                    "status": comment.status.value,
                    "created_at": iso(comment.created_at),
                    "edited_at": iso(comment.edited_at),
                    "text": comment.body_source,
                    "html": comment.body_html,
                    "client_address": comment.client_address,
                    "revisions": revisions.get(comment.id, []),
                }
                for comment, slug, title in rows
            ]
        }

    def _revisions(self, session: Session, user_id: int) -> dict[int, list[Document]]:
        found: dict[int, list[Document]] = {}
        for revision in session.scalars(
            select(CommentRevision)
            .join(Comment, Comment.id == CommentRevision.comment_id)
            .where(Comment.author_id == user_id)
            .order_by(CommentRevision.comment_id, CommentRevision.replaced_at, CommentRevision.id)
        ):
            found.setdefault(revision.comment_id, []).append(
                {
                    "text": revision.body_source,
                    "written_at": iso(revision.created_at),
                    "replaced_at": iso(revision.replaced_at),
                    "replaced_by": "you" if revision.editor_id == user_id else "a moderator",
                }
            )
        return found

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """Delete the user's comments (text and revisions too) or sign them '[deleted user]'.

        The rows stay either way, so replies keep their place: a deleted comment with replies
        is shown as '[deleted]', one without leaves the thread.
        """
        idempotency.forget_user(session, user_id)
        rows = list(session.scalars(select(Comment).where(Comment.author_id == user_id)))
        now = utcnow()
        if not keep_comments:
            for comment in rows:
                if comment.status is not CommentStatus.DELETED:
                    comments.set_status(session, self.hooks, comment, CommentStatus.DELETED)
            session.execute(
                delete(CommentRevision).where(
                    CommentRevision.comment_id.in_(
                        select(Comment.id).where(Comment.author_id == user_id)
                    )
                )
            )
        for comment in rows:  # after set_status: the search index drops the published text first
            comment.author_id = None
            comment.author_name = DELETED_USER
            comment.client_address = None
            comment.updated_at = now  # thread ETags change: cached copies show the old author
            if not keep_comments:
                comment.body_source = ""
                comment.body_html = ""
        session.flush()

    def expire(self, session: Session, *, now: datetime) -> int:
        """Forget the client address of every comment older than the retention period."""
        result = session.execute(
            update(Comment)
            .where(
                Comment.client_address.is_not(None),
                Comment.created_at < now - self.address_retention,
            )
            .values(client_address=None)
            .execution_options(synchronize_session=False)
        )
        return cast("CursorResult[Any]", result).rowcount or 0
