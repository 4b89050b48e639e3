"""The language an article is written in, as a BCP 47 tag (``de``, ``pt-BR``).

Not the forum's own languages (an article may be in any language): it tags the article and its
comments (``lang``) and picks the search stemmer of both (``forum.search``, migrations
search_0002 and search_0003).
"""

from __future__ import annotations

import re

from forum.articles.models import Article

_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def language_tag(value: str | None) -> str | None:
    """``value`` as a tag written the usual way (``pt-br`` → ``pt-BR``, ``zh-hant`` →
    ``zh-Hant``); None when empty, ``ValueError`` when it is not a language tag.
    """
    text = (value or "").strip().replace("_", "-")
    if not text:
        return None
    if len(text) > Article.LANGUAGE_MAX or not _TAG.fullmatch(text):
        raise ValueError(text)
    primary, *rest = text.split("-")
    subtags = [
        part.upper() if len(part) == 2 else part.title() if len(part) == 4 else part.lower()
        for part in rest
    ]
    return "-".join([primary.lower(), *subtags])
