"""Moderators' pages for one comment under ``/moderation/comments/{id}``: its record, the
one-click decisions, deleting (after a confirmation), editing, and locking the thread below.
Thin: parse, call one service function, answer."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.errors import Invalid
from forum.i18n import gettext
from forum.moderation import actions, threads, views
from forum.moderation.actions import Act, Decision
from forum.moderation.context import Context, Moderation
from forum.moderation.forms import (
    done,
    done_or_already,
    item_url,
    parse_status,
    parse_violation,
)
from forum.moderation.mails import VIOLATIONS
from forum.moderation.reach import Moderates, Reach, moderators_only
from forum.settings import Settings
from forum.web.forms import FormData, field, safe_next
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession


def _decide(
    request: AnyRequest,
    db: Session,
    moderation: Context,
    me: CurrentUser,
    reach: Reach,
    comment_id: int,
    data: FormData,
    act: Act,
) -> Redirect:
    decision = Decision(
        act,
        violation=parse_violation(field(data, "violation")),
        reason=field(data, "reason"),
        expected=parse_status(field(data, "expected")),
    )
    return done_or_already(
        request,
        safe_next(field(data, "next"), item_url(comment_id)),
        done(act, comment_id),
        lambda: actions.act(db, moderation, comment_id, me, decision, reach=reach),
    )


class CommentPages(Controller):
    path = "/moderation/comments"
    guards = [moderators_only]
    include_in_schema = False

    @get("/{comment_id:int}", sync_to_thread=True)
    def comment(
        self,
        db: DbSession,
        settings: NamedDependency[Settings],
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
    ) -> Template:
        """One comment with its context, its author's record, reports and earlier texts."""
        found = views.item_view(db, comment_id, me, reach, settings.tz)
        return Template(
            "moderation/comment.html",
            context={
                "reach": reach,
                "item": found.item,
                "violations": VIOLATIONS,
                "history": found.history,
                "revisions": found.revisions,
            },
        )

    @post("/{comment_id:int}/approve", sync_to_thread=True)
    def approve(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Publish a held or hidden comment, or dismiss the reports on a published one."""
        return _decide(request, db, moderation, me, reach, comment_id, data, Act.APPROVE)

    @post("/{comment_id:int}/reject", sync_to_thread=True)
    def reject(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Reject a comment for breaking a rule; the author is told why and may appeal."""
        return _decide(request, db, moderation, me, reach, comment_id, data, Act.REJECT)

    @post("/{comment_id:int}/hide", sync_to_thread=True)
    def hide(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Take a comment out of view; the author is told why and may appeal."""
        return _decide(request, db, moderation, me, reach, comment_id, data, Act.HIDE)

    @post("/{comment_id:int}/restore", sync_to_thread=True)
    def restore(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Publish a hidden, rejected or deleted comment again."""
        return _decide(request, db, moderation, me, reach, comment_id, data, Act.RESTORE)

    @get("/{comment_id:int}/delete", sync_to_thread=True)
    def delete_form(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
    ) -> Template:
        """Confirm deleting a comment."""
        found = views.find_item(db, comment_id, me, reach)
        return Template(
            "moderation/confirm.html",
            context={
                "title": gettext("Delete this comment?"),
                "explain": gettext("Its author and readers will see '[deleted]' in its place."),
                "action": f"/moderation/comments/{comment_id}/delete",
                "fields": {
                    "expected": found.comment.status.value,
                    "next": f"/articles/{found.article.slug}#comments",
                },
                # Translators: a button that deletes a comment (verb).
                "button": gettext("Delete"),
                "item": found,
            },
        )

    @post("/{comment_id:int}/delete", sync_to_thread=True)
    def delete(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Delete a comment (a moderator can restore it)."""
        return _decide(request, db, moderation, me, reach, comment_id, data, Act.DELETE)

    @get("/{comment_id:int}/edit", sync_to_thread=True)
    def edit_form(
        self,
        db: DbSession,
        settings: NamedDependency[Settings],
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
    ) -> Template:
        """Edit someone's comment on a thread you moderate; the earlier text is kept."""
        found = views.item_view(db, comment_id, me, reach, settings.tz)
        return Template(
            "moderation/edit.html",
            context={
                "reach": reach,
                "item": found.item,
                "body": found.item.comment.body_source,
                "error": None,
                "revisions": found.revisions,
            },
        )

    @post("/{comment_id:int}/edit", sync_to_thread=True)
    def edit(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        """Save a moderator's edit and log it (the form again if the text will not do)."""
        body = field(data, "body")
        try:
            actions.edit(db, moderation, comment_id, me, body, field(data, "reason"), reach=reach)
        except Invalid as exc:  # nothing was written: show the form with the message
            return Template(
                "moderation/edit.html",
                status_code=400,
                context={
                    "reach": reach,
                    "item": views.find_item(db, comment_id, me, reach),
                    "body": body,
                    "error": exc.message,
                    "revisions": [],
                },
            )
        edited = gettext("The comment was edited; the earlier text is kept.")
        flash(request, edited, category="success")
        return Redirect(f"/comments/{comment_id}#comment-{comment_id}", status_code=303)

    @post("/{comment_id:int}/lock", sync_to_thread=True)
    def lock(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """No new replies below this comment."""
        return done_or_already(
            request,
            safe_next(field(data, "next"), item_url(comment_id)),
            gettext("The thread below this comment is locked."),
            lambda: threads.lock(db, comment_id, me, field(data, "reason"), reach=reach),
        )

    @post("/{comment_id:int}/unlock", sync_to_thread=True)
    def unlock(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Allow replies below this comment again."""
        return done_or_already(
            request,
            safe_next(field(data, "next"), item_url(comment_id)),
            gettext("The thread is open for replies again."),
            lambda: threads.unlock(db, comment_id, me, field(data, "reason"), reach=reach),
        )
