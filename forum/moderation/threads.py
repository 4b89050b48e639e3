"""Moderators' actions on threads and articles: lock a thread below a comment, close or
reopen an article's comments, hold all of an article's new comments — each logged once.

An action already done answers ``AlreadyHandled`` before anything is written.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.articles.models import Article, CommentMode
from forum.comments.models import Comment
from forum.comments.tree import ancestor_paths
from forum.db import utcnow
from forum.errors import Conflict, Invalid, NotFound
from forum.i18n import gettext
from forum.moderation import log
from forum.moderation import policy as policies
from forum.moderation.actions import find_comment
from forum.moderation.context import Context, clean_reason
from forum.moderation.errors import AlreadyHandled
from forum.moderation.models import LogAction, ThreadLock
from forum.moderation.reach import Reach


def _comment_within(session: Session, comment_id: int, reach: Reach) -> Comment:
    comment = find_comment(session, comment_id)
    reach.require(session, comment.article_id)
    return comment


def lock(
    session: Session, comment_id: int, actor: CurrentUser, reason: str = "", *, reach: Reach
) -> None:
    """No new replies anywhere below this comment."""
    comment = _comment_within(session, comment_id, reach)
    reason = clean_reason(reason)
    if session.get(ThreadLock, comment.id) is not None:
        raise AlreadyHandled(gettext("This thread is already locked."))
    session.add(ThreadLock(comment_id=comment.id, locked_by_id=actor.id))
    session.flush()
    log.record_on_comment(
        session, actor_id=actor.id, action=LogAction.LOCK, comment=comment, reason=reason
    )


def unlock(
    session: Session, comment_id: int, actor: CurrentUser, reason: str = "", *, reach: Reach
) -> None:
    """Replies below this comment are welcome again."""
    comment = _comment_within(session, comment_id, reach)
    reason = clean_reason(reason)
    found = session.get(ThreadLock, comment.id)
    if found is None:
        raise AlreadyHandled(gettext("This thread is not locked."))
    session.delete(found)
    session.flush()
    log.record_on_comment(
        session, actor_id=actor.id, action=LogAction.UNLOCK, comment=comment, reason=reason
    )


def locked_above(session: Session, parent: Comment) -> ThreadLock | None:
    """The lock on ``parent`` or one of its ancestors, if any: replies below it are refused."""
    paths = [*ancestor_paths(parent.path), parent.path]
    return session.scalar(
        select(ThreadLock)
        .join(Comment, Comment.id == ThreadLock.comment_id)
        .where(Comment.article_id == parent.article_id, Comment.path.in_(paths))
        .limit(1)
    )


def find_article(session: Session, slug: str, reach: Reach) -> Article:
    """The article; ``NotFound``, or ``Forbidden`` when its thread is outside ``reach``."""
    article = session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound(gettext("There is no such article."))
    reach.require(session, article.id)
    return article


def set_comment_mode(
    session: Session,
    slug: str,
    actor: CurrentUser,
    mode: CommentMode,
    reason: str = "",
    *,
    reach: Reach,
) -> Article:
    """Close (no new comments, the thread stays) or reopen comments on an article."""
    article = find_article(session, slug, reach)
    reason = clean_reason(reason)
    if mode not in {CommentMode.OPEN, CommentMode.CLOSED}:
        raise Invalid({"mode": gettext("Comments can be closed or reopened here.")})
    if article.comment_mode is CommentMode.HIDDEN:
        raise Conflict(gettext("Comments on this article are hidden; editors decide that."))
    before = CommentMode.OPEN if mode is CommentMode.CLOSED else CommentMode.CLOSED
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Article)
            .where(Article.id == article.id, Article.comment_mode == before)
            .values(comment_mode=mode, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise AlreadyHandled(
            gettext("Comments on this article are already open.")
            if mode is CommentMode.OPEN
            else gettext("Comments on this article are already closed.")
        )
    session.refresh(article)
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.CLOSE if mode is CommentMode.CLOSED else LogAction.REOPEN,
        article_id=article.id,
        reason=reason,
    )
    return article


def set_moderate_all(
    session: Session,
    ctx: Context,
    slug: str,
    actor: CurrentUser,
    on: bool,
    reason: str = "",
    *,
    reach: Reach,
) -> Article:
    """Hold every new comment on an article for review, or go back to the usual rules."""
    article = find_article(session, slug, reach)
    reason = clean_reason(reason)
    policy = policies.load(session, ctx.settings)
    if policies.moderates_all(session, policy, article) == on:
        raise AlreadyHandled(
            gettext("Every comment on this article is already held.")
            if on
            else gettext("This article already follows the usual rules.")
        )
    policies.set_article_rule(session, article.id, on)
    log.record(
        session,
        actor_id=actor.id,
        action=LogAction.MODERATE_ALL if on else LogAction.MODERATE_USUAL,
        article_id=article.id,
        reason=reason,
    )
    return article


def article_settings(
    session: Session, ctx: Context, slug: str, reach: Reach
) -> tuple[Article, bool]:
    """An article and whether all its new comments are held (its moderation page)."""
    article = find_article(session, slug, reach)
    policy = policies.load(session, ctx.settings)
    return article, policies.moderates_all(session, policy, article)
