"""Rules for articles: validation, listing the front page, finding one, creating or updating."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.articles.models import Article, CommentMode
from forum.web.markdown import article_renderer, teaser
from forum.web.pagination import Page, check_page

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ArticleNotFound(LookupError):
    """No published article has that slug."""


class InvalidArticle(ValueError):
    """An article field is missing or malformed; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def slugify(text: str, max_length: int = Article.SLUG_MAX) -> str:
    """A URL slug from a title: ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


@dataclass(frozen=True)
class ArticleInput:
    """What an editor or an import supplies for one article."""

    title: str
    author_name: str
    submitted_at: datetime
    body: str
    slug: str = ""
    published: bool = True
    comment_mode: CommentMode = CommentMode.OPEN

    def validated(self) -> ArticleInput:
        """A copy with whitespace trimmed and the slug derived, or ``InvalidArticle``."""
        title = " ".join(self.title.split())
        author = " ".join(self.author_name.split())
        if not title:
            raise InvalidArticle("title", "is required")
        if len(title) > Article.TITLE_MAX:
            raise InvalidArticle("title", f"is longer than {Article.TITLE_MAX} characters")
        if not author:
            raise InvalidArticle("author", "is required")
        if len(author) > Article.AUTHOR_MAX:
            raise InvalidArticle("author", f"is longer than {Article.AUTHOR_MAX} characters")
        if self.submitted_at.tzinfo is None:
            raise InvalidArticle("submitted", "needs a time zone")
        slug = self.slug.strip() or slugify(title)
        if not slug or len(slug) > Article.SLUG_MAX or not SLUG_PATTERN.match(slug):
            raise InvalidArticle(
                "slug", "must be lower-case letters, digits and single hyphens (at most 200)"
            )
        if "\x00" in self.body:
            raise InvalidArticle("body", "contains a NUL character")
        return ArticleInput(
            title=title,
            author_name=author,
            submitted_at=self.submitted_at,
            body=self.body,
            slug=slug,
            published=self.published,
            comment_mode=self.comment_mode,
        )


def list_published(session: Session, page: int, per_page: int) -> Page[Article]:
    """One page of published articles, newest first."""
    total = session.scalar(select(func.count()).select_from(Article).where(Article.published)) or 0
    check_page(page, per_page, total)
    rows = session.scalars(
        select(Article)
        .where(Article.published)
        .order_by(Article.submitted_at.desc(), Article.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(rows), number=page, per_page=per_page, total=total)


def get_published(session: Session, slug: str) -> Article:
    """The published article with ``slug``, or ``ArticleNotFound``."""
    if len(slug) > Article.SLUG_MAX or not SLUG_PATTERN.match(slug):
        raise ArticleNotFound(slug)
    article = session.scalar(select(Article).where(Article.slug == slug, Article.published))
    if article is None:
        raise ArticleNotFound(slug)
    return article


def count_articles(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article)) or 0


def save_article(session: Session, data: ArticleInput) -> tuple[Article, bool]:
    """Create the article, or update the one with its slug; returns it and whether it is new."""
    data = data.validated()
    article = session.scalar(select(Article).where(Article.slug == data.slug))
    created = article is None
    if article is None:
        article = Article(slug=data.slug, comment_count=0)
        session.add(article)
    html = article_renderer.render(data.body)
    article.title = data.title
    article.author_name = data.author_name
    article.submitted_at = data.submitted_at
    article.body_source = data.body
    article.body_html = html
    article.teaser = teaser(html)
    article.published = data.published
    article.comment_mode = data.comment_mode
    session.flush()
    return article, created
