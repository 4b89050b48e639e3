"""What every archive reader produces and the writer consumes: threads and comments as the
archive tells them, before anything is matched, sanitized or written."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from forum.articles.models import CommentMode
from forum.comments.models import CommentStatus


class Markup(StrEnum):
    """What a comment's text is written in."""

    MARKDOWN = "markdown"
    HTML = "html"
    WORDPRESS = "wordpress"
    """HTML whose plain line breaks are paragraphs and breaks (WordPress adds them on display)."""


class ArchiveUnreadable(Exception):
    """The file cannot be read at all (not the format, malformed, or refused for safety)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Problem:
    """One thing in the archive that could not be imported, and where it is.

    ``where`` is a line number for XML (the line of the element's start tag), a row for isso
    (``comment 12``) and a position for JSON (``articles[3].comments[7]``).
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ArchiveThread:
    """One discussion: an article on the old site."""

    key: str
    """The archive's id of the thread."""
    where: str
    url: str = ""
    slug: str = ""
    """An explicit slug, when the archive has one (WordPress post name, our own export)."""
    title: str = ""
    author: str = ""
    created_at: datetime | None = None
    body: str = ""
    """The article's text as Markdown, for articles created from the archive."""
    published: bool = True
    comment_mode: CommentMode = CommentMode.OPEN
    complete: bool = False
    """The archive holds the whole article (our own export): create it even without comments."""


@dataclass
class ArchiveComment:
    """One comment as the archive has it."""

    external_id: str
    """Unique within the source: what a re-run recognizes."""
    thread_key: str
    parent_id: str | None
    author_name: str
    author_key: str
    """How the archive tells authors apart ('' for an anonymous comment without a profile)."""
    created_at: datetime
    body: str
    markup: Markup
    status: CommentStatus
    where: str
    edited_at: datetime | None = None
    username: str = ""
    """A username to prefer for the author's profile (our own export)."""


@dataclass
class Archive:
    """Everything read from one file."""

    source: str
    threads: dict[str, ArchiveThread] = field(default_factory=dict)
    comments: list[ArchiveComment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)
    """Comments the archive has but a forum should not (spam, pingbacks), by reason."""
