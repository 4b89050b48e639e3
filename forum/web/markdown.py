"""The one Markdown renderer: markdown-it-py (CommonMark) then the nh3 allowlist sanitizer.

Raw HTML is never passed through: markdown-it escapes it, and nh3 removes anything outside the
allowlist even if a Markdown construct produced it. Links keep only http, https and mailto.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt

LINK_SCHEMES = frozenset({"http", "https", "mailto"})

COMMENT_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
)
ARTICLE_TAGS = COMMENT_TAGS | {"h1", "h2", "h3", "h4", "h5", "h6", "hr"}

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class MarkdownProfile:
    """Which Markdown constructs and tags one kind of text may use."""

    tags: frozenset[str]
    disabled_rules: tuple[str, ...]
    link_rel: str
    attributes: dict[str, set[str]] = field(
        default_factory=lambda: {"a": {"href", "title"}, "ol": {"start"}}
    )


COMMENT = MarkdownProfile(
    tags=COMMENT_TAGS,
    disabled_rules=("image", "heading", "lheading", "hr", "html_block", "html_inline"),
    link_rel="nofollow ugc noopener",
)
ARTICLE = MarkdownProfile(
    tags=ARTICLE_TAGS,
    disabled_rules=("image", "html_block", "html_inline"),
    link_rel="noopener",
)


class MarkdownRenderer:
    """Renders Markdown source to sanitized HTML for one profile."""

    def __init__(self, profile: MarkdownProfile) -> None:
        self.profile = profile
        self._md = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
            list(profile.disabled_rules)
        )
        self._cleaner = nh3.Cleaner(
            tags=set(profile.tags),
            attributes={tag: set(attrs) for tag, attrs in profile.attributes.items()},
            url_schemes=set(LINK_SCHEMES),
            url_relative="deny",
            link_rel=profile.link_rel,
            strip_comments=True,
        )

    def render(self, source: str) -> str:
        """Sanitized HTML for ``source``; safe to insert into a page unescaped."""
        return self._cleaner.clean(self._md.render(source)).strip()


def plain_text(html_fragment: str) -> str:
    """The text of an HTML fragment, tags removed and whitespace folded."""
    stripped = nh3.clean(html_fragment, tags=set())
    return _WHITESPACE.sub(" ", html.unescape(stripped)).strip()


def teaser(html_fragment: str, limit: int = 280) -> str:
    """The start of a text, cut at a word boundary with an ellipsis when it is longer."""
    text = plain_text(html_fragment)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


comment_renderer = MarkdownRenderer(COMMENT)
article_renderer = MarkdownRenderer(ARTICLE)
