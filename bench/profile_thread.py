"""Where the time of a large thread goes, in-process: the parts of the JSON thread timed one by
one on a seeded 1,000-comment article with every top-level comment on one page, and the same
answer built from plain rows instead of ORM entities (the change proposed in
docs/performance.md), checked to give byte-for-byte the same JSON.

    .venv/bin/python bench/profile_thread.py [--tree]

Like ``run.py`` it times a ``git archive`` snapshot of HEAD unless ``--tree`` is given. Each
measurement opens a fresh session, as a request does. Nothing is served; no network.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(label: str, work: Callable[[], Any], repeat: int = 60) -> float:
    for _ in range(5):
        work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(samples)
    print(f"  {label:<62} p50 {p50:6.1f} ms   min {min(samples):6.1f} ms")
    return p50


def profile() -> None:
    import msgspec
    import seed
    from sqlalchemy import and_, select

    from forum import schema
    from forum.accounts.models import User
    from forum.articles.service import get_published
    from forum.comments import comment_views, reading, service
    from forum.comments.api import comment_out as _out
    from forum.comments.models import Comment
    from forum.comments.service import Sort, Viewer
    from forum.db import Database
    from forum.settings import Settings

    with tempfile.TemporaryDirectory(prefix="forum-profile-") as directory:
        url = f"sqlite:///{directory}/profile.db"
        schema.upgrade(Settings(var_dir=Path(directory), database_url=url, secret_key="x" * 40))
        database = Database(url)
        seed.seed_articles(database, {"thousand": 1_000})
        viewer = Viewer()

        def with_session(work: Callable[[Any, Any], Any]) -> Callable[[], Any]:
            def run() -> Any:
                with database.session() as session:
                    return work(session, get_published(session, "thousand"))

            return run

        def page(session: Any, article: Any) -> Any:
            return service.thread_page(
                session, article, viewer, sort=Sort.OLDEST, page=1, per_page=10_000
            )

        def rows_orm(session: Any, article: Any) -> list[Any]:
            return session.execute(
                comment_views.rows_query()
                .where(Comment.article_id == article.id)
                .order_by(Comment.root_seq, Comment.path)
            ).all()

        columns = (
            Comment.id,
            Comment.article_id,
            Comment.parent_id,
            Comment.path,
            Comment.depth,
            Comment.status,
            Comment.body_html,
            Comment.created_at,
            Comment.edited_at,
            Comment.author_id,
            Comment.author_name,
        )

        def rows_plain(session: Any, article: Any) -> list[Any]:
            """The proposal: the same columns as plain rows; ``views_of`` reads them unchanged."""
            listed = and_(
                Comment.article_id == article.id,
                Comment.depth == 0,
                reading.root_listed(viewer),
            )
            roots = (
                select(Comment.root_seq)
                .where(listed)
                .order_by(Comment.root_seq)
                .limit(10_000)
                .scalar_subquery()
            )
            rows = session.execute(
                select(*columns, User.username, User.display_name)
                .outerjoin(User, User.id == Comment.author_id)
                .where(Comment.article_id == article.id, Comment.root_seq.in_(roots))
                .order_by(Comment.root_seq, Comment.path)
            ).all()
            return [(row, row.username, row.display_name) for row in rows]

        def json_now(session: Any, article: Any) -> bytes:
            return msgspec.json.encode([_out(n) for n in page(session, article).nodes])

        def json_plain(session: Any, article: Any) -> bytes:
            views = comment_views.views_of(rows_plain(session, article), viewer)
            return msgspec.json.encode([_out(n) for n in comment_views.nest_views(views)])

        now, proposed = with_session(json_now)(), with_session(json_plain)()
        assert now == proposed, "the proposal changes the answer"
        with database.session() as session:
            rows = rows_orm(session, get_published(session, "thousand"))
            views = comment_views.views_of(rows, viewer)
            nodes = comment_views.nest_views(views)
            print(f"1,000-comment thread, every top-level comment on one page ({len(views)} rows)")
            timed("thread_page (service, as the routes call it)", with_session(page))
            timed("  rows as ORM entities (select(Comment, ...))", with_session(rows_orm))
            timed(
                "  rows as plain rows (select(Comment.id, ...)) [proposal]",
                with_session(rows_plain),
            )
            timed("  views_of", lambda: comment_views.views_of(rows, viewer))
            timed("  tree.nest", lambda: comment_views.nest_views(views))
            timed("_out + msgspec encode", lambda: msgspec.json.encode([_out(n) for n in nodes]))
            timed("JSON body now (thread_page + _out + encode)", with_session(json_now))
            timed("JSON body with plain rows [proposal]", with_session(json_plain))
            gc.disable()
            try:
                timed("JSON body now, garbage collector off", with_session(json_now))
            finally:
                gc.enable()
        database.dispose()


if __name__ == "__main__":
    if "--tree" not in sys.argv and not os.environ.get("FORUM_BENCH_SOURCE"):
        import run

        sys.exit(run.in_snapshot_of(Path(__file__), sys.argv[1:]))
    profile()
