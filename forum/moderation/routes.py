"""Moderators' pages under ``/moderation``: the queues, one-click actions, bulk actions,
threads, articles, users, appeals, the audit log and reminder mails. Thin: parse, call the
service, answer. Every handler refuses readers (403) and visitors (login)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.auth import moderator_required
from forum.accounts.current import CurrentUser, current_user
from forum.articles.models import CommentMode
from forum.comments import service as comments
from forum.comments.models import CommentStatus
from forum.moderation import appeals, log, queues, reminders, service
from forum.moderation import policy as policies
from forum.moderation.errors import AlreadyHandled, ModerationError
from forum.moderation.mails import VIOLATIONS
from forum.moderation.models import LogAction, Violation
from forum.moderation.queues import Queue, QueueFilter
from forum.moderation.service import Act, Context, Decision
from forum.moderation.standing import records
from forum.web.forms import FormData, checked, field, safe_next
from forum.web.pagination import MAX_PAGE, PageOutOfRange
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="Page number")]
Text = Annotated[str, QueryParameter(max_length=200)]
PER_PAGE = 20
LOG_PER_PAGE = 50
DONE = {
    Act.APPROVE: "approved",
    Act.REJECT: "rejected",
    Act.HIDE: "hidden",
    Act.RESTORE: "restored",
    Act.DELETE: "deleted",
}
BAN_DAYS = {"1": 1, "7": 7, "30": 30, "365": 365, "forever": None}


def context_of(request: AnyRequest) -> Context:
    return request.app.state.moderation


def me(request: AnyRequest) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # behind moderator_required
    return user


def as_http(exc: ModerationError) -> HTTPException:
    return HTTPException(detail=exc.message, status_code=exc.status)


def parse_violation(raw: str) -> Violation | None:
    try:
        return Violation(raw) if raw else None
    except ValueError:
        raise HTTPException(detail="That is not a rule of this site.", status_code=400) from None


def parse_status(raw: str) -> CommentStatus | None:
    try:
        return CommentStatus(raw) if raw else None
    except ValueError:
        raise HTTPException(detail="That is not a comment status.", status_code=400) from None


def _ids(data: dict[str, Any]) -> list[int]:
    raw = data.get("ids", [])
    values = raw if isinstance(raw, list) else [raw]
    ids = []
    for value in values[:200]:
        if isinstance(value, str) and value.isdigit() and 0 < int(value) < 2**62:
            ids.append(int(value))
    return ids


def _item_url(comment_id: int) -> str:
    return f"/moderation/comments/{comment_id}"


class ModerationPages(Controller):
    path = "/moderation"
    guards = [moderator_required]
    include_in_schema = False

    # --- queues ------------------------------------------------------------------------------

    def _queue(
        self,
        request: AnyRequest,
        db: Session,
        queue: Queue,
        page: int,
        article: str,
        author: str,
    ) -> Template:
        user = me(request)
        filters = QueueFilter(article=article.strip(), author=author.strip())
        try:
            items = queues.list_queue(
                db, queue, user, page=page, per_page=PER_PAGE, filters=filters
            )
        except PageOutOfRange as exc:
            raise NotFoundException(str(exc)) from None
        return Template(
            "moderation/queue.html",
            context={
                "queue": queue.value,
                "titles": {q.value: t for q, t in queues.TITLES.items()},
                "counts": {q.value: n for q, n in queues.counts(db).items()},
                "page": items,
                "filters": filters,
                "violations": VIOLATIONS,
                "reminders": reminders.wants_reminders(db, user.id),
                "base": "/moderation" if queue is Queue.PENDING else f"/moderation/{queue.value}",
            },
        )

    @get("/", name="moderation", sync_to_thread=True)
    def pending(
        self,
        request: AnyRequest,
        db: DbSession,
        page: PageNumber = 1,
        article: Text = "",
        author: Text = "",
    ) -> Template:
        """Comments held for review, oldest first."""
        return self._queue(request, db, Queue.PENDING, page, article, author)

    @get("/reported", sync_to_thread=True)
    def reported(
        self,
        request: AnyRequest,
        db: DbSession,
        page: PageNumber = 1,
        article: Text = "",
        author: Text = "",
    ) -> Template:
        """Comments with open reports, longest waiting first."""
        return self._queue(request, db, Queue.REPORTED, page, article, author)

    @get("/handled", sync_to_thread=True)
    def handled(
        self,
        request: AnyRequest,
        db: DbSession,
        page: PageNumber = 1,
        article: Text = "",
        author: Text = "",
    ) -> Template:
        """What moderators did to comments in the last days, newest first."""
        return self._queue(request, db, Queue.HANDLED, page, article, author)

    @get("/appeals", sync_to_thread=True)
    def appeals_queue(
        self,
        request: AnyRequest,
        db: DbSession,
        page: PageNumber = 1,
        article: Text = "",
        author: Text = "",
    ) -> Template:
        """Authors' appeals against rejections and hides, oldest first."""
        return self._queue(request, db, Queue.APPEALS, page, article, author)

    # --- one comment -------------------------------------------------------------------------

    @get("/comments/{comment_id:int}", sync_to_thread=True)
    def comment(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> Template:
        """One comment with its context, its author's record, reports and earlier texts."""
        found = queues.item(db, comment_id, me(request))
        if found is None:
            raise NotFoundException("There is no such comment.")
        history = log.read(
            db,
            log.LogFilter(comment_id=comment_id),
            page=1,
            per_page=LOG_PER_PAGE,
            tz=context_of(request).settings.tz,
        )
        return Template(
            "moderation/comment.html",
            context={
                "item": found,
                "violations": VIOLATIONS,
                "history": history.items,
                "revisions": comments.revisions(db, comment_id),
            },
        )

    def _decide(
        self, request: AnyRequest, db: Session, comment_id: int, data: dict[str, Any], act: Act
    ) -> Redirect:
        back = safe_next(field(data, "next"), _item_url(comment_id))
        decision = Decision(
            act,
            violation=parse_violation(field(data, "violation")),
            reason=field(data, "reason"),
            expected=parse_status(field(data, "expected")),
        )
        try:
            service.act(db, context_of(request), comment_id, me(request), decision)
        except AlreadyHandled as exc:
            db.rollback()
            flash(request, exc.message, category="warning")
            return Redirect(back, status_code=303)
        except ModerationError as exc:
            raise as_http(exc) from None
        flash(request, f"Comment {comment_id} {DONE[act]}.", category="success")
        return Redirect(back, status_code=303)

    @post("/comments/{comment_id:int}/approve", sync_to_thread=True)
    def approve(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Redirect:
        """Publish a held or hidden comment, or dismiss the reports on a published one."""
        return self._decide(request, db, comment_id, data, Act.APPROVE)

    @post("/comments/{comment_id:int}/reject", sync_to_thread=True)
    def reject(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Redirect:
        """Reject a comment for breaking a rule; the author is told why and may appeal."""
        return self._decide(request, db, comment_id, data, Act.REJECT)

    @post("/comments/{comment_id:int}/hide", sync_to_thread=True)
    def hide(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Redirect:
        """Take a comment out of view; the author is told why and may appeal."""
        return self._decide(request, db, comment_id, data, Act.HIDE)

    @post("/comments/{comment_id:int}/restore", sync_to_thread=True)
    def restore(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Redirect:
        """Publish a hidden, rejected or deleted comment again."""
        return self._decide(request, db, comment_id, data, Act.RESTORE)

    @get("/comments/{comment_id:int}/delete", sync_to_thread=True)
    def delete_form(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]
    ) -> Template:
        """Confirm deleting a comment."""
        found = queues.item(db, comment_id, me(request))
        if found is None:
            raise NotFoundException("There is no such comment.")
        return Template(
            "moderation/confirm.html",
            context={
                "title": "Delete this comment?",
                "explain": "Its author and readers will see '[deleted]' in its place.",
                "action": f"/moderation/comments/{comment_id}/delete",
                "fields": {
                    "expected": found.comment.status.value,
                    "next": f"/articles/{found.article.slug}#comments",
                },
                "button": "Delete",
                "item": found,
            },
        )

    @post("/comments/{comment_id:int}/delete", sync_to_thread=True)
    def delete(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Redirect:
        """Delete a comment (a moderator can restore it)."""
        return self._decide(request, db, comment_id, data, Act.DELETE)

    @get("/comments/{comment_id:int}/edit", sync_to_thread=True)
    def edit_form(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> Template:
        """Edit someone's comment; the earlier text is kept."""
        found = queues.item(db, comment_id, me(request))
        if found is None:
            raise NotFoundException("There is no such comment.")
        return Template(
            "moderation/edit.html",
            context={
                "item": found,
                "body": found.comment.body_source,
                "error": None,
                "revisions": comments.revisions(db, comment_id),
            },
        )

    @post("/comments/{comment_id:int}/edit", sync_to_thread=True)
    def edit(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        """Save a moderator's edit and log it."""
        body = field(data, "body")
        try:
            service.edit(
                db, context_of(request), comment_id, me(request), body, field(data, "reason")
            )
        except ModerationError as exc:
            if exc.field is None:
                raise as_http(exc) from None
            db.rollback()
            found = queues.item(db, comment_id, me(request))
            return Template(
                "moderation/edit.html",
                status_code=400,
                context={"item": found, "body": body, "error": exc.message, "revisions": []},
            )
        flash(request, "The comment was edited; the earlier text is kept.", category="success")
        return Redirect(f"/comments/{comment_id}#comment-{comment_id}", status_code=303)

    @post("/comments/{comment_id:int}/lock", sync_to_thread=True)
    def lock(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Redirect:
        """No new replies below this comment."""
        return self._simple(
            request,
            db,
            data,
            _item_url(comment_id),
            lambda: service.lock(db, comment_id, me(request), field(data, "reason")),
            "The thread below this comment is locked.",
        )

    @post("/comments/{comment_id:int}/unlock", sync_to_thread=True)
    def unlock(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Redirect:
        """Allow replies below this comment again."""
        return self._simple(
            request,
            db,
            data,
            _item_url(comment_id),
            lambda: service.unlock(db, comment_id, me(request), field(data, "reason")),
            "The thread is open for replies again.",
        )

    def _simple(
        self,
        request: AnyRequest,
        db: Session,
        data: dict[str, Any],
        default: str,
        action: Any,
        done: str,
    ) -> Redirect:
        back = safe_next(field(data, "next"), default)
        try:
            action()
        except AlreadyHandled as exc:
            db.rollback()
            flash(request, exc.message, category="warning")
            return Redirect(back, status_code=303)
        except ModerationError as exc:
            raise as_http(exc) from None
        flash(request, done, category="success")
        return Redirect(back, status_code=303)

    # --- bulk --------------------------------------------------------------------------------

    @post("/bulk", sync_to_thread=True)
    def bulk(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Approve, reject or delete the selected items (deleting asks first)."""
        back = safe_next(field(data, "next"), "/moderation")
        ids = _ids(data)
        try:
            act = Act(field(data, "action"))
        except ValueError:
            raise HTTPException(detail="Choose what to do.", status_code=400) from None
        if act not in {Act.APPROVE, Act.REJECT, Act.DELETE}:
            raise HTTPException(detail="Choose approve, reject or delete.", status_code=400)
        if not ids:
            flash(request, "Select at least one item first.", category="warning")
            return Redirect(back, status_code=303)
        if act is Act.DELETE and not checked(data, "confirmed"):
            return Template(
                "moderation/confirm.html",
                context={
                    "title": f"Delete {len(ids)} comments?",
                    "explain": "Readers will see '[deleted]' in their place.",
                    "action": "/moderation/bulk",
                    "fields": {"action": "delete", "confirmed": "1", "next": back},
                    "ids": ids,
                    "button": f"Delete {len(ids)} comments",
                    "item": None,
                },
            )
        decision = Decision(
            act,
            violation=parse_violation(field(data, "violation") or "spam")
            if act is Act.REJECT
            else None,
            reason=field(data, "reason"),
        )
        outcomes = service.act_on_many(db, context_of(request), ids, me(request), decision)
        done = [o for o in outcomes if o.ok]
        if done:
            flash(request, f"{len(done)} comments {DONE[act]}.", category="success")
        for failed in (o for o in outcomes if not o.ok):
            flash(request, f"Comment {failed.comment_id}: {failed.message}", category="warning")
        return Redirect(back, status_code=303)

    # --- appeals -----------------------------------------------------------------------------

    @post("/appeals/{appeal_id:int}", sync_to_thread=True)
    def decide_appeal(
        self, request: AnyRequest, db: DbSession, appeal_id: FromPath[int], data: FormData
    ) -> Redirect:
        """Uphold a decision, or overturn it and publish the comment again."""
        outcome = field(data, "outcome")
        if outcome not in {"uphold", "overturn"}:
            raise HTTPException(detail="Choose uphold or overturn.", status_code=400)
        return self._simple(
            request,
            db,
            data,
            "/moderation/appeals",
            lambda: appeals.decide(
                db,
                context_of(request),
                appeal_id,
                me(request),
                overturn=outcome == "overturn",
                reason=field(data, "reason"),
            ),
            "The appeal is decided; its author has been told.",
        )

    # --- articles ----------------------------------------------------------------------------

    @get("/articles/{slug:str}", sync_to_thread=True)
    def article(self, request: AnyRequest, db: DbSession, slug: FromPath[str]) -> Template:
        """An article's comment settings: open or closed, usual rules or 'moderate all'."""
        try:
            article = service.find_article(db, slug)
        except ModerationError as exc:
            raise as_http(exc) from None
        policy = policies.load(db, context_of(request).settings)
        return Template(
            "moderation/article.html",
            context={
                "article": article,
                "moderate_all": policies.moderates_all(db, policy, article),
            },
        )

    def _article_action(
        self, request: AnyRequest, db: Session, slug: str, data: dict[str, Any], action: Any
    ) -> Redirect:
        return self._simple(
            request, db, data, f"/moderation/articles/{slug}", action, "The article is updated."
        )

    @post("/articles/{slug:str}/close", sync_to_thread=True)
    def close(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: FormData
    ) -> Redirect:
        """No new comments on the article; its thread stays readable."""
        return self._article_action(
            request,
            db,
            slug,
            data,
            lambda: service.set_comment_mode(
                db, slug, me(request), CommentMode.CLOSED, field(data, "reason")
            ),
        )

    @post("/articles/{slug:str}/reopen", sync_to_thread=True)
    def reopen(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: FormData
    ) -> Redirect:
        """Take comments on the article again."""
        return self._article_action(
            request,
            db,
            slug,
            data,
            lambda: service.set_comment_mode(
                db, slug, me(request), CommentMode.OPEN, field(data, "reason")
            ),
        )

    @post("/articles/{slug:str}/moderate-all", sync_to_thread=True)
    def moderate_all(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: FormData
    ) -> Redirect:
        """Hold every new comment on the article for review."""
        return self._article_action(
            request,
            db,
            slug,
            data,
            lambda: service.set_moderate_all(
                db, context_of(request), slug, me(request), True, field(data, "reason")
            ),
        )

    @post("/articles/{slug:str}/moderate-usual", sync_to_thread=True)
    def moderate_usual(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: FormData
    ) -> Redirect:
        """Back to the usual rules for the article's new comments."""
        return self._article_action(
            request,
            db,
            slug,
            data,
            lambda: service.set_moderate_all(
                db, context_of(request), slug, me(request), False, field(data, "reason")
            ),
        )

    # --- users -------------------------------------------------------------------------------

    @get("/users/{username:str}", sync_to_thread=True)
    def user(self, request: AnyRequest, db: DbSession, username: FromPath[str]) -> Template:
        """A user's record, and the forms to ban or trust them."""
        return self._user_page(request, db, username)

    def _user_page(
        self, request: AnyRequest, db: Session, username: str, error: str | None = None
    ) -> Template:
        try:
            user = service.find_user(db, username)
        except ModerationError as exc:
            raise as_http(exc) from None
        record = records(db, {user.id})[user.id]
        return Template(
            "moderation/user.html",
            status_code=400 if error else 200,
            context={"user": user, "record": record, "violations": VIOLATIONS, "error": error},
        )

    @post("/users/{username:str}/ban", sync_to_thread=True)
    def ban(
        self, request: AnyRequest, db: DbSession, username: FromPath[str], data: FormData
    ) -> Template | Redirect:
        """Ban a user for a while or for good, optionally rejecting all their comments."""
        duration = field(data, "duration")
        if duration not in BAN_DAYS:
            raise HTTPException(detail="Choose how long the ban lasts.", status_code=400)
        days = BAN_DAYS[duration]
        reject_all = checked(data, "reject_all")
        violation = parse_violation(field(data, "violation")) or Violation.ABUSE
        if (days is None or reject_all) and not checked(data, "confirmed"):
            return Template(
                "moderation/confirm.html",
                context={
                    "title": f"Ban {username}"
                    + (" for good" if days is None else f" for {days} days")
                    + (" and reject all their comments?" if reject_all else "?"),
                    "explain": "Rejecting all their comments cannot be undone in one step."
                    if reject_all
                    else "A ban for good lasts until a moderator lifts it.",
                    "action": f"/moderation/users/{username}/ban",
                    "fields": {
                        "duration": duration,
                        "reason": field(data, "reason"),
                        "violation": violation.value,
                        "reject_all": "on" if reject_all else "",
                        "confirmed": "1",
                    },
                    "button": "Ban",
                    "item": None,
                },
            )
        try:
            result = service.ban(
                db,
                context_of(request),
                username,
                me(request),
                service.BanRequest(
                    reason=field(data, "reason"),
                    days=days,
                    reject_all=reject_all,
                    violation=violation,
                ),
            )
        except ModerationError as exc:
            if exc.field == "reason":
                db.rollback()
                return self._user_page(request, db, username, error=exc.message)
            raise as_http(exc) from None
        rejected = f" {len(result.rejected)} comments rejected." if result.rejected else ""
        flash(request, f"{username} is banned.{rejected}", category="success")
        return Redirect(f"/moderation/users/{username}", status_code=303)

    @post("/users/{username:str}/unban", sync_to_thread=True)
    def unban(
        self, request: AnyRequest, db: DbSession, username: FromPath[str], data: FormData
    ) -> Redirect:
        """Lift a user's ban."""
        return self._simple(
            request,
            db,
            data,
            f"/moderation/users/{username}",
            lambda: service.unban(db, username, me(request), field(data, "reason")),
            f"{username} may comment again.",
        )

    @post("/users/{username:str}/trust", sync_to_thread=True)
    def trust(
        self, request: AnyRequest, db: DbSession, username: FromPath[str], data: FormData
    ) -> Redirect:
        """Let a user's comments skip pre-moderation."""
        return self._simple(
            request,
            db,
            data,
            f"/moderation/users/{username}",
            lambda: service.set_trust(db, username, me(request), True, field(data, "reason")),
            f"{username} is trusted.",
        )

    @post("/users/{username:str}/untrust", sync_to_thread=True)
    def untrust(
        self, request: AnyRequest, db: DbSession, username: FromPath[str], data: FormData
    ) -> Redirect:
        """Send a user's comments through pre-moderation again."""
        return self._simple(
            request,
            db,
            data,
            f"/moderation/users/{username}",
            lambda: service.set_trust(db, username, me(request), False, field(data, "reason")),
            f"{username} is no longer trusted.",
        )

    # --- log and reminders -------------------------------------------------------------------

    @get("/log", sync_to_thread=True)
    def audit_log(
        self,
        request: AnyRequest,
        db: DbSession,
        page: PageNumber = 1,
        moderator: Text = "",
        user: Text = "",
        action: Annotated[LogAction | None, QueryParameter()] = None,
        since: Annotated[date | None, QueryParameter()] = None,
        until: Annotated[date | None, QueryParameter()] = None,
    ) -> Template:
        """Every moderator action: who, what, on what, when and why. Read-only."""
        filters = log.LogFilter(
            moderator=moderator.strip(), user=user.strip(), action=action, since=since, until=until
        )
        try:
            entries = log.read(
                db,
                filters,
                page=page,
                per_page=LOG_PER_PAGE,
                tz=context_of(request).settings.tz,
            )
        except PageOutOfRange as exc:
            raise NotFoundException(str(exc)) from None
        query = urlencode(
            [
                (name, value)
                for name, value in (
                    ("moderator", filters.moderator),
                    ("user", filters.user),
                    ("action", action.value if action else ""),
                    ("since", since.isoformat() if since else ""),
                    ("until", until.isoformat() if until else ""),
                )
                if value
            ]
        )
        return Template(
            "moderation/log.html",
            context={
                "page": entries,
                "filters": filters,
                "actions": [a.value for a in LogAction],
                "query": query + "&" if query else "",
            },
        )

    @get("/reminders", sync_to_thread=True)
    def reminders_page(self, request: AnyRequest, db: DbSession) -> Template:
        """Whether you get a mail about items that have waited too long."""
        settings = context_of(request).settings
        return Template(
            "moderation/reminders.html",
            context={
                "enabled": reminders.wants_reminders(db, me(request).id),
                "hours": policies.load(db, settings).remind_hours,
            },
        )

    @post("/reminders", sync_to_thread=True)
    def set_reminders(self, request: AnyRequest, db: DbSession, data: FormData) -> Redirect:
        """Opt in or out of reminder mails."""
        enabled = checked(data, "enabled")
        reminders.set_reminders(db, me(request).id, enabled)
        flash(
            request,
            "You will get reminder mails." if enabled else "No more reminder mails.",
            category="success",
        )
        return Redirect(safe_next(field(data, "next"), "/moderation/reminders"), status_code=303)
