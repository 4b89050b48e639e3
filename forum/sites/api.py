"""``GET /api/sites/{site}/counts?url=…&url=…``: the comment counts of a site's pages, for its
listing pages (``count.js``). Readable cross-origin by the site's own origins only (CORS),
cached for a minute by browsers and proxies (the counts are the same for everyone)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Response

from forum.sites import pages, service
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession

COUNTS_CACHE = "public, max-age=60"
Urls = Annotated[
    list[str],
    QueryParameter(name="url", description="page addresses, at most 50", min_items=1, max_items=50),
]


class PageCounts(msgspec.Struct):
    counts: dict[str, int]
    """Published comments per page address, keyed by the address as asked."""


class SiteCountApi(Controller):
    path = "/api/sites"
    tags = ["sites"]

    @get("/{site_id:int}/counts", sync_to_thread=True)
    def counts(
        self, request: AnyRequest, db: DbSession, site_id: FromPath[int], url: Urls
    ) -> Response[PageCounts]:
        """How many published comments each of the site's pages has (0 without a thread)."""
        site = service.get_site(db, site_id)
        counts = pages.comment_counts(db, site, url)
        headers = {"cache-control": COUNTS_CACHE, "vary": "Origin"}
        origin = request.headers.get("origin", "")
        if origin in site.origin_list:
            headers["access-control-allow-origin"] = origin
        return Response(PageCounts(counts), headers=headers)
