"""The validator of one page of a thread, so that an unchanged thread is answered with 304."""

from __future__ import annotations

import hashlib

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from forum.articles.models import Article
from forum.comments.models import Comment
from forum.comments.ordering import Sort
from forum.comments.visibility import Viewer
from forum.i18n import current_language
from forum.web.types import AnyRequest

_LATEST_CHANGE = select(func.max(Comment.updated_at)).where(
    Comment.article_id == bindparam("article_id")
)
"""Built once (every thread read asks it): building it cost more than running it."""


def thread_etag(
    session: Session, article: Article, viewer: Viewer, *, sort: Sort, page: int, extra: str = ""
) -> str:
    """A validator for one page of a thread as this viewer sees it, in the language of the
    request (its buttons and dates are said in it): one indexed query."""
    latest = session.scalar(_LATEST_CHANGE, {"article_id": article.id})
    key = "|".join(
        str(part)
        for part in (
            article.id,
            article.updated_at.isoformat(),
            latest.isoformat() if latest else "-",
            viewer.user_id,
            viewer.moderator,
            sort.value,
            page,
            extra,
            current_language(),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def etag_matches(request: AnyRequest, etag: str) -> bool:
    """Whether the request's ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110
    asks of it: a ``W/`` a proxy put in front is no difference)."""
    sent = request.headers.get("if-none-match", "")
    return etag in {tag.strip().removeprefix("W/") for tag in sent.split(",")}
