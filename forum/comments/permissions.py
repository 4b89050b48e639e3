"""Who may do what with comments: one check per action, shared by HTML, API and templates.

``moderator``: whether the user moderates the comment's thread, asked once by the caller
(``CommentHooks.moderates_thread``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from forum.accounts.current import CurrentUser
from forum.articles.models import CommentMode
from forum.comments.models import CommentStatus


@dataclass(frozen=True)
class CommentFacts:
    """What the checks need to know about a comment (a row or a view of one)."""

    author_id: int | None
    status: CommentStatus
    created_at: datetime


def can_post(user: CurrentUser | None, mode: CommentMode, *, anonymous_allowed: bool) -> bool:
    if mode is not CommentMode.OPEN:
        return False
    return user is not None or anonymous_allowed


def is_author(user: CurrentUser | None, comment: CommentFacts) -> bool:
    return user is not None and comment.author_id is not None and comment.author_id == user.id


def can_edit(
    user: CurrentUser | None,
    comment: CommentFacts,
    *,
    moderator: bool,
    now: datetime,
    window: timedelta,
) -> bool:
    """Authors within the edit window; the thread's moderators at any time. Deleted text is
    not edited."""
    if comment.status is CommentStatus.DELETED:
        return False
    if moderator and user is not None:
        return True
    return is_author(user, comment) and now - comment.created_at <= window


def can_delete(user: CurrentUser | None, comment: CommentFacts, *, moderator: bool) -> bool:
    if comment.status is CommentStatus.DELETED:
        return False
    return (moderator and user is not None) or is_author(user, comment)


def can_restore(user: CurrentUser | None, comment: CommentFacts, *, moderator: bool) -> bool:
    return comment.status is CommentStatus.DELETED and moderator and user is not None


def can_reply(user: CurrentUser | None, comment: CommentFacts) -> bool:
    return comment.status is CommentStatus.PUBLISHED or (
        comment.status is CommentStatus.PENDING and is_author(user, comment)
    )


def can_see_revisions(user: CurrentUser | None, *, moderator: bool) -> bool:
    return moderator and user is not None


def can_vote(user: CurrentUser | None, comment: CommentFacts) -> bool:
    """Readers with an account, on published comments of others (never anonymously)."""
    return (
        user is not None
        and comment.status is CommentStatus.PUBLISHED
        and not is_author(user, comment)
    )
