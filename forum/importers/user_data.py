"""The importers part of the user-data registry (``forum.accounts.user_data``): which archive
author (a username or name there) an unclaimed profile was made for."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from forum.accounts.user_data import Document
from forum.importers.models import ImportedAuthor


class ImportData:
    """Import bookkeeping that names a person: the archive's key for an author."""

    name = "importers"
    tables = ("imported_authors",)

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        """Not in the export: format version 1 has no place for it, and the profiles an import
        makes have no password, so nobody logs in to ask (a next version may add it)."""
        return {}

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """The mapping goes, so a later import makes a new profile instead of reviving this."""
        session.execute(delete(ImportedAuthor).where(ImportedAuthor.user_id == user_id))
