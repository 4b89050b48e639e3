"""isso's SQLite database: ``threads`` (uri, title) and ``comments`` (Markdown text, a parent
id, a mode: 1 published, 2 waiting for moderation, 4 deleted but kept for its replies).

Opened read-only; a "line" in the summary is the comment's id in the isso database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from forum.comments.models import CommentStatus
from forum.importers.archive import (
    Archive,
    ArchiveComment,
    ArchiveThread,
    ArchiveUnreadable,
    Markup,
    Problem,
)

SOURCE = "isso"
MODES = {1: CommentStatus.PUBLISHED, 2: CommentStatus.PENDING, 4: CommentStatus.DELETED}


def _moment(value: object) -> datetime | None:
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def read(path: Path, progress: Callable[[int], None] | None = None) -> Archive:
    """Threads and comments of an isso database (``progress`` gets the comments read)."""
    if not path.is_file():
        raise ArchiveUnreadable("no such file")
    archive = Archive(source=SOURCE)
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ArchiveUnreadable(f"cannot be opened as SQLite: {exc}") from None
    try:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if not {"threads", "comments"} <= tables:
            raise ArchiveUnreadable("not an isso database: it has no threads and comments tables")
        for thread_id, uri, title in connection.execute("SELECT id, uri, title FROM threads"):
            key = str(thread_id)
            archive.threads[key] = ArchiveThread(
                key=key, where=f"thread {thread_id}", url=uri or "", title=title or ""
            )
        rows = connection.execute(
            "SELECT id, tid, parent, created, modified, mode, text, author"
            " FROM comments ORDER BY id"
        )
        for row in rows:
            _comment(archive, row)
            if progress is not None:
                progress(1)
    except sqlite3.DatabaseError as exc:
        raise ArchiveUnreadable(f"not a readable isso database: {exc}") from None
    finally:
        connection.close()
    return archive


def _comment(archive: Archive, row: tuple[object, ...]) -> None:
    comment_id, tid, parent, created, modified, mode, text, author = row
    where = f"comment {comment_id}"
    created_at = _moment(created)
    if created_at is None:
        archive.problems.append(Problem(where, "has no creation time"))
        return
    name = str(author or "").strip()
    archive.comments.append(
        ArchiveComment(
            external_id=str(comment_id),
            thread_key=str(tid),
            parent_id=str(parent) if parent is not None else None,
            author_name=name,
            author_key=f"name:{name}" if name else "",
            created_at=created_at,
            body=str(text or ""),
            markup=Markup.MARKDOWN,
            status=MODES.get(mode if isinstance(mode, int) else 0, CommentStatus.PENDING),
            where=where,
            edited_at=_moment(modified),
        )
    )
