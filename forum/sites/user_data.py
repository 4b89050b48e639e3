"""The sites part of the user-data registry (``forum.accounts.user_data``): which sites a
person moderates is exported, and forgotten with the account."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forum.accounts.user_data import Document
from forum.sites.models import Site, SiteModerator


class SiteData:
    name = "sites"
    tables: tuple[str, ...] = (SiteModerator.__tablename__,)

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        """The names of the sites the person moderates."""
        query = (
            select(Site.name)
            .join(SiteModerator, SiteModerator.site_id == Site.id)
            .where(SiteModerator.user_id == user_id)
            .order_by(Site.name)
        )
        return {"moderates_sites": list(session.scalars(query))}

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        session.execute(delete(SiteModerator).where(SiteModerator.user_id == user_id))
