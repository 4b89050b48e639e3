"""Seed benchmark data through the project's own models: users, articles and comment trees.

Articles are saved with ``forum.articles.service.save_article``; users and comments are
inserted in bulk with SQLAlchemy Core ``insert()`` (executemany) on the models' tables, with
each comment's ``root_seq``/``path``/``depth`` computed by ``forum.comments.tree.child_path``
exactly as ``post_comment`` would. Bodies are rendered with ``comment_renderer`` (a small pool
of rendered bodies is reused, so seeding a million comments stays fast). The published counts
on articles and users are kept right, since the front page and the profiles show them.

Everything is deterministic: the same seed gives the same trees, the same bodies and the same
authors, so the isso comparison can load exactly the tree our forum serves.

Trees: about 30 % of the comments are top-level; replies are spread over the threads with a
heavy-tailed weight (a few long threads, most short or without replies); inside a thread a
reply most often answers the latest comment (conversations go deep) and otherwise a random
earlier one, never deeper than 12 levels below the top-level comment.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from forum.accounts import validation
from forum.accounts.models import Role, User
from forum.articles.models import Article
from forum.articles.service import ArticleInput, save_article
from forum.comments.models import Comment, CommentStatus
from forum.comments.tree import child_path
from forum.db import Database
from forum.web.markdown import comment_renderer

TOP_LEVEL_SHARE = 0.30
MAX_DEPTH = 12
"""Deepest level of a reply below its top-level comment (the top level is depth 0)."""
REPLY_TO_LATEST = 0.45
"""How often a reply answers the thread's latest comment rather than a random earlier one."""
DELETED_SHARE = 0.01
"""Comments deleted by their authors: '[deleted]' placeholders when they have replies."""
BODY_POOL = 64
BATCH = 20_000
"""Rows per executemany; a transaction commits every ``COMMIT_EVERY`` rows."""
COMMIT_EVERY = 100_000
EPOCH = datetime(2003, 4, 15, 9, 12, tzinfo=UTC)

_WORDS = [
    "the",
    "a",
    "thread",
    "reply",
    "point",
    "argument",
    "socialism",
    "market",
    "state",
    "people",
    "work",
    "history",
    "article",
    "question",
    "answer",
    "evidence",
    "because",
    "however",
    "although",
    "indeed",
    "perhaps",
    "certainly",
    "never",
    "always",
    "often",
    "think",
    "believe",
    "agree",
    "disagree",
    "read",
    "write",
    "quote",
    "source",
    "link",
    "example",
    "case",
    "reason",
    "council",
    "union",
    "vote",
    "party",
    "policy",
    "wage",
    "price",
    "rent",
    "land",
    "labour",
    "capital",
    "class",
    "power",
    "freedom",
    "equality",
    "justice",
    "reform",
    "revolution",
    "democracy",
    "public",
    "private",
    "common",
    "interest",
    "cost",
    "value",
    "time",
    "year",
    "day",
    "week",
    "first",
    "last",
    "next",
    "other",
    "same",
    "different",
    "important",
    "simple",
    "hard",
    "easy",
]


# --- bodies ---------------------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(5, 18))]
    if rng.random() < 0.15:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    if rng.random() < 0.1:
        i = rng.randrange(len(words))
        words[i] = f"_{words[i]}_"
    return " ".join(words).capitalize() + rng.choice(".?!.")


def _body_source(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.choices([1, 2, 3, 4], weights=[50, 30, 15, 5])[0]):
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.1:
            paragraph = "> " + paragraph
        if rng.random() < 0.08:
            paragraph += f" See [the source](https://example.org/{rng.randint(1, 999)})."
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


@dataclass(frozen=True)
class Body:
    source: str
    html: str


def body_pool(seed: int = 1, size: int = BODY_POOL) -> list[Body]:
    """A handful of comment bodies, rendered once with the project's comment renderer."""
    rng = random.Random(seed)
    pool = []
    for _ in range(size):
        source = _body_source(rng)
        pool.append(Body(source, comment_renderer.render(source)))
    return pool


# --- tree shape -----------------------------------------------------------------------------


@dataclass
class Node:
    """One comment of a generated tree, in creation order (a parent comes before its replies)."""

    index: int
    parent: int | None
    root_seq: int
    path: str
    depth: int
    minutes: int
    """Minutes after the article was published."""
    body: int
    author: int
    deleted: bool
    children: int = 0


def comment_tree(count: int, seed: int, *, users: int = 500) -> list[Node]:
    """``count`` comments of one article as a realistic tree (see the module docstring)."""
    if count <= 0:
        return []
    rng = random.Random(seed)
    roots = max(1, round(count * TOP_LEVEL_SHARE))
    replies = count - roots
    weights = [rng.paretovariate(1.1) for _ in range(roots)]
    per_root = [0] * roots
    for root in rng.choices(range(roots), weights=weights, k=replies):
        per_root[root] += 1

    nodes: list[Node] = []

    def add(parent: Node | None, root_seq: int, minutes: int) -> Node:
        if parent is None:
            path, depth = child_path("", root_seq), 0
        else:
            parent.children += 1
            path, depth = child_path(parent.path, parent.children), parent.depth + 1
        node = Node(
            index=len(nodes),
            parent=parent.index if parent else None,
            root_seq=root_seq,
            path=path,
            depth=depth,
            minutes=minutes,
            body=rng.randrange(BODY_POOL),
            author=int(rng.paretovariate(1.2) * 7) % users,
            deleted=rng.random() < DELETED_SHARE,
        )
        nodes.append(node)
        return node

    for seq, size in enumerate(per_root, start=1):
        minutes = seq * 7 + rng.randint(0, 6)
        root = add(None, seq, minutes)
        thread = [root]
        for _ in range(size):
            minutes += rng.randint(1, 90)
            latest = thread[-1]
            if latest.depth < MAX_DEPTH and rng.random() < REPLY_TO_LATEST:
                parent = latest
            else:
                parent = rng.choice(thread)
                while parent.depth >= MAX_DEPTH:
                    parent = nodes[parent.parent] if parent.parent is not None else root
            thread.append(add(parent, seq, minutes))
    return nodes


def tree_for(count: int) -> list[Node]:
    """The tree of an article with ``count`` comments: the same wherever it is seeded (the
    10-comment article of the empty and of the big database, the 1,000 of isso and ours)."""
    return comment_tree(count, seed=1_000 + count)


def tree_stats(nodes: list[Node]) -> dict[str, float]:
    roots = [n for n in nodes if n.depth == 0]
    threads: dict[int, int] = {}
    for n in nodes:
        threads[n.root_seq] = threads.get(n.root_seq, 0) + 1
    sizes = sorted(threads.values())
    return {
        "comments": len(nodes),
        "top_level": len(roots),
        "top_level_share": round(len(roots) / len(nodes), 3) if nodes else 0,
        "max_depth": max((n.depth for n in nodes), default=0),
        "largest_thread": sizes[-1] if sizes else 0,
        "median_thread": sizes[len(sizes) // 2] if sizes else 0,
        "threads_without_replies": sum(1 for s in sizes if s == 1),
    }


# --- writing --------------------------------------------------------------------------------


@dataclass
class Seeder:
    """Writes users, articles and trees into one database, keeping the counts right."""

    database: Database
    users: int = 500
    bodies: list[Body] = field(default_factory=body_pool)
    user_ids: list[int] = field(default_factory=list)
    _user_counts: dict[int, int] = field(default_factory=dict)
    _next_comment_id: int = 0

    def seed_users(self, prefix: str = "reader") -> None:
        """Unclaimed profiles (no password, no address), the shape imported authors have."""
        with self.database.session(write=True) as session:
            first = (session.scalar(select(func.max(User.id))) or 0) + 1
            rows = []
            for n in range(self.users):
                username = f"{prefix}_{n:05d}"
                rows.append(
                    {
                        "id": first + n,
                        "username": username,
                        "username_key": validation.username_key(username),
                        "email": None,
                        "email_key": None,
                        "display_name": f"Reader {n}",
                        "password_hash": None,
                        "role": Role.READER,
                        "comment_count": 0,
                        "created_at": EPOCH,
                    }
                )
            session.execute(insert(User.__table__), rows)
            self.user_ids = [first + n for n in range(self.users)]
            _fix_sequence(session, "users")

    def article(self, session: Session, slug: str, number: int) -> Article:
        article, _ = save_article(
            session,
            ArticleInput(
                title=f"Benchmark article {number}: {slug.replace('-', ' ')}",
                author_name="Janine",
                submitted_at=EPOCH + timedelta(hours=number),
                body=f"An article for the benchmarks (number {number}).\n\n"
                + "It anchors a thread of comments. " * 20,
                slug=slug,
            ),
        )
        return article

    def comments(self, session: Session, article_id: int, nodes: list[Node]) -> int:
        """Insert one article's tree; returns the number of published comments."""
        if not self._next_comment_id:
            self._next_comment_id = (session.scalar(select(func.max(Comment.id))) or 0) + 1
        first = self._next_comment_id
        self._next_comment_id += len(nodes)
        article_time = session.scalar(select(Article.submitted_at).where(Article.id == article_id))
        assert article_time is not None
        published = 0
        for start in range(0, len(nodes), BATCH):
            rows = []
            for node in nodes[start : start + BATCH]:
                body = self.bodies[node.body]
                author_id = self.user_ids[node.author] if self.user_ids else None
                created = article_time + timedelta(minutes=node.minutes)
                status = CommentStatus.DELETED if node.deleted else CommentStatus.PUBLISHED
                if not node.deleted:
                    published += 1
                    if author_id is not None:
                        self._user_counts[author_id] = self._user_counts.get(author_id, 0) + 1
                rows.append(
                    {
                        "id": first + node.index,
                        "article_id": article_id,
                        "parent_id": first + node.parent if node.parent is not None else None,
                        "author_id": author_id,
                        "author_name": "",
                        "root_seq": node.root_seq,
                        "path": node.path,
                        "depth": node.depth,
                        "body_source": body.source,
                        "body_html": body.html,
                        "status": status,
                        "created_at": created,
                        "edited_at": None,
                        "updated_at": created,
                        "client_address": None,
                    }
                )
            session.execute(insert(Comment.__table__), rows)
        session.execute(
            update(Article)
            .where(Article.id == article_id)
            .values(comment_count=Article.comment_count + published)
        )
        return published

    def finish(self) -> None:
        """Write the users' published counts and resynchronise PostgreSQL's sequences."""
        with self.database.session(write=True) as session:
            items = sorted(self._user_counts.items())
            if items:
                users = User.__table__
                session.execute(
                    update(users)
                    .where(users.c.id == bindparam("uid"))
                    .values(comment_count=users.c.comment_count + bindparam("n")),
                    [{"uid": uid, "n": n} for uid, n in items],
                )
            self._user_counts.clear()
            _fix_sequence(session, "comments")
            _fix_sequence(session, "users")


def _fix_sequence(session: Session, table: str) -> None:
    """Explicit ids leave PostgreSQL's serial behind; SQLite needs nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


# --- the benchmark data sets ----------------------------------------------------------------


def seed_articles(database: Database, sizes: dict[str, int]) -> dict[str, dict]:
    """One article per ``slug: comment count`` (trees from ``tree_for``); returns each tree's
    statistics."""
    seeder = Seeder(database)
    seeder.seed_users()
    stats = {}
    with database.session(write=True) as session:
        for number, (slug, count) in enumerate(sizes.items(), start=1):
            nodes = tree_for(count)
            article = seeder.article(session, slug, number)
            seeder.comments(session, article.id, nodes)
            stats[slug] = tree_stats(nodes)
    seeder.finish()
    return stats


def big_distribution(articles: int, comments: int, *, seed: int = 11) -> Iterator[int]:
    """Comments per article: heavy-tailed (most articles few, some thousands), summing exactly."""
    rng = random.Random(seed)
    weights = [rng.lognormvariate(0, 1.4) for _ in range(articles)]
    total = sum(weights)
    counts = [int(w / total * comments) for w in weights]
    short = comments - sum(counts)
    for i in sorted(range(articles), key=lambda i: -weights[i])[:short]:
        counts[i] += 1
    yield from counts


def seed_big(
    database: Database,
    *,
    articles: int = 10_000,
    comments: int = 1_000_000,
    special: dict[str, int] | None = None,
    seed: int = 11,
    users: int = 5_000,
    progress: bool = True,
) -> dict[str, object]:
    """``articles`` articles with ``comments`` comments in all; ``special`` articles (e.g. one
    with exactly 10 comments, tree from ``tree_for``) are put in the middle, part of the total."""
    special = dict(special or {})
    regular = articles - len(special)
    counts = list(big_distribution(regular, comments - sum(special.values()), seed=seed))
    seeder = Seeder(database, users=users)
    seeder.seed_users()
    middle = regular // 2
    plan: list[tuple[str, int]] = [(f"bench-{i:05d}", c) for i, c in enumerate(counts)]
    plan[middle:middle] = list(special.items())
    started = time.perf_counter()
    written = 0
    pending = 0
    session_cm = database.session(write=True)
    session = session_cm.__enter__()
    try:
        for number, (slug, count) in enumerate(plan, start=1):
            article = seeder.article(session, slug, number)
            if slug in special:
                nodes = tree_for(count)
            else:
                nodes = comment_tree(count, seed * 100_003 + number, users=users)
            seeder.comments(session, article.id, nodes)
            written += count
            pending += count + 1
            if pending >= COMMIT_EVERY:
                session_cm.__exit__(None, None, None)
                session_cm = database.session(write=True)
                session = session_cm.__enter__()
                pending = 0
                if progress:
                    rate = written / (time.perf_counter() - started)
                    print(
                        f"  seeded {number:,} articles, {written:,} comments ({rate:,.0f}/s)",
                        flush=True,
                    )
    except BaseException as exc:
        session_cm.__exit__(type(exc), exc, exc.__traceback__)
        raise
    else:
        session_cm.__exit__(None, None, None)
    seeder.finish()
    return {
        "articles": len(plan),
        "comments": written,
        "largest_article": max(counts),
        "median_article": sorted(counts)[len(counts) // 2],
        "articles_without_comments": sum(1 for c in counts if c == 0),
    }
