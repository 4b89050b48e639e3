"""``/admin/moderation``: the thresholds, the block list and the 'moderate all' default,
for administrators. Saved in the database; the ``FORUM_MODERATION_*`` settings are the start."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from forum.accounts.auth import admin_required
from forum.accounts.current import current_user
from forum.moderation import log
from forum.moderation import policy as policies
from forum.moderation.models import LogAction
from forum.moderation.routes import context_of
from forum.web.forms import FormData, field
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]
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
    def show(self, request: AnyRequest, db: DbSession) -> Template:
        """The moderation settings."""
        policy = policies.load(db, context_of(request).settings)
        return Template(
            "moderation/admin.html",
            context={"form": _form(policy), "errors": {}, "limits": policies.LIMITS},
        )

    @post("/", sync_to_thread=True)
    def save(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Save the settings; they apply to the next comment."""
        settings = context_of(request).settings
        form = {name: field(data, name) for name in FORM_FIELDS}
        current = policies.load(db, settings)
        try:
            new = policies.parse(form, current)
        except policies.PolicyInvalid as exc:
            return Template(
                "moderation/admin.html",
                status_code=400,
                context={"form": form, "errors": exc.errors, "limits": policies.LIMITS},
            )
        changed = policies.save(db, settings, new)
        user = current_user(request)
        if changed:
            log.record(
                db,
                actor_id=user.id if user else None,
                action=LogAction.SETTINGS,
                detail="changed: " + ", ".join(changed),
            )
        flash(request, "The moderation settings are saved.", category="success")
        return Redirect("/admin/moderation", status_code=303)
