"""Moderators' pages for an article's comments under ``/moderation/articles/{slug}``: open or
closed, usual rules or 'moderate all'. Thin: parse, call one service function, answer."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from forum.accounts.current import CurrentUser
from forum.articles.models import CommentMode
from forum.i18n import gettext
from forum.moderation import threads
from forum.moderation.context import Moderation
from forum.moderation.forms import done_or_already
from forum.moderation.reach import Moderates, moderators_only
from forum.web.forms import FormData, field, safe_next
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession


def _updated(
    request: AnyRequest, slug: str, data: FormData, action: Callable[[str], object]
) -> Redirect:
    """Run ``action(reason)`` and go back to the article's moderation page."""
    return done_or_already(
        request,
        safe_next(field(data, "next"), f"/moderation/articles/{slug}"),
        gettext("The article is updated."),
        lambda: action(field(data, "reason")),
    )


class ArticlePages(Controller):
    path = "/moderation/articles"
    guards = [moderators_only]
    include_in_schema = False

    @get("/{slug:str}", sync_to_thread=True)
    def article(
        self, db: DbSession, moderation: Moderation, reach: Moderates, slug: FromPath[str]
    ) -> Template:
        """An article's comment settings: open or closed, usual rules or 'moderate all'."""
        article, moderate_all = threads.article_settings(db, moderation, slug, reach)
        return Template(
            "moderation/article.html",
            context={"article": article, "moderate_all": moderate_all},
        )

    @post("/{slug:str}/close", sync_to_thread=True)
    def close(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        slug: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """No new comments on the article; its thread stays readable."""
        return _updated(
            request,
            slug,
            data,
            lambda reason: threads.set_comment_mode(
                db, slug, me, CommentMode.CLOSED, reason, reach=reach
            ),
        )

    @post("/{slug:str}/reopen", sync_to_thread=True)
    def reopen(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        slug: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Take comments on the article again."""
        return _updated(
            request,
            slug,
            data,
            lambda reason: threads.set_comment_mode(
                db, slug, me, CommentMode.OPEN, reason, reach=reach
            ),
        )

    @post("/{slug:str}/moderate-all", sync_to_thread=True)
    def moderate_all(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        slug: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Hold every new comment on the article for review."""
        return _updated(
            request,
            slug,
            data,
            lambda reason: threads.set_moderate_all(
                db, moderation, slug, me, True, reason, reach=reach
            ),
        )

    @post("/{slug:str}/moderate-usual", sync_to_thread=True)
    def moderate_usual(
        self,
        request: AnyRequest,
        db: DbSession,
        moderation: Moderation,
        me: NamedDependency[CurrentUser],
        reach: Moderates,
        slug: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Back to the usual rules for the article's new comments."""
        return _updated(
            request,
            slug,
            data,
            lambda reason: threads.set_moderate_all(
                db, moderation, slug, me, False, reason, reach=reach
            ),
        )
