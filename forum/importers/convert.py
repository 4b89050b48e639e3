"""Pure conversions from what an archive holds to what the forum stores: comment texts as
Markdown, names, slugs to look articles up by, and keys short enough for their columns."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from forum.articles.service import SLUG_PATTERN, slugify
from forum.importers.archive import ArchiveComment, ArchiveThread, Markup
from forum.importers.html_text import html_to_markdown, wordpress_paragraphs
from forum.text import strip_forbidden

_ARTICLE_PATH = re.compile(r"^/articles/([^/]+)/?$")
_EXTENSION = re.compile(r"\.(html?|php|aspx?)$", re.IGNORECASE)


def stored_key(key: str, limit: int) -> str:
    """``key`` as stored: a long one (a long site address) is cut and a hash of it appended."""
    if len(key) <= limit:
        return key
    return key[: limit - 17] + "#" + hashlib.sha256(key.encode()).hexdigest()[:16]


def clean_text(text: str) -> str:
    """Line endings unified; controls, bidi overrides, surrogates and noncharacters dropped
    (never stored: forum.text decides which)."""
    return strip_forbidden(text).strip()


def clean_name(name: str, limit: int) -> str:
    return " ".join(clean_text(unicodedata.normalize("NFKC", name)).split())[:limit].strip()


def comment_source(comment: ArchiveComment) -> str:
    """The comment's text as Markdown, whatever the archive wrote it in."""
    if comment.markup is Markup.HTML:
        return clean_text(html_to_markdown(comment.body))
    if comment.markup is Markup.WORDPRESS:
        return clean_text(html_to_markdown(wordpress_paragraphs(comment.body)))
    return clean_text(comment.body)


def slug_candidates(thread: ArchiveThread) -> list[str]:
    """Slugs that may name the thread's article: its own, one from its URL, one from its title.

    A URL ``…/articles/{slug}`` gives that slug; any other gives its last path segment
    (without ``.html`` and the like), slugified.
    """
    found: list[str] = []
    if thread.slug:
        found.append(slugify(thread.slug))
    if thread.url:
        path = unquote(urlsplit(thread.url.strip()).path)
        match = _ARTICLE_PATH.match(path)
        if match:
            found.append(match.group(1))
        segments = [s for s in path.split("/") if s]
        if segments:
            found.append(slugify(_EXTENSION.sub("", segments[-1])))
    if thread.title:
        found.append(slugify(thread.title))
    unique: list[str] = []
    for slug in found:
        if slug and SLUG_PATTERN.match(slug) and slug not in unique:
            unique.append(slug)
    return unique
