"""Registering sites: their name, origins, settings, moderators and hand-off secret.

No HTTP here: the admin pages (``admin_routes``) read the form and call these functions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.accounts.validation import username_key
from forum.articles.models import CommentMode
from forum.db import utcnow
from forum.errors import Invalid, NotFound
from forum.i18n import format_number, gettext
from forum.sites.models import Site, SiteModerator
from forum.sites.urls import origin

ORIGINS_MAX = 20
MODERATORS_MAX = 50


def new_secret() -> str:
    """32 random bytes, hex: the key a site signs its login hand-offs with."""
    return secrets.token_hex(32)


@dataclass(frozen=True)
class SiteInput:
    """A site as the admin typed it: origins and moderators one a line."""

    name: str
    origins: str
    create_on_view: bool
    comment_mode: str
    moderators: str

    def checked(self) -> tuple[str, list[str], CommentMode, list[str]]:
        """Name, normalised origins, mode and moderator names, or ``Invalid`` per field."""
        errors: dict[str, str] = {}
        name = " ".join(self.name.split())
        if not name or len(name) > Site.NAME_MAX:
            errors["name"] = gettext(
                "needs between 1 and %(max)s characters", max=format_number(Site.NAME_MAX)
            )
        origins: list[str] = []
        for line in self.origins.splitlines():
            if not line.strip():
                continue
            try:
                value = origin(line)
            except Invalid as exc:
                errors.setdefault("origins", exc.errors["origins"])
                continue
            if value not in origins:
                origins.append(value)
        if not origins and "origins" not in errors:
            errors["origins"] = gettext("needs at least one origin, such as https://blog.example")
        elif len(origins) > ORIGINS_MAX:
            errors["origins"] = gettext(
                "may list at most %(max)s origins", max=format_number(ORIGINS_MAX)
            )
        try:
            mode = CommentMode(self.comment_mode)
        except ValueError:
            errors["comment_mode"] = gettext("must be open, closed or hidden")
            mode = CommentMode.OPEN
        names = list(dict.fromkeys(n.strip().lstrip("@") for n in self.moderators.split() if n))
        if len(names) > MODERATORS_MAX:
            errors["moderators"] = gettext(
                "may list at most %(max)s people", max=format_number(MODERATORS_MAX)
            )
        if errors:
            raise Invalid(errors)
        return name, origins, mode, names


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.name)))


def get_site(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(gettext("There is no such site."))
    return site


def moderator_names(session: Session, site_id: int) -> list[str]:
    query = (
        select(User.username)
        .join(SiteModerator, SiteModerator.user_id == User.id)
        .where(SiteModerator.site_id == site_id)
        .order_by(User.username_key)
    )
    return list(session.scalars(query))


def _moderator_ids(session: Session, names: list[str]) -> list[int]:
    keys = {username_key(n): n for n in names}
    query = select(User.username_key, User.id).where(User.username_key.in_(keys))
    found: dict[str, int] = dict(session.execute(query).all())
    missing = [name for key, name in keys.items() if key not in found]
    if missing:
        who = ", ".join(missing)
        raise Invalid({"moderators": gettext("there is nobody called %(names)s", names=who)})
    return list(found.values())


@dataclass(frozen=True)
class _Checked:
    name: str
    origins: str
    create_on_view: bool
    comment_mode: CommentMode
    user_ids: list[int]


def _checked(session: Session, data: SiteInput, site_id: int | None) -> _Checked:
    """Every field checked before anything is written (the request commits even a 400)."""
    name, origins, mode, names = data.checked()
    user_ids = _moderator_ids(session, names)
    clash = session.scalar(select(Site.id).where(Site.name == name, Site.id != (site_id or 0)))
    if clash is not None:
        raise Invalid({"name": "another site has this name"})
    return _Checked(name, "\n".join(origins), data.create_on_view, mode, user_ids)


def _save(session: Session, site: Site, values: _Checked) -> Site:
    try:
        with session.begin_nested():  # a failed save leaves the site as it was
            site.name, site.origins = values.name, values.origins
            site.create_on_view, site.comment_mode = values.create_on_view, values.comment_mode
            session.add(site)
            session.flush()
    except IntegrityError:  # the same name saved by someone else a moment ago
        raise Invalid({"name": "another site has this name"}) from None
    session.execute(delete(SiteModerator).where(SiteModerator.site_id == site.id))
    session.add_all(SiteModerator(site_id=site.id, user_id=uid) for uid in values.user_ids)
    session.flush()
    return site


def create_site(session: Session, data: SiteInput) -> Site:
    """A new site with a fresh secret, or ``Invalid`` (nothing written)."""
    return _save(session, Site(secret=new_secret()), _checked(session, data, None))


def update_site(session: Session, site_id: int, data: SiteInput) -> Site:
    """The site's new settings and moderators, or ``Invalid`` (nothing written)."""
    site = get_site(session, site_id)
    return _save(session, site, _checked(session, data, site_id))


def rotate_secret(session: Session, site_id: int) -> Site:
    """A new secret: hand-offs signed with the old one are refused from now on."""
    site = get_site(session, site_id)
    site.secret = new_secret()
    site.secret_rotated_at = utcnow()
    return site
