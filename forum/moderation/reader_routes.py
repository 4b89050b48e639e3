"""What readers and authors do with moderation: report a comment, appeal a decision.

``/comments/{id}/report`` (any logged-in reader, once per comment) and
``/comments/{id}/appeal`` (the author, once per decision); ``POST /api/comments/{id}/reports``
for scripts and the page's JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.orm import Session

from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser, current_user
from forum.comments import service as comments
from forum.comments.service import Viewer
from forum.moderation import appeals, reports
from forum.moderation.errors import ModerationError, NotFound
from forum.moderation.mails import VIOLATIONS
from forum.moderation.models import Violation
from forum.moderation.routes import as_http, context_of
from forum.moderation.service import ban_message
from forum.moderation.standing import active_ban
from forum.web.forms import FormData, field
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]


def _me(request: AnyRequest) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # behind login_required
    return user


def _report_page(
    request: AnyRequest,
    db: Session,
    comment_id: int,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    user = _me(request)
    try:
        comment = reports.reportable(db, comment_id, user)
    except ModerationError as exc:
        raise as_http(exc) from None
    ban = active_ban(db, user.id)
    return Template(
        "moderation/report.html",
        status_code=status,
        context={
            "comment": comments.view_of(db, comment, Viewer.of(user)),
            "reasons": VIOLATIONS,
            "form": form or {},
            "error": error,
            "refusal": ban_message(ban, context_of(request).settings) if ban else None,
            "reported": reports.already_reported(db, comment.id, user.id),
        },
    )


def _appeal_page(
    request: AnyRequest,
    db: Session,
    comment_id: int,
    *,
    statement: str = "",
    error: str | None = None,
    status: int = 200,
) -> Template:
    user = _me(request)
    try:
        decision = appeals.decision_to_appeal(db, comment_id, user)
        comment = comments.get_comment(db, comment_id)
    except comments.CommentNotFound:
        raise as_http(NotFound("There is no such comment.")) from None
    except ModerationError as exc:
        raise as_http(exc) from None
    return Template(
        "moderation/appeal.html",
        status_code=status,
        context={
            "comment": comments.view_of(db, comment, Viewer.of(user)),
            "decision": decision,
            "rules": VIOLATIONS,
            "statement": statement,
            "error": error,
        },
    )


class ReaderPages(Controller):
    guards = [login_required]
    include_in_schema = False

    @get("/comments/{comment_id:int}/report", sync_to_thread=True)
    def report_form(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]
    ) -> Template:
        """Tell the moderators what is wrong with a comment."""
        return _report_page(request, db, comment_id)

    @post("/comments/{comment_id:int}/report", sync_to_thread=True)
    def report(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        """Record the report (once per reader and comment)."""
        form = {"reason": field(data, "reason"), "note": field(data, "note")}
        try:
            reason = Violation(form["reason"])
        except ValueError:
            return _report_page(
                request, db, comment_id, form=form, error="Choose a reason.", status=400
            )
        try:
            reports.file_report(
                db, context_of(request), comment_id, _me(request), reason, form["note"]
            )
        except ModerationError as exc:
            if exc.status not in {400, 409}:
                raise as_http(exc) from None
            db.rollback()
            return _report_page(
                request, db, comment_id, form=form, error=exc.message, status=exc.status
            )
        flash(request, "Thank you. The moderators will look at it.", category="success")
        return Redirect(f"/comments/{comment_id}#comment-{comment_id}", status_code=303)

    @get("/comments/{comment_id:int}/appeal", sync_to_thread=True)
    def appeal_form(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]
    ) -> Template:
        """Ask another moderator to look again at a rejection or hide of your comment."""
        return _appeal_page(request, db, comment_id)

    @post("/comments/{comment_id:int}/appeal", sync_to_thread=True)
    def appeal(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        """File the appeal (once per decision)."""
        statement = field(data, "statement")
        try:
            appeals.file_appeal(db, comment_id, _me(request), statement)
        except ModerationError as exc:
            if exc.field is None:
                raise as_http(exc) from None
            db.rollback()
            return _appeal_page(
                request, db, comment_id, statement=statement, error=exc.message, status=400
            )
        flash(
            request,
            "Your appeal is with the moderators. We will mail you their decision.",
            category="success",
        )
        return Redirect(f"/comments/{comment_id}#comment-{comment_id}", status_code=303)


class ReportIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Violation
    note: Annotated[str, msgspec.Meta(max_length=5000)] = ""


class ReportOut(msgspec.Struct):
    comment_id: int
    reason: str
    hidden: bool
    """Whether this report hid the comment (the threshold was reached)."""


class ReportApi(Controller):
    path = "/api"
    tags = ["moderation"]

    @post(
        "/comments/{comment_id:int}/reports",
        guards=[login_required],
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
    )
    def report(
        self,
        request: AnyRequest,
        db: DbSession,
        comment_id: FromPath[int],
        data: JSONBody[ReportIn],
    ) -> ReportOut:
        """Report a comment to the moderators (once per reader and comment; 409 after)."""
        try:
            report = reports.file_report(
                db, context_of(request), comment_id, _me(request), data.reason, data.note
            )
        except ModerationError as exc:
            raise HTTPException(detail=exc.message, status_code=exc.status) from None
        comment = comments.get_comment(db, comment_id)
        return ReportOut(
            comment_id=report.comment_id,
            reason=report.reason.value,
            hidden=comment.status.value == "hidden",
        )
