"""The rules of the thread: posting, editing, deleting and restoring comments.

Plain functions over a SQLAlchemy session; nothing here knows about HTTP, and every refusal is
a ``forum.errors`` class. Every status change goes through ``set_status`` so that the published
counts on articles and users stay right. The read side (``forum.comments.reading`` and the
modules beside it: ``comment_lookups``, ``comment_views``, ``subtree``, ``thread_etag``) is
re-exported here, so callers have one module to ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.articles.models import Article, CommentMode
from forum.comments import permissions, tree
from forum.comments.comment_lookups import article_slug, get_comment, revisions, visible_comment
from forum.comments.comment_views import view_of
from forum.comments.hooks import CommentHooks, Draft
from forum.comments.mentions import render_body
from forum.comments.models import Comment, CommentRevision, CommentStatus
from forum.comments.reading import (
    Sort,
    Viewer,
    effective_mode,
    latest_published,
    thread_page,
    whole_thread,
)
from forum.comments.subtree import subtree
from forum.comments.thread_etag import thread_etag
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, LoginNeeded, NotFound
from forum.i18n import N_, format_number, gettext, ngettext
from forum.text import FieldWords, TextProblem, clean_line, clean_multiline

__all__ = [
    "PostRequest",
    "Sort",
    "Viewer",
    "article_slug",
    "clean_body",
    "delete_comment",
    "edit_comment",
    "effective_mode",
    "get_comment",
    "latest_published",
    "post_comment",
    "restore_comment",
    "revisions",
    "set_status",
    "subtree",
    "thread_etag",
    "thread_page",
    "view_of",
    "visible_comment",
    "whole_thread",
]


COMMENT_WORDS = FieldWords(
    required=N_("Comment is required."),
    too_long=lambda limit: ngettext(
        "Comment must be at most %(max_length)s character.",
        "Comment must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("Comment contains a character that is not allowed."),
)
# Translators: "Name" is the name a visitor gives beside a comment they post without an account.
NAME_WORDS = FieldWords(
    required=N_("Name is required."),
    too_long=lambda limit: ngettext(
        "Name must be at most %(max_length)s character.",
        "Name must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("Name contains a character that is not allowed."),
)


@dataclass(frozen=True)
class PostRequest:
    body: str
    parent_id: int | None = None
    author_name: str = ""
    client_address: str | None = None
    signals: dict[str, object] = field(default_factory=dict)


def clean_body(body: str) -> str:
    """The body as stored (line endings unified, trimmed), or ``Invalid`` for ``body``."""
    try:
        return clean_multiline(body, field=COMMENT_WORDS, max_length=Comment.BODY_MAX)
    except TextProblem as problem:
        raise Invalid({"body": str(problem)}) from None


def _clean_author_name(author: CurrentUser | None, name: str) -> str:
    """The name a visitor gives (logged-in authors have theirs), or ``Invalid``."""
    if author is not None:
        return ""
    try:
        return clean_line(name, field=NAME_WORDS, max_length=Comment.AUTHOR_NAME_MAX)
    except TextProblem as problem:
        raise Invalid({"author_name": str(problem)}) from None


def _lock_article(session: Session, article_id: int) -> Article:
    """Serialize writers of one thread (PostgreSQL row lock; SQLite writes are serial anyway)."""
    article = session.scalar(select(Article).where(Article.id == article_id).with_for_update())
    assert article is not None
    return article


def _next_path(session: Session, article_id: int, parent: Comment | None) -> tuple[int, str, int]:
    if parent is None:
        last = session.scalar(
            select(func.max(Comment.root_seq)).where(
                Comment.article_id == article_id, Comment.depth == 0
            )
        )
        root_seq = (last or 0) + 1
        return root_seq, tree.child_path("", root_seq), 0
    last_path = session.scalar(
        select(Comment.path)
        .where(Comment.parent_id == parent.id)
        .order_by(Comment.path.desc())
        .limit(1)
    )
    number = tree.last_number(last_path) + 1 if last_path else 1
    return parent.root_seq, tree.child_path(parent.path, number), parent.depth + 1


def _published_delta(session: Session, comment: Comment, delta: int) -> None:
    session.execute(
        update(Article)
        .where(Article.id == comment.article_id)
        .values(comment_count=Article.comment_count + delta)
    )
    if comment.author_id is not None:
        session.execute(
            update(User)
            .where(User.id == comment.author_id)
            .values(comment_count=User.comment_count + delta)
        )


def set_status(
    session: Session, hooks: CommentHooks, comment: Comment, status: CommentStatus
) -> CommentStatus:
    """Change a comment's status, keeping the published counts right; returns the old one."""
    previous = comment.status
    if previous == status:
        return previous
    if previous is CommentStatus.PUBLISHED:
        _published_delta(session, comment, -1)
    if status is CommentStatus.PUBLISHED:
        _published_delta(session, comment, +1)
    comment.status = status
    comment.updated_at = utcnow()
    session.flush()
    hooks.changed(session, comment, previous)
    return previous


def _parent(
    session: Session,
    hooks: CommentHooks,
    article: Article,
    author: CurrentUser | None,
    parent_id: int | None,
) -> Comment | None:
    """The comment replied to, if it may be replied to here (None for a new thread)."""
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id)
    if parent is None or parent.article_id != article.id:
        raise NotFound(gettext("The comment you are replying to is not in this thread."))
    facts = permissions.CommentFacts(parent.author_id, parent.status, parent.created_at)
    moderator = hooks.moderates_thread(session, author, article.id)
    if not (permissions.can_reply(author, facts) or moderator):
        raise Conflict(gettext("The comment you are replying to is no longer there."))
    hooks.check_reply(session, author, parent)
    return parent


def _insert(session: Session, draft: Draft, status: CommentStatus) -> Comment:
    """Write the screened draft at the end of its thread or branch."""
    root_seq, path, depth = _next_path(session, draft.article.id, draft.parent)
    now = utcnow()
    comment = Comment(
        article_id=draft.article.id,
        parent_id=draft.parent.id if draft.parent else None,
        author_id=draft.author.id if draft.author else None,
        author_name=draft.author_name,
        root_seq=root_seq,
        path=path,
        depth=depth,
        body_source=draft.body,
        body_html=render_body(session, draft.body),
        status=status,
        created_at=now,
        updated_at=now,
        client_address=draft.client_address,
    )
    session.add(comment)
    session.flush()
    return comment


def post_comment(
    session: Session,
    hooks: CommentHooks,
    *,
    article: Article,
    author: CurrentUser | None,
    request: PostRequest,
    anonymous_allowed: bool,
    close_after_days: int,
) -> Comment:
    """Write a new comment or reply; screening decides whether it is published or held."""
    if effective_mode(article, close_after_days=close_after_days) is not CommentMode.OPEN:
        raise Forbidden(gettext("Comments on this article are closed."))
    if author is None and not anonymous_allowed:
        raise LoginNeeded(gettext("Please log in to comment."))
    body = clean_body(request.body)
    author_name = _clean_author_name(author, request.author_name)
    hooks.check_posting(session, author, article)
    article = _lock_article(session, article.id)
    draft = Draft(
        article=article,
        author=session.get(User, author.id) if author else None,
        author_name=author_name,
        body=body,
        parent=_parent(session, hooks, article, author, request.parent_id),
        client_address=request.client_address,
        signals=dict(request.signals),
    )
    status = hooks.screening.initial_status(session, draft)
    comment = _insert(session, draft, status)
    if status is CommentStatus.PUBLISHED:
        _published_delta(session, comment, +1)
    hooks.changed(session, comment, None)
    return comment


def _moderates(session: Session, hooks: CommentHooks, user: CurrentUser, comment_id: int) -> bool:
    """Whether ``user`` moderates the thread of this comment (``CommentNotFound`` if none)."""
    return hooks.moderates_thread(session, user, get_comment(session, comment_id).article_id)


def edit_comment(
    session: Session,
    hooks: CommentHooks,
    comment_id: int,
    *,
    editor: CurrentUser,
    body: str,
    window: timedelta,
) -> Comment:
    """Replace a comment's text, keeping the earlier one as a revision.

    The new text is screened as a new comment is (links, the block list, holds for held
    users, the rejection rate): a published comment whose edit would be held goes back to the
    queue, pending with its new text, until a moderator decides (the earlier text stays a
    revision, for moderators). A moderator's edit of someone else's comment is itself a
    moderation decision and is not screened.
    """
    moderator = _moderates(session, hooks, editor, comment_id)
    comment = visible_comment(session, comment_id, Viewer(editor.id, moderator))
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    if not permissions.can_edit(editor, facts, moderator=moderator, now=utcnow(), window=window):
        if permissions.is_author(editor, facts) and comment.status is not CommentStatus.DELETED:
            raise Forbidden(gettext("The time for editing this comment has passed."))
        raise Forbidden(gettext("You may not edit this comment."))
    hooks.check_edit(session, editor, comment)
    new_body = clean_body(body)
    if new_body == comment.body_source:
        return comment
    screened = _screen_edit(session, hooks, comment, editor, new_body, moderator=moderator)
    session.add(
        CommentRevision(
            comment_id=comment.id,
            body_source=comment.body_source,
            created_at=comment.edited_at or comment.created_at,
            editor_id=editor.id,
        )
    )
    now = utcnow()
    comment.body_source = new_body
    comment.body_html = render_body(session, new_body)
    comment.edited_at = now
    comment.updated_at = now
    session.flush()
    if screened is CommentStatus.PENDING and comment.status is CommentStatus.PUBLISHED:
        set_status(session, hooks, comment, CommentStatus.PENDING)  # back to the queue
    else:
        hooks.changed(session, comment, comment.status)
    return comment


def _screen_edit(
    session: Session,
    hooks: CommentHooks,
    comment: Comment,
    editor: CurrentUser,
    body: str,
    *,
    moderator: bool,
) -> CommentStatus:
    """What screening says of an edit's new text, judged as a new comment by the comment's
    author in its place; the thread's moderator editing someone else's comment is not
    screened."""
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    if moderator and not permissions.is_author(editor, facts):
        return CommentStatus.PUBLISHED
    article = session.get(Article, comment.article_id)
    assert article is not None  # visible_comment found it
    draft = Draft(
        article=article,
        author=session.get(User, comment.author_id) if comment.author_id else None,
        author_name=comment.author_name,
        body=body,
        parent=session.get(Comment, comment.parent_id) if comment.parent_id else None,
        client_address=None,
        edited=comment,
    )
    return hooks.screening.initial_status(session, draft)


def delete_comment(
    session: Session, hooks: CommentHooks, comment_id: int, *, actor: CurrentUser
) -> Comment:
    """Delete a comment: with replies it stays as '[deleted]', without it leaves the thread.

    The text is kept so that a moderator can restore it.
    """
    moderator = _moderates(session, hooks, actor, comment_id)
    comment = visible_comment(session, comment_id, Viewer(actor.id, moderator))
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    if not permissions.can_delete(actor, facts, moderator=moderator):
        raise Forbidden(gettext("You may not delete this comment."))
    set_status(session, hooks, comment, CommentStatus.DELETED)
    return comment


def restore_comment(
    session: Session, hooks: CommentHooks, comment_id: int, *, actor: CurrentUser
) -> Comment:
    """Bring a deleted comment back (moderators)."""
    comment = get_comment(session, comment_id)
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    moderator = hooks.moderates_thread(session, actor, comment.article_id)
    if not permissions.can_restore(actor, facts, moderator=moderator):
        raise Forbidden(gettext("Only moderators can restore deleted comments."))
    set_status(session, hooks, comment, CommentStatus.PUBLISHED)
    return comment
