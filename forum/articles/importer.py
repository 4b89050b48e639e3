"""Read articles from Markdown files with a YAML front matter block.

```
---
title: What do we mean by socialism?
author: Janine
submitted: 2003-04-15T09:12:00
slug: what-do-we-mean-by-socialism   # optional, derived from the title
published: true                      # optional
comments: open                       # optional: open, closed or hidden
---
The body, in Markdown.
```

Every file is read and checked before anything is written: one bad file rejects the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.orm import Session

from forum.articles.models import CommentMode
from forum.articles.service import ArticleInput, InvalidArticle, save_article

FRONT_MATTER_FENCE = "---"
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class ImportProblem:
    """Why one file cannot be imported: the file, the field and what is wrong."""

    path: Path
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


class ImportRejected(Exception):
    """One or more files are invalid; nothing was written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class _FrontMatterLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML has no types
    """YAML's safe loader, but a date-like value that is no real date (``2003-13-45``) stays
    text, so the field check names the file and the field instead of YAML failing."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _split_front_matter(text: str) -> tuple[str, str]:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise InvalidArticle("front matter", "the file must start with a '---' line")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == FRONT_MATTER_FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise InvalidArticle("front matter", "no closing '---' line")


def _text_field(meta: dict[str, Any], name: str) -> str:
    value = meta.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidArticle(name, "is missing")
    if not isinstance(value, str | int | float):
        raise InvalidArticle(name, "must be text")
    return str(value)


def _submitted(meta: dict[str, Any], tz: ZoneInfo) -> datetime:
    value = meta.get("submitted")
    if value is None:
        raise InvalidArticle("submitted", "is missing")
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise InvalidArticle("submitted", "needs a time as well as a date (ISO 8601 date-time)")
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidArticle(
                "submitted", f"is not an ISO 8601 date-time: {str(value)[:40]!r}"
            ) from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _published(meta: dict[str, Any]) -> bool:
    value = meta.get("published", True)
    if not isinstance(value, bool):
        raise InvalidArticle("published", "must be true or false")
    return value


def _comment_mode(meta: dict[str, Any]) -> CommentMode:
    value = meta.get("comments", CommentMode.OPEN.value)
    try:
        return CommentMode(str(value))
    except ValueError:
        raise InvalidArticle("comments", "must be open, closed or hidden") from None


def _language(meta: dict[str, Any]) -> str | None:
    value = meta.get("language")
    if value is not None and not isinstance(value, str):
        raise InvalidArticle("language", "must be a language tag such as en, de or pt-BR")
    return value


def parse_article_file(path: Path, tz: ZoneInfo) -> ArticleInput:
    """The article in one file, validated, or ``InvalidArticle`` naming the field."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidArticle("file", f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidArticle("file", "is larger than 2 MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArticle("file", "is not UTF-8 text") from None
    header, body = _split_front_matter(text)
    try:
        meta = yaml.load(header, Loader=_FrontMatterLoader) or {}  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        raise InvalidArticle("front matter", "is not valid YAML") from None
    if not isinstance(meta, dict):
        raise InvalidArticle("front matter", "must be a set of 'name: value' lines")
    slug = meta.get("slug", "")
    return ArticleInput(
        title=_text_field(meta, "title"),
        author_name=_text_field(meta, "author"),
        submitted_at=_submitted(meta, tz),
        body=body.strip("\n") + "\n",
        slug="" if slug is None else str(slug),
        published=_published(meta),
        comment_mode=_comment_mode(meta),
        language=_language(meta),
    ).validated()


def read_articles(paths: Iterable[Path], tz: ZoneInfo) -> list[ArticleInput]:
    """Every article in ``paths`` (files, or folders of ``*.md``), or ``ImportRejected``."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.md")) if path.is_dir() else [path])
    articles: list[ArticleInput] = []
    problems: list[ImportProblem] = []
    seen: dict[str, Path] = {}
    for file in files:
        try:
            article = parse_article_file(file, tz)
        except InvalidArticle as exc:
            problems.append(ImportProblem(file, exc.field, exc.message))
            continue
        if article.slug in seen:
            problems.append(ImportProblem(file, "slug", f"is also used by {seen[article.slug]}"))
            continue
        seen[article.slug] = file
        articles.append(article)
    if problems:
        raise ImportRejected(problems)
    return articles


def import_articles(
    session: Session,
    articles: Iterable[ArticleInput],
    *,
    image_hosts: frozenset[str] = frozenset(),
) -> ImportResult:
    """Create or update each article by slug (the caller commits once, for all of them)."""
    created = updated = 0
    for article in articles:
        _, is_new = save_article(session, article, image_hosts=image_hosts)
        created += is_new
        updated += not is_new
    return ImportResult(created=created, updated=updated)
