"""The one Markdown renderer: markdown-it-py (CommonMark) then the nh3 allowlist sanitizer.

Raw HTML is never passed through: markdown-it escapes it, and nh3 removes anything outside the
allowlist even if a Markdown construct produced it. Links keep only http, https and mailto, or
a path on this site (``/terms``); bare URLs become links; external links carry the profile's
``rel``, same-site ones none; comments link ``@username`` mentions (``forum.web.markdown_links``).

Comments, articles and policies are stored rendered, when written or edited: a change here
shows on what is written or edited after it, not on older text.

Articles may show images, from ``https`` sources only. Our Content-Security-Policy lets pages load
images from our own site and from the hosts the operator lists (``FORUM_ARTICLE_IMAGE_HOSTS``),
nowhere else: an image from any other host would be blocked by the browser, so it is rendered as
a plain link to the picture instead. Comments never show images.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from forum.web.markdown_links import (
    LINK_SCHEMES,
    MENTION_CLASS,
    link_kind,
    make_rule,
    relative_url,
)

__all__ = ["LINK_SCHEMES", "MarkdownRenderer", "plain_text", "teaser"]

COMMENT_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
)
ARTICLE_TAGS = COMMENT_TAGS | {"h1", "h2", "h3", "h4", "h5", "h6", "hr", "img"}

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
    images: bool = False
    """Markdown images become ``<img>`` (https, allowed hosts) or links; off: plain text."""
    mentions: bool = False
    """``@username`` may link to a profile (``render(mentions=…)``)."""


COMMENT = MarkdownProfile(
    tags=COMMENT_TAGS,
    disabled_rules=("image", "heading", "lheading", "hr", "html_block", "html_inline"),
    link_rel="nofollow ugc noopener",
    mentions=True,
)
ARTICLE = MarkdownProfile(
    tags=ARTICLE_TAGS,
    disabled_rules=("html_block", "html_inline"),
    link_rel="noopener",
    attributes={"a": {"href", "title"}, "ol": {"start"}, "img": {"src", "alt", "title"}},
    images=True,
)


def image_host(url: str) -> str | None:
    """The ``host[:port]`` an https URL loads from, lower-cased; None for anything else."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or "@" in parts.netloc:
        return None
    return parts.netloc.lower()


def _https_sources_only(tag: str, attribute: str, value: str) -> str | None:
    """nh3's last word on every attribute: an image source must be https, whatever made it."""
    if tag == "img" and attribute == "src" and image_host(value) is None:
        return None
    return value


def _render_image(
    renderer: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    """An ``<img>`` when its https host may be loaded from, else a link to the picture."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    host = image_host(src)
    if host is not None and host in env.get("image_hosts", ()):
        title_attr = f' title="{escapeHtml(str(title))}"' if title else ""
        return f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{title_attr}>'
    kind = link_kind(src)
    if kind is None:
        return escapeHtml(alt or src)
    rel = f' rel="{escapeHtml(env["link_rel"])}"' if kind == "external" else ""
    return f'<a href="{escapeHtml(src)}"{rel}>{escapeHtml(alt or src)}</a>'


class MarkdownRenderer:
    """Renders Markdown source to sanitized HTML for one profile."""

    def __init__(self, profile: MarkdownProfile) -> None:
        self.profile = profile
        options = {"html": False, "breaks": True, "linkify": True}
        self._md = (
            MarkdownIt("commonmark", options)
            .enable("linkify")
            .disable(list(profile.disabled_rules))
        )
        self._md.core.ruler.push("links_and_mentions", make_rule(profile.link_rel))
        if profile.images:
            self._md.add_render_rule("image", _render_image)
        self._cleaner = nh3.Cleaner(
            tags=set(profile.tags),
            attributes={tag: set(attrs) for tag, attrs in profile.attributes.items()},
            attribute_filter=_https_sources_only,
            set_tag_attribute_values={"img": {"loading": "lazy"}} if profile.images else None,
            tag_attribute_values={"a": {"rel": {profile.link_rel}}},
            allowed_classes={"a": {MENTION_CLASS}} if profile.mentions else None,
            url_schemes=set(LINK_SCHEMES),
            url_relative=relative_url,
            link_rel=None,
            strip_comments=True,
        )

    def render(
        self,
        source: str,
        *,
        image_hosts: frozenset[str] = frozenset(),
        mentions: Mapping[str, str] | None = None,
    ) -> str:
        """Sanitized HTML for ``source``; safe to insert into a page unescaped.

        ``image_hosts`` (``host[:port]``, lower case) are where images may load from; images
        elsewhere become links. Profiles without images ignore it. ``mentions`` maps the
        lower-cased usernames that may be linked to their profile paths (see
        ``mentioned_names``); any other ``@name`` stays text.
        """
        env = {
            "image_hosts": image_hosts,
            "link_rel": self.profile.link_rel,
            "find_mentions": self.profile.mentions,
            "mentions": dict(mentions or {}),
        }
        return self._cleaner.clean(self._md.render(source, env)).strip()

    def mentioned_names(self, source: str) -> list[str]:
        """Every ``@name`` in ``source`` outside code and links, first spelling of each, in
        order: what the caller looks up before ``render``."""
        if not self.profile.mentions:
            return []
        env: dict[str, Any] = {"find_mentions": True, "mentions": {}}
        self._md.parse(source, env)
        names: Iterable[str] = env.get("mentioned", [])
        return list(names)


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
