"""Our own export (``docs/export-format.md``): written by ``forum export``, read back by
``forum import forum``. Articles with their whole comment trees, in display order.

A "line" in the import summary is a position in the file: ``articles[3].comments[7]``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.articles.models import Article, CommentMode
from forum.comments.models import Comment, CommentStatus
from forum.importers.archive import (
    Archive,
    ArchiveComment,
    ArchiveThread,
    ArchiveUnreadable,
    Markup,
    Problem,
)

SOURCE = "forum"
FORMAT = "forum-export"
VERSION = 1


# --- export ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _article(session: Session, article: Article) -> dict[str, Any]:
    rows = session.execute(
        select(Comment, User.username, User.display_name)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.article_id == article.id)
        .order_by(Comment.root_seq, Comment.path)
    ).all()
    comments = []
    for comment, username, display_name in rows:
        deleted = comment.status is CommentStatus.DELETED
        comments.append(
            {
                "id": comment.id,
                "parent_id": comment.parent_id,
                "author": display_name or comment.author_name or None,
                "author_username": username,
                "created_at": _iso(comment.created_at),
                "edited_at": _iso(comment.edited_at),
                "status": comment.status.value,
                "body": "" if deleted else comment.body_source,
                "votes": {"up": comment.votes_up, "down": comment.votes_down},
            }
        )
    return {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "author_name": article.author_name,
        "submitted_at": _iso(article.submitted_at),
        "published": article.published,
        "comment_mode": article.comment_mode.value,
        "body": article.body_source,
        "comments": comments,
    }


def count_articles(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article)) or 0


def write_export(
    session: Session,
    out: IO[str],
    *,
    site: str,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Write the whole site as JSON, one article (with its comments) at a time, so a large
    site never has to fit in memory. Returns the numbers of articles and comments."""
    header = {"format": FORMAT, "version": VERSION, "site": site, "exported_at": _iso(now)}
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "articles": [\n')
    articles = comments = 0
    ids = session.scalars(select(Article.id).order_by(Article.submitted_at, Article.id)).all()
    for index, article_id in enumerate(ids):
        article = session.get(Article, article_id)
        assert article is not None
        data = _article(session, article)
        out.write(("" if index == 0 else ",\n") + json.dumps(data, ensure_ascii=False))
        articles += 1
        comments += len(data["comments"])
        session.expunge_all()
        if progress is not None:
            progress(1)
    out.write("\n]}\n")
    return articles, comments


# --- import ----------------------------------------------------------------------------------


class _Bad(ValueError):
    pass


def _text(data: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Bad(f"{name} must be text")
    return value


def _date(data: dict[str, Any], name: str, *, required: bool = True) -> datetime | None:
    value = data.get(name)
    if value is None and not required:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise _Bad(f"{name} must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise _Bad(f"{name} needs a time zone offset")
    return moment


def _id(data: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad(f"{name} must be a whole number")
    return str(value)


def _enum(data: dict[str, Any], name: str, enum: type[CommentMode] | type[CommentStatus]) -> Any:
    value = data.get(name)
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return enum(value)
    except ValueError:
        raise _Bad(f"{name} must be one of {', '.join(m.value for m in enum)}") from None


def _articles(document: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ArchiveUnreadable(f'not a forum export: "format" is not "{FORMAT}"')
    if document.get("version") != VERSION:
        raise ArchiveUnreadable(
            f"export version {document.get('version')!r} is not supported (only {VERSION})"
        )
    articles = document.get("articles")
    if not isinstance(articles, list):
        raise ArchiveUnreadable('"articles" must be a list')
    yield from enumerate(articles)


def read(path: Path, progress: Callable[[int], None] | None = None) -> Archive:
    """Articles and comments of a forum export (``progress`` gets the articles read)."""
    try:
        with path.open(encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise ArchiveUnreadable(f"cannot be read ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ArchiveUnreadable(f"not valid JSON: {exc}", line) from None
    archive = Archive(source=SOURCE)
    site = str(document.get("site", "")) if isinstance(document, dict) else ""
    for index, data in _articles(document):
        where = f"articles[{index}]"
        try:
            if not isinstance(data, dict):
                raise _Bad("must be an object")
            key = _id(data, "id")
            assert key is not None
            archive.threads[key] = ArchiveThread(
                key=key,
                where=where,
                slug=_text(data, "slug"),
                title=_text(data, "title"),
                author=_text(data, "author_name"),
                created_at=_date(data, "submitted_at"),
                body=_text(data, "body", required=False),
                published=data.get("published") is not False,
                comment_mode=_enum(data, "comment_mode", CommentMode),
                complete=True,
            )
            comments = data.get("comments", [])
            if not isinstance(comments, list):
                raise _Bad("comments must be a list")
        except _Bad as exc:
            archive.problems.append(Problem(where, str(exc)))
            continue
        for position, comment in enumerate(comments):
            _comment(archive, site, key, f"{where}.comments[{position}]", comment)
        if progress is not None:
            progress(1)
    return archive


def _comment(archive: Archive, site: str, thread_key: str, where: str, data: Any) -> None:
    try:
        if not isinstance(data, dict):
            raise _Bad("must be an object")
        comment_id = _id(data, "id")
        parent_id = _id(data, "parent_id", required=False)
        created_at = _date(data, "created_at")
        assert created_at is not None
        username = _text(data, "author_username", required=False)
        name = _text(data, "author", required=False)
        archive.comments.append(
            ArchiveComment(
                external_id=f"{site}#{comment_id}",
                thread_key=thread_key,
                parent_id=f"{site}#{parent_id}" if parent_id is not None else None,
                author_name=name,
                author_key=f"user:{username}" if username else "",
                username=username,
                created_at=created_at,
                edited_at=_date(data, "edited_at", required=False),
                body=_text(data, "body", required=False),
                markup=Markup.MARKDOWN,
                status=_enum(data, "status", CommentStatus),
                where=where,
            )
        )
    except _Bad as exc:
        archive.problems.append(Problem(where, str(exc)))
