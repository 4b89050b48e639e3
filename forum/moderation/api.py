"""The moderation JSON API under ``/api/moderation`` (in the OpenAPI schema): queues with
filters and paging, actions on one or many comments, appeals, users, and the audit log.

Moderators only: visitors get 401, everyone else 403. A site's moderators see and act on that
site's threads only (403 elsewhere); users are banned and trusted by the forum's moderators. A
decision that someone else took first answers 409 with who took it (the app's one error
mapping).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from forum.accounts.auth import moderator_required
from forum.accounts.current import CurrentUser
from forum.errors import NotFound
from forum.i18n import gettext
from forum.moderation import actions, appeals, log, queues, users
from forum.moderation.actions import Decision
from forum.moderation.api_schema import (
    ActionIn,
    ActionOut,
    AppealIn,
    AppealOut,
    BulkIn,
    BulkOut,
    CountsOut,
    LogPageOut,
    QueueOut,
    UserActionIn,
    UserOut,
    change_of,
    done_out,
    item_out,
    log_out,
    outcome_out,
    user_out,
)
from forum.moderation.context import Moderation
from forum.moderation.models import LogAction
from forum.moderation.queues import Queue, QueueFilter
from forum.moderation.reach import Moderates, moderators_only
from forum.settings import Settings
from forum.web.types import PageNumber
from forum.web.unit_of_work import DbSession

PerPage = Annotated[int, QueryParameter(ge=1, le=100, description="Items on a page")]


def _queue(name: str) -> Queue:
    try:
        return Queue(name)
    except ValueError:
        raise NotFound(gettext("There is no such queue.")) from None


class ModerationApi(Controller):
    path = "/api/moderation"
    guards = [moderators_only]
    tags = ["moderation"]

    @get("/queues/{queue:str}", sync_to_thread=True)
    def queue(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
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
        which = _queue(queue)
        found = queues.list_queue(
            db,
            which,
            me,
            reach=reach,
            page=page,
            per_page=per_page,
            filters=QueueFilter(article=article.strip(), author=author.strip()),
        )
        return QueueOut(
            queue=which.value,
            items=[item_out(i) for i in found.items],
            page=found.number,
            pages=found.pages,
            total=found.total,
        )

    @get("/counts", sync_to_thread=True)
    def counts(self, db: DbSession, reach: Moderates) -> CountsOut:
        """How many items are in each queue (of the threads you moderate)."""
        found = queues.counts(db, reach)
        return CountsOut(**{queue.value: n for queue, n in found.items()})

    @post("/comments/{comment_id:int}/actions", sync_to_thread=True, status_code=200)
    def act(
        self,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        comment_id: FromPath[int],
        data: JSONBody[ActionIn],
    ) -> ActionOut:
        """Approve, reject, hide, restore or delete one comment (409 if already handled)."""
        decision = Decision(
            data.action, violation=data.violation, reason=data.reason, expected=data.expected_status
        )
        entry = actions.act(db, moderation, comment_id, me, decision, reach=reach)
        return done_out(comment_id, data.action, entry)

    @post("/actions", sync_to_thread=True, status_code=200)
    def bulk(
        self,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        data: JSONBody[BulkIn],
    ) -> BulkOut:
        """The same action on several comments; each result says whether it took effect."""
        decision = Decision(data.action, violation=data.violation, reason=data.reason)
        outcomes = actions.act_on_many(db, moderation, data.comment_ids, me, decision, reach=reach)
        return BulkOut(results=[outcome_out(o) for o in outcomes])

    @post("/appeals/{appeal_id:int}", sync_to_thread=True, status_code=200)
    def decide_appeal(
        self,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        appeal_id: FromPath[int],
        data: JSONBody[AppealIn],
    ) -> AppealOut:
        """Uphold or overturn a decision an author appealed against (not your own decision)."""
        appeal = appeals.decide(
            db,
            moderation,
            appeal_id,
            me,
            reach=reach,
            overturn=data.outcome == "overturn",
            reason=data.reason,
        )
        return AppealOut(id=appeal.id, status=appeal.status.value)

    @post(
        "/users/{username:str}", guards=[moderator_required], sync_to_thread=True, status_code=200
    )
    def user_action(
        self,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        username: FromPath[str],
        data: JSONBody[UserActionIn],
    ) -> UserOut:
        """Ban (for ``days`` or for good), unban, trust or untrust a user (the forum's
        moderators: a ban holds everywhere)."""
        return user_out(users.change(db, moderation, username, me, change_of(data)))

    @get("/log", sync_to_thread=True)
    def audit_log(
        self,
        db: DbSession,
        settings: NamedDependency[Settings],
        reach: Moderates,
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
        """The audit log, newest first (read-only: there is no way to change it); a site's
        moderators read the entries about that site's threads."""
        filters = log.LogFilter(
            moderator=moderator.strip(), user=user.strip(), action=action, since=since, until=until
        )
        found = log.read(db, filters, reach=reach, page=page, per_page=per_page, tz=settings.tz)
        return LogPageOut(
            items=[log_out(row) for row in found.items],
            page=found.number,
            pages=found.pages,
            total=found.total,
        )
