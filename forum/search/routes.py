"""The search page and its JSON twin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter
from litestar.response import Template

from forum.accounts.current import current_user
from forum.search import service
from forum.search.query import Kind, QueryProblem, parse
from forum.web.pagination import MAX_PAGE
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]
Query = Annotated[str, QueryParameter(max_length=2000, description='Words or "a phrase"')]
KindParam = Annotated[Kind, QueryParameter(description="all, articles or comments")]
Author = Annotated[
    str, QueryParameter(max_length=100, description="Only comments by this username")
]
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)]


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
        request: AnyRequest,
        db: DbSession,
        q: Query = "",
        kind: KindParam = Kind.ALL,
        author: Author = "",
        page: PageNumber = 1,
    ) -> Template:
        """Search articles and comments."""
        context = {"q": q, "kind": kind.value, "author": author, "results": None, "error": None}
        if not q.strip() and not author.strip():
            return Template("search/search.html", context=context)
        try:
            terms = parse(q)
        except QueryProblem as problem:
            status = 400 if q.strip() else 200
            return Template(
                "search/search.html", status_code=status, context={**context, "error": str(problem)}
            )
        results = service.search(
            db,
            service.SearchRequest(
                terms=terms,
                kind=kind,
                author=author,
                page=page,
                member=current_user(request) is not None,
            ),
        )
        return Template("search/search.html", context={**context, "results": results})


class SearchApi(Controller):
    path = "/api/search"
    tags = ["search"]

    @get("/", sync_to_thread=True)
    def search(
        self,
        request: AnyRequest,
        db: DbSession,
        q: Query,
        kind: KindParam = Kind.ALL,
        author: Author = "",
        page: PageNumber = 1,
    ) -> SearchOut:
        """Published articles and comments matching ``q``, best first, 20 a page."""
        try:
            terms = parse(q)
        except QueryProblem as problem:
            raise HTTPException(detail=str(problem), status_code=400) from None
        results = service.search(
            db,
            service.SearchRequest(
                terms=terms,
                kind=kind,
                author=author,
                page=page,
                member=current_user(request) is not None,
            ),
        )
        return SearchOut(
            query=q,
            total=results.total,
            page=results.page,
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
