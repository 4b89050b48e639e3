"""The editors' pages: list, search, write, preview, edit and unpublish articles in the browser.

Editors and administrators only (visitors are sent to log in, readers get 403). Every save keeps
a revision; the edit page shows the history. Drafts are seen here, never on the public site.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.auth import editor_required
from forum.accounts.current import CurrentUser
from forum.articles import revisions, service
from forum.articles.models import Article, CommentMode
from forum.articles.service import ArticleInput, ArticleState, InvalidArticle
from forum.db import utcnow
from forum.i18n import N_, gettext
from forum.settings import Settings
from forum.web.forms import FormData, checked, field
from forum.web.types import AnyRequest, PageNumber
from forum.web.unit_of_work import DbSession

Query = Annotated[str, QueryParameter(max_length=200)]
StateFilter = Annotated[
    ArticleState, QueryParameter(name="state", description="all, published or draft")
]

BODY_MAX = 500_000
"""Characters in an article body written in the browser (a long essay; the form stays usable)."""
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
"""What ``<input type="datetime-local">`` sends and shows, in the site's time zone."""


def local_input(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime(LOCAL_INPUT_FORMAT)


def parse_local(value: str, tz: ZoneInfo) -> datetime:
    """A ``datetime-local`` value read in the site's time zone, or ``InvalidArticle``."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        # Translators: said of the date an article was submitted, under that field.
        raise InvalidArticle("submitted", gettext("needs a date and a time")) from None
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=tz)


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    """The form as typed, to show again with errors or a preview."""
    body = data.get("body", "")
    return {
        "title": field(data, "title"),
        "slug": field(data, "slug"),
        "author": field(data, "author"),
        "submitted": field(data, "submitted"),
        "body": body if isinstance(body, str) else field(data, "body"),
        "published": checked(data, "published"),
        "comments": field(data, "comments") or CommentMode.OPEN.value,
        "language": field(data, "language"),
        "base_revision": field(data, "base_revision"),
    }


def _values_of(article: Article, tz: ZoneInfo, base_revision: int | None) -> dict[str, Any]:
    return {
        "title": article.title,
        "slug": article.slug,
        "author": article.author_name,
        "submitted": local_input(article.submitted_at, tz),
        "body": article.body_source,
        "published": article.published,
        "comments": article.comment_mode.value,
        "language": article.language or "",
        "base_revision": str(base_revision or ""),
    }


def _article_input(values: dict[str, Any], tz: ZoneInfo) -> ArticleInput:
    """The typed form as an ``ArticleInput``, or ``InvalidArticle`` naming the field."""
    if len(values["body"]) > BODY_MAX:
        raise InvalidArticle("body", service.too_long(BODY_MAX))
    try:
        mode = CommentMode(values["comments"])
    except ValueError:
        # Translators: said of an article's comments setting; open, closed and hidden are its
        # choices in the form.
        raise InvalidArticle("comments", gettext("must be open, closed or hidden")) from None
    return ArticleInput(
        title=values["title"],
        author_name=values["author"],
        submitted_at=parse_local(values["submitted"], tz),
        body=values["body"].replace("\r\n", "\n"),
        slug=values["slug"],
        published=values["published"],
        comment_mode=mode,
        language=values["language"],
    ).validated()


CONFLICT_MESSAGE = N_(
    "Someone else saved this article since you opened it. Your text is below; the history "
    "shows their version. Save again to replace it."
)


def _base_revision(values: dict[str, Any]) -> int | None:
    raw = values.get("base_revision", "")
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def _form_page(
    db: Session,
    settings: Settings,
    *,
    article: Article | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    preview: str | None = None,
    preview_title: str | None = None,
    status_code: int = 200,
) -> Template:
    """The editor's form, with its errors or a preview, and the article's history."""
    return Template(
        "articles/admin_edit.html",
        status_code=status_code,
        context={
            "article": article,
            "form": values,
            "errors": errors or {},
            "preview": preview,
            "preview_title": preview_title or gettext("Preview"),
            "history": revisions.history(db, article.id) if article else [],
            "modes": [m.value for m in CommentMode],
            "timezone": settings.timezone,
        },
    )


def _edit_url(article: Article) -> str:
    return f"/admin/articles/{article.id}"


class ArticleAdminPages(Controller):
    path = "/admin/articles"
    include_in_schema = False
    guards = [editor_required]

    @get("/", name="admin_articles", sync_to_thread=True)
    def list_articles(
        self,
        db: DbSession,
        q: Query = "",
        show: StateFilter = ArticleState.ALL,
        page: PageNumber = 1,
    ) -> Template:
        """Every article, drafts too: search by title or address, filter by state."""
        return Template(
            "articles/admin_list.html",
            context={
                "page": service.search_articles(db, q, show, page),
                "q": q,
                "state": show.value,
                "states": [s.value for s in ArticleState],
            },
        )

    @get("/new", name="admin_article_new", sync_to_thread=True)
    def new_article(
        self, db: DbSession, settings: NamedDependency[Settings], me: NamedDependency[CurrentUser]
    ) -> Template:
        """An empty form: a draft by the editor, dated now."""
        values = {
            "title": "",
            "slug": "",
            "author": me.display_name,
            "submitted": local_input(utcnow(), settings.tz),
            "body": "",
            "published": False,
            "comments": CommentMode.OPEN.value,
            "language": settings.language,  # the site's language, as most articles are
            "base_revision": "",
        }
        return _form_page(db, settings, article=None, values=values)

    @post("/new", sync_to_thread=True)
    def create_article(
        self,
        request: AnyRequest,
        db: DbSession,
        settings: NamedDependency[Settings],
        me: NamedDependency[CurrentUser],
        data: FormData,
    ) -> Template | Redirect:
        """Preview the new article, or save it."""
        values = _form_values(data)
        try:
            article_input = _article_input(values, settings.tz)
            hosts = settings.article_image_sources
            if field(data, "action") == "preview":
                html = service.preview(article_input, image_hosts=hosts)
                return _form_page(db, settings, article=None, values=values, preview=html)
            article = service.create_article(db, article_input, editor_id=me.id, image_hosts=hosts)
        except InvalidArticle as exc:
            errors = {exc.field: exc.message}
            return _form_page(
                db, settings, article=None, values=values, errors=errors, status_code=400
            )
        flash(request, gettext("“%(title)s” is saved.", title=article.title), category="success")
        return Redirect(_edit_url(article), status_code=303)

    @get("/{article_id:int}", name="admin_article_edit", sync_to_thread=True)
    def edit_article(
        self, db: DbSession, settings: NamedDependency[Settings], article_id: FromPath[int]
    ) -> Template:
        """The article's form, how it looks now (drafts included), and its history."""
        article = service.get_article(db, article_id)
        base = revisions.latest_revision_id(db, article.id)
        return _form_page(
            db,
            settings,
            article=article,
            values=_values_of(article, settings.tz, base),
            preview=article.body_html,
            preview_title=gettext("How it looks now"),
        )

    @post("/{article_id:int}", sync_to_thread=True)
    def save_article(
        self,
        request: AnyRequest,
        db: DbSession,
        settings: NamedDependency[Settings],
        me: NamedDependency[CurrentUser],
        article_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        """Preview the changes, or save them as a new revision. Errors and a save made by
        someone else meanwhile show the form again, with the text kept."""
        article = service.get_article(db, article_id)
        values = _form_values(data)
        try:
            article_input = _article_input(values, settings.tz)
            hosts = settings.article_image_sources
            if field(data, "action") == "preview":
                html = service.preview(article_input, image_hosts=hosts)
                return _form_page(db, settings, article=article, values=values, preview=html)
            service.update_article(
                db,
                article.id,
                article_input,
                editor_id=me.id,
                image_hosts=hosts,
                base_revision=_base_revision(values),
            )
        except InvalidArticle as exc:
            errors = {exc.field: exc.message}
        except service.EditConflict:
            errors = {"form": gettext(CONFLICT_MESSAGE)}
            values["base_revision"] = str(revisions.latest_revision_id(db, article.id) or "")
        else:
            flash(request, gettext("Your changes are saved."), category="success")
            return Redirect(_edit_url(article), status_code=303)
        return _form_page(
            db, settings, article=article, values=values, errors=errors, status_code=400
        )

    @post("/{article_id:int}/unpublish", sync_to_thread=True)
    def unpublish(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        article_id: FromPath[int],
    ) -> Redirect:
        """Take the article off the site; it stays here as a draft."""
        article = service.unpublish_article(db, article_id, editor_id=me.id)
        message = gettext("“%(title)s” is now a draft.", title=article.title)
        flash(request, message, category="success")
        return Redirect(_edit_url(article), status_code=303)
