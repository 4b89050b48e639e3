"""The thread's JSON API under ``/api``: read a thread or a comment; post, edit and delete.

Each write makes the same one service call as its HTML twin (``pages``, ``actions``); refusals
are the service's domain errors, answered as RFC 9457 problems by the one mapping.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.articles.dependencies import ARTICLE_DEPENDENCY, PublishedArticle
from forum.articles.models import CommentMode
from forum.comments import idempotency, service, thread_json, thread_rows, votes
from forum.comments.config import CommentSettings
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment
from forum.comments.reading import CommentView, Sort
from forum.comments.thread_etag import etag_matches
from forum.comments.thread_json import CommentOut, MoreOut
from forum.comments.tree import Node
from forum.comments.vote_json import votes_out
from forum.web import front_cache
from forum.web.rate_limits import Limit, limited
from forum.web.types import AnyRequest, PageNumber
from forum.web.unit_of_work import DbSession

SortOrder = Annotated[
    Sort | None,
    QueryParameter(
        description="best, newest or oldest first (at every level); by default best once the "
        "thread has votes, else oldest"
    ),
]
WholeThread = Annotated[
    bool,
    QueryParameter(
        name="all",
        description="The whole thread in one answer (page 1 of 1): every comment when the "
        "thread has at most FORUM_COMMENTS_ALL_LIMIT (5,000 by default), else every top-level "
        "comment and the first that many comments, with `more` where replies were left out. "
        "Read oldest first (`sort=oldest`) it is one indexed read, the cheapest way to fetch a "
        "whole thread",
    ),
]
CommentBody = Annotated[str, msgspec.Meta(max_length=Comment.BODY_MAX)]
AuthorName = Annotated[str, msgspec.Meta(max_length=Comment.AUTHOR_NAME_MAX)]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="Send the same post again with the same key: one comment, not two (24 h)",
    ),
]


class ThreadOut(msgspec.Struct):
    article: str
    sort: str
    page: int
    pages: int
    total_threads: int
    comments: list[CommentOut]


class NewComment(msgspec.Struct, forbid_unknown_fields=True):
    body: CommentBody
    parent_id: Annotated[int, msgspec.Meta(ge=1, le=2**62)] | None = None
    author_name: AuthorName = ""


class CommentEdit(msgspec.Struct, forbid_unknown_fields=True):
    body: CommentBody


def _shallow(c: CommentView) -> CommentOut:
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
        more=MoreOut(c.more, f"/api/comments/{c.id}") if c.more else None,
        votes=None if c.placeholder else votes_out(c.votes_up, c.votes_down, c.score, c.my_vote),
    )


def comment_out(node: Node[CommentView]) -> CommentOut:
    """A node and its replies as JSON (iterative: threads may be deep)."""
    top = _shallow(node.item)
    stack = [(node, top)]
    while stack:
        current, out = stack.pop()
        for child in current.children:
            child_out = _shallow(child.item)
            out.replies.append(child_out)
            stack.append((child, child_out))
    return top


def _single(
    db: Session, hooks: CommentHooks, comment_id: int, user: CurrentUser | None
) -> CommentOut:
    """One comment with its replies, as ``user`` sees them (all, if they moderate its thread)."""
    viewer = hooks.viewer(db, user, service.get_comment(db, comment_id).article_id)
    return comment_out(service.subtree(db, comment_id, viewer).nodes[0])


class CommentApi(Controller):
    path = "/api"
    tags = ["comments"]
    dependencies = dict(ARTICLE_DEPENDENCY)

    @get("/articles/{slug:str}/comments", sync_to_thread=True)
    def thread(
        self,
        request: AnyRequest,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        comment_config: CommentSettings,
        current_user: NamedDependency[CurrentUser | None],
        article: PublishedArticle,
        sort: SortOrder = None,
        page: PageNumber = 1,
        whole: WholeThread = False,
    ) -> Response[ThreadOut | None]:
        """The nested thread of an article: one page of top-level comments with their replies
        (or, with ``all=1``, every top-level comment), bounded in comments: a comment whose
        replies were left out carries ``more`` (their count and where to fetch them).

        To read the rest: ``?page=N`` up to ``pages``, and ``GET more.href`` for each comment
        that carries ``more``; or the whole thread in one call with ``?all=1&sort=oldest`` (up
        to ``FORUM_COMMENTS_ALL_LIMIT`` comments, 5,000 by default).

        Sends an ``ETag``; a matching ``If-None-Match`` gets 304 Not Modified.
        """
        viewer = hooks.viewer(db, current_user, article.id)
        # Whether the thread has votes: asked where it is used (the order when none was chosen,
        # the whole thread's vote columns); a page in a chosen order reads its votes anyway.
        voted = votes.thread_has_votes(db, article.id) if whole or not sort else True
        sort = sort or votes.sort_unchosen(voted)
        mode = service.effective_mode(article, close_after_days=comment_config.close_after_days)
        page = 1 if whole else page
        extra = mode.value + ("|all" if whole else "")
        tag = service.thread_etag(db, article, viewer, sort=sort, page=page, extra=extra)
        headers = {
            "ETag": f'"{tag}"',
            "Cache-Control": "private, no-cache",
            "Vary": "Cookie, Authorization",
        }
        front = front_cache.offer(request.scope)
        if front is not None and current_user is None:  # alike for every cookieless client
            front.register(headers["ETag"])
        if etag_matches(request, f'"{tag}"'):
            return Response(None, status_code=304, headers=headers)
        if mode is CommentMode.HIDDEN:
            empty = ThreadOut(article.slug, sort.value, 1, pages=1, total_threads=0, comments=[])
            return Response(empty, headers=headers)
        if whole:
            limit = comment_config.all_comments
            rows = thread_rows.whole_thread_rows(
                db, article, viewer, sort=sort, limit=limit, voted=voted
            )
            if rows is not None:  # oldest first: straight from the rows into the JSON
                comments = thread_json.nest_rows(rows, viewer)
                everything = ThreadOut(article.slug, sort.value, 1, 1, len(comments), comments)
                return Response(everything, headers=headers)
            thread = service.whole_thread(db, article, viewer, sort=sort, limit=limit)
        else:
            thread = service.thread_page(
                db,
                article,
                viewer,
                sort=sort,
                page=page,
                per_page=comment_config.per_page,
                max_comments=comment_config.page_comments,
            )
        body = ThreadOut(
            article=article.slug,
            sort=sort.value,
            page=thread.number,
            pages=thread.pages,
            total_threads=thread.total_roots,
            comments=[comment_out(node) for node in thread.nodes],
        )
        return Response(body, headers=headers)

    @post(
        "/articles/{slug:str}/comments",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        opt=limited(Limit.COMMENT),
    )
    def create(
        self,
        request: AnyRequest,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        comment_config: CommentSettings,
        current_user: NamedDependency[CurrentUser | None],
        article: PublishedArticle,
        data: JSONBody[NewComment],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[CommentOut]:
        """Post a comment or a reply (``parent_id``).

        With an ``Idempotency-Key`` header, sending the same post again within 24 hours gives
        the first comment again (201, ``Idempotent-Replayed: true``) instead of a second one;
        the same key with another body is a 409.
        """
        posted = idempotency.post_once(
            db,
            hooks,
            key=idempotency.check_key(idempotency_key) if idempotency_key is not None else None,
            article=article,
            author=current_user,
            request=service.PostRequest(
                body=data.body,
                parent_id=data.parent_id,
                author_name=data.author_name,
                client_address=request.client.host if request.client else None,
            ),
            anonymous_allowed=comment_config.anonymous_allowed,
            close_after_days=comment_config.close_after_days,
        )
        headers = {"Idempotent-Replayed": "true"} if posted.replayed else {}
        body = _single(db, hooks, posted.comment.id, current_user)
        return Response(body, status_code=HTTP_201_CREATED, headers=headers)

    @get("/comments/{comment_id:int}", sync_to_thread=True)
    def read(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        current_user: NamedDependency[CurrentUser | None],
        comment_id: FromPath[int],
    ) -> CommentOut:
        """One comment with its replies."""
        return _single(db, hooks, comment_id, current_user)

    @patch("/comments/{comment_id:int}", sync_to_thread=True)
    def edit(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        me: NamedDependency[CurrentUser],
        comment_config: CommentSettings,
        comment_id: FromPath[int],
        data: JSONBody[CommentEdit],
    ) -> CommentOut:
        """Edit your comment (within the edit window; moderators at any time)."""
        comment = service.edit_comment(
            db, hooks, comment_id, editor=me, body=data.body, window=comment_config.edit_window
        )
        return _single(db, hooks, comment.id, me)

    @delete("/comments/{comment_id:int}", sync_to_thread=True, status_code=HTTP_204_NO_CONTENT)
    def remove(
        self,
        db: DbSession,
        hooks: NamedDependency[CommentHooks],
        me: NamedDependency[CurrentUser],
        comment_id: FromPath[int],
    ) -> None:
        """Delete your comment."""
        service.delete_comment(db, hooks, comment_id, actor=me)
