"""``/admin/sites``: register the sites that may frame our threads, for administrators.

A site has a name, its origins (``scheme://host[:port]``, one a line), whether a page we do not
know gets a thread the first time it is viewed, the comment mode of those threads, its
moderators and the secret of its own login hand-off (shown here; rotating it makes a new one).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.auth import admin_required
from forum.articles.models import CommentMode
from forum.errors import Invalid
from forum.i18n import gettext
from forum.settings import Settings
from forum.sites import service
from forum.sites.models import Site
from forum.web.forms import FormData, checked, field
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession

FIELDS = ("name", "origins", "comment_mode", "moderators")


def _input(data: dict[str, Any]) -> service.SiteInput:
    return service.SiteInput(
        name=field(data, "name"),
        origins=field(data, "origins"),
        create_on_view=checked(data, "create_on_view"),
        comment_mode=field(data, "comment_mode") or CommentMode.OPEN.value,
        moderators=field(data, "moderators"),
    )


def _values(db: Session, site: Site) -> dict[str, Any]:
    return {
        "name": site.name,
        "origins": site.origins,
        "create_on_view": site.create_on_view,
        "comment_mode": site.comment_mode.value,
        "moderators": "\n".join(service.moderator_names(db, site.id)),
    }


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **{name: field(data, name) for name in FIELDS},
        "create_on_view": checked(data, "create_on_view"),
    }


def _page(
    db: Session,
    *,
    site: Site | None,
    form: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    forum_url: str = "",
) -> Template:
    """The list of sites beside the form for a new one, or one site's form, snippets and
    secret."""
    context = {
        "forum_url": forum_url.rstrip("/"),
        "site": site,
        "form": form,
        "errors": errors or {},
        "modes": [m.value for m in CommentMode],
        "sites": [] if site else service.list_sites(db),
    }
    name = "sites/admin_site.html" if site else "sites/admin_sites.html"
    return Template(name, status_code=status_code, context=context)


class AdminSitePages(Controller):
    path = "/admin/sites"
    guards = [admin_required]
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, db: DbSession) -> Template:
        """The registered sites and the form to add one."""
        form = {"comment_mode": CommentMode.OPEN.value}
        return _page(db, site=None, form=form)

    @post("/", sync_to_thread=True)
    def create(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Register a site; it gets its own hand-off secret."""
        try:
            site = service.create_site(db, _input(data))
        except Invalid as exc:
            return _page(db, site=None, form=_typed(data), errors=exc.errors, status_code=400)
        flash(
            request, gettext("The site %(name)s is registered.", name=site.name), category="success"
        )
        return Redirect(f"/admin/sites/{site.id}", status_code=303)

    @get("/{site_id:int}", sync_to_thread=True)
    def show(
        self, db: DbSession, settings: NamedDependency[Settings], site_id: FromPath[int]
    ) -> Template:
        """One site's settings, moderators, snippets and secret."""
        site = service.get_site(db, site_id)
        return _page(db, site=site, form=_values(db, site), forum_url=settings.base_url)

    @post("/{site_id:int}", sync_to_thread=True)
    def save(
        self,
        request: AnyRequest,
        db: DbSession,
        settings: NamedDependency[Settings],
        site_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        """Save a site's settings; they apply to the next page view."""
        try:
            site = service.update_site(db, site_id, _input(data))
        except Invalid as exc:
            site = service.get_site(db, site_id)
            form, errors = _typed(data), exc.errors
            url = settings.base_url
            return _page(db, site=site, form=form, errors=errors, status_code=400, forum_url=url)
        flash(request, gettext("The site %(name)s is saved.", name=site.name), category="success")
        return Redirect(f"/admin/sites/{site.id}", status_code=303)

    @post("/{site_id:int}/secret", sync_to_thread=True)
    def rotate(self, request: AnyRequest, db: DbSession, site_id: FromPath[int]) -> Redirect:
        """Replace the hand-off secret: the site must use the new one from now on."""
        site = service.rotate_secret(db, site_id)
        message = gettext(
            "The site %(name)s has a new secret; hand-offs signed with the old one fail.",
            name=site.name,
        )
        flash(request, message, category="success")
        return Redirect(f"/admin/sites/{site.id}", status_code=303)
