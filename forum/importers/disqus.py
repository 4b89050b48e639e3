"""Disqus's XML export: ``<thread>`` elements, then ``<post>`` elements that name their thread
and parent by ``dsq:id``. Messages are HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from forum.articles.models import CommentMode
from forum.comments.models import CommentStatus
from forum.importers.archive import (
    Archive,
    ArchiveComment,
    ArchiveThread,
    ArchiveUnreadable,
    Markup,
    Problem,
)
from forum.importers.xmlstream import XmlNode, read_records

SOURCE = "disqus"
INTERNALS = "http://disqus.com/disqus-internals"


def parse_date(value: str) -> datetime:
    """Disqus dates are ISO 8601 in UTC (``2011-03-05T12:00:00Z``)."""
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _true(node: XmlNode, name: str) -> bool:
    return node.child_text(name).lower() == "true"


def _thread(node: XmlNode, archive: Archive) -> None:
    key = node.attr("id", INTERNALS)
    where = f"line {node.line}"
    if not key:
        archive.problems.append(Problem(where, "a thread without dsq:id"))
        return
    author = node.find("author")
    created = node.child_text("createdAt")
    try:
        created_at = parse_date(created) if created else None
    except ValueError:
        created_at = None
    archive.threads[key] = ArchiveThread(
        key=key,
        where=where,
        url=node.child_text("link"),
        title=node.child_text("title"),
        author=author.child_text("name") if author is not None else "",
        created_at=created_at,
        comment_mode=CommentMode.CLOSED if _true(node, "isClosed") else CommentMode.OPEN,
    )


def _post(node: XmlNode, archive: Archive) -> None:
    where = f"line {node.line}"
    post_id = node.attr("id", INTERNALS)
    thread = node.find("thread")
    thread_key = thread.attr("id", INTERNALS) if thread is not None else None
    if not post_id or not thread_key:
        archive.problems.append(Problem(where, "a post without dsq:id or thread"))
        return
    if _true(node, "isSpam"):
        archive.left_out["spam"] += 1
        return
    try:
        created_at = parse_date(node.child_text("createdAt"))
    except ValueError:
        archive.problems.append(Problem(where, "createdAt is not an ISO 8601 date"))
        return
    parent = node.find("parent")
    author = node.find("author")
    name = author.child_text("name") if author is not None else ""
    username = author.child_text("username") if author is not None else ""
    anonymous = author is None or _true(author, "isAnonymous")
    key = f"user:{username}" if username and not anonymous else (f"name:{name}" if name else "")
    archive.comments.append(
        ArchiveComment(
            external_id=post_id,
            thread_key=thread_key,
            parent_id=parent.attr("id", INTERNALS) if parent is not None else None,
            author_name=name or username,
            author_key=key,
            created_at=created_at,
            body=node.child_text("message"),
            markup=Markup.HTML,
            status=CommentStatus.DELETED if _true(node, "isDeleted") else CommentStatus.PUBLISHED,
            where=where,
        )
    )


def read(path: Path, progress: Callable[[int], None] | None = None) -> Archive:
    """Threads and posts of a Disqus export (``progress`` gets the bytes read)."""
    archive = Archive(source=SOURCE)

    def on_record(node: XmlNode) -> None:
        (_thread if node.name == "thread" else _post)(node, archive)

    root = read_records(
        path,
        is_record=lambda node, depth: depth == 1 and node.name in {"thread", "post"},
        on_record=on_record,
        progress=progress,
    )
    if root.name != "disqus":
        raise ArchiveUnreadable(
            f"not a Disqus export: the root element is <{root.name}>", root.line
        )
    return archive
