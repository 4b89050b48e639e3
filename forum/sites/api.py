"""``GET /api/sites/{site}/counts?url=…&url=…[&lang=…]``: the comment counts of a site's pages,
for its listing pages (``count.js``), with "N comments" said in the negotiated language (the
host page's ``lang``, else as every API answer). Readable cross-origin by the site's own origins
only (CORS), cached for a minute by browsers and proxies (the same for everyone who asks alike)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Response

from forum.i18n import current_language, ngettext
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
    texts: dict[str, str]
    """The same counts in words, as a link says them ("3 comments"), in the answer's language."""


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
        texts = {
            page: ngettext("%(num)s comment", "%(num)s comments", n) for page, n in counts.items()
        }
        headers = {
            "cache-control": COUNTS_CACHE,
            "vary": "Origin, Accept-Language",
            "content-language": current_language(),
        }
        origin = request.headers.get("origin", "")
        if origin in site.origin_list:
            headers["access-control-allow-origin"] = origin
        return Response(PageCounts(counts, texts), headers=headers)
