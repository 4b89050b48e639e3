"""The HTML forms that change one comment: edit (within the window), delete, restore.

Each posts to one service call, the same one its JSON twin in ``forum.comments.api`` makes.
"""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.comments import permissions, service
from forum.comments.config import CommentSettings
from forum.comments.hooks import CommentHooks
from forum.comments.models import CommentStatus
from forum.comments.reading import CommentView, Viewer
from forum.comments.urls import comment_url, thread_url
from forum.db import utcnow
from forum.errors import Forbidden, Invalid
from forum.web.forms import FormData, field
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession

HELD_EDIT_NOTICE = (
    "Your edit is waiting for a moderator's approval. Until they decide, only you and the "
    "moderators see this comment."
)
"""What the author is told when screening holds their edit (the comment left the thread)."""


def _own_view(
    db: Session, me: CurrentUser, comment_id: int, action: str, window: timedelta
) -> tuple[str, CommentView]:
    """The comment's text and view, if ``me`` may see it (else 404) and ``action`` ('edit',
    'delete') it."""
    comment = service.visible_comment(db, comment_id, Viewer.of(me))
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    allowed = (
        permissions.can_edit(me, facts, now=utcnow(), window=window)
        if action == "edit"
        else permissions.can_delete(me, facts)
    )
    if not allowed:
        raise Forbidden(f"You may not {action} this comment.")
    return comment.body_source, service.view_of(db, comment, Viewer.of(me))


class CommentActions(Controller):
    include_in_schema = False

    @get("/comments/{comment_id:int}/edit", sync_to_thread=True)
    def edit_form(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        comment_config: CommentSettings,
        comment_id: FromPath[int],
    ) -> Template:
        """Edit your comment (within the edit window)."""
        body, view = _own_view(db, me, comment_id, "edit", comment_config.edit_window)
        revisions = service.revisions(db, comment_id) if permissions.can_see_revisions(me) else []
        return Template(
            "comments/edit.html",
            context={"comment": view, "body": body, "error": None, "revisions": revisions},
        )

    @post("/comments/{comment_id:int}/edit", sync_to_thread=True)
    def edit(
        self,
        request: AnyRequest,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        me: NamedDependency[CurrentUser],
        comment_config: CommentSettings,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        """Save the edit; the earlier text is kept as a revision. An edit that screening
        holds sends the comment back to the queue, and the author is told so."""
        body = field(data, "body")
        try:
            comment = service.edit_comment(
                db, hooks, comment_id, editor=me, body=body, window=comment_config.edit_window
            )
        except Invalid as exc:
            _, view = _own_view(db, me, comment_id, "edit", comment_config.edit_window)
            return Template(
                "comments/edit.html",
                status_code=400,
                context={"comment": view, "body": body, "error": exc.message, "revisions": []},
            )
        if comment.status is CommentStatus.PENDING and comment.author_id == me.id:
            flash(request, HELD_EDIT_NOTICE, category="info")
        return Redirect(comment_url(comment.id), status_code=303)

    @get("/comments/{comment_id:int}/delete", sync_to_thread=True)
    def delete_form(
        self, db: DbSession, me: NamedDependency[CurrentUser], comment_id: FromPath[int]
    ) -> Template:
        """Confirm deleting a comment."""
        _, view = _own_view(db, me, comment_id, "delete", timedelta(0))
        return Template("comments/delete.html", context={"comment": view})

    @post("/comments/{comment_id:int}/delete", sync_to_thread=True)
    def delete(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
    ) -> Redirect:
        """Delete a comment: '[deleted]' if it has replies, gone if not."""
        comment = service.delete_comment(db, hooks, comment_id, actor=me)
        slug = service.article_slug(db, comment.article_id)
        return Redirect(thread_url(slug, comment.parent_id), status_code=303)

    @post("/comments/{comment_id:int}/restore", sync_to_thread=True)
    def restore(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
    ) -> Redirect:
        """Restore a deleted comment (moderators)."""
        service.restore_comment(db, hooks, comment_id, actor=me)
        return Redirect(comment_url(comment_id), status_code=303)
