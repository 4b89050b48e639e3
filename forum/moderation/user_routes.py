"""Moderators' pages for users under ``/moderation/users/{username}``: their record, ban
(asking first when it is for good or rejects everything), unban, trust and untrust. Thin:
parse, call one service function, answer."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.auth import moderator_required
from forum.accounts.current import CurrentUser
from forum.errors import Invalid
from forum.i18n import N_, gettext, ngettext
from forum.moderation import users
from forum.moderation.context import Context, Moderation
from forum.moderation.forms import done_or_already, parse_violation
from forum.moderation.mails import VIOLATIONS
from forum.moderation.models import Violation
from forum.moderation.users import UserAct, UserChange
from forum.web.forms import FormData, checked, field, safe_next
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession

BAN_DAYS = {"1": 1, "7": 7, "30": 30, "365": 365, "forever": None}
DONE = {
    UserAct.UNBAN: N_("%(username)s may comment again."),
    UserAct.TRUST: N_("%(username)s is trusted."),
    UserAct.UNTRUST: N_("%(username)s is no longer trusted."),
}
"""What a moderator is told after changing a user's standing (marked)."""


def _ban_question(username: str, days: int | None, reject_all: bool) -> str:
    """The confirmation's title: "Ban ann for 7 days and reject all their comments?"."""
    if days is None and reject_all:
        return gettext(
            "Ban %(username)s for good and reject all their comments?", username=username
        )
    if days is None:
        return gettext("Ban %(username)s for good?", username=username)
    if reject_all:
        return ngettext(
            "Ban %(username)s for %(num)s day and reject all their comments?",
            "Ban %(username)s for %(num)s days and reject all their comments?",
            days,
            username=username,
        )
    return ngettext(
        "Ban %(username)s for %(num)s day?",
        "Ban %(username)s for %(num)s days?",
        days,
        username=username,
    )


def _user_page(db: Session, username: str, error: str | None = None) -> Template:
    found = users.standing(db, username)
    return Template(
        "moderation/user.html",
        status_code=400 if error else 200,
        context={
            "user": found.user,
            "record": found.record,
            "violations": VIOLATIONS,
            "error": error,
        },
    )


def _ban_request(data: FormData) -> UserChange:
    duration = field(data, "duration")
    if duration not in BAN_DAYS:
        raise Invalid({"duration": gettext("Choose how long the ban lasts.")})
    return UserChange(
        UserAct.BAN,
        reason=field(data, "reason"),
        days=BAN_DAYS[duration],
        reject_all=checked(data, "reject_all"),
        violation=parse_violation(field(data, "violation")) or Violation.ABUSE,
    )


def _ban_confirmation(username: str, duration: str, change: UserChange) -> Template:
    """A ban for good, or one that rejects every comment, is asked for twice."""
    days, reject_all = change.days, change.reject_all
    return Template(
        "moderation/confirm.html",
        context={
            "title": _ban_question(username, days, reject_all),
            "explain": gettext("Rejecting all their comments cannot be undone in one step.")
            if reject_all
            else gettext("A ban for good lasts until a moderator lifts it."),
            "action": f"/moderation/users/{username}/ban",
            "fields": {
                "duration": duration,
                "reason": change.reason,
                "violation": change.violation.value,
                "reject_all": "on" if reject_all else "",
                "confirmed": "1",
            },
            # Translators: a button that bans a user (verb).
            "button": gettext("Ban"),
            "item": None,
        },
    )


def _change(
    request: AnyRequest,
    db: Session,
    moderation: Context,
    me: CurrentUser,
    username: str,
    data: FormData,
    act: UserAct,
) -> Redirect:
    change = UserChange(act, reason=field(data, "reason"))
    return done_or_already(
        request,
        safe_next(field(data, "next"), f"/moderation/users/{username}"),
        gettext(DONE[act], username=username),
        lambda: users.change(db, moderation, username, me, change),
    )


class UserPages(Controller):
    path = "/moderation/users"
    guards = [moderator_required]
    include_in_schema = False

    @get("/{username:str}", sync_to_thread=True)
    def user(self, db: DbSession, username: FromPath[str]) -> Template:
        """A user's record, and the forms to ban or trust them."""
        return _user_page(db, username)

    @post("/{username:str}/ban", sync_to_thread=True)
    def ban(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        username: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        """Ban a user for a while or for good, optionally rejecting all their comments."""
        change = _ban_request(data)
        if (change.days is None or change.reject_all) and not checked(data, "confirmed"):
            return _ban_confirmation(username, field(data, "duration"), change)
        try:
            found = users.change(db, moderation, username, me, change)
        except Invalid as exc:
            if "reason" not in exc.errors:
                raise
            return _user_page(db, username, error=exc.errors["reason"])
        banned = gettext("%(username)s is banned.", username=username)
        if found.rejected:
            count = len(found.rejected)
            rejected = ngettext("%(num)s comment rejected.", "%(num)s comments rejected.", count)
            banned = f"{banned} {rejected}"
        flash(request, banned, category="success")
        return Redirect(f"/moderation/users/{username}", status_code=303)

    @post("/{username:str}/unban", sync_to_thread=True)
    def unban(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        username: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Lift a user's ban."""
        return _change(request, db, moderation, me, username, data, UserAct.UNBAN)

    @post("/{username:str}/trust", sync_to_thread=True)
    def trust(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        username: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Let a user's comments skip pre-moderation."""
        return _change(request, db, moderation, me, username, data, UserAct.TRUST)

    @post("/{username:str}/untrust", sync_to_thread=True)
    def untrust(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        username: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Send a user's comments through pre-moderation again."""
        return _change(request, db, moderation, me, username, data, UserAct.UNTRUST)
