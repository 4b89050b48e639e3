"""The thread's HTML pages: the article with its comments, posting a comment or a reply, the
permalink of a comment and the reply form. Thin: parse, call the service, render."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Response, Template

from forum.accounts.current import CurrentUser
from forum.articles.dependencies import ARTICLE_DEPENDENCY, PublishedArticle
from forum.articles.models import Article
from forum.comments import compose, idempotency, service, votes
from forum.comments.config import CommentSettings
from forum.comments.hooks import CommentHooks
from forum.comments.page_builders import (
    Reader,
    SentForm,
    article_page,
    reader_article_page,
    subtree_page,
    visitor_article_page,
)
from forum.comments.reading import Sort
from forum.comments.thread_view import (
    form_signals,
    remembered_sort,
    sort_cookie,
)
from forum.comments.visitor_page import PageCache
from forum.errors import Invalid
from forum.i18n import N_, gettext
from forum.web.forms import FormData
from forum.web.forms import field as form_field
from forum.web.rate_limits import Limit, limited
from forum.web.types import AnyRequest, PageNumber
from forum.web.unit_of_work import DbSession

NONCE_FIELD = "post_nonce"
"""The comment form's one-time nonce (a hidden field, new with every form shown)."""
FORM_SENT_BEFORE = N_(
    "This form was already sent with another text. "
    "Send it again to post this text as a new comment."
)
OptionalSortOrder = Annotated[
    Sort | None, QueryParameter(description="best, newest or oldest first")
]


def _preview(request: AnyRequest, reader: Reader, article: Article, data: FormData) -> Template:
    """The form again with its text rendered as it would be posted (or why it could not be);
    nothing is saved. compose.js gets the preview alone."""
    parent_id = _parent_id(form_field(data, "parent_id"))
    body = form_field(data, "body")
    sent = {"body": body, "parent_id": parent_id, "author_name": form_field(data, "author_name")}
    try:
        draft, status = SentForm(sent, preview=compose.preview(body)), 200
    except Invalid as exc:
        draft, status = SentForm(sent, exc.message), 400
    if compose.wants_fragment(request):
        return compose.fragment(preview_html=draft.preview, error=draft.error, status_code=status)
    if parent_id is not None:
        return subtree_page(reader, parent_id, reply=True, draft=draft, status_code=status)
    return article_page(reader, article, sort=Sort.OLDEST, page=1, draft=draft, status_code=status)


def _parent_id(raw: str) -> int | None:
    """The ``parent_id`` field: empty for a new thread, else a comment id."""
    if not raw:
        return None
    if raw.isdigit() and 0 < int(raw) < 2**62:
        return int(raw)
    raise Invalid({"parent_id": gettext("That is not a comment to reply to.")})


class ThreadPages(Controller):
    include_in_schema = False
    dependencies = dict(ARTICLE_DEPENDENCY)

    @get("/articles/{slug:str}", name="article", sync_to_thread=True)
    def article(
        self,
        request: AnyRequest,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        comment_config: CommentSettings,
        current_user: NamedDependency[CurrentUser | None],
        page_cache: NamedDependency[PageCache],
        article: PublishedArticle,
        sort: OptionalSortOrder = None,
        page: PageNumber = 1,
    ) -> Template | Response[None]:
        """The article, its byline and its thread (in the reader's remembered sort order, else
        'best' once the thread has votes, else oldest first); visitors get it from the render
        cache, and revalidate it by its ETag."""
        remembered = remembered_sort(request, comment_config)
        reader = Reader(db, current_user, hooks, comment_config)
        chosen = sort or remembered or votes.default_sort(db, article.id)
        response: Template | Response[None]
        if current_user is None:
            response = visitor_article_page(
                request, reader, article, page_cache, sort=chosen, page=page
            )
        else:
            response = reader_article_page(
                request, reader, article, page_cache, sort=chosen, page=page
            )
        if (
            sort is not None
            and sort is not remembered
            and comment_config.preferences_allowed(request)
        ):
            response.cookies.append(sort_cookie(sort, secure=comment_config.secure_cookies))
        return response

    @post("/articles/{slug:str}/comments", sync_to_thread=True, opt=limited(Limit.COMMENT))
    def post_comment(
        self,
        request: AnyRequest,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        comment_config: CommentSettings,
        current_user: NamedDependency[CurrentUser | None],
        article: PublishedArticle,
        data: FormData,
    ) -> Template | Redirect:
        """A new comment or reply; back to the thread at the new comment, told whether it is
        published or waits (and why). A body or name that cannot be taken shows the form again
        with the text kept. The form's one-time nonce makes a resubmitted form land on the
        comment it already posted. The Preview button's ``action`` saves nothing."""
        reader = Reader(db, current_user, hooks, comment_config)
        if form_field(data, "action") == compose.PREVIEW_ACTION:
            return _preview(request, reader, article, data)
        parent_id = _parent_id(form_field(data, "parent_id"))
        posted = service.PostRequest(
            body=form_field(data, "body"),
            parent_id=parent_id,
            author_name=form_field(data, "author_name"),
            client_address=request.client.host if request.client else None,
            signals=form_signals(data),
        )
        nonce = form_field(data, NONCE_FIELD)
        try:
            comment = idempotency.post_once(
                db,
                hooks,
                key=idempotency.check_key(nonce, prefix=idempotency.FORM_PREFIX) if nonce else None,
                article=article,
                author=current_user,
                request=posted,
                anonymous_allowed=comment_config.anonymous_allowed,
                close_after_days=comment_config.close_after_days,
            ).comment
        except (Invalid, idempotency.KeyReused) as exc:
            sent = {"body": posted.body, "parent_id": parent_id, "author_name": posted.author_name}
            resent = isinstance(exc, idempotency.KeyReused)
            draft = SentForm(sent, gettext(FORM_SENT_BEFORE) if resent else exc.message)
            if compose.wants_fragment(request):
                return compose.fragment(error=draft.error, status_code=400)
            if parent_id is not None:
                return subtree_page(reader, parent_id, reply=True, draft=draft, status_code=400)
            return article_page(
                reader, article, sort=Sort.OLDEST, page=1, draft=draft, status_code=400
            )
        done = compose.outcome(request, db, hooks, comment_config, comment, viewer=current_user)
        if compose.wants_fragment(request):
            return compose.fragment(done=done)
        compose.tell(request, done)
        return Redirect(done.location, status_code=303)

    @post("/articles/{slug:str}/comments/preview", sync_to_thread=True)
    def preview_comment(
        self,
        request: AnyRequest,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        comment_config: CommentSettings,
        current_user: NamedDependency[CurrentUser | None],
        article: PublishedArticle,
        data: FormData,
    ) -> Template:
        """The Preview button: the form again with the text rendered, nothing saved (and no
        comment spent from the rate limit, unlike a post)."""
        return _preview(request, Reader(db, current_user, hooks, comment_config), article, data)

    @get("/comments/{comment_id:int}", name="comment", sync_to_thread=True)
    def permalink(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        comment_config: CommentSettings,
        current_user: NamedDependency[CurrentUser | None],
        comment_id: FromPath[int],
    ) -> Template:
        """A comment in context: its ancestors and its whole subtree."""
        return subtree_page(Reader(db, current_user, hooks, comment_config), comment_id)

    @get("/comments/{comment_id:int}/reply", name="reply", sync_to_thread=True)
    def reply_form(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        comment_config: CommentSettings,
        current_user: NamedDependency[CurrentUser | None],
        comment_id: FromPath[int],
    ) -> Template:
        """The reply form, for browsers without JavaScript."""
        reader = Reader(db, current_user, hooks, comment_config)
        return subtree_page(reader, comment_id, reply=True)
