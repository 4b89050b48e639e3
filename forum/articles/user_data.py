"""The articles part of the user-data registry (``forum.accounts.user_data``): the article
versions an editor saved. On erasure the versions stay (they are the articles' history) and
lose the editor with the ``users`` row (``ON DELETE SET NULL``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.user_data import Document, iso
from forum.articles.models import ArticleRevision


class ArticleData:
    """Articles name no reader; only editors appear, in the revisions they saved."""

    name = "articles"
    tables = ("article_revisions",)

    def __init__(self, *, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        return {
            "articles_edited": [
                {
                    "article": f"{self.base}/articles/{r.slug}",
                    "title": r.title,
                    "saved_at": iso(r.created_at),
                }
                for r in session.scalars(
                    select(ArticleRevision)
                    .where(ArticleRevision.editor_id == user_id)
                    .order_by(ArticleRevision.created_at, ArticleRevision.id)
                )
            ]
        }

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """Nothing to do here: the revisions keep their text, the editor goes by the foreign
        key when the ``users`` row is deleted."""
