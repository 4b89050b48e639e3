"""Links and mentions in rendered Markdown: which links stay links, their ``rel``, their text.

A markdown-it core rule (after ``linkify``) walks each paragraph's inline tokens once:

* a link keeps its ``href`` when it is ``http``, ``https`` or ``mailto``, or a same-site path
  (``/terms``, ``#comment-3``); anything else (``javascript:``, ``//evil.example``,
  ``/\\evil.example``, a path relative to the page) loses the link and keeps its text;
* external links get the profile's ``rel`` (``nofollow ugc noopener`` in comments); same-site
  links get none, so search engines follow them;
* bare URLs are linked only when they say so (``https://…``, ``www.…``, an address): "settings.py"
  and "example.com" stay text; a long one is shortened in the text, its ``href`` stays whole;
* ``@username`` outside links and code becomes a link to the profile when the caller says the
  user may be linked (``env["mentions"]``); every name seen is collected (``env["mentioned"]``).

nh3 still has the last word over the result (``MarkdownRenderer``): this rule decides what we
mean, the sanitizer makes sure nothing else gets through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

LINK_SCHEMES = frozenset({"http", "https", "mailto"})

SAME_SITE = re.compile(r"^(?:/(?![/\\])|#)[^\s\\\x00-\x1f\x7f]*$")
"""A path on this site (``/terms``) or a fragment (``#comment-3``); not ``//host`` nor
``/\\host``, which browsers read as another host."""

MENTION = re.compile(r"(?<![A-Za-z0-9_.@/+-])@([A-Za-z0-9_-]+)")
"""``@name`` not glued to a word before it (so ``bob@example.org`` is no mention)."""

LINK_TEXT_MAX = 60
"""A bare URL longer than this is shown as its start, "…" and its end."""
_HEAD, _TAIL = 42, 15

MENTION_CLASS = "mention"


def same_site(url: str) -> bool:
    return SAME_SITE.match(url) is not None


def link_kind(url: str) -> str | None:
    """``"site"``, ``"external"``, or None for a link that must not be one."""
    if same_site(url):
        return "site"
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return "external" if scheme in LINK_SCHEMES else None


def relative_url(url: str) -> str | None:
    """nh3's word on URLs without a scheme: same-site paths and fragments pass, nothing else."""
    return url if same_site(url) else None


def shorten(text: str) -> str:
    """A long URL as its start and end, so a comment's line is not one endless word."""
    if len(text) <= LINK_TEXT_MAX:
        return text
    return f"{text[:_HEAD]}…{text[-_TAIL:]}"


def _wanted_bare_link(link: Token, text: Token | None) -> bool:
    """linkify also finds ``settings.py``; keep only what is plainly a link."""
    shown = text.content if text is not None and text.type == "text" else ""
    href = str(link.attrGet("href") or "")
    return "://" in shown or shown.lower().startswith("www.") or href.startswith("mailto:")


def _mention_tokens(text: Token, env: MutableMapping[str, Any]) -> list[Token]:
    """``text`` split around the mentions it holds; each name seen goes to ``mentioned``."""
    links: Mapping[str, str] = env.get("mentions") or {}
    seen: list[str] = env.setdefault("mentioned", [])
    out: list[Token] = []
    start = 0
    for match in MENTION.finditer(text.content):
        name = match.group(1)
        if name.lower() not in {s.lower() for s in seen}:
            seen.append(name)
        href = links.get(name.lower())
        if href is None:
            continue
        if match.start() > start:
            out.append(_text(text.content[start : match.start()]))
        opening = Token("link_open", "a", 1, attrs={"href": href, "class": MENTION_CLASS})
        out += [opening, _text(match.group(0)), Token("link_close", "a", -1)]
        start = match.end()
    if not out:
        return [text]
    if start < len(text.content):
        out.append(_text(text.content[start:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _inline(children: list[Token], rel: str, env: MutableMapping[str, Any]) -> list[Token]:
    out: list[Token] = []
    dropped: list[bool] = []  # per open link: whether its tags are left out
    for index, token in enumerate(children):
        if token.type == "link_open":
            following = children[index + 1] if index + 1 < len(children) else None
            kind = link_kind(str(token.attrGet("href") or ""))
            drop = kind is None or (
                token.markup == "linkify" and not _wanted_bare_link(token, following)
            )
            dropped.append(drop)
            if drop:
                continue
            if kind == "external":
                token.attrSet("rel", rel)
            if token.markup in ("linkify", "autolink") and following is not None:
                following.content = shorten(following.content)
        elif token.type == "link_close":
            if dropped and dropped.pop():
                continue
        elif token.type == "text" and not dropped:
            out += _mention_tokens(token, env) if env.get("find_mentions") else [token]
            continue
        out.append(token)
    return out


def make_rule(rel: str) -> Any:
    """The core rule for one profile: ``rel`` is what external links carry."""

    def links_and_mentions(state: StateCore) -> None:
        for block in state.tokens:
            if block.type == "inline" and block.children:
                block.children = _inline(block.children, rel, state.env)

    return links_and_mentions
