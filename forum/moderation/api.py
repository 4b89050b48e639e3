"""The moderation JSON API under ``/api/moderation`` (in the OpenAPI schema): queues with
filters and paging, actions on one or many comments, appeals, users, and the audit log.

Moderators and admins only: visitors get 401, everyone else 403. A decision that someone
else took first answers 409 with who took it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter

from forum.accounts.auth import moderator_required
from forum.comments.models import CommentStatus
from forum.moderation import appeals, log, queues, service
from forum.moderation.errors import ModerationError
from forum.moderation.models import LogAction, Violation
from forum.moderation.queues import Queue, QueueFilter, QueueItem
from forum.moderation.routes import as_http, context_of, me
from forum.moderation.service import Act, Decision
from forum.moderation.standing import records
from forum.web.pagination import MAX_PAGE, PageOutOfRange
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="Page number")]
PerPage = Annotated[int, QueryParameter(ge=1, le=100, description="Items on a page")]
Text = Annotated[str, QueryParameter(max_length=200)]
Reason = Annotated[str, msgspec.Meta(max_length=service.REASON_MAX)]


class ReportOut(msgspec.Struct):
    reason: str
    note: str
    created_at: datetime
    reporter: str | None
    open: bool


class HoldOut(msgspec.Struct):
    rule: str
    detail: str


class AuthorOut(msgspec.Struct):
    username: str
    display_name: str
    joined: datetime
    email_verified: bool
    approved: int
    rejected: int
    pending: int
    reported: int
    trusted: bool
    banned: bool
    banned_until: datetime | None
    """Null with ``banned`` true: for good."""


class ItemOut(msgspec.Struct):
    comment_id: int
    status: str
    html: str
    body: str
    created_at: datetime
    article_slug: str
    article_title: str
    parent_id: int | None
    parent_body: str | None
    author_name: str
    author: AuthorOut | None
    since: datetime
    age_seconds: int
    reports: list[ReportOut]
    held: list[HoldOut]
    locked: bool
    handled_action: str | None = None
    handled_by: str | None = None
    appeal_id: int | None = None
    appeal_statement: str | None = None
    may_decide: bool = True


class QueueOut(msgspec.Struct):
    queue: str
    items: list[ItemOut]
    page: int
    pages: int
    total: int


class CountsOut(msgspec.Struct):
    pending: int
    reported: int
    handled: int
    appeals: int


class ActionIn(msgspec.Struct, forbid_unknown_fields=True):
    action: Act
    violation: Violation | None = None
    """Required for reject and hide: the rule the comment breaks (sent to its author)."""
    reason: Reason = ""
    expected_status: CommentStatus | None = None
    """The status you saw; if it has changed since, nothing is done (409)."""


class ActionOut(msgspec.Struct):
    comment_id: int
    ok: bool
    message: str
    status: str | None = None
    log_id: int | None = None


class BulkIn(msgspec.Struct, forbid_unknown_fields=True):
    action: Act
    comment_ids: Annotated[
        list[Annotated[int, msgspec.Meta(ge=1)]], msgspec.Meta(min_length=1, max_length=100)
    ]
    violation: Violation | None = None
    reason: Reason = ""


class BulkOut(msgspec.Struct):
    results: list[ActionOut]


class LogOut(msgspec.Struct):
    id: int
    created_at: datetime
    action: str
    moderator: str | None
    user: str | None
    comment_id: int | None
    article_slug: str | None
    violation: str | None
    reason: str
    detail: str


class LogPageOut(msgspec.Struct):
    items: list[LogOut]
    page: int
    pages: int
    total: int


class AppealIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["uphold", "overturn"]
    reason: Reason = ""


class AppealOut(msgspec.Struct):
    id: int
    status: str


class UserActionIn(msgspec.Struct, forbid_unknown_fields=True):
    action: Literal["ban", "unban", "trust", "untrust"]
    reason: Reason = ""
    days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None
    """For a ban: how long; null for good."""
    reject_all: bool = False
    """For a ban: reject every comment of theirs that is still up or waiting."""
    violation: Violation = Violation.ABUSE


class UserOut(msgspec.Struct):
    username: str
    banned: bool
    banned_until: datetime | None
    trusted: bool
    rejected: list[int]


def _item_out(item: QueueItem) -> ItemOut:
    author = item.author
    return ItemOut(
        comment_id=item.comment.id,
        status=item.comment.status.value,
        html=item.comment.body_html,
        body=item.comment.body_source,
        created_at=item.comment.created_at,
        article_slug=item.article.slug,
        article_title=item.article.title,
        parent_id=item.comment.parent_id,
        parent_body=item.parent.body_source if item.parent else None,
        author_name=item.author_name,
        author=AuthorOut(
            username=author.username,
            display_name=author.display_name,
            joined=author.joined,
            email_verified=author.email_verified,
            approved=author.approved,
            rejected=author.rejected,
            pending=author.pending,
            reported=author.reported,
            trusted=author.trusted,
            banned=author.ban is not None,
            banned_until=author.ban.expires_at if author.ban else None,
        )
        if author
        else None,
        since=item.since,
        age_seconds=int(item.age.total_seconds()),
        reports=[
            ReportOut(r.reason.value, r.note, r.created_at, r.reporter, r.open)
            for r in item.reports
        ],
        held=[HoldOut(h.rule.value, h.detail) for h in item.held],
        locked=item.locked,
        handled_action=item.entry.entry.action.value if item.entry else None,
        handled_by=item.entry.actor if item.entry else None,
        appeal_id=item.appeal.id if item.appeal else None,
        appeal_statement=item.appeal.statement if item.appeal else None,
        may_decide=item.may_decide,
    )


def _outcome_out(outcome: service.Outcome) -> ActionOut:
    return ActionOut(
        comment_id=outcome.comment_id,
        ok=outcome.ok,
        message=outcome.message,
        status=outcome.comment_status.value if outcome.comment_status else None,
        log_id=outcome.entry.id if outcome.entry else None,
    )


class ModerationApi(Controller):
    path = "/api/moderation"
    guards = [moderator_required]
    tags = ["moderation"]

    @get("/queues/{queue:str}", sync_to_thread=True)
    def queue(
        self,
        request: AnyRequest,
        db: DbSession,
        queue: FromPath[str],
        page: PageNumber = 1,
        per_page: PerPage = 20,
        article: Annotated[
            str, QueryParameter(max_length=200, description="An article's slug")
        ] = "",
        author: Annotated[
            str, QueryParameter(max_length=200, description="The author's username")
        ] = "",
    ) -> QueueOut:
        """One queue (pending, reported, handled or appeals), oldest first, with context."""
        try:
            which = Queue(queue)
        except ValueError:
            raise NotFoundException("There is no such queue.") from None
        try:
            found = queues.list_queue(
                db,
                which,
                me(request),
                page=page,
                per_page=per_page,
                filters=QueueFilter(article=article.strip(), author=author.strip()),
            )
        except PageOutOfRange as exc:
            raise NotFoundException(str(exc)) from None
        return QueueOut(
            queue=which.value,
            items=[_item_out(i) for i in found.items],
            page=found.number,
            pages=found.pages,
            total=found.total,
        )

    @get("/counts", sync_to_thread=True)
    def counts(self, db: DbSession) -> CountsOut:
        """How many items are in each queue."""
        found = queues.counts(db)
        return CountsOut(**{queue.value: n for queue, n in found.items()})

    @post("/comments/{comment_id:int}/actions", sync_to_thread=True, status_code=200)
    def act(
        self,
        request: AnyRequest,
        db: DbSession,
        comment_id: FromPath[int],
        data: JSONBody[ActionIn],
    ) -> ActionOut:
        """Approve, reject, hide, restore or delete one comment (409 if already handled)."""
        decision = Decision(
            data.action, violation=data.violation, reason=data.reason, expected=data.expected_status
        )
        try:
            entry = service.act(db, context_of(request), comment_id, me(request), decision)
        except ModerationError as exc:
            raise as_http(exc) from None
        return _outcome_out(
            service.Outcome(
                comment_id, True, "done", comment_status=service.TO[data.action], entry=entry
            )
        )

    @post("/actions", sync_to_thread=True, status_code=200)
    def bulk(self, request: AnyRequest, db: DbSession, data: JSONBody[BulkIn]) -> BulkOut:
        """The same action on several comments; each result says whether it took effect."""
        decision = Decision(data.action, violation=data.violation, reason=data.reason)
        if data.action in service.NEEDS_VIOLATION and data.violation is None:
            raise HTTPException(detail="Say which rule the comments break.", status_code=400)
        outcomes = service.act_on_many(
            db, context_of(request), data.comment_ids, me(request), decision
        )
        return BulkOut(results=[_outcome_out(o) for o in outcomes])

    @post("/appeals/{appeal_id:int}", sync_to_thread=True, status_code=200)
    def decide_appeal(
        self,
        request: AnyRequest,
        db: DbSession,
        appeal_id: FromPath[int],
        data: JSONBody[AppealIn],
    ) -> AppealOut:
        """Uphold or overturn a decision an author appealed against (not your own decision)."""
        try:
            appeal = appeals.decide(
                db,
                context_of(request),
                appeal_id,
                me(request),
                overturn=data.outcome == "overturn",
                reason=data.reason,
            )
        except ModerationError as exc:
            raise as_http(exc) from None
        return AppealOut(id=appeal.id, status=appeal.status.value)

    @post("/users/{username:str}", sync_to_thread=True, status_code=200)
    def user_action(
        self,
        request: AnyRequest,
        db: DbSession,
        username: FromPath[str],
        data: JSONBody[UserActionIn],
    ) -> UserOut:
        """Ban (for ``days`` or for good), unban, trust or untrust a user."""
        ctx = context_of(request)
        actor = me(request)
        rejected: list[int] = []
        try:
            if data.action == "ban":
                result = service.ban(
                    db,
                    ctx,
                    username,
                    actor,
                    service.BanRequest(
                        reason=data.reason,
                        days=data.days,
                        reject_all=data.reject_all,
                        violation=data.violation,
                    ),
                )
                rejected = result.rejected
            elif data.action == "unban":
                service.unban(db, username, actor, data.reason)
            else:
                service.set_trust(db, username, actor, data.action == "trust", data.reason)
            user = service.find_user(db, username)
        except ModerationError as exc:
            raise as_http(exc) from None
        record = records(db, {user.id})[user.id]
        return UserOut(
            username=user.username,
            banned=record.ban is not None,
            banned_until=record.ban.expires_at if record.ban else None,
            trusted=record.trusted,
            rejected=rejected,
        )

    @get("/log", sync_to_thread=True)
    def audit_log(
        self,
        request: AnyRequest,
        db: DbSession,
        page: PageNumber = 1,
        per_page: PerPage = 50,
        moderator: Annotated[
            str, QueryParameter(max_length=200, description="Moderator's username")
        ] = "",
        user: Annotated[
            str, QueryParameter(max_length=200, description="Username the action was about")
        ] = "",
        action: Annotated[LogAction | None, QueryParameter()] = None,
        since: Annotated[date | None, QueryParameter(description="From this day on")] = None,
        until: Annotated[
            date | None, QueryParameter(description="Up to and including this day")
        ] = None,
    ) -> LogPageOut:
        """The audit log, newest first (read-only: there is no way to change it)."""
        filters = log.LogFilter(
            moderator=moderator.strip(), user=user.strip(), action=action, since=since, until=until
        )
        try:
            found = log.read(
                db, filters, page=page, per_page=per_page, tz=context_of(request).settings.tz
            )
        except PageOutOfRange as exc:
            raise NotFoundException(str(exc)) from None
        return LogPageOut(
            items=[
                LogOut(
                    id=row.entry.id,
                    created_at=row.entry.created_at,
                    action=row.entry.action.value,
                    moderator=row.actor,
                    user=row.target,
                    comment_id=row.entry.comment_id,
                    article_slug=row.article_slug,
                    violation=row.entry.violation.value if row.entry.violation else None,
                    reason=row.entry.reason,
                    detail=row.entry.detail,
                )
                for row in found.items
            ],
            page=found.number,
            pages=found.pages,
            total=found.total,
        )
