"""``GET /api/users/suggestions``: usernames to complete an ``@mention`` while typing.

For logged-in readers only (the comment form's script asks it), rate-limited, and it finds
only users who may be mentioned (profiles everyone may see), a few at a time: it completes a
name, it does not list the members.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from forum.accounts import mentions
from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.web.rate_limits import Limit, limited
from forum.web.unit_of_work import DbSession


class UsernameSuggestion(msgspec.Struct):
    username: str
    """What to type after ``@``."""
    name: str
    """The name shown beside their comments."""
    profile: str
    """Their profile page (a path on this site)."""


class MentionApi(Controller):
    path = "/api/users"
    tags = ["accounts"]

    @get("/suggestions", sync_to_thread=True, opt=limited(Limit.SUGGEST))
    def suggestions(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        q: Annotated[str, QueryParameter(min_length=1, max_length=User.USERNAME_MAX)],
    ) -> list[UsernameSuggestion]:
        """Users who may be mentioned whose username starts with ``q`` (any case), at most
        eight, alphabetically (for logged-in readers)."""
        return [
            UsernameSuggestion(s.username, s.name, mentions.profile_path(s.username))
            for s in mentions.suggest(db, q)
        ]
