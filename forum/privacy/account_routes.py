"""A user's privacy rights on their account: settings (``/account/privacy``), the data export
(``/account/export``, ``GET /api/me/export``) and erasure (``/account/delete``). Thin: each
handler calls the privacy services."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts import credentials
from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser
from forum.accounts.models import ProfileVisibility, PublicName
from forum.accounts.passwords import Passwords
from forum.accounts.user_data import UserDataRegistry
from forum.db import utcnow
from forum.errors import Invalid
from forum.i18n import gettext
from forum.privacy import erasure as erasures
from forum.privacy import export, profile
from forum.privacy.config import PrivacyConfig
from forum.privacy.erasure import Leaving
from forum.privacy.models import ErasureRequest
from forum.settings import Settings
from forum.web.dates import byline_date
from forum.web.forms import FormData, checked, field
from forum.web.sessions import rotate_session
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession, Work

COMMENT_CHOICES = {"delete": True, "keep": False}


def _export_response(
    db: Session,
    me: CurrentUser,
    user_data: UserDataRegistry,
    settings: Settings,
) -> Response[Any]:
    document = export.export_user(
        db, me.id, user_data, base_url=settings.base_url, current_login=me.login_id
    )
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
        db: Session,
        me: CurrentUser,
        privacy: PrivacyConfig,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> Template:
        return Template(
            "privacy/account_privacy.html",
            status_code=status,
            context={
                "choices": profile.choices_of(db, me.id, privacy.reply_mails),
                "visibilities": [v.value for v in ProfileVisibility],
                "names": [n.value for n in PublicName],
                "error": error,
            },
        )

    @get("/privacy", name="account_privacy", sync_to_thread=True)
    def show(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        privacy: NamedDependency[PrivacyConfig],
    ) -> Template:
        """Privacy settings: who sees your profile, your name, comments, mails, search engines."""
        return self._settings_page(db, me, privacy)

    @post("/privacy", sync_to_thread=True)
    def save(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        privacy: NamedDependency[PrivacyConfig],
        data: FormData,
    ) -> Template | Redirect:
        """Save the privacy settings; they apply to every page, API answer and feed at once."""
        try:
            choices = profile.parse_choices(
                visibility=field(data, "profile_visibility"),
                public_name=field(data, "public_name"),
                list_comments=checked(data, "list_comments"),
                allow_indexing=checked(data, "allow_indexing"),
                reply_mails=checked(data, "reply_mails"),
            )
        except Invalid as exc:
            return self._settings_page(db, me, privacy, status=400, error=exc.message)
        profile.save_choices(db, me.id, choices, privacy.reply_mails)
        flash(request, gettext("Your privacy settings have been saved."), category="success")
        return Redirect("/account/privacy", status_code=303)

    @get("/export", name="account_export", sync_to_thread=True)
    def download(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        user_data: NamedDependency[UserDataRegistry],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Download everything we hold about you, as one JSON file."""
        return _export_response(db, me, user_data, settings)

    @get("/delete", name="account_delete", sync_to_thread=True)
    def delete_form(
        self, db: DbSession, me: NamedDependency[CurrentUser], settings: NamedDependency[Settings]
    ) -> Template:
        """Delete your account: what goes, what stays, and the password to confirm."""
        return _delete_page(db, me, settings)

    @post("/delete")
    async def delete(
        self,
        request: AnyRequest,
        uow: Work,
        me: NamedDependency[CurrentUser],
        passwords: NamedDependency[Passwords],
        erasure: NamedDependency[Leaving],
        data: FormData,
    ) -> Template | Redirect:
        """Delete the account: at once, or after the grace period (logging in cancels it).

        The password is checked with no transaction open; then one short write."""
        errors: dict[str, str] = {}
        choice = field(data, "comments")
        if choice not in COMMENT_CHOICES:
            errors["comments"] = gettext("Choose what happens to your comments.")
        if not await credentials.verify_password(uow, passwords, me.id, field(data, "password")):
            errors["password"] = gettext("That is not your password.")
        settings = erasure.settings
        if errors:
            return await to_thread.run_sync(
                lambda: _delete_page(uow.read(), me, settings, status=400, errors=errors)
            )
        delete_comments = COMMENT_CHOICES[choice]
        scheduled = await to_thread.run_sync(
            lambda: erasure.leave(uow.write(), me.id, delete_comments=delete_comments)
        )
        _end_session(request)
        flash(request, _goodbye(scheduled, settings), category="success")
        return Redirect("/", status_code=303)

    @post("/delete/cancel", sync_to_thread=True)
    def cancel(
        self, request: AnyRequest, db: DbSession, me: NamedDependency[CurrentUser]
    ) -> Redirect:
        """Keep the account: the waiting deletion is cancelled."""
        if erasures.cancel(db, me.id):
            flash(request, gettext("Your account will not be deleted."), category="success")
        else:
            flash(request, gettext("No deletion of your account was waiting."), category="info")
        return Redirect("/account", status_code=303)


def _goodbye(scheduled: ErasureRequest | None, settings: Settings) -> str:
    if scheduled is None:
        return gettext("Your account has been deleted. Goodbye!")
    return gettext(
        "Your account will be deleted on %(date)s. You have been logged out everywhere; to "
        "keep your account, log in before then and choose “Keep my account”.",
        date=byline_date(scheduled.due_at, settings.tz),
    )


def _delete_page(
    db: Session,
    me: CurrentUser,
    settings: Settings,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Template:
    return Template(
        "privacy/delete.html",
        status_code=status,
        context={
            "pending": erasures.pending(db, me.id),
            "grace_hours": settings.erasure_grace_hours,
            "username": me.username,
            "errors": errors or {},
        },
    )


class PersonalDataApi(Controller):
    path = "/api/me"
    tags = ["accounts"]

    @get(
        "/export",
        guards=[login_required],
        sync_to_thread=True,
        response_description="Everything the forum holds about you (format forum-personal-data)",
    )
    def export(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        user_data: NamedDependency[UserDataRegistry],
        settings: NamedDependency[Settings],
    ) -> Response[dict[str, Any]]:
        """Everything held about the logged-in user, as the download on /account/export."""
        return _export_response(db, me, user_data, settings)
