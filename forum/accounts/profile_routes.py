"""Public profiles (``/users/{username}``), as their owners' privacy settings allow."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from forum.accounts import profiles
from forum.accounts.current import CurrentUser
from forum.accounts.hooks import AccountHooks
from forum.web.unit_of_work import DbSession


class ProfilePages(Controller):
    include_in_schema = False

    @get("/users/{username:str}", name="profile", sync_to_thread=True)
    def profile(
        self,
        db: DbSession,
        current_user: NamedDependency[CurrentUser | None],
        account_hooks: NamedDependency[AccountHooks],
        username: FromPath[str],
    ) -> Template:
        """A user's public profile, as its owner's privacy settings allow.

        A profile the reader may not see answers exactly as a missing user does: 404.
        """
        user = profiles.visible_profile(db, username, current_user)
        sections = [section(db, user) for section in account_hooks.profile_sections]
        return Template(
            "accounts/profile.html",
            context={
                "profile": user,
                "name": profiles.shown_name(user.public_name, user.username, user.display_name),
                "indexable": profiles.indexable(user),
                "own": current_user is not None and current_user.id == user.id,
                "sections": [s for s in sections if s is not None],
            },
        )
