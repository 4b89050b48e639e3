"""The one rule that decides whether a viewer may see a comment, and its SQL form for lists.

Every read path asks it: the thread and its API, the permalink and ``GET /api/comments/{id}``,
the reply, edit and delete forms, the report form and report API, feeds, search, and the mails
to watchers. A comment the rule hides is answered 404, as if it did not exist.

* Those who moderate the thread see every comment, whatever its status and its article's
  state: they decide about it (the queue links to its permalink). Within one thread that is
  ``CommentHooks.viewer`` (a site's moderators moderate their site's threads); ``Viewer.of``,
  the role alone, serves lists across threads.
* Everyone else sees a comment only on a published article whose comments are not hidden, and
  then a published comment, or their own comment while it is pending.

``visible_to`` is the rule for one comment; ``visible_where`` is the same rule as a SQL
condition over ``comments`` joined to ``articles`` (``status_where`` is its status part alone,
for queries within one readable thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, true

from forum.accounts.current import CurrentUser
from forum.accounts.permissions import can_moderate
from forum.articles.models import Article, CommentMode
from forum.comments.models import Comment, CommentStatus

SHOWN_TO_EVERYONE = frozenset({CommentStatus.PUBLISHED})
SHOWN_TO_ITS_AUTHOR = frozenset({CommentStatus.PUBLISHED, CommentStatus.PENDING})
"""What an author sees of their own comments (a pending one is marked 'awaiting moderation')."""


@dataclass(frozen=True)
class Viewer:
    """Who is reading: decides which comments are shown and how."""

    user_id: int | None = None
    moderator: bool = False

    @classmethod
    def of(cls, user: CurrentUser | None) -> Viewer:
        """By the role alone; within one thread ask ``CommentHooks.viewer``."""
        return cls(user.id if user else None, can_moderate(user))


PUBLIC = Viewer()
"""A visitor: what feeds, search and mails to others may show."""


def thread_readable(article: Article) -> bool:
    """Readers see an article's comments: it is published and its comments are not hidden."""
    return article.published and article.comment_mode is not CommentMode.HIDDEN


def status_visible(viewer: Viewer, status: CommentStatus, author_id: int | None) -> bool:
    """Whether ``viewer`` sees a comment of this status and author, in a readable thread."""
    if viewer.moderator or status in SHOWN_TO_EVERYONE:
        return True
    own = author_id is not None and author_id == viewer.user_id
    return own and status in SHOWN_TO_ITS_AUTHOR


def visible_to(viewer: Viewer, comment: Comment, article: Article) -> bool:
    """The rule: whether ``viewer`` may see ``comment`` (on ``article``, its article)."""
    if comment.article_id != article.id:
        return False
    if viewer.moderator:
        return True
    return thread_readable(article) and status_visible(viewer, comment.status, comment.author_id)


def status_where(viewer: Viewer, comments: Any = Comment) -> ColumnElement[bool]:
    """SQL: ``status_visible`` over ``comments`` (the table or an alias of it)."""
    if viewer.moderator:
        return true()
    shown: ColumnElement[bool] = comments.status.in_(sorted(SHOWN_TO_EVERYONE))
    if viewer.user_id is None:
        return shown
    own = and_(
        comments.author_id == viewer.user_id,
        comments.status.in_(sorted(SHOWN_TO_ITS_AUTHOR)),
    )
    return or_(shown, own)


def thread_readable_where(articles: Any = Article) -> ColumnElement[bool]:
    """SQL: ``thread_readable`` over ``articles`` (the table or an alias of it)."""
    return and_(articles.published.is_(True), articles.comment_mode != CommentMode.HIDDEN)


def visible_where(
    viewer: Viewer, comments: Any = Comment, articles: Any = Article
) -> ColumnElement[bool]:
    """SQL: ``visible_to``, for a query that joins ``comments`` to their ``articles``."""
    joined: ColumnElement[bool] = comments.article_id == articles.id
    if viewer.moderator:
        return joined
    return and_(joined, thread_readable_where(articles), status_where(viewer, comments))
