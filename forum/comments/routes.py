"""HTTP surface of the thread: the article page with its comments, posting, permalinks,
editing, deleting, feeds, and the JSON API. Thin: parse, call the service, answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.orm import Session

from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser, current_user
from forum.articles import service as articles
from forum.articles.models import Article, CommentMode
from forum.comments import permissions, service
from forum.comments.hooks import CommentHooks, PostingRefused
from forum.comments.models import Comment, CommentStatus
from forum.comments.notify import service as notify
from forum.comments.service import CommentRefused, CommentView, Sort, Viewer
from forum.db import utcnow
from forum.settings import Settings
from forum.web.forms import FormData, field
from forum.web.pagination import MAX_PAGE, PageOutOfRange
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]
PageNumber = Annotated[
    int, QueryParameter(ge=1, le=MAX_PAGE, description="Page of top-level comments")
]
SortOrder = Annotated[Sort, QueryParameter(description="oldest (default) or newest first")]
OptionalSortOrder = Annotated[Sort | None, QueryParameter(description="oldest or newest first")]
MAX_INDENT = 8
"""How many levels a page indents; deeper branches continue on the comment's own page."""


@dataclass(frozen=True)
class CommentDeps:
    settings: Settings
    hooks: CommentHooks
    preferences_allowed: Callable[[Any], bool] = lambda _request: False
    """Whether the reader allowed preference cookies (privacy answers, wired in app.py)."""

    @property
    def edit_window(self) -> timedelta:
        return timedelta(minutes=self.settings.comment_edit_minutes)


def deps(request: AnyRequest) -> CommentDeps:
    return request.app.state.comments


def _article(db: Session, slug: str) -> Article:
    try:
        return articles.get_published(db, slug)
    except articles.ArticleNotFound:
        raise NotFoundException("There is no article at this address.") from None


def _refused(exc: CommentRefused | PostingRefused) -> HTTPException:
    return HTTPException(detail=exc.message, status_code=exc.status)


class ThreadActions:
    """What the templates ask about each comment for the current reader."""

    def __init__(
        self,
        user: CurrentUser | None,
        d: CommentDeps,
        mode: CommentMode,
        refusal: PostingRefused | None = None,
    ) -> None:
        self.user = user
        self.now = utcnow()
        self.window = d.edit_window
        self.mode = mode
        self.anonymous_allowed = d.settings.anonymous_comments
        self.refusal = refusal
        """Why a higher layer refuses this user's posts here (a ban…), shown instead of the form."""
        self.moderator = Viewer.of(user).moderator

    def can_post(self) -> bool:
        return self.refusal is None and permissions.can_post(
            self.user, self.mode, anonymous_allowed=self.anonymous_allowed
        )

    def can_reply(self, c: CommentView) -> bool:
        return self.can_post() and not c.placeholder and permissions.can_reply(self.user, c.facts)

    def can_edit(self, c: CommentView) -> bool:
        return not c.placeholder and permissions.can_edit(
            self.user, c.facts, now=self.now, window=self.window
        )

    def can_delete(self, c: CommentView) -> bool:
        return permissions.can_delete(self.user, c.facts) and (
            not c.placeholder or Viewer.of(self.user).moderator
        )

    def can_restore(self, c: CommentView) -> bool:
        return permissions.can_restore(self.user, c.facts)

    def can_report(self, c: CommentView) -> bool:
        return (
            self.user is not None
            and not c.placeholder
            and c.status is CommentStatus.PUBLISHED
            and not permissions.is_author(self.user, c.facts)
        )

    def can_decide(self, c: CommentView) -> bool:
        """Moderators approve or reject a comment where it sits (the decision is theirs)."""
        return self.moderator and c.status in DECIDABLE


DECIDABLE = frozenset({CommentStatus.PENDING, CommentStatus.HIDDEN, CommentStatus.PUBLISHED})


def _names(nodes) -> dict[int, str]:  # type: ignore[no-untyped-def]
    from forum.comments.tree import walk

    return {
        n.item.id: ("[deleted]" if n.item.placeholder else n.item.author_display)
        for n in walk(nodes)
    }


SORT_COOKIE = "forum_prefs"
"""The preferences cookie (listed in privacy's cookie table); set only with consent."""
SORT_COOKIE_SECONDS = 365 * 24 * 3600


def remembered_sort(request: AnyRequest) -> Sort | None:
    """The thread order this reader chose before, if they allowed preference cookies."""
    if not deps(request).preferences_allowed(request):
        return None
    value = request.cookies.get(SORT_COOKIE, "")
    try:
        return Sort(value.removeprefix("sort:")) if value.startswith("sort:") else None
    except ValueError:
        return None


def sort_cookie(sort: Sort, *, secure: bool) -> Cookie:
    return Cookie(
        key=SORT_COOKIE,
        value=f"sort:{sort.value}",
        max_age=SORT_COOKIE_SECONDS,
        path="/",
        samesite="lax",
        httponly=True,
        secure=secure,
    )


def form_signals(data: dict[str, Any]) -> dict[str, object]:
    """What moderation may want to know about how the form was filled in."""
    started = field(data, "form_started")
    elapsed = None
    if started.isdigit():
        elapsed = time.time() - int(started)
    return {"honeypot": field(data, "website"), "seconds_to_submit": elapsed}


class ThreadPages(Controller):
    include_in_schema = False

    def _article_page(
        self,
        request: AnyRequest,
        db: Session,
        article: Article,
        *,
        sort: Sort,
        page: int,
        status_code: int = 200,
        form: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Template:
        d = deps(request)
        user = current_user(request)
        mode = service.effective_mode(
            article, close_after_days=d.settings.comments_close_after_days
        )
        thread = None
        refusal = d.hooks.posting_refusal(db, user, article) if mode is CommentMode.OPEN else None
        if mode is not CommentMode.HIDDEN:
            try:
                thread = service.thread_page(
                    db,
                    article,
                    Viewer.of(user),
                    sort=sort,
                    page=page,
                    per_page=d.settings.comments_per_page,
                )
            except PageOutOfRange as exc:
                raise NotFoundException(str(exc)) from None
        return Template(
            "comments/article.html",
            status_code=status_code,
            context={
                "article": article,
                "mode": mode.value,
                "thread": thread,
                "names": _names(thread.nodes) if thread else {},
                "actions": ThreadActions(user, d, mode, refusal),
                "max_indent": MAX_INDENT,
                "form": form or {},
                "error": error,
                "form_started": int(time.time()),
                "watch": notify.watch_of(db, user.id, article.id) if user else None,
            },
        )

    @get("/articles/{slug:str}", name="article", sync_to_thread=True)
    def article(
        self,
        request: AnyRequest,
        db: DbSession,
        slug: FromPath[str],
        sort: OptionalSortOrder = None,
        page: PageNumber = 1,
    ) -> Template:
        """The article, its byline and its thread (in the reader's remembered sort order)."""
        remembered = remembered_sort(request)
        response = self._article_page(
            request, db, _article(db, slug), sort=sort or remembered or Sort.OLDEST, page=page
        )
        d = deps(request)
        if sort is not None and sort is not remembered and d.preferences_allowed(request):
            response.cookies.append(sort_cookie(sort, secure=d.settings.https))
        return response

    @post("/articles/{slug:str}/comments", sync_to_thread=True)
    def post_comment(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: FormData
    ) -> Template | Redirect:
        """A new comment or reply; lands on the new comment's permalink."""
        d = deps(request)
        article = _article(db, slug)
        parent_raw = field(data, "parent_id")
        body = field(data, "body")
        try:
            parent_id = int(parent_raw) if parent_raw else None
            if parent_id is not None and not (0 < parent_id < 2**62):
                raise ValueError
        except ValueError:
            raise HTTPException(
                detail="That is not a comment to reply to.", status_code=400
            ) from None
        try:
            comment = service.post_comment(
                db,
                d.hooks,
                article=article,
                author=current_user(request),
                request=service.PostRequest(
                    body=body,
                    parent_id=parent_id,
                    author_name=field(data, "author_name"),
                    client_address=request.client.host if request.client else None,
                    signals=form_signals(data),
                ),
                anonymous_allowed=d.settings.anonymous_comments,
                close_after_days=d.settings.comments_close_after_days,
            )
        except CommentRefused as exc:
            if exc.field is None:
                raise _refused(exc) from None
            db.rollback()
            form = {"body": body, "parent_id": parent_id, "author_name": field(data, "author_name")}
            if parent_id is not None:
                return _reply_page(request, db, parent_id, form=form, error=exc.message, status=400)
            return self._article_page(
                request,
                db,
                article,
                sort=Sort.OLDEST,
                page=1,
                status_code=400,
                form=form,
                error=exc.message,
            )
        except PostingRefused as exc:
            raise _refused(exc) from None
        return Redirect(f"/comments/{comment.id}#comment-{comment.id}", status_code=303)

    @get("/comments/{comment_id:int}", name="comment", sync_to_thread=True)
    def permalink(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> Template:
        """A comment in context: its ancestors and its whole subtree."""
        return _subtree_page(request, db, comment_id)

    @get("/comments/{comment_id:int}/reply", name="reply", sync_to_thread=True)
    def reply_form(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> Template:
        """The reply form, for browsers without JavaScript."""
        return _reply_page(request, db, comment_id)

    @get("/comments/{comment_id:int}/edit", guards=[login_required], sync_to_thread=True)
    def edit_form(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> Template:
        """Edit your comment (within the edit window)."""
        comment, view = _own_view(request, db, comment_id, "edit")
        return Template(
            "comments/edit.html",
            context={
                "comment": view,
                "body": comment.body_source,
                "error": None,
                "revisions": _revisions_for(request, db, comment.id),
            },
        )

    @post("/comments/{comment_id:int}/edit", guards=[login_required], sync_to_thread=True)
    def edit(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        """Save the edit; the earlier text is kept as a revision."""
        d = deps(request)
        user = current_user(request)
        assert user is not None
        body = field(data, "body")
        try:
            comment = service.edit_comment(
                db, d.hooks, comment_id, editor=user, body=body, window=d.edit_window
            )
        except service.CommentNotFound:
            raise NotFoundException("There is no such comment.") from None
        except PostingRefused as exc:
            raise _refused(exc) from None
        except CommentRefused as exc:
            if exc.field is None:
                raise _refused(exc) from None
            db.rollback()
            _, view = _own_view(request, db, comment_id, "edit")
            return Template(
                "comments/edit.html",
                status_code=400,
                context={"comment": view, "body": body, "error": exc.message, "revisions": []},
            )
        return Redirect(f"/comments/{comment.id}#comment-{comment.id}", status_code=303)

    @get("/comments/{comment_id:int}/delete", guards=[login_required], sync_to_thread=True)
    def delete_form(
        self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]
    ) -> Template:
        """Confirm deleting a comment."""
        _, view = _own_view(request, db, comment_id, "delete")
        return Template("comments/delete.html", context={"comment": view})

    @post("/comments/{comment_id:int}/delete", guards=[login_required], sync_to_thread=True)
    def delete(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> Redirect:
        """Delete a comment: '[deleted]' if it has replies, gone if not."""
        user = current_user(request)
        assert user is not None
        try:
            comment = service.delete_comment(db, deps(request).hooks, comment_id, actor=user)
        except service.CommentNotFound:
            raise NotFoundException("There is no such comment.") from None
        except CommentRefused as exc:
            raise _refused(exc) from None
        article = db.get(Article, comment.article_id)
        assert article is not None
        anchor = f"#comment-{comment.parent_id}" if comment.parent_id else "#comments"
        return Redirect(f"/articles/{article.slug}{anchor}", status_code=303)

    @post("/comments/{comment_id:int}/restore", guards=[login_required], sync_to_thread=True)
    def restore(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> Redirect:
        """Restore a deleted comment (moderators)."""
        user = current_user(request)
        assert user is not None
        try:
            service.restore_comment(db, deps(request).hooks, comment_id, actor=user)
        except service.CommentNotFound:
            raise NotFoundException("There is no such comment.") from None
        except CommentRefused as exc:
            raise _refused(exc) from None
        return Redirect(f"/comments/{comment_id}#comment-{comment_id}", status_code=303)


def _subtree_page(
    request: AnyRequest,
    db: Session,
    comment_id: int,
    *,
    reply: bool = False,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    d = deps(request)
    user = current_user(request)
    try:
        sub = service.subtree(db, comment_id, Viewer.of(user))
    except service.CommentNotFound:
        raise NotFoundException("There is no such comment.") from None
    mode = service.effective_mode(
        sub.article, close_after_days=d.settings.comments_close_after_days
    )
    if mode is CommentMode.HIDDEN:
        raise NotFoundException("There is no such comment.")
    refusal = d.hooks.posting_refusal(db, user, sub.article) if mode is CommentMode.OPEN else None
    names = _names(sub.nodes)
    names.update(
        {a.id: ("[deleted]" if a.placeholder else a.author_display) for a in sub.ancestors}
    )
    return Template(
        "comments/permalink.html",
        status_code=status,
        context={
            "article": sub.article,
            "ancestors": sub.ancestors,
            "nodes": sub.nodes,
            "focus_id": sub.focus_id,
            "names": names,
            "actions": ThreadActions(user, d, mode, refusal),
            "max_indent": MAX_INDENT,
            "reply": reply,
            "form": form or {},
            "error": error,
            "form_started": int(time.time()),
        },
    )


def _reply_page(
    request: AnyRequest,
    db: Session,
    comment_id: int,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    return _subtree_page(request, db, comment_id, reply=True, form=form, error=error, status=status)


def _own_view(
    request: AnyRequest, db: Session, comment_id: int, action: str
) -> tuple[Comment, CommentView]:
    d = deps(request)
    user = current_user(request)
    try:
        comment = service.get_comment(db, comment_id)
    except service.CommentNotFound:
        raise NotFoundException("There is no such comment.") from None
    facts = permissions.CommentFacts(comment.author_id, comment.status, comment.created_at)
    allowed = (
        permissions.can_edit(user, facts, now=utcnow(), window=d.edit_window)
        if action == "edit"
        else permissions.can_delete(user, facts)
    )
    if not allowed:
        raise HTTPException(detail=f"You may not {action} this comment.", status_code=403)
    return comment, service.view_of(db, comment, Viewer.of(user))


def _revisions_for(request: AnyRequest, db: Session, comment_id: int) -> list[Any]:
    if permissions.can_see_revisions(current_user(request)):
        return service.revisions(db, comment_id)
    return []


# --- feeds -----------------------------------------------------------------------------------


class CommentFeed(Controller):
    include_in_schema = False

    @get(
        "/articles/{slug:str}/comments.atom", media_type="application/atom+xml", sync_to_thread=True
    )
    def feed(self, request: AnyRequest, db: DbSession, slug: FromPath[str]) -> Template:
        """An Atom feed of the article's newest published comments."""
        article = _article(db, slug)
        mode = service.effective_mode(article, close_after_days=0)
        comments = [] if mode is CommentMode.HIDDEN else service.latest_published(db, article.id)
        return Template(
            "comments/feed.atom",
            media_type="application/atom+xml",
            context={
                "article": article,
                "comments": comments,
                "base_url": deps(request).settings.base_url.rstrip("/"),
            },
        )


# --- JSON API --------------------------------------------------------------------------------


class CommentOut(msgspec.Struct):
    id: int
    parent_id: int | None
    author: str | None
    """The author's display name; null for a placeholder ('[deleted]')."""
    author_username: str | None
    html: str
    status: str
    created_at: datetime
    edited_at: datetime | None
    replies: list[CommentOut]


class ThreadOut(msgspec.Struct):
    article: str
    sort: str
    page: int
    pages: int
    total_threads: int
    comments: list[CommentOut]


class NewComment(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(max_length=100_000)]
    parent_id: Annotated[int, msgspec.Meta(ge=1, le=2**62)] | None = None
    author_name: Annotated[str, msgspec.Meta(max_length=200)] = ""


class CommentEdit(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(max_length=100_000)]


def _out(node) -> CommentOut:  # type: ignore[no-untyped-def]
    """A node and its replies as JSON (iterative: threads may be deep)."""

    def shallow(n):  # type: ignore[no-untyped-def]
        c: CommentView = n.item
        return CommentOut(
            id=c.id,
            parent_id=c.parent_id,
            author=None if c.placeholder else c.author_display,
            author_username=c.author_username,
            html="" if c.placeholder else c.html,
            status="deleted" if c.placeholder else c.status.value,
            created_at=c.created_at,
            edited_at=c.edited_at,
            replies=[],
        )

    top = shallow(node)
    stack = [(node, top)]
    while stack:
        current, out = stack.pop()
        for child in current.children:
            child_out = shallow(child)
            out.replies.append(child_out)
            stack.append((child, child_out))
    return top


def _single(db: Session, comment: Comment, user: CurrentUser | None) -> CommentOut:
    try:
        sub = service.subtree(db, comment.id, Viewer.of(user))
    except service.CommentNotFound:
        raise NotFoundException("There is no such comment.") from None
    return _out(sub.nodes[0])


class CommentApi(Controller):
    path = "/api"
    tags = ["comments"]

    @get("/articles/{slug:str}/comments", sync_to_thread=True)
    def thread(
        self,
        request: AnyRequest,
        db: DbSession,
        slug: FromPath[str],
        sort: SortOrder = Sort.OLDEST,
        page: PageNumber = 1,
    ) -> Response[ThreadOut | None]:
        """The nested thread of an article (one page of top-level comments with all replies).

        Sends an ``ETag``; a matching ``If-None-Match`` gets 304 Not Modified.
        """
        d = deps(request)
        article = _article(db, slug)
        user = current_user(request)
        viewer = Viewer.of(user)
        mode = service.effective_mode(
            article, close_after_days=d.settings.comments_close_after_days
        )
        etag = (
            '"'
            + service.thread_etag(db, article, viewer, sort=sort, page=page, extra=mode.value)
            + '"'
        )
        headers = {
            "ETag": etag,
            "Cache-Control": "private, no-cache",
            "Vary": "Cookie, Authorization",
        }
        if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
            return Response(None, status_code=304, headers=headers)
        if mode is CommentMode.HIDDEN:
            body = ThreadOut(
                article=article.slug, sort=sort.value, page=1, pages=1, total_threads=0, comments=[]
            )
            return Response(body, headers=headers)
        try:
            thread = service.thread_page(
                db, article, viewer, sort=sort, page=page, per_page=d.settings.comments_per_page
            )
        except PageOutOfRange as exc:
            raise NotFoundException(str(exc)) from None
        body = ThreadOut(
            article=article.slug,
            sort=sort.value,
            page=thread.number,
            pages=thread.pages,
            total_threads=thread.total_roots,
            comments=[_out(node) for node in thread.nodes],
        )
        return Response(body, headers=headers)

    @post("/articles/{slug:str}/comments", sync_to_thread=True, status_code=HTTP_201_CREATED)
    def create(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: JSONBody[NewComment]
    ) -> CommentOut:
        """Post a comment or a reply (``parent_id``)."""
        d = deps(request)
        user = current_user(request)
        article = _article(db, slug)
        try:
            comment = service.post_comment(
                db,
                d.hooks,
                article=article,
                author=user,
                request=service.PostRequest(
                    body=data.body,
                    parent_id=data.parent_id,
                    author_name=data.author_name,
                    client_address=request.client.host if request.client else None,
                ),
                anonymous_allowed=d.settings.anonymous_comments,
                close_after_days=d.settings.comments_close_after_days,
            )
        except (CommentRefused, PostingRefused) as exc:
            raise _refused(exc) from None
        return _single(db, comment, user)

    @get("/comments/{comment_id:int}", sync_to_thread=True)
    def read(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> CommentOut:
        """One comment with its replies."""
        try:
            comment = service.get_comment(db, comment_id)
        except service.CommentNotFound:
            raise NotFoundException("There is no such comment.") from None
        return _single(db, comment, current_user(request))

    @patch("/comments/{comment_id:int}", guards=[login_required], sync_to_thread=True)
    def edit(
        self,
        request: AnyRequest,
        db: DbSession,
        comment_id: FromPath[int],
        data: JSONBody[CommentEdit],
    ) -> CommentOut:
        """Edit your comment (within the edit window; moderators at any time)."""
        d = deps(request)
        user = current_user(request)
        assert user is not None
        try:
            comment = service.edit_comment(
                db, d.hooks, comment_id, editor=user, body=data.body, window=d.edit_window
            )
        except service.CommentNotFound:
            raise NotFoundException("There is no such comment.") from None
        except (CommentRefused, PostingRefused) as exc:
            raise _refused(exc) from None
        return _single(db, comment, user)

    @delete(
        "/comments/{comment_id:int}",
        guards=[login_required],
        sync_to_thread=True,
        status_code=HTTP_204_NO_CONTENT,
    )
    def remove(self, request: AnyRequest, db: DbSession, comment_id: FromPath[int]) -> None:
        """Delete your comment."""
        user = current_user(request)
        assert user is not None
        try:
            service.delete_comment(db, deps(request).hooks, comment_id, actor=user)
        except service.CommentNotFound:
            raise NotFoundException("There is no such comment.") from None
        except CommentRefused as exc:
            raise _refused(exc) from None
