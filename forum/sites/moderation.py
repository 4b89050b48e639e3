"""A site's moderators moderate exactly the threads of that site's pages: the sites part of
moderation's reach (``forum.moderation.reach``), put in the registry by ``create_app``."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from forum.moderation.reach import Reach
from forum.sites.models import Site, SiteModerator, SitePage

_SITES_MODERATED = (
    select(Site.name)
    .join(SiteModerator, SiteModerator.site_id == Site.id)
    .where(SiteModerator.user_id == bindparam("user_id"))
    .order_by(Site.name)
)
"""Built once: every logged-in request asks it, and building it cost more than running it."""


class SiteReach:
    """The articles of every site a person is listed as a moderator of."""

    def reach_of(self, session: Session, user_id: int) -> Reach | None:
        names = tuple(session.scalars(_SITES_MODERATED, {"user_id": user_id}))
        if not names:
            return None
        articles = (
            select(SitePage.article_id)
            .join(SiteModerator, SiteModerator.site_id == SitePage.site_id)
            .where(SiteModerator.user_id == user_id)
        )
        return Reach(articles, names)
