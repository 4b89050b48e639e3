"""HTTP surface of notification mails: watching an article, the reply-mail switch on /account,
the one-click unsubscribe links, and the watch in the JSON API. Thin: parse, call the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.articles.dependencies import ARTICLE_DEPENDENCY, PublishedArticle
from forum.articles.models import Article
from forum.comments.notify import mails, service
from forum.comments.notify.models import ArticleWatch, WatchMode
from forum.comments.urls import thread_url
from forum.errors import Invalid, NotFound
from forum.i18n import gettext
from forum.settings import Settings
from forum.signing import BadToken
from forum.web.forms import FormData, field, safe_next
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession

ACCOUNT_SECTION = "comments/_account_notifications.html"


def _mode(raw: str) -> WatchMode:
    try:
        return WatchMode(raw or WatchMode.INSTANT.value)
    except ValueError:
        raise Invalid({"mode": gettext("Choose instant mails or a daily digest.")}) from None


def _target(settings: Settings, token: str) -> service.Unsubscribe:
    """What a signed unsubscribe link stops, or ``Invalid`` for a tampered or old one."""
    try:
        return mails.read_unsubscribe_token(settings, token)
    except BadToken:
        message = gettext(
            "This unsubscribe link is not valid (or too old). You can change every "
            "notification setting on your account page."
        )
        raise Invalid({"token": message}) from None


def account_section(session: Session, user_id: int) -> tuple[str, Mapping[str, Any]]:
    """The notification section of /account (accounts shows it without knowing comments)."""
    return ACCOUNT_SECTION, {
        "reply_mails": service.get_reply_mails(session, user_id),
        "watches": service.watches_of(session, user_id),
    }


class NotificationPages(Controller):
    include_in_schema = False
    dependencies = dict(ARTICLE_DEPENDENCY)

    @post("/articles/{slug:str}/watch", sync_to_thread=True)
    def watch(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        article: PublishedArticle,
        data: FormData,
    ) -> Redirect:
        """Watch a discussion: a mail for every new comment, or a daily digest."""
        mode = _mode(field(data, "mode"))
        service.watch(db, me.id, article.id, mode)
        watching = (
            gettext(
                "You are watching this discussion: we will tell you by mail for every new comment."
            )
            if mode is WatchMode.INSTANT
            else gettext("You are watching this discussion: we will tell you in a daily digest.")
        )
        flash(request, watching, category="success")
        return Redirect(thread_url(article.slug), status_code=303)

    @post("/articles/{slug:str}/unwatch", sync_to_thread=True)
    def unwatch(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        article: PublishedArticle,
        data: FormData,
    ) -> Redirect:
        """Stop watching a discussion."""
        service.unwatch(db, me.id, article.id)
        flash(request, gettext("You no longer watch this discussion."), category="success")
        return Redirect(safe_next(field(data, "next"), thread_url(article.slug)), status_code=303)

    @post("/account/notifications", sync_to_thread=True)
    def account_notifications(
        self, request: AnyRequest, db: DbSession, me: NamedDependency[CurrentUser], data: FormData
    ) -> Redirect:
        """Turn mails about replies to your comments on or off."""
        on = field(data, "reply_mails") == "on"
        service.set_reply_mails(db, me.id, on)
        message = (
            gettext("We will mail you about replies and mentions.")
            if on
            else gettext("No more mails about replies and mentions.")
        )
        flash(request, message, category="success")
        return Redirect("/account#notifications-heading", status_code=303)

    @get("/notifications/unsubscribe/{token:str}", sync_to_thread=True)
    def unsubscribe_form(
        self, db: DbSession, settings: NamedDependency[Settings], token: FromPath[str]
    ) -> Template:
        """What the link in a mail stops, with a button to confirm (no login needed)."""
        target = _target(settings, token)
        title = service.article_title(db, target.article_id)
        return Template(
            "comments/unsubscribe.html",
            context={"target": target, "title": title, "done": False},
        )

    @post("/notifications/unsubscribe/{token:str}", sync_to_thread=True, exclude_from_csrf=True)
    def unsubscribe(
        self, db: DbSession, settings: NamedDependency[Settings], token: FromPath[str]
    ) -> Template:
        """Stop the mails the link names: the confirmation button, or a mail program's
        one-click unsubscribe (RFC 8058, no cookie and no CSRF token: the signed link is the
        proof)."""
        target = _target(settings, token)
        service.apply_unsubscribe(db, target)
        title = service.article_title(db, target.article_id)
        return Template(
            "comments/unsubscribe.html",
            context={"target": target, "title": title, "done": True},
        )


# --- JSON API --------------------------------------------------------------------------------


class WatchIn(msgspec.Struct, forbid_unknown_fields=True):
    mode: WatchMode = WatchMode.INSTANT


class WatchOut(msgspec.Struct):
    article: str
    mode: WatchMode
    """``instant``: a mail for every new comment; ``digest``: one mail a day."""
    created_at: datetime


def _out(article: Article, watch: ArticleWatch) -> WatchOut:
    return WatchOut(article=article.slug, mode=watch.mode, created_at=watch.created_at)


class NotificationApi(Controller):
    path = "/api"
    tags = ["notifications"]
    dependencies = dict(ARTICLE_DEPENDENCY)

    @get("/articles/{slug:str}/watch", sync_to_thread=True)
    def read_watch(
        self, db: DbSession, me: NamedDependency[CurrentUser], article: PublishedArticle
    ) -> WatchOut:
        """Your watch of this article; 404 when you do not watch it."""
        watch = service.watch_of(db, me.id, article.id)
        if watch is None:
            raise NotFound(gettext("You do not watch this article."))
        return _out(article, watch)

    @put("/articles/{slug:str}/watch", sync_to_thread=True)
    def put_watch(
        self,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        article: PublishedArticle,
        data: JSONBody[WatchIn],
    ) -> WatchOut:
        """Watch this article (or change how you are told of new comments)."""
        return _out(article, service.watch(db, me.id, article.id, data.mode))

    @delete("/articles/{slug:str}/watch", sync_to_thread=True, status_code=HTTP_204_NO_CONTENT)
    def delete_watch(
        self, db: DbSession, me: NamedDependency[CurrentUser], article: PublishedArticle
    ) -> None:
        """Stop watching this article."""
        service.unwatch(db, me.id, article.id)
