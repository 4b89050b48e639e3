"""HTTP surface of notification mails: watching an article, the reply-mail switch on /account,
the one-click unsubscribe links, and the watch in the JSON API. Thin: parse, call the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT
from sqlalchemy.orm import Session

from forum.accounts.auth import login_required
from forum.accounts.current import CurrentUser, current_user
from forum.accounts.tokens import BadToken
from forum.articles import service as articles
from forum.articles.models import Article
from forum.comments.notify import mails, service
from forum.comments.notify.models import ArticleWatch, WatchMode
from forum.settings import Settings
from forum.web.forms import FormData, field, safe_next
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]
ACCOUNT_SECTION = "comments/_account_notifications.html"


def _settings(request: AnyRequest) -> Settings:
    return request.app.state.settings


def _me(request: AnyRequest) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the routes are guarded by login_required
    return user


def _article(db: Session, slug: str) -> Article:
    try:
        return articles.get_published(db, slug)
    except articles.ArticleNotFound:
        raise NotFoundException("There is no article at this address.") from None


def _mode(raw: str) -> WatchMode:
    try:
        return WatchMode(raw or WatchMode.INSTANT.value)
    except ValueError:
        raise HTTPException(
            detail="Choose instant mails or a daily digest.", status_code=400
        ) from None


def _target(request: AnyRequest, token: str) -> service.Unsubscribe:
    try:
        return mails.read_unsubscribe_token(_settings(request), token)
    except BadToken:
        raise HTTPException(
            detail="This unsubscribe link is not valid (or too old). You can change every "
            "notification setting on your account page.",
            status_code=400,
        ) from None


def account_section(session: Session, user_id: int) -> tuple[str, Mapping[str, Any]]:
    """The notification section of /account (accounts shows it without knowing comments)."""
    return ACCOUNT_SECTION, {
        "reply_mails": service.get_reply_mails(session, user_id),
        "watches": service.watches_of(session, user_id),
    }


class NotificationPages(Controller):
    include_in_schema = False

    @post("/articles/{slug:str}/watch", guards=[login_required], sync_to_thread=True)
    def watch(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: FormData
    ) -> Redirect:
        """Watch a discussion: a mail for every new comment, or a daily digest."""
        article = _article(db, slug)
        mode = _mode(field(data, "mode"))
        service.watch(db, _me(request).id, article.id, mode)
        how = "by mail for every new comment" if mode is WatchMode.INSTANT else "in a daily digest"
        flash(
            request,
            f"You are watching this discussion: we will tell you {how}.",
            category="success",
        )
        return Redirect(f"/articles/{article.slug}#comments", status_code=303)

    @post("/articles/{slug:str}/unwatch", guards=[login_required], sync_to_thread=True)
    def unwatch(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: FormData
    ) -> Redirect:
        """Stop watching a discussion."""
        article = _article(db, slug)
        service.unwatch(db, _me(request).id, article.id)
        flash(request, "You no longer watch this discussion.", category="success")
        target = safe_next(field(data, "next"), f"/articles/{article.slug}#comments")
        return Redirect(target, status_code=303)

    @post("/account/notifications", guards=[login_required], sync_to_thread=True)
    def account_notifications(self, request: AnyRequest, db: DbSession, data: FormData) -> Redirect:
        """Turn mails about replies to your comments on or off."""
        on = field(data, "reply_mails") == "on"
        service.set_reply_mails(db, _me(request).id, on)
        message = "We will mail you about replies." if on else "No more mails about replies."
        flash(request, message, category="success")
        return Redirect("/account#notifications-heading", status_code=303)

    @get("/notifications/unsubscribe/{token:str}", sync_to_thread=True)
    def unsubscribe_form(
        self, request: AnyRequest, db: DbSession, token: FromPath[str]
    ) -> Template:
        """What the link in a mail stops, with a button to confirm (no login needed)."""
        target = _target(request, token)
        return Template(
            "comments/unsubscribe.html",
            context={
                "target": target,
                "title": service.article_title(db, target.article_id),
                "done": False,
            },
        )

    @post("/notifications/unsubscribe/{token:str}", sync_to_thread=True, exclude_from_csrf=True)
    def unsubscribe(self, request: AnyRequest, db: DbSession, token: FromPath[str]) -> Template:
        """Stop the mails the link names: the confirmation button, or a mail program's
        one-click unsubscribe (RFC 8058, no cookie and no CSRF token: the signed link is the
        proof)."""
        target = _target(request, token)
        service.apply_unsubscribe(db, target)
        return Template(
            "comments/unsubscribe.html",
            context={
                "target": target,
                "title": service.article_title(db, target.article_id),
                "done": True,
            },
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
    guards = [login_required]

    @get("/articles/{slug:str}/watch", sync_to_thread=True)
    def read_watch(self, request: AnyRequest, db: DbSession, slug: FromPath[str]) -> WatchOut:
        """Your watch of this article; 404 when you do not watch it."""
        article = _article(db, slug)
        watch = service.watch_of(db, _me(request).id, article.id)
        if watch is None:
            raise NotFoundException("You do not watch this article.")
        return _out(article, watch)

    @put("/articles/{slug:str}/watch", sync_to_thread=True)
    def put_watch(
        self, request: AnyRequest, db: DbSession, slug: FromPath[str], data: JSONBody[WatchIn]
    ) -> WatchOut:
        """Watch this article (or change how you are told of new comments)."""
        article = _article(db, slug)
        return _out(article, service.watch(db, _me(request).id, article.id, data.mode))

    @delete("/articles/{slug:str}/watch", sync_to_thread=True, status_code=HTTP_204_NO_CONTENT)
    def delete_watch(self, request: AnyRequest, db: DbSession, slug: FromPath[str]) -> None:
        """Stop watching this article."""
        article = _article(db, slug)
        service.unwatch(db, _me(request).id, article.id)
