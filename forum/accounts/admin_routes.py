"""User administration (``/admin/users``): search users, grant and revoke roles."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from forum.accounts import service
from forum.accounts.auth import admin_required
from forum.accounts.current import CurrentUser
from forum.accounts.models import Role
from forum.i18n import N_, gettext
from forum.web.forms import FormData, field, safe_next
from forum.web.types import AnyRequest, PageNumber
from forum.web.unit_of_work import DbSession

Query = Annotated[str, QueryParameter(max_length=200)]

# Translators: said to an administrator after giving a user a role; %(username)s is the user.
ROLE_GIVEN = {
    Role.READER: N_("%(username)s is now reader."),
    Role.EDITOR: N_("%(username)s is now editor."),
    Role.MODERATOR: N_("%(username)s is now moderator."),
    Role.ADMIN: N_("%(username)s is now admin."),
}
"""The sentence for each role, whole (a role's name alone would not agree in every language)."""


class AdminUserPages(Controller):
    path = "/admin/users"
    include_in_schema = False
    guards = [admin_required]

    @get("/", name="admin_users", sync_to_thread=True)
    def list_users(self, db: DbSession, q: Query = "", page: PageNumber = 1) -> Template:
        """Search users and change their roles."""
        result = service.search_users(db, q, page)
        return Template(
            "accounts/admin_users.html",
            context={"page": result, "q": q, "roles": [r.value for r in Role]},
        )

    @post("/{user_id:int}/role", sync_to_thread=True)
    def set_role(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        user_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        """Grant or revoke moderator (or editor); administrators are made with the CLI."""
        user = service.change_role(
            db, actor_id=me.id, user_id=user_id, role_name=field(data, "role")
        )
        message = gettext(ROLE_GIVEN[user.role], username=user.username)
        flash(request, message, category="success")
        back = safe_next(field(data, "next"), "/admin/users")
        return Redirect(back, status_code=303)
