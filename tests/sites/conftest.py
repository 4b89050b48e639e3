"""A registered site, made through the service as /admin/sites does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from forum.sites import service
from forum.sites.models import Site

ORIGINS = "https://blog.example\nhttp://127.0.0.1:8001"


@pytest.fixture
def make_site(database) -> Callable[..., Site]:
    """Register (and commit) a site; keyword arguments override the form's defaults."""

    def factory(**fields: Any) -> Site:
        values = {
            "name": "Janine's blog",
            "origins": ORIGINS,
            "create_on_view": True,
            "comment_mode": "open",
            "moderators": "",
            **fields,
        }
        with database.session(write=True) as session:
            site = service.create_site(session, service.SiteInput(**values))
            session.flush()
            session.expunge(site)
        return site

    return factory
