"""WordPress's export (WXR: RSS with ``wp:`` elements): each ``<item>`` is a post or page
with its ``<wp:comment>`` elements. Comment text is HTML with WordPress's line-break rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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
from forum.importers.html_text import html_to_markdown, wordpress_paragraphs
from forum.importers.xmlstream import XmlNode, read_records

SOURCE = "wordpress"
WP = "http://wordpress.org/export/"
"""WXR 1.0, 1.1 and 1.2 differ only in the version at the end of this namespace."""
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
THREAD_TYPES = frozenset({"post", "page"})
NO_DATE = "0000-00-00 00:00:00"
STATUSES = {
    "1": CommentStatus.PUBLISHED,
    "approve": CommentStatus.PUBLISHED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "trash": CommentStatus.DELETED,
}


def parse_date(gmt: str, local: str, tz: ZoneInfo) -> datetime:
    """The GMT date when WordPress kept one, else the local one read in ``tz``."""
    if gmt and gmt != NO_DATE:
        return datetime.fromisoformat(gmt).replace(tzinfo=UTC)
    return datetime.fromisoformat(local).replace(tzinfo=tz)


class _Reader:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.archive = Archive(source=SOURCE)
        self.items: list[XmlNode] = []

    def item(self, node: XmlNode, site: str) -> None:
        post_type = node.child_text("post_type", WP) or "post"
        comments = node.findall("comment", WP)
        if post_type not in THREAD_TYPES and not comments:
            return
        post_id = node.child_text("post_id", WP)
        where = f"line {node.line}"
        if not post_id:
            self.archive.problems.append(Problem(where, "an item without wp:post_id"))
            return
        key = f"{site}#post-{post_id}"
        try:
            created_at: datetime | None = parse_date(
                node.child_text("post_date_gmt", WP), node.child_text("post_date", WP), self.tz
            )
        except ValueError:
            created_at = None
        content = node.find("encoded", CONTENT)
        self.archive.threads[key] = ArchiveThread(
            key=key,
            where=where,
            url=node.child_text("link"),
            slug=node.child_text("post_name", WP),
            title=node.child_text("title"),
            author=node.child_text("creator", DC),
            created_at=created_at,
            body=html_to_markdown(wordpress_paragraphs(content.text), article=True)
            if content is not None
            else "",
            published=node.child_text("status", WP) in {"", "publish"},
            comment_mode=CommentMode.OPEN
            if node.child_text("comment_status", WP) in {"", "open"}
            else CommentMode.CLOSED,
        )
        for comment in comments:
            self.comment(comment, key, site)

    def comment(self, node: XmlNode, thread_key: str, site: str) -> None:
        where = f"line {node.line}"
        comment_id = node.child_text("comment_id", WP)
        if not comment_id:
            self.archive.problems.append(Problem(where, "a comment without wp:comment_id"))
            return
        kind = node.child_text("comment_type", WP)
        if kind in {"pingback", "trackback"}:
            self.archive.left_out[kind + "s"] += 1
            return
        approved = node.child_text("comment_approved", WP)
        if approved == "spam":
            self.archive.left_out["spam"] += 1
            return
        try:
            created_at = parse_date(
                node.child_text("comment_date_gmt", WP),
                node.child_text("comment_date", WP),
                self.tz,
            )
        except ValueError:
            self.archive.problems.append(Problem(where, "the comment date cannot be read"))
            return
        parent = node.child_text("comment_parent", WP)
        name = node.child_text("comment_author", WP)
        user_id = node.child_text("comment_user_id", WP)
        key = f"user:{user_id}" if user_id not in {"", "0"} else (f"name:{name}" if name else "")
        self.archive.comments.append(
            ArchiveComment(
                external_id=f"{site}#comment-{comment_id}",
                thread_key=thread_key,
                parent_id=f"{site}#comment-{parent}" if parent not in {"", "0"} else None,
                author_name=name,
                author_key=key,
                created_at=created_at,
                body=node.child_text("comment_content", WP),
                markup=Markup.WORDPRESS,
                status=STATUSES.get(approved, CommentStatus.PENDING),
                where=where,
            )
        )


def read(path: Path, tz: ZoneInfo, progress: Callable[[int], None] | None = None) -> Archive:
    """Posts, pages and their comments from a WXR file; dates without GMT are read in ``tz``.

    Comment ids are numbered per WordPress site, so they are kept as ``{site}#comment-{id}``
    (the site's ``wp:base_site_url``): two sites' archives never collide.
    """
    reader = _Reader(tz)
    root = read_records(
        path,
        is_record=lambda node, depth: depth == 2 and node.name == "item",
        on_record=reader.items.append,
        progress=progress,
    )
    channel = root.find("channel")
    if root.name != "rss" or channel is None:
        raise ArchiveUnreadable(
            f"not a WordPress export (WXR): the root element is <{root.name}>", root.line
        )
    site = (
        channel.child_text("base_site_url", WP)
        or channel.child_text("base_blog_url", WP)
        or channel.child_text("link")
    ).rstrip("/")
    for item in reader.items:
        reader.item(item, site)
    return reader.archive
