"""Where an article lives: the one place its public address is spelled out.

Routes, feeds, mails and templates (as the ``article_url`` Jinja global) build links with it.
"""

from __future__ import annotations


def article_url(slug: str, anchor: str = "") -> str:
    """The article's page, e.g. ``/articles/a-slug``, with ``#anchor`` when given."""
    return f"/articles/{slug}" + (f"#{anchor}" if anchor else "")
