"""Moderators' queues under ``/moderation``: pending, reported, recently handled and appeals,
bulk decisions, deciding an appeal, and reminder mails. Thin: parse, call one service
function, answer."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from forum.accounts.auth import moderator_required
from forum.accounts.current import CurrentUser
from forum.errors import Invalid
from forum.i18n import gettext, ngettext
from forum.moderation import actions, appeals, reminders, views
from forum.moderation.actions import Act, Decision
from forum.moderation.context import Moderation
from forum.moderation.forms import (
    PER_PAGE,
    Text,
    done_many,
    done_or_already,
    parse_violation,
    selected_ids,
)
from forum.moderation.mails import VIOLATIONS
from forum.moderation.queues import TITLES, Queue, QueueFilter
from forum.moderation.reach import Moderates, Reach, moderators_only
from forum.web.forms import FormData, checked, field, safe_next
from forum.web.types import AnyRequest, PageNumber
from forum.web.unit_of_work import DbSession

BULK_ACTS = frozenset({Act.APPROVE, Act.REJECT, Act.DELETE})


def _queue_page(
    db: DbSession,
    me: CurrentUser,
    reach: Reach,
    queue: Queue,
    page: int,
    filters: tuple[str, str],
) -> Template:
    chosen = QueueFilter(article=filters[0].strip(), author=filters[1].strip())
    found = views.queue_view(
        db, queue, me, reach=reach, page=page, per_page=PER_PAGE, filters=chosen
    )
    return Template(
        "moderation/queue.html",
        context={
            "reach": reach,
            "queue": queue.value,
            "titles": {q.value: t for q, t in TITLES.items()},
            "counts": {q.value: n for q, n in found.counts.items()},
            "page": found.page,
            "filters": chosen,
            "violations": VIOLATIONS,
            "reminders": found.reminders,
            "base": "/moderation" if queue is Queue.PENDING else f"/moderation/{queue.value}",
        },
    )


def _bulk_confirmation(ids: list[int], back: str) -> Template:
    return Template(
        "moderation/confirm.html",
        context={
            "title": ngettext("Delete %(num)s comment?", "Delete %(num)s comments?", len(ids)),
            "explain": gettext("Readers will see '[deleted]' in their place."),
            "action": "/moderation/bulk",
            "fields": {"action": "delete", "confirmed": "1", "next": back},
            "ids": ids,
            # Translators: a button (verb).
            "button": ngettext("Delete %(num)s comment", "Delete %(num)s comments", len(ids)),
            "item": None,
        },
    )


def _bulk_act(data: FormData) -> Act:
    try:
        act = Act(field(data, "action"))
    except ValueError:
        raise Invalid({"action": gettext("Choose what to do.")}) from None
    if act not in BULK_ACTS:
        raise Invalid({"action": gettext("Choose approve, reject or delete.")})
    return act


class QueuePages(Controller):
    path = "/moderation"
    guards = [moderators_only]
    include_in_schema = False

    @get("/", name="moderation", sync_to_thread=True)
    def pending(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        page: PageNumber = 1,
        article: Text = "",
        author: Text = "",
    ) -> Template:
        """Comments held for review, oldest first."""
        return _queue_page(db, me, reach, Queue.PENDING, page, (article, author))

    @get("/reported", sync_to_thread=True)
    def reported(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        page: PageNumber = 1,
        article: Text = "",
        author: Text = "",
    ) -> Template:
        """Comments with open reports, longest waiting first."""
        return _queue_page(db, me, reach, Queue.REPORTED, page, (article, author))

    @get("/handled", sync_to_thread=True)
    def handled(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        page: PageNumber = 1,
        article: Text = "",
        author: Text = "",
    ) -> Template:
        """What moderators did to comments in the last days, newest first."""
        return _queue_page(db, me, reach, Queue.HANDLED, page, (article, author))

    @get("/appeals", sync_to_thread=True)
    def appeals_queue(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        page: PageNumber = 1,
        article: Text = "",
        author: Text = "",
    ) -> Template:
        """Authors' appeals against rejections and hides, oldest first."""
        return _queue_page(db, me, reach, Queue.APPEALS, page, (article, author))

    @post("/bulk", sync_to_thread=True)
    def bulk(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        data: FormData,
    ) -> Template | Redirect:
        """Approve, reject or delete the selected items (deleting asks first)."""
        back = safe_next(field(data, "next"), "/moderation")
        ids = selected_ids(data)
        act = _bulk_act(data)
        if not ids:
            flash(request, gettext("Select at least one item first."), category="warning")
            return Redirect(back, status_code=303)
        if act is Act.DELETE and not checked(data, "confirmed"):
            return _bulk_confirmation(ids, back)
        violation = parse_violation(field(data, "violation") or "spam")
        decision = Decision(
            act, violation=violation if act is Act.REJECT else None, reason=field(data, "reason")
        )
        outcomes = actions.act_on_many(db, moderation, ids, me, decision, reach=reach)
        done = [o for o in outcomes if o.ok]
        if done:
            flash(request, done_many(act, len(done)), category="success")
        for failed in (o for o in outcomes if not o.ok):
            # Translators: %(message)s says why a moderator's action on that comment failed.
            message = gettext(
                "Comment %(comment_id)s: %(message)s",
                comment_id=failed.comment_id,
                message=failed.message,
            )
            flash(request, message, category="warning")
        return Redirect(back, status_code=303)

    @post("/appeals/{appeal_id:int}", sync_to_thread=True)
    def decide_appeal(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        appeal_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Uphold a decision, or overturn it and publish the comment again."""
        outcome = field(data, "outcome")
        if outcome not in {"uphold", "overturn"}:
            raise Invalid({"outcome": gettext("Choose uphold or overturn.")})
        return done_or_already(
            request,
            safe_next(field(data, "next"), "/moderation/appeals"),
            gettext("The appeal is decided; its author has been told."),
            lambda: appeals.decide(
                db,
                moderation,
                appeal_id,
                me,
                reach=reach,
                overturn=outcome == "overturn",
                reason=field(data, "reason"),
            ),
        )

    @get("/reminders", guards=[moderator_required], sync_to_thread=True)
    def reminders_page(
        self, db: DbSession, moderation: Moderation, me: NamedDependency[CurrentUser]
    ) -> Template:
        """Whether you get a mail about items that have waited too long."""
        choice = reminders.choice(db, moderation.settings, me.id)
        return Template(
            "moderation/reminders.html",
            context={"enabled": choice.enabled, "hours": choice.hours},
        )

    @post("/reminders", guards=[moderator_required], sync_to_thread=True)
    def set_reminders(
        self, request: AnyRequest, db: DbSession, me: NamedDependency[CurrentUser], data: FormData
    ) -> Redirect:
        """Opt in or out of reminder mails."""
        enabled = checked(data, "enabled")
        reminders.set_reminders(db, me.id, enabled)
        flash(
            request,
            gettext("You will get reminder mails.")
            if enabled
            else gettext("No more reminder mails."),
            category="success",
        )
        return Redirect(safe_next(field(data, "next"), "/moderation/reminders"), status_code=303)
