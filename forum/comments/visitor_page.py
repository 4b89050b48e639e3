"""The article page as visitors see it: one rendering of its thread section shared by all of
them (the render cache, keyed by the thread's ETag), and an ETag of its own so that browsers
and proxies revalidate with 304 instead of fetching the page again.

The cached section is rendered once with random placeholders where each request's own values
go (the CSRF input, the form's one-time nonce and its start time) and those are put in with a
string replace. The page's ETag adds to the thread's what else a visitor's page shows: the
CSRF token of this browser and its consent state (the banner, the cookie policy version).
A visitor without any cookie gets the whole page from the front cache once its first such
request registered it (forum/web/front_cache.py; the marks are the front cache's then).
"""

from __future__ import annotations

import hashlib
import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from forum.articles.models import Article, CommentMode
from forum.comments import service
from forum.comments.reading import Sort, Viewer
from forum.comments.thread_view import MAX_INDENT, ThreadActions, ThreadFacts
from forum.web.front_entries import Offer
from forum.web.random_tokens import CSRF_RANDOM_LENGTH, token_hex, token_urlsafe
from forum.web.render_cache import RenderCache, code_version
from forum.web.types import AnyRequest

SECTION_TEMPLATE = "comments/_article_thread.html"
MARK_LENGTH = 32
"""The random placeholder prefix stored in front of each cached section."""


def _no_variant(request: AnyRequest) -> str:
    return ""


@dataclass(frozen=True)
class PageCache:
    """Provided as ``page_cache``: the render cache, and what else varies a visitor's page
    (privacy answers with the consent state; wired in ``create_app``)."""

    store: RenderCache
    variant: Callable[[AnyRequest], str] = field(default=_no_variant)


def content_key(
    db: Session,
    article: Article,
    actions: ThreadActions,
    *,
    sort: Sort,
    page: int,
    per_page: int,
    max_comments: int,
) -> str:
    """The key of the section: the thread's ETag for a visitor, with the thread's mode and
    whether (and why not) visitors may post, which the section shows too."""
    refusal = actions.refusal
    extra = "|".join(
        [
            actions.mode.value,
            "post" if actions.can_post() else "-",
            refusal.message if refusal else "",
            repr(refusal.action) if refusal else "",
            str(per_page),
            str(max_comments),
        ]
    )
    tag = service.thread_etag(db, article, Viewer.of(None), sort=sort, page=page, extra=extra)
    return f"article-thread:{tag}"


def page_etag(key: str, csrf_token: str, variant: str) -> str:
    """The visitor page's validator, ``"content.token"``: the section's key, the consent state
    and the code's version, then the random part of the CSRF token its forms carry. A client
    that kept the page but not its cookie (a browser restarted: the cookie lasted a session,
    the cache did not) is given that token back with the 304 (forum/web/front_cache.py), so
    the page's forms still post."""
    content = hashlib.sha256(f"{key}|{variant}|{code_version()}".encode()).hexdigest()[:20]
    return f'"{content}.{csrf_token[:CSRF_RANDOM_LENGTH]}"'


def render_section(
    request: AnyRequest,
    db: Session,
    article: Article,
    actions: ThreadActions,
    *,
    sort: Sort,
    page: int,
    per_page: int,
    max_comments: int,
) -> str:
    """The thread section with placeholders, prefixed by them (what the cache stores)."""
    thread = None
    if actions.mode is not CommentMode.HIDDEN:
        thread = service.thread_page(
            db,
            article,
            Viewer.of(None),
            sort=sort,
            page=page,
            per_page=per_page,
            max_comments=max_comments,
        )
    mark = token_hex(MARK_LENGTH // 2)
    context: dict[str, Any] = {
        "request": request,
        "article": article,
        "mode": actions.mode.value,
        "thread": thread,
        "facts": ThreadFacts(article, thread.nodes if thread else []),
        "actions": actions,
        "max_indent": MAX_INDENT,
        "form": {},
        "error": None,
        "form_started": mark + "s",
        "post_nonce": mark + "n",
        "watch": None,
        "csrf_input": mark + "c",
    }
    engine = request.app.template_engine
    assert engine is not None
    section: str = engine.get_template(SECTION_TEMPLATE).render(**context)
    return mark + section


def fill(stored: str, csrf_token: str, front: Offer | None = None) -> str:
    """A cached section with this request's CSRF input, a new nonce and the form's time (or,
    for the front cache, its marks where those go)."""
    mark, section = stored[:MARK_LENGTH], stored[MARK_LENGTH:]
    csrf_input = f'<input type="hidden" name="_csrf_token" value="{html.escape(csrf_token)}" />'
    nonce = front.nonce_mark if front else token_urlsafe(16)
    started = front.time_mark if front else str(int(time.time()))
    return (
        section.replace(mark + "c", csrf_input)
        .replace(mark + "n", nonce)
        .replace(mark + "s", started)
    )
