"""The embed: ``/embed.js`` for a site's pages, the thread it frames, and ``/count.js``.

``GET /embed.js`` answers with a short-cached redirect to ``/embed.js?v=<content hash>``, which
is cached for a year (a new script is a new address) and may be loaded by any page
(``Cross-Origin-Resource-Policy: cross-origin``). ``GET /embed/{site}/thread?url=…&title=…``
is the framed thread: only the site's registered origins may frame it (``frame-ancestors``),
only pages on those origins have threads. ``GET /embed/{site}/go?url=…`` leads a reader
without JavaScript to the page's thread on the forum.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Response, Template
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.articles.models import Article, CommentMode
from forum.articles.urls import article_url
from forum.comments import service as comments
from forum.comments import visitor_page
from forum.comments.config import CommentConfig, CommentSettings
from forum.comments.hooks import CommentHooks
from forum.comments.ordering import Sort
from forum.comments.page_builders import Reader, reader_article_page
from forum.comments.thread_view import ThreadActions
from forum.comments.visitor_page import PageCache
from forum.errors import NotFound
from forum.i18n import gettext
from forum.privacy.consent import narrow_to_necessary
from forum.sites import pages, service
from forum.web.headers import allow_framing
from forum.web.types import AnyRequest
from forum.web.unit_of_work import Work

HERE = Path(__file__).parent
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"
PageUrl = Annotated[str, QueryParameter(name="url", max_length=2000)]
Title = Annotated[str, QueryParameter(name="title", max_length=1000)]
Parent = Annotated[str, QueryParameter(name="parent", max_length=300)]
Version = Annotated[str, QueryParameter(name="v", max_length=64)]
Consent = Annotated[str, QueryParameter(name="consent", max_length=20)]
SigninUrl = Annotated[str, QueryParameter(name="signin", max_length=2000)]
"""Where the site signs its readers in (``data-signin-url``): the frame and its popup take it."""
Lang = Annotated[str, QueryParameter(name="lang", max_length=100)]


@cache
def script(name: str) -> tuple[bytes, str]:
    """``embed.js`` or ``count.js`` and its content hash (read once per process)."""
    body = (HERE / name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:16]


def script_answer(name: str, version: str) -> Response[bytes] | Redirect:
    """The script at its content-hashed address (cached for a year), or a short-cached
    redirect there; any page may load it (``Cross-Origin-Resource-Policy: cross-origin``)."""
    body, digest = script(name)
    headers = {"cross-origin-resource-policy": "cross-origin"}
    if version != digest:
        headers["cache-control"] = SHORT_CACHE
        return Redirect(f"/{name}?v={digest}", status_code=302, headers=headers)
    headers["cache-control"] = LONG_CACHE
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)


class EmbedPages(Controller):
    """The embed script and the framed thread."""

    include_in_schema = False

    @get("/embed.js", sync_to_thread=False)
    def embed_script(self, v: Version = "") -> Response[bytes] | Redirect:
        """The embed script (see the module's docstring)."""
        return script_answer("embed.js", v)

    @get("/count.js", sync_to_thread=False)
    def count_script(self, v: Version = "") -> Response[bytes] | Redirect:
        """The script that fills "N comments" links on a site's listing pages."""
        return script_answer("count.js", v)

    @get("/embed/{site_id:int}/thread", sync_to_thread=True)
    def thread(
        self,
        request: AnyRequest,
        uow: Work,
        hooks: NamedDependency[CommentHooks],
        comment_config: CommentSettings,
        current_user: NamedDependency[CurrentUser | None],
        page_cache: NamedDependency[PageCache],
        site_id: FromPath[int],
        url: PageUrl,
        title: Title = "",
        parent: Parent = "",
        consent: Consent = "",
        signin: SigninUrl = "",
        lang: Lang = "",
    ) -> Template:
        """The page's thread, framed by the site (made on the first view if the site says so):
        a visitor's, or the reader's once the frame signed in (its session in a header);
        ``consent=necessary`` (the site's reader chose so) narrows the visitor's consent;
        ``signin`` (on the site's origins) is where the site signs its readers in, offered in
        the sign-in popup; ``lang`` (the host page's) is the frame's language when we speak it
        (``forum.web.language``) and a new article's own language."""
        if consent == "necessary":
            narrow_to_necessary(request)
        db = uow.read()
        site = service.get_site(db, site_id)
        ref = pages.page_ref(site, url, title)
        article = pages.find_article(db, ref)
        if article is None:
            article = pages.create_article(uow.write(), ref, language=lang)
        if current_user is None:
            thread_html = _visitor_section(request, db, hooks, comment_config, article)
        else:
            reader = Reader(db, current_user, hooks, comment_config)
            answer = reader_article_page(
                request, reader, article, page_cache, sort=Sort.OLDEST, page=1
            )
            thread_html = answer.context["thread_html"]
        allow_framing(request.scope, site.origin_list)
        context = {
            "article": article,
            "site_id": site.id,
            "thread_html": thread_html,
            "parent": parent if parent in site.origin_list else "",
            "narrowed": consent == "necessary",
            "signin_url": pages.signin_url(site, signin),
        }
        return Template("sites/embed.html", context=context)

    @get("/embed/{site_id:int}/go", sync_to_thread=True)
    def go(self, uow: Work, site_id: FromPath[int], url: PageUrl) -> Redirect:
        """The page's thread on the forum itself (the embed's ``<noscript>`` link)."""
        db = uow.read()
        ref = pages.page_ref(service.get_site(db, site_id), url, "")
        article = pages.find_article(db, ref)
        if article is None:
            raise NotFound(gettext(pages.NO_THREAD))
        return Redirect(article_url(article.slug, "comments"), status_code=303)


def _visitor_section(
    request: AnyRequest,
    db: Session,
    hooks: CommentHooks,
    config: CommentConfig,
    article: Article,
) -> str:
    """The thread section as every visitor of the frame sees it."""
    mode = comments.effective_mode(article, close_after_days=config.close_after_days)
    refusal = hooks.posting_refusal(db, None, article) if mode is CommentMode.OPEN else None
    actions = ThreadActions(None, config, mode, refusal)  # a visitor's, as framed
    section = visitor_page.render_section(
        request,
        db,
        article,
        actions,
        sort=Sort.OLDEST,
        page=1,
        per_page=config.per_page,
        max_comments=config.page_comments,
    )
    token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
    return visitor_page.fill(section, token)
