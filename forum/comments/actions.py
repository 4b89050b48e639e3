"""The HTML forms that change one comment: edit (within the window), delete, restore.

Each posts to one service call, the same one its JSON twin in ``forum.comments.api`` makes;
edits and deletions land back in the thread with a message (``forum.comments.compose``).
"""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.comments import compose, permissions, service
from forum.comments.config import CommentConfig, CommentSettings
from forum.comments.hooks import CommentHooks
from forum.comments.reading import CommentView
from forum.comments.urls import comment_url
from forum.db import utcnow
from forum.errors import Forbidden, Invalid
from forum.i18n import gettext
from forum.web.forms import FormData, field
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession


def _own_view(
    db: Session,
    hooks: CommentHooks,
    me: CurrentUser,
    comment_id: int,
    action: str,
    window: timedelta,
) -> tuple[str, CommentView, bool]:
    """The comment's text and view, if ``me`` may see it (else 404) and ``action`` ('edit',
    'delete') it, and whether ``me`` moderates its thread."""
    found = service.get_comment(db, comment_id)
    viewer = hooks.viewer(db, me, found.article_id)
    comment = service.visible_comment(db, comment_id, viewer)
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    allowed = (
        permissions.can_edit(me, facts, moderator=viewer.moderator, now=utcnow(), window=window)
        if action == "edit"
        else permissions.can_delete(me, facts, moderator=viewer.moderator)
    )
    if not allowed:
        refusal = (
            gettext("You may not edit this comment.")
            if action == "edit"
            else gettext("You may not delete this comment.")
        )
        raise Forbidden(refusal)
    return comment.body_source, service.view_of(db, comment, viewer), viewer.moderator


def _edit_page(
    db: Session,
    hooks: CommentHooks,
    me: CurrentUser,
    comment_id: int,
    config: CommentConfig,
    *,
    body: str | None = None,
    error: str | None = None,
    preview: str | None = None,
    status_code: int = 200,
) -> Template:
    """The edit form: the text (as stored, or as sent), the time left to edit it, the earlier
    versions for moderators, and the preview or the error when there is one."""
    stored, view, moderator = _own_view(db, hooks, me, comment_id, "edit", config.edit_window)
    return Template(
        "comments/edit.html",
        status_code=status_code,
        context={
            "comment": view,
            "body": stored if body is None else body,
            "error": error,
            "preview": preview,
            "minutes_left": None
            if moderator
            else compose.minutes_left(view.created_at, config.edit_window, utcnow()),
            "revisions": service.revisions(db, comment_id)
            if permissions.can_see_revisions(me, moderator=moderator)
            else [],
        },
    )


class CommentActions(Controller):
    include_in_schema = False

    @get("/comments/{comment_id:int}/edit", sync_to_thread=True)
    def edit_form(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        me: NamedDependency[CurrentUser],
        comment_config: CommentSettings,
        comment_id: FromPath[int],
    ) -> Template:
        """Edit your comment (within the edit window, whose time left it shows)."""
        return _edit_page(db, hooks, me, comment_id, comment_config)

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
        """Save the edit (the earlier text is kept as a revision) and go back to the thread
        at the comment. An edit that screening holds sends the comment back to the queue,
        and the author is told why. The Preview button's ``action`` saves nothing."""
        body = field(data, "body")
        preview = field(data, "action") == compose.PREVIEW_ACTION
        try:
            if preview:
                _own_view(db, hooks, me, comment_id, "edit", comment_config.edit_window)
                html = compose.preview(body)
                if compose.wants_fragment(request):
                    return compose.fragment(preview_html=html)
                return _edit_page(
                    db, hooks, me, comment_id, comment_config, body=body, preview=html
                )
            comment = service.edit_comment(
                db, hooks, comment_id, editor=me, body=body, window=comment_config.edit_window
            )
        except Invalid as exc:
            if compose.wants_fragment(request):
                return compose.fragment(error=exc.message, status_code=400)
            return _edit_page(
                db,
                hooks,
                me,
                comment_id,
                comment_config,
                body=body,
                error=exc.message,
                status_code=400,
            )
        done = compose.outcome(request, db, hooks, comment_config, comment, viewer=me, edited=True)
        if compose.wants_fragment(request):
            return compose.fragment(done=done)
        compose.tell(request, done)
        return Redirect(done.location, status_code=303)

    @get("/comments/{comment_id:int}/delete", sync_to_thread=True)
    def delete_form(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
    ) -> Template:
        """Confirm deleting a comment."""
        _, view, _ = _own_view(db, hooks, me, comment_id, "delete", timedelta(0))
        return Template("comments/delete.html", context={"comment": view})

    @post("/comments/{comment_id:int}/delete", sync_to_thread=True)
    def delete(
        self,
        request: AnyRequest,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        me: NamedDependency[CurrentUser],
        comment_config: CommentSettings,
        comment_id: FromPath[int],
    ) -> Template | Redirect:
        """Delete a comment: '[deleted]' if it has replies, gone if not; back to the thread
        where it was (or its parent), told which."""
        comment = service.delete_comment(db, hooks, comment_id, actor=me)
        done = compose.deleted_outcome(request, db, hooks, comment_config, comment, viewer=me)
        if compose.wants_fragment(request):
            return compose.fragment(done=done)
        compose.tell(request, done)
        return Redirect(done.location, status_code=303)

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
