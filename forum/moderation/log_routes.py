"""The audit log page, ``/moderation/log``: every moderator action, filtered and paged.
Read-only: there is no way to change it."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template

from forum.moderation import log
from forum.moderation.forms import Text
from forum.moderation.models import LogAction
from forum.moderation.reach import Moderates, moderators_only
from forum.settings import Settings
from forum.web.types import PageNumber
from forum.web.unit_of_work import DbSession

LOG_PER_PAGE = 50


def _query(filters: log.LogFilter) -> str:
    """The filters as a query string for the pager's links ('' or ending in '&')."""
    pairs = [
        (name, value)
        for name, value in (
            ("moderator", filters.moderator),
            ("user", filters.user),
            ("action", filters.action.value if filters.action else ""),
            ("since", filters.since.isoformat() if filters.since else ""),
            ("until", filters.until.isoformat() if filters.until else ""),
        )
        if value
    ]
    return urlencode(pairs) + "&" if pairs else ""


class LogPages(Controller):
    path = "/moderation/log"
    guards = [moderators_only]
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def audit_log(
        self,
        db: DbSession,
        settings: NamedDependency[Settings],
        reach: Moderates,
        page: PageNumber = 1,
        moderator: Text = "",
        user: Text = "",
        action: Annotated[LogAction | None, QueryParameter()] = None,
        since: Annotated[date | None, QueryParameter()] = None,
        until: Annotated[date | None, QueryParameter()] = None,
    ) -> Template:
        """Every moderator action: who, what, on what, when and why."""
        filters = log.LogFilter(
            moderator=moderator.strip(), user=user.strip(), action=action, since=since, until=until
        )
        entries = log.read(
            db, filters, reach=reach, page=page, per_page=LOG_PER_PAGE, tz=settings.tz
        )
        return Template(
            "moderation/log.html",
            context={
                "reach": reach,
                "page": entries,
                "filters": filters,
                "actions": [a.value for a in LogAction],
                "query": _query(filters),
            },
        )
