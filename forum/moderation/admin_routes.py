"""``/admin/moderation``: the thresholds, the block list and the 'moderate all' default,
for administrators. Saved in the database; the ``FORUM_MODERATION_*`` settings are the start."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from forum.accounts.auth import admin_required
from forum.accounts.current import CurrentUser
from forum.errors import Invalid
from forum.i18n import gettext
from forum.moderation import policy as policies
from forum.settings import Settings
from forum.web.forms import FormData, field
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession

FORM_FIELDS = (*policies.LIMITS, "blocked_words", "blocked_domains", "moderate_all_default")


def _form(policy: policies.Policy) -> dict[str, str]:
    values = {name: str(getattr(policy, name)) for name in policies.LIMITS}
    values["blocked_words"] = "\n".join(policy.blocked_words)
    values["blocked_domains"] = "\n".join(policy.blocked_domains)
    values["moderate_all_default"] = "on" if policy.moderate_all_default else ""
    return values


class AdminModerationPages(Controller):
    path = "/admin/moderation"
    guards = [admin_required]
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def show(self, db: DbSession, settings: NamedDependency[Settings]) -> Template:
        """The moderation settings."""
        policy = policies.load(db, settings)
        return Template(
            "moderation/admin.html",
            context={"form": _form(policy), "errors": {}, "limits": policies.said_limits()},
        )

    @post("/", sync_to_thread=True)
    def save(
        self,
        request: AnyRequest,
        db: DbSession,
        settings: NamedDependency[Settings],
        me: NamedDependency[CurrentUser],
        data: FormData,
    ) -> Template | Redirect:
        """Save the settings; they apply to the next comment."""
        form = {name: field(data, name) for name in FORM_FIELDS}
        try:
            policies.update(db, settings, form, me.id)
        except Invalid as exc:  # nothing was written: show the form with each field's error
            return Template(
                "moderation/admin.html",
                status_code=400,
                context={"form": form, "errors": exc.errors, "limits": policies.said_limits()},
            )
        flash(request, gettext("The moderation settings are saved."), category="success")
        return Redirect("/admin/moderation", status_code=303)
