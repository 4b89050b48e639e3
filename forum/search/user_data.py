"""The search part of the user-data registry (``forum.accounts.user_data``).

Search keeps no table of its own about people: its indexes (SQLite FTS5 tables kept by
triggers, PostgreSQL expression indexes) hold the published text of articles and comments
only, and follow the ``comments`` table. So a comment the erasure deletes leaves the index in
the same statement, and a comment it keeps is found signed '[deleted user]'. The part is
registered so that the registry says so, and a future search table with a user column has a
place to go.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.accounts.user_data import Document


class SearchData:
    name = "search"
    tables: tuple[str, ...] = ()

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        """Searches are not stored, so there is nothing to export."""
        return {}

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """The indexes follow the comments part's changes (see the module docstring)."""
