"""The rules of the thread: reading it in display order, posting, editing, deleting.

Plain functions over a SQLAlchemy session; nothing here knows about HTTP. Every status change
goes through ``set_status`` so that the published counts on articles and users stay right.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.accounts.permissions import can_moderate
from forum.accounts.profiles import profile_visible, shown_name
from forum.articles.models import Article, CommentMode
from forum.comments import permissions, tree
from forum.comments.hooks import CommentHooks, Draft, PostingRefused
from forum.comments.models import Comment, CommentRevision, CommentStatus
from forum.db import utcnow
from forum.text import TextProblem, clean_line, clean_multiline
from forum.web.markdown import comment_renderer
from forum.web.pagination import Page, check_page

PLACEHOLDER_STATUSES = frozenset(
    {CommentStatus.DELETED, CommentStatus.HIDDEN, CommentStatus.REJECTED}
)


class Sort(StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"


class CommentNotFound(LookupError):
    """No such comment, or none this viewer may see."""


class CommentRefused(Exception):
    """The request cannot be carried out; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Viewer:
    """Who is reading: decides which comments are shown and how."""

    user_id: int | None = None
    moderator: bool = False

    @classmethod
    def of(cls, user: CurrentUser | None) -> Viewer:
        return cls(user.id if user else None, can_moderate(user))


@dataclass
class CommentView:
    """One comment as a page or the API shows it."""

    id: int
    article_id: int
    parent_id: int | None
    path: str
    depth: int
    status: CommentStatus
    html: str
    created_at: datetime
    edited_at: datetime | None
    author_id: int | None
    author_username: str | None
    author_display: str
    mine: bool = False
    placeholder: bool = False
    """Shown only to keep the thread's shape: '[deleted]' instead of text and author."""

    @property
    def facts(self) -> permissions.CommentFacts:
        return permissions.CommentFacts(self.author_id, self.status, self.created_at)


@dataclass(frozen=True)
class ThreadPage(Page[tree.Node[CommentView]]):
    """One page of threads: ``items`` are the top-level nodes, ``total`` counts the threads."""

    sort: Sort = Sort.OLDEST

    @property
    def nodes(self) -> list[tree.Node[CommentView]]:
        return self.items

    @property
    def total_roots(self) -> int:
        return self.total


@dataclass
class Subtree:
    article: Article
    ancestors: list[CommentView]
    nodes: list[tree.Node[CommentView]]
    focus_id: int


# --- reading ---------------------------------------------------------------------------------


def effective_mode(
    article: Article, *, close_after_days: int, now: datetime | None = None
) -> CommentMode:
    """The article's comment mode, closed automatically ``close_after_days`` after its date."""
    if (
        article.comment_mode is CommentMode.OPEN
        and close_after_days > 0
        and (now or utcnow()) - article.submitted_at > timedelta(days=close_after_days)
    ):
        return CommentMode.CLOSED
    return article.comment_mode


def _visible(status: CommentStatus, author_id: int | None, viewer: Viewer) -> bool:
    if viewer.moderator or status is CommentStatus.PUBLISHED:
        return True
    return status is CommentStatus.PENDING and author_id is not None and author_id == viewer.user_id


def _root_listed(viewer: Viewer):  # type: ignore[no-untyped-def]
    """SQL: a top-level comment that starts a visible thread for this viewer."""
    if viewer.moderator:
        return True
    reply = aliased(Comment)
    reply_shown = reply.status == CommentStatus.PUBLISHED
    mine = Comment.status == CommentStatus.PUBLISHED
    if viewer.user_id:
        reply_shown = or_(
            reply_shown,
            and_(reply.author_id == viewer.user_id, reply.status == CommentStatus.PENDING),
        )
        mine = and_(Comment.author_id == viewer.user_id, Comment.status == CommentStatus.PENDING)
    has_shown_reply = exists().where(
        reply.article_id == Comment.article_id,
        reply.root_seq == Comment.root_seq,
        reply.depth > 0,
        reply_shown,
    )
    return or_(Comment.status == CommentStatus.PUBLISHED, mine, has_shown_reply)


def _author(row, viewer: Viewer) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
    """The author's username, for the profile link (None when this viewer may not see that
    profile), and the name shown, as the author's privacy settings say."""
    if row.username is None:  # anonymous, or an erased account ('[deleted user]')
        return None, row.author_name or "Anonymous"
    own = viewer.user_id is not None and row.author_id == viewer.user_id
    linked = profile_visible(row.profile_visibility, member=viewer.user_id is not None, own=own)
    name = shown_name(row.public_name, row.username, row.display_name)
    return (row.username if linked else None), name


def _views(rows, viewer: Viewer) -> list[CommentView]:  # type: ignore[no-untyped-def]
    views = []
    for row in rows:
        shown = _visible(row.status, row.author_id, viewer)
        username, name = _author(row, viewer)
        views.append(
            CommentView(
                id=row.id,
                article_id=row.article_id,
                parent_id=row.parent_id,
                path=row.path,
                depth=row.depth,
                status=row.status,
                html=row.body_html if shown else "",
                created_at=row.created_at,
                edited_at=row.edited_at,
                author_id=row.author_id if shown else None,
                author_username=username if shown else None,
                author_display=name if shown else "",
                mine=viewer.user_id is not None and row.author_id == viewer.user_id,
                placeholder=not shown,
            )
        )
    return views


def _nest(views: list[CommentView], viewer: Viewer) -> list[tree.Node[CommentView]]:
    return tree.nest(
        views,
        path_of=lambda v: v.path,
        shown=lambda v: not v.placeholder,
        placeholder=lambda v: v.status in PLACEHOLDER_STATUSES,
    )


VIEW_COLUMNS = (
    Comment.id,
    Comment.article_id,
    Comment.parent_id,
    Comment.path,
    Comment.depth,
    Comment.status,
    Comment.body_html,
    Comment.created_at,
    Comment.edited_at,
    Comment.author_id,
    Comment.author_name,
    User.username,
    User.display_name,
    User.public_name,
    User.profile_visibility,
)


def _rows_query():  # type: ignore[no-untyped-def]
    """The columns a view needs, as plain rows: building ORM objects for a thousand comments
    is a third of the thread's time (bench/analysis.md)."""
    return select(*VIEW_COLUMNS).outerjoin(User, User.id == Comment.author_id)


def thread_page(
    session: Session, article: Article, viewer: Viewer, *, sort: Sort, page: int, per_page: int
) -> ThreadPage:
    """One page of an article's thread: ``per_page`` top-level comments with all their replies,
    in display order, read with one query for the rows (and one to count the pages)."""
    listed = and_(Comment.article_id == article.id, Comment.depth == 0, _root_listed(viewer))
    total = session.scalar(select(func.count()).select_from(Comment).where(listed)) or 0
    check_page(page, per_page, total)
    root_order = Comment.root_seq.desc() if sort is Sort.NEWEST else Comment.root_seq.asc()
    roots = (
        select(Comment.root_seq)
        .where(listed)
        .order_by(root_order)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .scalar_subquery()
    )
    rows = session.execute(
        _rows_query()
        .where(Comment.article_id == article.id, Comment.root_seq.in_(roots))
        .order_by(root_order, Comment.path)
    ).all()
    nodes = _nest(_views(rows, viewer), viewer)
    return ThreadPage(items=nodes, number=page, per_page=per_page, total=total, sort=sort)


def thread_etag(
    session: Session, article: Article, viewer: Viewer, *, sort: Sort, page: int, extra: str = ""
) -> str:
    """A validator for one page of a thread as this viewer sees it (one indexed query)."""
    latest = session.scalar(
        select(func.max(Comment.updated_at)).where(Comment.article_id == article.id)
    )
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
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def get_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise CommentNotFound(comment_id)
    return comment


def subtree(session: Session, comment_id: int, viewer: Viewer) -> Subtree:
    """A comment with its ancestors (for context) and its whole subtree, in one query."""
    focus = get_comment(session, comment_id)
    article = session.get(Article, focus.article_id)
    if article is None or not article.published:
        raise CommentNotFound(comment_id)
    ancestors = tree.ancestor_paths(focus.path)
    rows = session.execute(
        _rows_query()
        .where(
            Comment.article_id == focus.article_id,
            Comment.root_seq == focus.root_seq,
            or_(Comment.path.in_(ancestors), Comment.path.startswith(focus.path, autoescape=True))
            if ancestors
            else Comment.path.startswith(focus.path, autoescape=True),
        )
        .order_by(Comment.path)
    ).all()
    views = _views(rows, viewer)
    above = [v for v in views if v.path in set(ancestors)]
    below = [v for v in views if v.path.startswith(focus.path)]
    nodes = _nest(below, viewer)
    if not nodes or nodes[0].item.id != focus.id:
        raise CommentNotFound(comment_id)
    return Subtree(article=article, ancestors=above, nodes=nodes, focus_id=focus.id)


def view_of(session: Session, comment: Comment, viewer: Viewer) -> CommentView:
    row = session.execute(_rows_query().where(Comment.id == comment.id)).one()
    return _views([row], viewer)[0]


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostRequest:
    body: str
    parent_id: int | None = None
    author_name: str = ""
    client_address: str | None = None
    signals: dict[str, object] = field(default_factory=dict)


def clean_body(body: str) -> str:
    try:
        return clean_multiline(body, field="Comment", max_length=Comment.BODY_MAX)
    except TextProblem as problem:
        raise CommentRefused(str(problem), status=400, field="body") from None


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
    mode = effective_mode(article, close_after_days=close_after_days)
    if mode is not CommentMode.OPEN:
        raise CommentRefused("Comments on this article are closed.", status=403)
    if author is None and not anonymous_allowed:
        raise CommentRefused("Please log in to comment.", status=401)
    body = clean_body(request.body)
    author_name = ""
    if author is None:
        try:
            author_name = clean_line(
                request.author_name, field="Name", max_length=Comment.AUTHOR_NAME_MAX
            )
        except TextProblem as problem:
            raise CommentRefused(str(problem), status=400, field="author_name") from None
    try:
        hooks.check_posting(session, author, article)
    except PostingRefused:
        raise
    article = _lock_article(session, article.id)
    parent = None
    viewer = Viewer.of(author)
    if request.parent_id is not None:
        parent = session.get(Comment, request.parent_id)
        if parent is None or parent.article_id != article.id:
            raise CommentRefused("The comment you are replying to is not in this thread.", 404)
        facts = permissions.CommentFacts(parent.author_id, parent.status, parent.created_at)
        if not (permissions.can_reply(author, facts) or viewer.moderator):
            raise CommentRefused("The comment you are replying to is no longer there.", 409)
        hooks.check_reply(session, author, parent)
    author_row = session.get(User, author.id) if author else None
    draft = Draft(
        article=article,
        author=author_row,
        author_name=author_name,
        body=body,
        parent=parent,
        client_address=request.client_address,
        signals=dict(request.signals),
    )
    status = hooks.screening.initial_status(session, draft)
    root_seq, path, depth = _next_path(session, article.id, parent)
    now = utcnow()
    comment = Comment(
        article_id=article.id,
        parent_id=parent.id if parent else None,
        author_id=author.id if author else None,
        author_name=author_name,
        root_seq=root_seq,
        path=path,
        depth=depth,
        body_source=body,
        body_html=comment_renderer.render(body),
        status=status,
        created_at=now,
        updated_at=now,
        client_address=request.client_address,
    )
    session.add(comment)
    session.flush()
    if status is CommentStatus.PUBLISHED:
        _published_delta(session, comment, +1)
    hooks.changed(session, comment, None)
    return comment


def edit_comment(
    session: Session,
    hooks: CommentHooks,
    comment_id: int,
    *,
    editor: CurrentUser,
    body: str,
    window: timedelta,
) -> Comment:
    """Replace a comment's text, keeping the earlier one as a revision."""
    comment = get_comment(session, comment_id)
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    if not permissions.can_edit(editor, facts, now=utcnow(), window=window):
        if permissions.is_author(editor, facts) and comment.status is not CommentStatus.DELETED:
            raise CommentRefused("The time for editing this comment has passed.", 403)
        raise CommentRefused("You may not edit this comment.", 403)
    hooks.check_edit(session, editor, comment)
    new_body = clean_body(body)
    if new_body == comment.body_source:
        return comment
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
    comment.body_html = comment_renderer.render(new_body)
    comment.edited_at = now
    comment.updated_at = now
    session.flush()
    hooks.changed(session, comment, comment.status)
    return comment


def delete_comment(
    session: Session, hooks: CommentHooks, comment_id: int, *, actor: CurrentUser
) -> Comment:
    """Delete a comment: with replies it stays as '[deleted]', without it leaves the thread.

    The text is kept so that a moderator can restore it.
    """
    comment = get_comment(session, comment_id)
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    if not permissions.can_delete(actor, facts):
        raise CommentRefused("You may not delete this comment.", 403)
    set_status(session, hooks, comment, CommentStatus.DELETED)
    return comment


def restore_comment(
    session: Session, hooks: CommentHooks, comment_id: int, *, actor: CurrentUser
) -> Comment:
    comment = get_comment(session, comment_id)
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    if not permissions.can_restore(actor, facts):
        raise CommentRefused("Only moderators can restore deleted comments.", 403)
    set_status(session, hooks, comment, CommentStatus.PUBLISHED)
    return comment


def revisions(session: Session, comment_id: int) -> list[CommentRevision]:
    return list(
        session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment_id)
            .order_by(CommentRevision.replaced_at.desc())
        )
    )


def latest_published(session: Session, article_id: int, limit: int = 50) -> list[CommentView]:
    """The newest published comments of an article, for its feed."""
    rows = session.execute(
        _rows_query()
        .where(Comment.article_id == article_id, Comment.status == CommentStatus.PUBLISHED)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    ).all()
    return _views(rows, Viewer())
