"""Running a search: one interface, an engine per database.

Only comments that anyone may see are found, by the one visibility rule
(``forum.comments.visibility``, for a visitor): published comments of published articles whose
thread is not hidden. Pending, hidden, rejected, deleted and erased comments never are (the
indexes hold published text only, and the queries check again with the rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import Dialect, text
from sqlalchemy.orm import Session, aliased

from forum.accounts.validation import username_key
from forum.articles.models import Article
from forum.articles.urls import article_url
from forum.comments.comment_views import ANONYMOUS, DELETED_USER
from forum.comments.models import Comment
from forum.comments.urls import comment_url
from forum.comments.visibility import PUBLIC, visible_where
from forum.i18n import gettext
from forum.search.query import Kind, Terms, parse
from forum.search.snippets import MARK_END, MARK_START, highlight
from forum.web.pagination import Page

PER_PAGE = 20
CONFIGS = ("english", "german", "french", "spanish", "arabic", "simple")
"""Every configuration ``fts_config(language)`` gives (migrations search_0002 and 0003): an
article's words are stemmed in its own language and a comment's in its thread's, so the query
is asked in each of them."""


@dataclass(frozen=True)
class SearchRequest:
    terms: Terms
    kind: Kind = Kind.ALL
    author: str = ""
    page: int = 1
    member: bool = False
    """The searcher is logged in: profiles shown to members are linked, and searchable."""


@dataclass(frozen=True)
class Hit:
    kind: str
    """``article`` or ``comment``."""
    ref_id: int
    url: str
    title: str
    snippet: Markup
    author: str
    author_username: str | None
    date: datetime


@dataclass(frozen=True)
class SearchPage(Page[Hit]):
    """One page of hits, best first (a page past the end is empty, not an error)."""

    @property
    def hits(self) -> list[Hit]:
        return self.items


_ARTICLE_FILTER = "a.published"


def _comment_filter(dialect: Dialect) -> str:
    """The visibility rule for a visitor, as SQL over ``comments c`` and ``articles a``
    (constants only: the rule's values are compiled in, no user input)."""
    rule = visible_where(PUBLIC, aliased(Comment, name="c"), aliased(Article, name="a"))
    return str(rule.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


# Authors as their privacy settings say (forum.accounts.profiles): the name they chose, and
# their username only where their profile may be seen. The 'comments by' filter finds only
# authors whose profile may be seen and who list their comments.
_AUTHOR = """CASE WHEN u.id IS NULL THEN COALESCE(NULLIF(c.author_name, ''), 'Anonymous')
                 WHEN u.public_name = 'username' THEN u.username
                 ELSE COALESCE(NULLIF(u.display_name, ''), u.username) END"""


def _profile_shown(member: bool) -> str:
    return (
        "u.profile_visibility IN ('everyone', 'members')"
        if member
        else "u.profile_visibility = 'everyone'"
    )


def _username(member: bool) -> str:
    return f"CASE WHEN {_profile_shown(member)} THEN u.username END"


def _by_author(member: bool) -> str:
    return f"AND u.username_key = :author AND u.list_comments AND {_profile_shown(member)}"


def _sqlite_parts(author: bool, member: bool, comment_filter: str) -> tuple[str, str]:
    # Only constants are interpolated into these statements; user input goes in as parameters.
    articles = f"""
        SELECT 'article' AS kind, 0 AS tier, a.id AS ref_id, a.slug AS slug, a.title AS title,
               snippet(fts_articles, 1, :ms, :me, '…', 24) AS snip,
               a.author_name AS author, NULL AS username, a.submitted_at AS date,
               bm25(fts_articles, 4.0, 1.0) AS rank
        FROM fts_articles JOIN articles a ON a.id = fts_articles.rowid
        WHERE fts_articles MATCH :q AND {_ARTICLE_FILTER}
              {"AND 0" if author else ""}
    """
    comments = f"""
        SELECT 'comment' AS kind, 1 AS tier, c.id AS ref_id, a.slug AS slug, a.title AS title,
               snippet(fts_comments, 0, :ms, :me, '…', 24) AS snip,
               {_AUTHOR} AS author, {_username(member)} AS username, c.created_at AS date,
               bm25(fts_comments) AS rank
        FROM fts_comments JOIN comments c ON c.id = fts_comments.rowid
             JOIN articles a ON a.id = c.article_id
             LEFT JOIN users u ON u.id = c.author_id
        WHERE fts_comments MATCH :q AND {comment_filter}
              {_by_author(member) if author else ""}
    """
    return articles, comments


def _postgres_parts(author: bool, member: bool, comment_filter: str) -> tuple[str, str]:
    doc_a = "to_tsvector(fts_config(a.language), a.title || ' ' || a.body_source)"
    any_language = " || ".join(f"websearch_to_tsquery('{c}', :q)" for c in CONFIGS)
    doc_c = "to_tsvector(fts_config(c.fts_language), c.body_source)"
    options = "StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=12, MaxFragments=2"
    # Only constants are interpolated into these statements; user input goes in as parameters.
    articles = f"""
        SELECT 'article' AS kind, 0 AS tier, a.id AS ref_id, a.slug AS slug, a.title AS title,
               ts_headline(fts_config(a.language), a.body_source, q.query, '{options}') AS snip,
               a.author_name AS author, NULL AS username, a.submitted_at AS date,
               -ts_rank_cd({doc_a}, q.query) AS rank
        FROM articles a, (SELECT {any_language} AS query) q
        WHERE {doc_a} @@ q.query AND {_ARTICLE_FILTER}
              {"AND false" if author else ""}
    """
    comments = f"""
        SELECT 'comment' AS kind, 1 AS tier, c.id AS ref_id, a.slug AS slug, a.title AS title,
               ts_headline(fts_config(c.fts_language), c.body_source, q.query, '{options}') AS snip,
               {_AUTHOR} AS author, {_username(member)} AS username, c.created_at AS date,
               -ts_rank_cd({doc_c}, q.query) AS rank
        FROM comments c JOIN articles a ON a.id = c.article_id
             LEFT JOIN users u ON u.id = c.author_id,
             (SELECT {any_language} AS query) q
        WHERE {doc_c} @@ q.query AND {comment_filter}
              {_by_author(member) if author else ""}
    """
    return articles, comments


def search(session: Session, request: SearchRequest) -> SearchPage:
    """One page of hits, best first, with highlighted plain-text snippets.

    Articles come before comments (``tier``): the two engines' ranks of an article and of a
    comment are not comparable, and a comment that quotes an article must not outrank it."""
    dialect = session.get_bind().dialect
    by_author = bool(request.author.strip())
    comment_filter = _comment_filter(dialect)
    if dialect.name == "sqlite":
        articles, comments = _sqlite_parts(by_author, request.member, comment_filter)
        query_text = request.terms.fts5()
    else:
        articles, comments = _postgres_parts(by_author, request.member, comment_filter)
        query_text = request.terms.websearch()
    parts = {
        Kind.ALL: [articles, comments],
        Kind.ARTICLES: [articles],
        Kind.COMMENTS: [comments],
    }[request.kind]
    union = " UNION ALL ".join(parts)  # SQLite refuses parenthesised members
    params = {
        "q": query_text,
        "ms": MARK_START,
        "me": MARK_END,
        "author": username_key(request.author),
        "limit": PER_PAGE,
        "offset": (request.page - 1) * PER_PAGE,
    }
    total = session.execute(text(f"SELECT count(*) FROM ({union}) AS hits"), params).scalar() or 0
    order = "ORDER BY tier, rank, date DESC LIMIT :limit OFFSET :offset"
    rows = session.execute(text(f"SELECT * FROM ({union}) AS hits {order}"), params).mappings()
    hits = [
        Hit(
            kind=row["kind"],
            ref_id=row["ref_id"],
            url=(
                article_url(row["slug"]) if row["kind"] == "article" else comment_url(row["ref_id"])
            ),
            title=row["title"],
            snippet=highlight(row["snip"] or ""),
            author=_said(row["kind"], row["author"]),
            author_username=row["username"],
            date=_as_datetime(row["date"]),
        )
        for row in rows
    ]
    return SearchPage(items=hits, number=request.page, per_page=PER_PAGE, total=total)


def search_for(
    session: Session,
    query: str,
    *,
    kind: Kind = Kind.ALL,
    author: str = "",
    page: int = 1,
    member: bool = False,
) -> SearchPage:
    """What the search page and its JSON twin run: the typed query checked (``QueryProblem``
    when it cannot be searched for), then one page of hits."""
    terms = parse(query)
    request = SearchRequest(terms=terms, kind=kind, author=author, page=page, member=member)
    return search(session, request)


def _said(kind: str, author: str) -> str:
    """A comment's "Anonymous" or "[deleted user]" in the reader's language (SQL says English)."""
    if kind == "comment" and author in {ANONYMOUS, DELETED_USER}:
        return gettext(author)
    return author


def _as_datetime(value: object) -> datetime:
    from datetime import UTC

    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
