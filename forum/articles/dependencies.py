"""What article pages and the threads on them ask Litestar for: the published article at
``{slug}`` (a 404 through the one error mapping when there is none)."""

from __future__ import annotations

from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from forum.articles.models import Article
from forum.articles.service import get_published
from forum.web.unit_of_work import DbSession

PublishedArticle = NamedDependency[Article]
"""How a handler under ``/…/{slug}`` asks for the article: ``article: PublishedArticle``."""


def provide_published_article(db: DbSession, slug: FromPath[str]) -> Article:
    """The published article whose address is the path's ``slug``."""
    return get_published(db, slug)


ARTICLE_DEPENDENCY = {"article": Provide(provide_published_article, sync_to_thread=True)}
"""Put in a controller's ``dependencies`` to give its handlers ``article``."""
