"""HTTP surface of articles: the front page, the feed of new articles, and the JSON API.

The article page itself is served by the comments module, which owns the thread on it.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from forum.articles import service
from forum.articles.dependencies import ARTICLE_DEPENDENCY, PublishedArticle
from forum.articles.models import Article
from forum.articles.urls import article_url
from forum.db import utcnow
from forum.settings import Settings
from forum.web.types import PageNumber
from forum.web.unit_of_work import DbSession

FEED_SIZE = 20
"""Articles in the Atom feed."""


class ArticleSummary(msgspec.Struct):
    slug: str
    title: str
    author_name: str
    submitted_at: datetime
    teaser: str
    comment_count: int
    url: str


class ArticleDetail(ArticleSummary):
    html: str
    comment_mode: str


class ArticleList(msgspec.Struct):
    items: list[ArticleSummary]
    page: int
    pages: int
    total: int


def _summary(article: Article) -> ArticleSummary:
    return ArticleSummary(
        slug=article.slug,
        title=article.title,
        author_name=article.author_name,
        submitted_at=article.submitted_at,
        teaser=article.teaser,
        comment_count=article.comment_count,
        url=article_url(article.slug),
    )


class ArticlePages(Controller):
    """Server-rendered pages."""

    include_in_schema = False

    @get("/", name="front_page", sync_to_thread=True)
    def front_page(
        self, db: DbSession, settings: NamedDependency[Settings], page: PageNumber = 1
    ) -> Template:
        """Published articles, newest first, with their comment counts."""
        result = service.list_published(db, page, settings.articles_per_page)
        return Template("articles/index.html", context={"page": result})

    @get("/feed.atom", name="feed", media_type="application/atom+xml", sync_to_thread=True)
    def feed(self, db: DbSession, settings: NamedDependency[Settings]) -> Template:
        """An Atom feed of the newest articles."""
        return Template(
            "articles/feed.atom",
            media_type="application/atom+xml",
            context={
                "articles": service.list_published(db, 1, FEED_SIZE).items,
                "base_url": settings.base_url.rstrip("/"),
                "now": utcnow(),
            },
        )


class ArticleApi(Controller):
    """JSON API for articles."""

    path = "/api/articles"
    tags = ["articles"]
    dependencies = dict(ARTICLE_DEPENDENCY)

    @get("/", sync_to_thread=True)
    def list_articles(
        self, db: DbSession, settings: NamedDependency[Settings], page: PageNumber = 1
    ) -> ArticleList:
        """Published articles, newest first."""
        result = service.list_published(db, page, settings.articles_per_page)
        return ArticleList(
            items=[_summary(a) for a in result.items],
            page=result.number,
            pages=result.pages,
            total=result.total,
        )

    @get("/{slug:str}", sync_to_thread=True)
    def get_article(self, article: PublishedArticle) -> ArticleDetail:
        """One published article."""
        return ArticleDetail(
            **msgspec.structs.asdict(_summary(article)),
            html=article.body_html,
            comment_mode=article.comment_mode.value,
        )
