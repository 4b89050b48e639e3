"""The article page as a logged-in reader sees it: the thread section rendered once per state
of what that reader's section shows, and kept in the render cache under a key of exactly that.

The key is the thread's ETag as this reader sees it (it moves with every comment, edit, vote,
moderation decision or erasure in the thread, and is this reader's own: their id and whether
they moderate this thread — by role, or as a moderator of the site it belongs to — so their
pending comments and their buttons are theirs alone), with what else
the section shows of them: who they are (name, role, verified address), the thread's mode and
whether (and why not) they may post, whether they watch the thread, which of their comments
on it are still within the edit window (the one thing that changes with time alone) and, for a
moderator, the open reports per comment (a report moves no comment).
Each request's own values (the CSRF input, the form's nonce and start time) are put into the
cached section as for visitors (``visitor_page.fill``). The page stays ``no-store``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.articles.models import Article
from forum.comments import service
from forum.comments.models import Comment
from forum.comments.reading import Sort, Viewer
from forum.comments.thread_view import ThreadActions
from forum.comments.visitor_page import MARK_LENGTH, SECTION_TEMPLATE
from forum.db import utcnow
from forum.web.types import AnyRequest


def _editable(
    db: Session, user: CurrentUser, article: Article, window: timedelta, *, moderator: bool
) -> str:
    """The reader's comments on this article still within the edit window (their edit
    button goes when it closes); the thread's moderators edit at any time, so nothing to
    list."""
    if moderator:
        return "any"
    ids = db.scalars(
        select(Comment.id).where(
            Comment.author_id == user.id,
            Comment.created_at > utcnow() - window,
            Comment.article_id == article.id,
        )
    )
    return ",".join(str(i) for i in ids)


def section_key(
    db: Session,
    article: Article,
    user: CurrentUser,
    actions: ThreadActions,
    *,
    sort: Sort,
    page: int,
    per_page: int,
    max_comments: int,
    watching: str,
) -> str:
    """Everything this reader's thread section shows that may change, as one cache key."""
    refusal = actions.refusal
    extra = "|".join(
        [
            actions.mode.value,
            "post" if actions.can_post() else "-",
            refusal.message if refusal else "",
            repr(refusal.action) if refusal else "",
            str(per_page),
            str(max_comments),
            repr((user.id, user.username, user.display_name, user.role, user.email_verified)),
            watching,
            _editable(db, user, article, actions.window, moderator=actions.moderator),
            repr(sorted(actions.reports.items())),  # a moderator's "reported N times" flags
        ]
    )
    viewer = Viewer(user.id, actions.moderator)
    tag = service.thread_etag(db, article, viewer, sort=sort, page=page, extra=extra)
    return f"reader-thread:{user.id}:{tag}"


def render_section(request: AnyRequest, context: dict[str, Any]) -> str:
    """The thread section of ``context`` (the page's) with placeholders where each request's
    own values go, prefixed by them (what the cache stores)."""
    mark = secrets.token_hex(MARK_LENGTH // 2)
    marked = {
        **context,
        "request": request,
        "form_started": mark + "s",
        "post_nonce": mark + "n",
        "csrf_input": mark + "c",
    }
    engine = request.app.template_engine
    assert engine is not None
    section: str = engine.get_template(SECTION_TEMPLATE).render(**marked)
    return mark + section
