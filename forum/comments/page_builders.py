"""What the thread pages show: the article page (for a visitor from the render cache, for a
logged-in reader from their own cached section, or rendered afresh with a form to show again)
and a comment's permalink with its subtree. The controller in ``pages.py`` picks one."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from litestar.response import Response, Template
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.articles.models import Article, CommentMode
from forum.comments import reader_page, service, visitor_page
from forum.comments.config import CommentConfig
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment, CommentStatus
from forum.comments.notify import service as notify
from forum.comments.reading import CommentNotFound, Sort, Subtree, Viewer
from forum.comments.thread_etag import etag_matches
from forum.comments.thread_view import (
    MAX_INDENT,
    ThreadActions,
    ThreadFacts,
)
from forum.comments.tree import Node
from forum.comments.visitor_page import PageCache
from forum.web import front_cache, reader_cache
from forum.web.random_tokens import token_urlsafe
from forum.web.sessions import SESSION_COOKIE
from forum.web.types import AnyRequest

DECIDED = frozenset({CommentStatus.HIDDEN, CommentStatus.REJECTED})
"""Statuses moderation gives: others no longer see the comment, its author still does."""


@dataclass
class Reader:
    """Who is reading a thread page and what they may do there (the page's shared inputs)."""

    db: Session
    user: CurrentUser | None
    hooks: CommentHooks
    config: CommentConfig

    def viewer(self, article_id: int) -> Viewer:
        """The reader of this article's thread: all of it if they moderate it."""
        return self.hooks.viewer(self.db, self.user, article_id)

    def actions(self, article: Article) -> tuple[CommentMode, ThreadActions]:
        mode = service.effective_mode(article, close_after_days=self.config.close_after_days)
        refusal = (
            self.hooks.posting_refusal(self.db, self.user, article)
            if mode is CommentMode.OPEN
            else None
        )
        moderator = self.hooks.moderates_thread(self.db, self.user, article.id)
        actions = ThreadActions(self.user, self.config, mode, refusal, moderator=moderator)
        if actions.moderator:
            actions.reports = self.hooks.reported(self.db, article.id)
        return mode, actions


@dataclass
class SentForm:
    """A comment form as it was sent, to show again with its error."""

    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    preview: str | None = None
    """The text rendered as it would be posted (the Preview button; nothing saved)."""


def article_page(
    reader: Reader,
    article: Article,
    *,
    sort: Sort,
    page: int,
    draft: SentForm | None = None,
    status_code: int = 200,
) -> Template:
    """The article and one page of its thread, with the comment form as this reader has it."""
    return Template(
        "comments/article.html",
        status_code=status_code,
        context=_article_context(reader, article, sort=sort, page=page, draft=draft),
    )


def _article_context(
    reader: Reader, article: Article, *, sort: Sort, page: int, draft: SentForm | None
) -> dict[str, Any]:
    mode, actions = reader.actions(article)
    thread = None
    if mode is not CommentMode.HIDDEN:
        thread = service.thread_page(
            reader.db,
            article,
            Viewer(reader.user.id if reader.user else None, actions.moderator),
            sort=sort,
            page=page,
            per_page=reader.config.per_page,
            max_comments=reader.config.page_comments,
        )
    draft = draft or SentForm()
    user = reader.user
    return {
        "article": article,
        "mode": mode.value,
        "thread": thread,
        "facts": ThreadFacts(article, thread.nodes if thread else []),
        "actions": actions,
        "max_indent": MAX_INDENT,
        "form": draft.values,
        "error": draft.error,
        "preview": draft.preview,
        "form_started": int(time.time()),
        "post_nonce": token_urlsafe(16),
        "watch": notify.watch_of(reader.db, user.id, article.id) if user else None,
    }


def reader_article_page(
    request: AnyRequest,
    reader: Reader,
    article: Article,
    cache: PageCache,
    *,
    sort: Sort,
    page: int,
) -> Template:
    """The article page for a logged-in reader: the thread section from the render cache,
    under a key of everything it shows of this reader (``reader_page``), else rendered."""
    assert reader.user is not None
    _, actions = reader.actions(article)
    watch = notify.watch_of(reader.db, reader.user.id, article.id)
    key = reader_page.section_key(
        reader.db,
        article,
        reader.user,
        actions,
        sort=sort,
        page=page,
        per_page=reader.config.per_page,
        max_comments=reader.config.page_comments,
        watching=watch.mode.value if watch else "-",
    )
    stored = cache.store.get(key)
    if stored is None:
        context = _article_context(reader, article, sort=sort, page=page, draft=None)
        stored = reader_page.render_section(request, context)
        cache.store.set(key, stored)
    token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
    again = reader_cache.offer(request.scope)
    if again is not None:  # this reader gets this page alike until something changes
        again.register(lambda _: "")
    section = visitor_page.fill(stored, token, again)
    return Template("comments/article.html", context={"article": article, "thread_html": section})


def visitor_article_page(
    request: AnyRequest,
    reader: Reader,
    article: Article,
    cache: PageCache,
    *,
    sort: Sort,
    page: int,
) -> Template | Response[None]:
    """The article page for a visitor: the thread section from the render cache, and an ETag
    (304 when the browser has this page) unless a session cookie makes the page personal."""
    _, actions = reader.actions(article)
    per_page = reader.config.per_page
    limit = reader.config.page_comments
    key = visitor_page.content_key(
        reader.db, article, actions, sort=sort, page=page, per_page=per_page, max_comments=limit
    )
    token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
    headers: dict[str, str] = {}
    if not any(name.endswith(SESSION_COOKIE) for name in request.cookies):
        etag = visitor_page.page_etag(key, token, cache.variant(request))
        # private: the page's forms and its cookie carry this visitor's CSRF token, which a
        # shared cache must not hand to the next visitor; the browser revalidates its copy
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Cookie"}
        # a browser's copy with its cookie's token in the forms; a request without a cookie
        # was given a new token, which no copy carries: the front cache answers its 304s
        if etag_matches(request, etag):
            return Response(None, status_code=304, headers=headers)
    stored = cache.store.get(key)
    if stored is None:
        stored = visitor_page.render_section(
            request,
            reader.db,
            article,
            actions,
            sort=sort,
            page=page,
            per_page=per_page,
            max_comments=limit,
        )
        cache.store.set(key, stored)
    front = front_cache.offer(request.scope) if headers else None
    if front is not None:  # every visitor without a cookie gets this page alike
        variant = cache.variant(request)
        front.register(lambda new: visitor_page.page_etag(key, new, variant))
    section = visitor_page.fill(stored, token, front)
    return Template(
        "comments/article.html",
        context={"article": article, "thread_html": section},
        headers=headers,
    )


def subtree_page(
    reader: Reader,
    comment_id: int,
    *,
    reply: bool = False,
    draft: SentForm | None = None,
    status_code: int = 200,
) -> Template:
    """A comment in context (its ancestors) with its subtree, and the reply form if asked."""
    own = _own_decided(reader, comment_id)
    if own is None:
        article_id = service.get_comment(reader.db, comment_id).article_id
        sub = service.subtree(reader.db, comment_id, reader.viewer(article_id))
    else:
        sub = _own_subtree(reader, own)
    mode, actions = reader.actions(sub.article)
    if mode is CommentMode.HIDDEN and not actions.moderator:  # the rule: staff see all
        raise CommentNotFound()
    draft = draft or SentForm()
    return Template(
        "comments/permalink.html",
        status_code=status_code,
        context={
            "decided": own.status.value if own else None,
            "notices": reader.hooks.notices_for_author(reader.db, own) if own else [],
            "article": sub.article,
            "ancestors": sub.ancestors,
            "nodes": sub.nodes,
            "focus_id": sub.focus_id,
            "facts": ThreadFacts(sub.article, sub.nodes, sub.ancestors),
            "actions": actions,
            "max_indent": MAX_INDENT,
            "reply": reply,
            "form": draft.values,
            "error": draft.error,
            "preview": draft.preview,
            "form_started": int(time.time()),
            "post_nonce": token_urlsafe(16),
        },
    )


def _own_decided(reader: Reader, comment_id: int) -> Comment | None:
    """The reader's own comment that moderation took down (rejected or hidden): its author
    still sees it at its permalink, as the statement of reasons promises."""
    if reader.user is None:
        return None
    comment = reader.db.get(Comment, comment_id)
    if comment is None or comment.author_id != reader.user.id or comment.status not in DECIDED:
        return None
    return comment


def _own_subtree(reader: Reader, own: Comment) -> Subtree:
    """The subtree as its author sees it, with their own text in place of the placeholder
    others get (and alone, when no reply is shown below it)."""
    assert reader.user is not None
    viewer = reader.viewer(own.article_id)
    mine = service.view_of(reader.db, own, Viewer(reader.user.id, moderator=True))
    try:
        sub = service.subtree(reader.db, own.id, viewer)
    except CommentNotFound:
        article = reader.db.get(Article, own.article_id)
        if article is None or not article.published:
            raise
        return Subtree(article=article, ancestors=[], nodes=[Node(mine, 0)], focus_id=own.id)
    sub.nodes[0].item = mine
    return sub
