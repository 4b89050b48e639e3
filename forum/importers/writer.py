"""Writing an archive into the forum: match threads to articles, make unclaimed profiles for
the authors, and insert the comments into the tree, parents before replies.

Imported comments are stored exactly as posted ones are: Markdown source (HTML converted by
``html_text``), rendered by the one comment renderer, placed with ``forum.comments.tree`` paths,
and counted in ``comment_count`` of their article and author. Screening and notifications are
not consulted: these comments were moderated on the old site. Each comment's archive id is
kept in ``imported_items``, so running the same import again skips what is already there.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from forum.accounts.models import Role, User
from forum.accounts.validation import RESERVED_USERNAMES, USERNAME_PATTERN, username_key
from forum.articles.models import Article
from forum.articles.service import ArticleInput, InvalidArticle, save_article
from forum.comments import tree
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.importers.archive import Archive, ArchiveComment, ArchiveThread, Problem
from forum.importers.convert import (
    clean_name,
    clean_text,
    comment_source,
    slug_candidates,
    stored_key,
)
from forum.importers.models import ImportedAuthor, ImportedItem
from forum.text import has_visible_text
from forum.web.markdown import comment_renderer

IMPORT_BODY_MAX = 100_000
"""Imported texts may be longer than new comments (10,000): history is kept as it was written."""
LOOKUP_CHUNK = 500
UNKNOWN_AUTHOR = "Unknown"


@dataclass
class ImportSummary:
    """What an import did, for the summary the command prints."""

    source: str
    threads: int = 0
    articles_created: int = 0
    comments: int = 0
    skipped: int = 0
    """Already imported by an earlier run."""
    authors_created: int = 0
    left_out: Counter[str] = field(default_factory=Counter)
    unmatched: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


class _Writer:
    def __init__(self, session: Session, archive: Archive, create_articles: bool) -> None:
        self.session = session
        self.archive = archive
        self.source = archive.source
        self.create_articles = create_articles
        self.summary = ImportSummary(source=archive.source, left_out=Counter(archive.left_out))
        self.summary.errors.extend(archive.problems)
        self.authors: dict[str, User] = {}
        self.next_root: dict[int, int] = {}
        self.next_child: dict[int, int] = {}
        self.published_per_article: Counter[int] = Counter()
        self.published_per_user: Counter[int] = Counter()

    # --- lookups ---

    def already_imported(self, ids: Iterable[str]) -> dict[str, int]:
        """Archive id → comment id of what earlier runs imported."""
        stored = {stored_key(i, ImportedItem.EXTERNAL_ID_MAX): i for i in ids}
        keys = list(stored)
        found: dict[str, int] = {}
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            rows = self.session.execute(
                select(ImportedItem.external_id, ImportedItem.comment_id).where(
                    ImportedItem.source == self.source, ImportedItem.external_id.in_(chunk)
                )
            )
            found.update((stored[key], comment_id) for key, comment_id in rows)
        return found

    def article_for(self, thread: ArchiveThread, earliest: datetime | None) -> Article | None:
        candidates = slug_candidates(thread)
        for slug in candidates:
            article = self.session.scalar(select(Article).where(Article.slug == slug))
            if article is not None:
                return article
        if not self.create_articles:
            return None
        if not candidates:
            self.summary.errors.append(
                Problem(thread.where, "the thread has no URL, slug or title to make an article")
            )
            return None
        title = clean_name(thread.title, Article.TITLE_MAX) or candidates[0]
        try:
            article, _ = save_article(
                self.session,
                ArticleInput(
                    title=title,
                    author_name=clean_name(thread.author, Article.AUTHOR_MAX) or UNKNOWN_AUTHOR,
                    submitted_at=thread.created_at or earliest or utcnow(),
                    body=clean_text(thread.body),
                    slug=candidates[0],
                    published=thread.published,
                    comment_mode=thread.comment_mode,
                ),
            )
        except InvalidArticle as exc:
            self.summary.errors.append(Problem(thread.where, f"article {exc}"))
            return None
        self.summary.articles_created += 1
        return article

    def author_for(self, comment: ArchiveComment) -> User | None:
        if not comment.author_key:
            return None
        key = stored_key(comment.author_key, ImportedAuthor.AUTHOR_KEY_MAX)
        if key in self.authors:
            return self.authors[key]
        user = self.session.scalar(
            select(User)
            .join(ImportedAuthor, ImportedAuthor.user_id == User.id)
            .where(ImportedAuthor.source == self.source, ImportedAuthor.author_key == key)
        )
        if user is None:
            name = clean_name(comment.author_name, User.DISPLAY_NAME_MAX)
            username = self.free_username(comment.username, name)
            user = User(
                username=username,
                username_key=username_key(username),
                email=None,
                email_key=None,
                display_name=name or username,
                password_hash=None,
                role=Role.READER,
                comment_count=0,
                created_at=comment.created_at,
            )
            self.session.add(user)
            self.session.flush()
            self.session.add(ImportedAuthor(source=self.source, author_key=key, user_id=user.id))
            self.summary.authors_created += 1
        self.authors[key] = user
        return user

    def free_username(self, preferred: str, name: str) -> str:
        """The username the archive gave, if free; else one made from the name, made unique."""
        if (
            User.USERNAME_MIN <= len(preferred) <= User.USERNAME_MAX
            and USERNAME_PATTERN.match(preferred)
            and self._free(preferred)
        ):
            return preferred
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_name).strip("-_")[:24].strip("-_")
        if len(base) < User.USERNAME_MIN or base.lower() in RESERVED_USERNAMES:
            base = f"{base}-imported".strip("-")
        candidate, number = base, 2
        while not self._free(candidate):
            candidate = f"{base}-{number}"
            number += 1
        return candidate

    def _free(self, username: str) -> bool:
        key = username_key(username)
        return self.session.scalar(select(User.id).where(User.username_key == key)) is None

    # --- the tree ---

    def place(self, article: Article, parent: Comment | None) -> tuple[int, str, int]:
        """root_seq, path and depth of the next comment under ``parent`` (None: top level)."""
        if parent is None:
            if article.id not in self.next_root:
                last = self.session.scalar(
                    select(func.max(Comment.root_seq)).where(Comment.article_id == article.id)
                )
                self.next_root[article.id] = last or 0
            self.next_root[article.id] += 1
            root_seq = self.next_root[article.id]
            return root_seq, tree.child_path("", root_seq), 0
        if parent.id not in self.next_child:
            last_path = self.session.scalar(
                select(Comment.path)
                .where(Comment.parent_id == parent.id)
                .order_by(Comment.path.desc())
                .limit(1)
            )
            self.next_child[parent.id] = tree.last_number(last_path) if last_path else 0
        self.next_child[parent.id] += 1
        number = self.next_child[parent.id]
        return parent.root_seq, tree.child_path(parent.path, number), parent.depth + 1

    def insert(self, article: Article, comment: ArchiveComment, parent: Comment | None) -> Comment:
        """One comment under ``parent``, or ``ValueError`` with why it cannot be imported."""
        source = comment_source(comment)
        if len(source) > IMPORT_BODY_MAX:
            raise ValueError(f"the text is longer than {IMPORT_BODY_MAX:,} characters")
        if not has_visible_text(source) and comment.status is not CommentStatus.DELETED:
            raise ValueError("the comment has no text")
        author = self.author_for(comment)
        root_seq, path, depth = self.place(article, parent)
        row = Comment(
            article_id=article.id,
            parent_id=parent.id if parent is not None else None,
            author_id=author.id if author is not None else None,
            author_name=(author.display_name if author is not None else "")
            or clean_name(comment.author_name, Comment.AUTHOR_NAME_MAX),
            root_seq=root_seq,
            path=path,
            depth=depth,
            body_source=source,
            body_html=comment_renderer.render(source) if source else "",
            status=comment.status,
            created_at=comment.created_at,
            edited_at=comment.edited_at,
            updated_at=comment.edited_at or comment.created_at,
        )
        self.session.add(row)
        self.session.flush()
        self.session.add(
            ImportedItem(
                source=self.source,
                external_id=stored_key(comment.external_id, ImportedItem.EXTERNAL_ID_MAX),
                comment_id=row.id,
            )
        )
        if comment.status is CommentStatus.PUBLISHED:
            self.published_per_article[article.id] += 1
            if author is not None:
                self.published_per_user[author.id] += 1
        return row

    def thread(
        self,
        article: Article,
        comments: list[ArchiveComment],
        done: dict[str, int],
        elsewhere: set[str],
        progress: Callable[[int], None] | None,
    ) -> None:
        """Insert a thread's new comments, each parent before its replies, siblings by date."""
        new = {c.external_id: c for c in comments}
        children: dict[str | None, list[ArchiveComment]] = defaultdict(list)
        roots: list[tuple[ArchiveComment, Comment | None]] = []
        for comment in comments:
            parent_id = comment.parent_id
            if parent_id is None:
                roots.append((comment, None))
            elif parent_id in new:
                children[parent_id].append(comment)
            elif parent_id in done:
                parent = self.session.get(Comment, done[parent_id])
                if parent is not None and parent.article_id == article.id:
                    roots.append((comment, parent))
                else:
                    roots.append((comment, None))
                    self.orphan(comment)
            else:
                roots.append((comment, None))
                self.orphan(comment, elsewhere=parent_id in elsewhere)
        for siblings in children.values():
            siblings.sort(key=lambda c: (c.created_at, c.external_id))
        roots.sort(key=lambda pair: (pair[0].created_at, pair[0].external_id))
        stack = list(reversed(roots))
        reached: set[str] = set()
        while stack:
            comment, parent = stack.pop()
            reached.add(comment.external_id)
            try:
                row: Comment | None = self.insert(article, comment, parent)
                self.summary.comments += 1
            except ValueError as exc:
                self.summary.errors.append(Problem(comment.where, str(exc)))
                row = None
            if progress is not None:
                progress(1)
            replies = children.get(comment.external_id, [])
            stack.extend((reply, row) for reply in reversed(replies))
        for comment in comments:
            if comment.external_id not in reached:
                self.summary.errors.append(
                    Problem(comment.where, "its replies loop back to it: no place in the tree")
                )
                if progress is not None:
                    progress(1)

    def orphan(self, comment: ArchiveComment, *, elsewhere: bool = False) -> None:
        why = "in another thread" if elsewhere else "not in the archive"
        self.summary.notes.append(
            Problem(comment.where, f"the comment it replies to is {why}: imported as top-level")
        )

    def counts(self) -> None:
        for article_id, n in self.published_per_article.items():
            self.session.execute(
                update(Article)
                .where(Article.id == article_id)
                .values(comment_count=Article.comment_count + n)
            )
        for user_id, n in self.published_per_user.items():
            self.session.execute(
                update(User).where(User.id == user_id).values(comment_count=User.comment_count + n)
            )


def _by_thread(
    archive: Archive, summary: ImportSummary
) -> tuple[dict[str, list[ArchiveComment]], set[str]]:
    """The archive's comments by thread, and every id it holds; a repeated id or an unknown
    thread is an error."""
    by_thread: dict[str, list[ArchiveComment]] = defaultdict(list)
    seen: set[str] = set()
    for comment in archive.comments:
        if comment.external_id in seen:
            summary.errors.append(Problem(comment.where, "this comment id appears twice"))
            continue
        seen.add(comment.external_id)
        if comment.thread_key not in archive.threads:
            summary.errors.append(Problem(comment.where, "its thread is not in the archive"))
            continue
        by_thread[comment.thread_key].append(comment)
    return by_thread, seen


def import_archive(
    session: Session,
    archive: Archive,
    *,
    create_articles: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Write ``archive`` (the caller commits); ``progress`` gets 1 per comment handled.

    Threads are matched to articles by slug (``slug_candidates``); with ``create_articles`` an
    unmatched thread becomes a published article (a stub, or the full article from our own
    export). Without it, an unmatched thread's comments are reported and left out.
    """
    writer = _Writer(session, archive, create_articles)
    summary = writer.summary
    by_thread, seen = _by_thread(archive, summary)
    done = writer.already_imported(seen)
    thread_of = {c.external_id: c.thread_key for c in archive.comments}
    for key, thread in archive.threads.items():
        comments = by_thread.get(key, [])
        fresh = [c for c in comments if c.external_id not in done]
        summary.skipped += len(comments) - len(fresh)
        if progress is not None and len(comments) > len(fresh):
            progress(len(comments) - len(fresh))
        if not comments and not (create_articles and thread.complete):
            continue
        earliest = min((c.created_at for c in comments), default=None)
        article = writer.article_for(thread, earliest)
        if article is None:
            if fresh:
                label = thread.url or thread.title or key
                summary.unmatched.append(
                    Problem(
                        thread.where, f"no article for {label} ({len(fresh)} comments left out)"
                    )
                )
                if progress is not None:
                    progress(len(fresh))
            continue
        summary.threads += 1
        elsewhere = {
            c.parent_id for c in fresh if c.parent_id and thread_of.get(c.parent_id, key) != key
        }
        writer.thread(article, fresh, done, {p for p in elsewhere if p is not None}, progress)
    writer.counts()
    session.flush()
    return summary
