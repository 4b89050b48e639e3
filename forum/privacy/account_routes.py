"""A user's privacy rights on their account: settings (``/account/privacy``), the data export
(``/account/export``, ``GET /api/me/export``) and erasure (``/account/delete``). Thin: each
handler calls the privacy services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser, current_user
from forum.accounts.models import ProfileVisibility, PublicName, User
from forum.db import utcnow
from forum.privacy import erasure, export, mails, profile
from forum.settings import Settings
from forum.web.dates import byline_date
from forum.web.forms import FormData, checked, field
from forum.web.sessions import rotate_session
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]
COMMENT_CHOICES = {"delete": True, "keep": False}


def _me(request: AnyRequest) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the routes are guarded by login_required
    return user


def _settings(request: AnyRequest) -> Settings:
    return request.app.state.settings


def _export_response(request: AnyRequest, db: Session) -> Response[Any]:
    me = _me(request)
    try:
        document = export.export_user(
            db, me.id, base_url=_settings(request).base_url, current_login=me.login_id
        )
    except LookupError:
        raise NotFoundException("There is no such account.") from None
    name = f"forum-export-{me.username}-{utcnow().date().isoformat()}.json"
    return Response(
        document,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _end_session(request: AnyRequest) -> None:
    """Log this browser out; the session stays only to carry the next page's message."""
    request.set_session({})
    rotate_session(request.scope)


class PrivacySettingsPages(Controller):
    """Privacy settings, the export, and deleting the account."""

    path = "/account"
    include_in_schema = False
    guards = [login_required]

    def _settings_page(
        self,
        request: AnyRequest,
        db: Session,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> Template:
        return Template(
            "privacy/account_privacy.html",
            status_code=status,
            context={
                "choices": profile.choices_of(db, _me(request).id),
                "visibilities": [v.value for v in ProfileVisibility],
                "names": [n.value for n in PublicName],
                "error": error,
            },
        )

    @get("/privacy", name="account_privacy", sync_to_thread=True)
    def show(self, request: AnyRequest, db: DbSession) -> Template:
        """Privacy settings: who sees your profile, your name, comments, mails, search engines."""
        return self._settings_page(request, db)

    @post("/privacy", sync_to_thread=True)
    def save(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Save the privacy settings; they apply to every page, API answer and feed at once."""
        try:
            choices = profile.parse_choices(
                visibility=field(data, "profile_visibility"),
                public_name=field(data, "public_name"),
                list_comments=checked(data, "list_comments"),
                allow_indexing=checked(data, "allow_indexing"),
                reply_mails=checked(data, "reply_mails"),
            )
        except profile.BadChoice as exc:
            return self._settings_page(request, db, status=400, error=str(exc))
        profile.save_choices(db, _me(request).id, choices)
        flash(request, "Your privacy settings have been saved.", category="success")
        return Redirect("/account/privacy", status_code=303)

    @get("/export", name="account_export", sync_to_thread=True)
    def download(self, request: AnyRequest, db: DbSession) -> Response[Any]:
        """Download everything we hold about you, as one JSON file."""
        return _export_response(request, db)

    @get("/delete", name="account_delete", sync_to_thread=True)
    def delete_form(self, request: AnyRequest, db: DbSession) -> Template:
        """Delete your account: what goes, what stays, and the password to confirm."""
        return self._delete_page(request, db)

    def _delete_page(
        self, request: AnyRequest, db: Session, *, status: int = 200, errors: Any = None
    ) -> Template:
        me = _me(request)
        return Template(
            "privacy/delete.html",
            status_code=status,
            context={
                "pending": erasure.pending(db, me.id),
                "grace_hours": _settings(request).erasure_grace_hours,
                "username": me.username,
                "errors": errors or {},
            },
        )

    @post("/delete", sync_to_thread=True)
    def delete(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Delete the account: at once, or after the grace period (logging in cancels it)."""
        me = _me(request)
        settings = _settings(request)
        user = db.get(User, me.id)
        assert user is not None
        errors: dict[str, str] = {}
        choice = field(data, "comments")
        if choice not in COMMENT_CHOICES:
            errors["comments"] = "Choose what happens to your comments."
        if not request.app.state.accounts.passwords.verify(
            user.password_hash, field(data, "password")
        ):
            errors["password"] = "That is not your password."  # noqa: S105 - a message
        if errors:
            return self._delete_page(request, db, status=400, errors=errors)
        delete_comments = COMMENT_CHOICES[choice]
        outbox = request.app.state.outbox
        grace = timedelta(hours=settings.erasure_grace_hours)
        if grace <= timedelta(0):
            erasure.erase_account(
                db,
                me.id,
                delete_comments=delete_comments,
                hooks=request.app.state.comments.hooks,
                outbox=outbox,
                settings=settings,
            )
            _end_session(request)
            flash(request, "Your account has been deleted. Goodbye!", category="success")
            return Redirect("/", status_code=303)
        row = erasure.request_erasure(
            db, me.id, delete_comments=delete_comments, grace=grace, now=utcnow()
        )
        if user.email:
            mails.send_erasure_scheduled(
                outbox,
                db,
                settings,
                to=user.email,
                name=user.display_name,
                due_at=row.due_at,
                delete_comments=delete_comments,
            )
        _end_session(request)
        flash(
            request,
            f"Your account will be deleted on {byline_date(row.due_at, settings.tz)}. "
            "You have been logged out everywhere; to keep your account, log in before then "
            "and choose “Keep my account”.",
            category="success",
        )
        return Redirect("/", status_code=303)

    @post("/delete/cancel", sync_to_thread=True)
    def cancel(self, request: AnyRequest, db: DbSession) -> Redirect:
        """Keep the account: the waiting deletion is cancelled."""
        if erasure.cancel(db, _me(request).id):
            flash(request, "Your account will not be deleted.", category="success")
        else:
            flash(request, "No deletion of your account was waiting.", category="info")
        return Redirect("/account", status_code=303)


class PersonalDataApi(Controller):
    path = "/api/me"
    tags = ["accounts"]

    @get(
        "/export",
        guards=[login_required],
        sync_to_thread=True,
        response_description="Everything the forum holds about you (format forum-personal-data)",
    )
    def export(self, request: AnyRequest, db: DbSession) -> Response[dict[str, Any]]:
        """Everything held about the logged-in user, as the download on /account/export."""
        return _export_response(request, db)
