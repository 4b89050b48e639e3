"""HTTP surface of articles: the front page, the feed of new articles, and the JSON API.

The article page itself is served by the comments module, which owns the thread on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from forum.articles import service
from forum.articles.models import Article
from forum.db import utcnow
from forum.web.pagination import MAX_PAGE, PageOutOfRange
from forum.web.unit_of_work import DbSession

PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="Page number")]


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
        url=f"/articles/{article.slug}",
    )


def _page(db: Session, request: Request, page: int):  # type: ignore[no-untyped-def,type-arg]
    try:
        return service.list_published(db, page, request.app.state.settings.articles_per_page)
    except PageOutOfRange as exc:
        raise NotFoundException(str(exc)) from None


def _article(db: Session, slug: FromPath[str]) -> Article:
    try:
        return service.get_published(db, slug)
    except service.ArticleNotFound:
        raise NotFoundException("There is no article at this address.") from None


class ArticlePages(Controller):
    """Server-rendered pages."""

    include_in_schema = False

    @get("/", name="front_page", sync_to_thread=True)
    def front_page(self, db: DbSession, request: Request, page: PageNumber = 1) -> Template:  # type: ignore[type-arg]
        """Published articles, newest first, with their comment counts."""
        return Template("articles/index.html", context={"page": _page(db, request, page)})

    @get("/feed.atom", name="feed", media_type="application/atom+xml", sync_to_thread=True)
    def feed(self, db: DbSession, request: Request) -> Template:  # type: ignore[type-arg]
        """An Atom feed of the newest articles."""
        settings = request.app.state.settings
        return Template(
            "articles/feed.atom",
            media_type="application/atom+xml",
            context={
                "articles": service.list_published(db, 1, 20).items,
                "base_url": settings.base_url.rstrip("/"),
                "now": utcnow(),
            },
        )


class ArticleApi(Controller):
    """JSON API for articles."""

    path = "/api/articles"
    tags = ["articles"]

    @get("/", sync_to_thread=True)
    def list_articles(self, db: DbSession, request: Request, page: PageNumber = 1) -> ArticleList:  # type: ignore[type-arg]
        """Published articles, newest first."""
        result = _page(db, request, page)
        return ArticleList(
            items=[_summary(a) for a in result.items],
            page=result.number,
            pages=result.pages,
            total=result.total,
        )

    @get("/{slug:str}", sync_to_thread=True)
    def get_article(self, db: DbSession, slug: FromPath[str]) -> ArticleDetail:
        """One published article."""
        article = _article(db, slug)
        return ArticleDetail(
            **msgspec.structs.asdict(_summary(article)),
            html=article.body_html,
            comment_mode=article.comment_mode.value,
        )
