"""The Atom feed of an article's newest published comments."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from forum.articles.dependencies import ARTICLE_DEPENDENCY, PublishedArticle
from forum.comments import service
from forum.settings import Settings
from forum.web.unit_of_work import DbSession


class CommentFeed(Controller):
    include_in_schema = False
    dependencies = dict(ARTICLE_DEPENDENCY)

    @get(
        "/articles/{slug:str}/comments.atom", media_type="application/atom+xml", sync_to_thread=True
    )
    def feed(
        self, db: DbSession, settings: NamedDependency[Settings], article: PublishedArticle
    ) -> Template:
        """An Atom feed of the article's newest comments that anyone may see (none for a
        hidden thread)."""
        comments = service.latest_published(db, article.id)
        return Template(
            "comments/feed.atom",
            media_type="application/atom+xml",
            context={
                "article": article,
                "comments": comments,
                "base_url": settings.base_url.rstrip("/"),
            },
        )
