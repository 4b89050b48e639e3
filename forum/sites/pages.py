"""Which article anchors the thread of a site's page: found by the page's canonical URL, and
made on the first view when the site allows it (title and address as the embedding page gives
them; the forum never fetches the page)."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.articles import service as articles
from forum.articles.content_language import language_tag
from forum.articles.models import Article, CommentMode
from forum.db import utcnow
from forum.errors import Forbidden, Invalid, NotFound, RateLimited
from forum.i18n import N_, gettext, ngettext
from forum.sites.models import Site, SitePage
from forum.sites.urls import canonical_url, origin_of

TITLE_MAX = 200
"""Characters kept of the title an embedding page gives (the rest is cut)."""
NO_THREAD = N_("This page has no thread yet: the site starts threads itself.")
NEW_THREADS_PER_HOUR = 200
"""Threads one site's pages may start in an hour: anyone can put any address of the site in
a frame's URL, so a flood of made-up addresses stops here (existing threads still show)."""


@dataclass(frozen=True)
class PageRef:
    """A page of a site as the embed asks for it: its canonical URL and offered title."""

    site: Site
    url: str
    title: str


def page_ref(site: Site, url: str, title: str) -> PageRef:
    """The page's canonical URL, checked to be on one of the site's origins, or ``Invalid`` /
    ``Forbidden``: nobody makes threads for another site's pages."""
    canonical = canonical_url(url)
    if origin_of(canonical) not in site.origin_list:
        raise Forbidden(gettext("This page is not on the site's registered origins."))
    return PageRef(site, canonical, clean_title(title) or canonical)


def signin_url(site: Site, url: str) -> str:
    """The address where the site signs its readers in to the forum (``data-signin-url``),
    kept only when it is on one of the site's origins (else empty: no other site's page can
    be offered as the site's login)."""
    if not url:
        return ""
    try:
        canonical = canonical_url(url, "signin")
    except Invalid:
        return ""
    return url if origin_of(canonical) in site.origin_list else ""


def clean_title(title: str) -> str:
    """Printable text on one line, at most ``TITLE_MAX`` characters (escaped when shown)."""
    kept = "".join(ch if unicodedata.category(ch)[0] not in "CZ" else " " for ch in title)
    words = " ".join(kept.split())
    return words[:TITLE_MAX].rstrip()


def find_article(session: Session, ref: PageRef) -> Article | None:
    query = (
        select(Article)
        .join(SitePage, SitePage.article_id == Article.id)
        .where(SitePage.site_id == ref.site.id, SitePage.canonical_url == ref.url)
    )
    return session.scalar(query)


def _free_slug(session: Session, stem: str) -> str:
    """The title's slug with a random ending no article has (a site's page never takes over
    an article of ours)."""
    while True:
        slug = f"{stem}-{secrets.token_hex(4)}"
        if session.scalar(select(Article.id).where(Article.slug == slug)) is None:
            return slug


def page_language(tag: str) -> str | None:
    """The host page's language as an article's (a BCP 47 tag), or None: a tag that is not
    one is ignored, never refused (the embed sends whatever the page says)."""
    try:
        return language_tag(tag)
    except ValueError:
        return None


def create_article(session: Session, ref: PageRef, *, language: str = "") -> Article:
    """The page's article, made now if the site starts threads on first view (in a write
    transaction), in the host page's ``language`` when it is a language tag; two first views
    at once end with one article."""
    if not ref.site.create_on_view:
        raise NotFound(gettext(NO_THREAD))
    since = utcnow() - timedelta(hours=1)
    recent = select(func.count()).where(
        SitePage.site_id == ref.site.id, SitePage.created_at > since
    )
    if (session.scalar(recent) or 0) >= NEW_THREADS_PER_HOUR:
        raise RateLimited(
            gettext("This site has started many threads lately. Please try later."),
            retry_after=600,
        )
    slug = _free_slug(session, articles.slugify(ref.title, 150) or "page")
    data = articles.ArticleInput(
        title=ref.title,
        author_name=ref.site.name,
        submitted_at=utcnow(),
        body=f"The comments of <{ref.url}>.",
        slug=slug,
        comment_mode=ref.site.comment_mode,
        language=page_language(language),
    )
    try:
        with session.begin_nested():
            article, _ = articles.save_article(session, data)
            session.flush()
            session.add(SitePage(article_id=article.id, site_id=ref.site.id, canonical_url=ref.url))
            session.flush()
    except IntegrityError:  # made by another first view a moment ago
        found = find_article(session, ref)
        if found is None:
            raise
        return found
    return article


COUNTS_MAX = 50
"""Page addresses one counts request may ask about (a listing page's worth)."""


def comment_counts(session: Session, site: Site, urls: list[str]) -> dict[str, int]:
    """Published comments per page, keyed by the address as asked (0 for a page without a
    thread, a hidden thread or one not published); ``Invalid`` for too many or bad addresses,
    ``Forbidden`` for a page on another origin."""
    if len(urls) > COUNTS_MAX:
        many = ngettext(
            "at most %(num)s address in one request",
            "at most %(num)s addresses in one request",
            COUNTS_MAX,
        )
        raise Invalid({"url": many})
    canonical = {url: page_ref(site, url, "").url for url in urls}
    query = (
        select(SitePage.canonical_url, Article.comment_count)
        .join(Article, Article.id == SitePage.article_id)
        .where(
            SitePage.site_id == site.id,
            SitePage.canonical_url.in_(set(canonical.values())),
            Article.published.is_(True),
            Article.comment_mode != CommentMode.HIDDEN,
        )
    )
    found: dict[str, int] = dict(session.execute(query).all())
    return {url: found.get(page, 0) for url, page in canonical.items()}
