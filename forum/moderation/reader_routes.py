"""What readers and authors do with moderation: report a comment, appeal a decision.

``/comments/{id}/report`` (any logged-in reader, once per comment) and
``/comments/{id}/appeal`` (the author, once per decision); ``POST /api/comments/{id}/reports``
for scripts and the page's JavaScript.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.orm import Session

from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser
from forum.comments import service as comments
from forum.comments.service import Viewer
from forum.comments.urls import thread_url
from forum.errors import Conflict, Invalid
from forum.i18n import N_, gettext
from forum.moderation import appeals, reports
from forum.moderation.context import Moderation
from forum.moderation.mails import VIOLATIONS
from forum.moderation.models import Violation
from forum.moderation.standing import active_ban
from forum.moderation.users import ban_message
from forum.settings import Settings
from forum.web.forms import FormData, field
from forum.web.rate_limits import Limit, limited
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession

HIDDEN_BY_REPORTS = N_(
    "Thank you. Enough readers have now reported this comment: it is hidden until a moderator"
    " has looked at it."
)


def _report_page(
    db: Session,
    settings: Settings,
    me: CurrentUser,
    comment_id: int,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    comment = reports.reportable(db, comment_id, me)
    ban = active_ban(db, me.id)
    return Template(
        "moderation/report.html",
        status_code=status,
        context={
            "comment": comments.view_of(db, comment, Viewer.of(me)),
            "reasons": VIOLATIONS,
            "form": form or {},
            "error": error,
            "refusal": ban_message(ban, settings) if ban else None,
            "reported": reports.already_reported(db, comment.id, me.id),
        },
    )


def _appeal_page(
    db: Session,
    me: CurrentUser,
    comment_id: int,
    *,
    statement: str = "",
    error: str | None = None,
    status: int = 200,
) -> Template:
    decision = appeals.decision_to_appeal(db, comment_id, me)
    comment = comments.get_comment(db, comment_id)
    return Template(
        "moderation/appeal.html",
        status_code=status,
        context={
            "comment": comments.view_of(db, comment, Viewer.of(me)),
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
        self,
        db: DbSession,
        settings: NamedDependency[Settings],
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
    ) -> Template:
        """Tell the moderators what is wrong with a comment."""
        return _report_page(db, settings, me, comment_id)

    @post("/comments/{comment_id:int}/report", sync_to_thread=True, opt=limited(Limit.REPORT))
    def report(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        """Record the report (once per reader and comment)."""
        form = {"reason": field(data, "reason"), "note": field(data, "note")}
        settings = moderation.settings
        try:
            reason = Violation(form["reason"])
        except ValueError:
            return _report_page(
                db,
                settings,
                me,
                comment_id,
                form=form,
                error=gettext("Choose a reason."),
                status=400,
            )
        try:
            filed = reports.file_report(db, moderation, comment_id, me, reason, form["note"])
        except (Invalid, Conflict) as exc:  # nothing was written: show the form again
            status = 400 if isinstance(exc, Invalid) else 409
            return _report_page(
                db, settings, me, comment_id, form=form, error=exc.message, status=status
            )
        if filed.hidden:  # its permalink is gone for this reader: land on the thread
            flash(request, gettext(HIDDEN_BY_REPORTS), category="success")
            return Redirect(thread_url(filed.article_slug), status_code=303)
        flash(request, gettext("Thank you. The moderators will look at it."), category="success")
        return Redirect(f"/comments/{comment_id}#comment-{comment_id}", status_code=303)

    @get("/comments/{comment_id:int}/appeal", sync_to_thread=True)
    def appeal_form(
        self, db: DbSession, me: NamedDependency[CurrentUser], comment_id: FromPath[int]
    ) -> Template:
        """Ask another moderator to look again at a rejection or hide of your comment."""
        return _appeal_page(db, me, comment_id)

    @post("/comments/{comment_id:int}/appeal", sync_to_thread=True)
    def appeal(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        """File the appeal (once per decision)."""
        statement = field(data, "statement")
        try:
            appeals.file_appeal(db, comment_id, me, statement)
        except Invalid as exc:  # nothing was written: show the form again
            return _appeal_page(
                db, me, comment_id, statement=statement, error=exc.message, status=400
            )
        flash(
            request,
            gettext("Your appeal is with the moderators. We will mail you their decision."),
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
        opt=limited(Limit.REPORT),
    )
    def report(
        self,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
        data: JSONBody[ReportIn],
    ) -> ReportOut:
        """Report a comment to the moderators (once per reader and comment; 409 after)."""
        filed = reports.file_report(db, moderation, comment_id, me, data.reason, data.note)
        return ReportOut(
            comment_id=filed.report.comment_id,
            reason=filed.report.reason.value,
            hidden=filed.hidden,
        )
