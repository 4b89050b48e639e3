"""The search page and its JSON twin: both run ``service.search_for`` once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.i18n import gettext
from forum.search import service
from forum.search.query import EMPTY_QUERY, MAX_QUERY, MAX_QUERY_INPUT, Kind, QueryProblem
from forum.web.types import PageNumber
from forum.web.unit_of_work import DbSession

Query = Annotated[
    str, QueryParameter(max_length=MAX_QUERY_INPUT, description='Words or "a phrase"')
]
FormQuery = Annotated[str | None, QueryParameter(max_length=MAX_QUERY_INPUT)]
"""The page's ``q``: absent on a first visit (just the form), empty when sent blank."""
KindParam = Annotated[Kind, QueryParameter(description="all, articles or comments")]
Author = Annotated[
    str, QueryParameter(max_length=100, description="Only comments by this username")
]
LIMITS = {"query_max": MAX_QUERY, "author_max": User.USERNAME_MAX}
"""The form's ``maxlength``s, from the one place each limit is defined."""


class HitOut(msgspec.Struct):
    kind: str
    url: str
    title: str
    snippet_html: str
    author: str
    author_username: str | None
    date: datetime


class SearchOut(msgspec.Struct):
    query: str
    total: int
    page: int
    pages: int
    hits: list[HitOut]


class SearchPages(Controller):
    include_in_schema = False

    @get("/search", name="search", sync_to_thread=True)
    def search(
        self,
        db: DbSession,
        current_user: NamedDependency[CurrentUser | None],
        q: FormQuery = None,
        kind: KindParam = Kind.ALL,
        author: Author = "",
        page: PageNumber = 1,
    ) -> Template:
        """Search articles and comments; a query that cannot be run shows the form again
        with why, and an empty one runs nothing and says what to type."""
        query = q or ""
        context: dict[str, object] = {
            **LIMITS,
            "q": query,
            "kind": kind.value,
            "author": author,
            "results": None,
            "error": None,
        }
        if not query.strip():
            if q is not None or author.strip():
                context["error"] = gettext(EMPTY_QUERY)
            return Template("search/search.html", context=context)
        try:
            context["results"] = service.search_for(
                db, query, kind=kind, author=author, page=page, member=current_user is not None
            )
        except QueryProblem as problem:
            context["error"] = problem.message
            return Template("search/search.html", status_code=400, context=context)
        return Template("search/search.html", context=context)


class SearchApi(Controller):
    path = "/api/search"
    tags = ["search"]

    @get("/", sync_to_thread=True)
    def search(
        self,
        db: DbSession,
        current_user: NamedDependency[CurrentUser | None],
        q: Query,
        kind: KindParam = Kind.ALL,
        author: Author = "",
        page: PageNumber = 1,
    ) -> SearchOut:
        """Published articles and comments matching ``q``, best first, 20 a page."""
        results = service.search_for(
            db, q, kind=kind, author=author, page=page, member=current_user is not None
        )
        return SearchOut(
            query=q,
            total=results.total,
            page=results.number,
            pages=results.pages,
            hits=[
                HitOut(
                    kind=h.kind,
                    url=h.url,
                    title=h.title,
                    snippet_html=str(h.snippet),
                    author=h.author,
                    author_username=h.author_username,
                    date=h.date,
                )
                for h in results.hits
            ],
        )
