"""What the moderation JSON API takes and gives (in the OpenAPI schema), and how the
services' results become those documents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from forum.comments.models import CommentStatus
from forum.moderation.actions import TO, Act, Outcome
from forum.moderation.context import REASON_MAX
from forum.moderation.log import LogRow
from forum.moderation.models import LogEntry, Violation
from forum.moderation.queues import QueueItem
from forum.moderation.users import Standing, UserAct, UserChange

Reason = Annotated[str, msgspec.Meta(max_length=REASON_MAX)]


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
    action: UserAct
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


def item_out(item: QueueItem) -> ItemOut:
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


def outcome_out(outcome: Outcome) -> ActionOut:
    return ActionOut(
        comment_id=outcome.comment_id,
        ok=outcome.ok,
        message=outcome.message,
        status=outcome.comment_status.value if outcome.comment_status else None,
        log_id=outcome.entry.id if outcome.entry else None,
    )


def done_out(comment_id: int, act: Act, entry: LogEntry) -> ActionOut:
    """One decision that took effect."""
    return outcome_out(Outcome(comment_id, True, "done", comment_status=TO[act], entry=entry))


def change_of(data: UserActionIn) -> UserChange:
    return UserChange(
        data.action,
        reason=data.reason,
        days=data.days,
        reject_all=data.reject_all,
        violation=data.violation,
    )


def user_out(found: Standing) -> UserOut:
    record = found.record
    return UserOut(
        username=found.user.username,
        banned=record.ban is not None,
        banned_until=record.ban.expires_at if record.ban else None,
        trusted=record.trusted,
        rejected=found.rejected,
    )


def log_out(row: LogRow) -> LogOut:
    entry = row.entry
    return LogOut(
        id=entry.id,
        created_at=entry.created_at,
        action=entry.action.value,
        moderator=row.actor,
        user=row.target,
        comment_id=entry.comment_id,
        article_slug=row.article_slug,
        violation=entry.violation.value if entry.violation else None,
        reason=entry.reason,
        detail=entry.detail,
    )
