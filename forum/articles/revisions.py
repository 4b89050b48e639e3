"""An article's history: every change kept as a revision, and what each one changed.

A revision is written only when a saved field differs from the latest one, so the history
lists versions rather than saves; an editor's form remembers the version it showed
(``latest_revision_id``) so that a save made meanwhile is not overwritten unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.articles.models import Article, ArticleRevision
from forum.db import utcnow

REVISED_FIELDS = (
    "slug",
    "title",
    "author_name",
    "submitted_at",
    "body_source",
    "published",
    "comment_mode",
)


@dataclass
class RevisionView:
    """One version in an article's history: who saved it, when, and what it changed."""

    revision: ArticleRevision
    editor_username: str | None
    changed: list[str] = field(default_factory=list)


def _snapshot(article: Article | ArticleRevision) -> tuple[object, ...]:
    return tuple(getattr(article, name) for name in REVISED_FIELDS)


def latest_revision(session: Session, article_id: int) -> ArticleRevision | None:
    return session.scalar(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article_id)
        .order_by(ArticleRevision.id.desc())
        .limit(1)
    )


def _add_revision(
    session: Session, article: Article, editor_id: int | None, at: datetime | None = None
) -> None:
    values = dict(zip(REVISED_FIELDS, _snapshot(article), strict=True))
    session.add(
        ArticleRevision(
            article_id=article.id, editor_id=editor_id, created_at=at or utcnow(), **values
        )
    )


def revised(
    session: Session, article: Article, editor_id: int | None, change: Callable[[], None]
) -> None:
    """Make ``change`` to the article and keep a revision if anything changed.

    An article last saved before revisions existed first gets its old state recorded (with
    no editor, at its last change), so the history always holds every version.
    """
    latest = latest_revision(session, article.id) if article.id is not None else None
    if latest is None and article.id is not None:
        _add_revision(session, article, None, at=article.updated_at)
        before: tuple[object, ...] | None = _snapshot(article)
    else:
        before = _snapshot(latest) if latest is not None else None
    change()
    session.flush()
    if _snapshot(article) != before:
        _add_revision(session, article, editor_id)
        session.flush()


def latest_revision_id(session: Session, article_id: int) -> int | None:
    latest = latest_revision(session, article_id)
    return latest.id if latest is not None else None


def history(session: Session, article_id: int) -> list[RevisionView]:
    """Every version of an article, newest first, each with what it changed."""
    rows = session.execute(
        select(ArticleRevision, User.username)
        .outerjoin(User, User.id == ArticleRevision.editor_id)
        .where(ArticleRevision.article_id == article_id)
        .order_by(ArticleRevision.id)
    ).all()
    views: list[RevisionView] = []
    previous: ArticleRevision | None = None
    for revision, username in rows:
        changed = [
            name
            for name in REVISED_FIELDS
            if previous is None or getattr(previous, name) != getattr(revision, name)
        ]
        views.append(RevisionView(revision, username, [] if previous is None else changed))
        previous = revision
    return list(reversed(views))
