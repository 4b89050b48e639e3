"""Rules for articles: validation, listing the front page, finding one, creating or updating,
and the editors' side: search, drafts, unpublishing (each change kept by
``forum.articles.revisions``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.articles.content_language import language_tag
from forum.articles.models import Article, CommentMode
from forum.articles.revisions import latest_revision, revised
from forum.errors import Conflict, Invalid, NotFound
from forum.i18n import format_number, gettext, ngettext
from forum.text import xml_forbidden_character
from forum.web.markdown import article_renderer, teaser
from forum.web.pagination import Page, check_page

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ArticleNotFound(NotFound):
    """No published article has that slug (or, for editors, that id)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or gettext("There is no article at this address."))


class InvalidArticle(Invalid):
    """An article field is missing or malformed; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class SlugTaken(InvalidArticle):
    """Another article already has that slug (address)."""

    def __init__(self, slug: str) -> None:
        message = gettext("“%(slug)s” is already the address of another article", slug=slug)
        super().__init__("slug", message)


class EditConflict(Conflict):
    """The article was saved by someone else since the form was opened."""

    def __init__(self, article_id: int) -> None:
        super().__init__(gettext("Someone else saved this article since you opened it."))
        self.article_id = article_id


def too_long(limit: int) -> str:
    """Said of an article's field longer than ``limit`` characters."""
    # Translators: said of an article's field (title, author, text) under that field.
    return ngettext(
        "is longer than %(max_length)s character",
        "is longer than %(max_length)s characters",
        limit,
        max_length=format_number(limit),
    )


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
    language: str | None = None
    """The article's own language (a BCP 47 tag); None: not said."""

    def validated(self) -> ArticleInput:
        """A copy with whitespace trimmed and the slug derived, or ``InvalidArticle``."""
        title = " ".join(self.title.split())
        author = " ".join(self.author_name.split())
        if not title:
            # Translators: said of an article's field (title, author…) under that field in the
            # editors' form, and after its name in an import's report ("title: is required").
            raise InvalidArticle("title", gettext("is required"))
        if len(title) > Article.TITLE_MAX:
            raise InvalidArticle("title", too_long(Article.TITLE_MAX))
        if not author:
            raise InvalidArticle("author", gettext("is required"))
        if len(author) > Article.AUTHOR_MAX:
            raise InvalidArticle("author", too_long(Article.AUTHOR_MAX))
        if self.submitted_at.tzinfo is None:
            # Translators: said of the date an article was submitted, under that field.
            raise InvalidArticle("submitted", gettext("needs a time zone"))
        slug = self.slug.strip() or slugify(title)
        if not slug or len(slug) > Article.SLUG_MAX or not SLUG_PATTERN.match(slug):
            # Translators: said of an article's address (its slug), under that field.
            message = gettext("must be lower-case letters, digits and single hyphens (at most 200)")
            raise InvalidArticle("slug", message)
        for name, value in (("title", title), ("author", author), ("body", self.body)):
            if (char := xml_forbidden_character(value)) is not None:
                raise InvalidArticle(
                    name,
                    gettext(
                        "contains a character that is not allowed: %(code_point)s",
                        code_point=f"U+{ord(char):04X}",
                    ),
                )
        return ArticleInput(
            title=title,
            author_name=author,
            submitted_at=self.submitted_at,
            body=self.body,
            slug=slug,
            published=self.published,
            comment_mode=self.comment_mode,
            language=_language(self.language),
        )


def _language(value: str | None) -> str | None:
    try:
        return language_tag(value)
    except ValueError:
        # Translators: said of an article's language field, under it in the editors' form.
        message = gettext("must be a language tag such as en, de or pt-BR")
        raise InvalidArticle("language", message) from None


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


_PUBLISHED = select(Article).where(Article.slug == bindparam("slug"), Article.published)
"""Built once, as every statement of a page's hot path: building one costs more than running it."""


def get_published(session: Session, slug: str) -> Article:
    """The published article with ``slug``, or ``ArticleNotFound``."""
    if len(slug) > Article.SLUG_MAX or not SLUG_PATTERN.match(slug):
        raise ArticleNotFound()
    article = session.scalar(_PUBLISHED, {"slug": slug})
    if article is None:
        raise ArticleNotFound()
    return article


def count_articles(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article)) or 0


def save_article(
    session: Session,
    data: ArticleInput,
    *,
    editor_id: int | None = None,
    image_hosts: frozenset[str] = frozenset(),
) -> tuple[Article, bool]:
    """Create the article, or update the one with its slug; returns it and whether it is new.

    A change is kept as a revision (``editor_id`` None: the forum command or an import).
    """
    data = data.validated()
    article = session.scalar(select(Article).where(Article.slug == data.slug))
    created = article is None
    if article is None:
        article = Article(slug=data.slug, comment_count=0)
        session.add(article)
    _write(session, article, data, editor_id=editor_id, image_hosts=image_hosts)
    return article, created


# --- editors ---------------------------------------------------------------------------------


class ArticleState(StrEnum):
    """Which articles the editors' list shows."""

    ALL = "all"
    PUBLISHED = "published"
    DRAFT = "draft"


def _write(
    session: Session,
    article: Article,
    data: ArticleInput,
    *,
    editor_id: int | None,
    image_hosts: frozenset[str],
) -> None:
    """Apply validated ``data``, rendering the body once, keeping a revision."""

    def change() -> None:
        html = article_renderer.render(data.body, image_hosts=image_hosts)
        article.slug = data.slug
        article.title = data.title
        article.author_name = data.author_name
        article.submitted_at = data.submitted_at
        article.body_source = data.body
        article.body_html = html
        article.teaser = teaser(html)
        article.published = data.published
        article.comment_mode = data.comment_mode
        article.language = data.language

    revised(session, article, editor_id, change)


def search_articles(
    session: Session, query: str, state: ArticleState, page: int, per_page: int = 50
) -> Page[Article]:
    """Articles for editors, drafts included, newest first; ``query`` matches title or slug."""
    statement = select(Article)
    if state is ArticleState.PUBLISHED:
        statement = statement.where(Article.published)
    elif state is ArticleState.DRAFT:
        statement = statement.where(Article.published.is_(False))
    words = query.strip()
    if words:
        escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            or_(
                func.lower(Article.title).like(pattern, escape="\\"),
                Article.slug.like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    check_page(page, per_page, total)
    rows = session.scalars(
        statement.order_by(Article.submitted_at.desc(), Article.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(rows), number=page, per_page=per_page, total=total)


def get_article(session: Session, article_id: int) -> Article:
    """Any article, draft or published, by id (editors), or ``ArticleNotFound``."""
    article = session.get(Article, article_id)
    if article is None:
        raise ArticleNotFound(gettext("There is no such article."))
    return article


def _slug_free(session: Session, slug: str, article_id: int | None) -> None:
    other = session.scalar(select(Article.id).where(Article.slug == slug))
    if other is not None and other != article_id:
        raise SlugTaken(slug)


def create_article(
    session: Session, data: ArticleInput, *, editor_id: int, image_hosts: frozenset[str]
) -> Article:
    """A new article written in the browser, or ``InvalidArticle`` / ``SlugTaken``."""
    data = data.validated()
    _slug_free(session, data.slug, None)
    article = Article(slug=data.slug, comment_count=0)
    try:
        with session.begin_nested():
            session.add(article)
            _write(session, article, data, editor_id=editor_id, image_hosts=image_hosts)
    except IntegrityError:
        raise SlugTaken(data.slug) from None  # taken by a concurrent save
    return article


def update_article(
    session: Session,
    article_id: int,
    data: ArticleInput,
    *,
    editor_id: int,
    image_hosts: frozenset[str],
    base_revision: int | None = None,
) -> Article:
    """Save an editor's changes; ``base_revision`` (the version the form showed) guards against
    overwriting someone else's save made meanwhile."""
    article = get_article(session, article_id)
    data = data.validated()
    _slug_free(session, data.slug, article.id)
    latest = latest_revision(session, article.id)
    if base_revision is not None and latest is not None and latest.id != base_revision:
        raise EditConflict(article_id)
    try:
        with session.begin_nested():
            _write(session, article, data, editor_id=editor_id, image_hosts=image_hosts)
    except IntegrityError:
        raise SlugTaken(data.slug) from None
    return article


def unpublish_article(session: Session, article_id: int, *, editor_id: int) -> Article:
    """Take an article off the site (a draft again); kept as a revision like any change."""
    article = get_article(session, article_id)
    if article.published:
        revised(session, article, editor_id, lambda: setattr(article, "published", False))
    return article


def preview(data: ArticleInput, *, image_hosts: frozenset[str]) -> str:
    """The body as the article page will show it (rendered, sanitized), saving nothing."""
    return article_renderer.render(data.body, image_hosts=image_hosts)
