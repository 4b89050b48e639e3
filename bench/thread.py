"""The thread benchmarks of issue 4: seed, serve for real, time, compare with isso, report.

Started by ``bench/run.py`` (which see for the commands). What it does, all on this machine
and only over 127.0.0.1:

1. Seeds three fresh SQLite databases (migrated with ``forum.schema.upgrade``) through the
   project's models (``bench/seed.py``): *empty* (one article with 10 comments), *threads*
   (articles with 10, 1,000 and 10,000 comments) and *big* (10,000 articles, 1,000,000
   comments, among them the same 10-comment article).
2. Counts the SQL statements of the article page and of the JSON thread in-process (the same
   check as tests/comments/test_routes.py, on the seeded trees).
3. Starts the real app (``uvicorn forum.app:create_app --factory``, as ``forum serve`` does)
   once per database, plus one with every top-level comment on one page, plus isso
   (``bench/isso_compare.py``) loaded with the same 1,000-comment tree.
4. Reads: after warm-up requests, a bounded number of rounds; each round sends one request
   to every target in turn (so a busy moment of the shared machine hits all of them alike),
   sequentially, over keep-alive connections. Then posts, the same way: a logged-in reader's
   form post (session cookie + CSRF token, answered with a redirect) and an API post with a
   personal access token; every other post is a reply.
5. Writes ``bench/results/latest.json`` and, with ``--write-docs``, ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import math
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import isso_compare
import seed
from sqlalchemy import event, text

from forum import schema
from forum.accounts import service as accounts
from forum.accounts.passwords import Passwords, make_hasher
from forum.db import Database, utcnow
from forum.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(os.environ.get("FORUM_BENCH_SOURCE") or ROOT)
"""The forum code under test: a snapshot of HEAD (default) or the working tree (``--tree``)."""
RESULTS = ROOT / "bench" / "results" / "latest.json"
DOCS = ROOT / "docs" / "performance.md"
SECRET = "bench-secret-" + "k" * 40
CHEAP_ARGON2 = {"FORUM_ARGON2_TIME_COST": "1", "FORUM_ARGON2_MEMORY_COST": "1024"}
BENCH_USER = ("bench_reader", "bench@example.org", "correct horse battery staple 42")
TIMEOUT = 60.0
"""Seconds one request may take before the run fails (it never retries)."""

TARGETS = {
    "html_1000_ms": 50.0,
    "json_1000_ms": 30.0,
    "same_speed_tolerance": 0.10,
}


# --- small helpers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50": round(statistics.median(samples), 2),
        "p95": round(percentile(samples, 95), 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
    }


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    commit = os.environ.get("FORUM_BENCH_COMMIT") or "working tree"
    versions = {}
    for package in ("litestar", "sqlalchemy", "uvicorn", "jinja2", "msgspec", "httpx"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "commit": commit,
        "packages": versions,
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


# --- servers --------------------------------------------------------------------------------


@dataclass
class Server:
    """A child process serving HTTP on 127.0.0.1; stopped (only it) when the block ends."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    ready_path: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=SOURCE, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + self.ready_path, timeout=2).status_code == 200:
                    return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"{self.name} did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._log.close()


def forum_server(name: str, db: BenchDb, work: Path, *, per_page: int = 50) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env.update(
        {
            "FORUM_DATABASE_URL": db.url,
            "FORUM_VAR_DIR": str(work / f"var-{name}"),
            "FORUM_SECRET_KEY": SECRET,
            "FORUM_BASE_URL": f"http://127.0.0.1:{port}",
            "FORUM_MAIL_WORKER": "false",
            "FORUM_COMMENTS_PER_PAGE": str(per_page),
            **CHEAP_ARGON2,
        }
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "forum.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-server-header",
    ]
    return Server(name, command, env, port, "/healthz", work / f"{name}.log")


# --- databases ------------------------------------------------------------------------------


@dataclass
class BenchDb:
    name: str
    url: str
    token: str = ""
    seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    def settings(self, work: Path) -> Settings:
        return Settings(
            var_dir=work / f"var-{self.name}",
            database_url=self.url,
            secret_key=SECRET,
            mail_worker=False,
            argon2_time_cost=1,
            argon2_memory_cost=1024,
            argon2_parallelism=4,
        )


def prepare(db: BenchDb, work: Path, fill: Callable[[Database], dict[str, Any]]) -> None:
    """Migrate a fresh database, seed it, and add the bench reader with an access token."""
    settings = db.settings(work)
    schema.upgrade(settings)
    database = Database(db.url)
    try:
        started = time.perf_counter()
        db.info = fill(database)
        db.seconds = round(time.perf_counter() - started, 1)
        with database.session(write=True) as session:
            user = accounts.register(
                session, Passwords(make_hasher(1, 1024, 4)), accounts.Registration(*BENCH_USER)
            )
            user.email_verified_at = utcnow()
            _, db.token = accounts.create_access_token(session, user, "bench")
        db.info["counts_right"] = counts_right(database)
    finally:
        database.dispose()
    size = Path(db.url.removeprefix("sqlite:///")).stat().st_size
    db.info["file_mb"] = round(size / 1024 / 1024, 1)


def counts_right(database: Database) -> bool:
    """The published counts that the front page and the profiles show match the comments
    (one pass over the comments, grouped, compared in Python)."""
    with database.session() as session:
        per_article = dict(
            session.execute(
                text(
                    "SELECT article_id, COUNT(*) FROM comments WHERE status = 'published' "
                    "GROUP BY article_id"
                )
            ).all()
        )
        per_user = dict(
            session.execute(
                text(
                    "SELECT author_id, COUNT(*) FROM comments WHERE status = 'published' "
                    "AND author_id IS NOT NULL GROUP BY author_id"
                )
            ).all()
        )
        articles = dict(session.execute(text("SELECT id, comment_count FROM articles")).all())
        users = dict(session.execute(text("SELECT id, comment_count FROM users")).all())
    wrong_articles = [a for a, n in articles.items() if n != per_article.get(a, 0)]
    wrong_users = [u for u, n in users.items() if n != per_user.get(u, 0)]
    if wrong_articles or wrong_users:
        raise RuntimeError(
            f"published counts are wrong on {len(wrong_articles)} articles "
            f"and {len(wrong_users)} users"
        )
    return True


def count_queries(db: BenchDb, work: Path, paths: list[str]) -> dict[str, int]:
    """SQL statements per request, in-process (as tests/comments/test_routes.py counts them)."""
    from litestar.testing import TestClient

    from forum.app import create_app

    app = create_app(db.settings(work))
    counts: dict[str, int] = {}
    with TestClient(app) as client:
        engine = app.state.database.engine
        for path in paths:
            assert client.get(path).status_code == 200
            statements: list[str] = []

            def listener(*args: Any, sink: list[str] = statements) -> None:
                sink.append(args[2])

            event.listen(engine, "before_cursor_execute", listener)
            try:
                assert client.get(path).status_code == 200
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            counts[path] = len(statements)
    return counts


# --- requests -------------------------------------------------------------------------------


def count_json(comments: list[dict[str, Any]], key: str = "replies") -> int:
    total, stack = 0, list(comments)
    while stack:
        node = stack.pop()
        total += 1
        stack.extend(node.get(key) or [])
    return total


@dataclass
class Target:
    """One thing timed: a label, a client and a function making one request."""

    label: str
    client: httpx.Client
    request: Callable[[httpx.Client, int], httpx.Response]
    expect: int = 200
    samples: list[float] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def once(self, i: int) -> httpx.Response:
        started = time.perf_counter()
        response = self.request(self.client, i)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != self.expect:
            raise RuntimeError(
                f"{self.label}: status {response.status_code}, expected {self.expect}: "
                f"{response.text[:300]}"
            )
        self.samples.append(elapsed)
        return response


def run_rounds(targets: list[Target], *, rounds: int, warmup: int, budget_s: float) -> None:
    """Warm up, then ``rounds`` rounds of one request per target, in a shuffled order each
    round; stops early past the time budget. The client's garbage collector runs between
    rounds, not inside a timed request."""
    order = random.Random(4)
    for i in range(warmup):
        for target in targets:
            target.once(-1 - i)
    for target in targets:
        target.samples.clear()
    deadline = time.monotonic() + budget_s
    gc.collect()
    gc.disable()
    try:
        for i in range(rounds):
            for target in order.sample(targets, len(targets)):
                target.once(i)
            gc.collect()
            if time.monotonic() > deadline:
                log(f"  time budget reached after {i + 1} rounds")
                break
    finally:
        gc.enable()


def get(path: str, **kwargs: Any) -> Callable[[httpx.Client, int], httpx.Response]:
    return lambda client, _i: client.get(path, **kwargs)


CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def logged_in_client(base_url: str) -> tuple[httpx.Client, str]:
    """A client logged in through the real form (GET /login for the CSRF cookie, then POST)."""
    client = httpx.Client(base_url=base_url, timeout=TIMEOUT)
    page = client.get("/login")
    match = CSRF_FIELD.search(page.text)
    if page.status_code != 200 or not match:
        raise RuntimeError("the login form has no CSRF token")
    token = match.group(1)
    response = client.post(
        "/login",
        data={
            "login": BENCH_USER[0],
            "password": BENCH_USER[2],
            "_csrf_token": token,
            "next": "/",
        },
    )
    if response.status_code != 303:
        raise RuntimeError(f"login failed: {response.status_code} {response.text[:300]}")
    return client, token


def post_targets(label: str, base_url: str, slug: str, token: str, parents: list[int]) -> list:
    form_client, csrf = logged_in_client(base_url)
    api_client = httpx.Client(
        base_url=base_url, timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}"}
    )

    def parent(i: int) -> int | None:
        return parents[(i * 7919) % len(parents)] if parents and i % 2 else None

    def form_post(client: httpx.Client, i: int) -> httpx.Response:
        data = {
            "_csrf_token": csrf,
            "body": f"A benchmark comment, number {i}, posted **through the form**.",
            "form_started": str(int(time.time()) - 60),
            "website": "",
        }
        if (p := parent(i)) is not None:
            data["parent_id"] = str(p)
        return client.post(f"/articles/{slug}/comments", data=data)

    def api_post(client: httpx.Client, i: int) -> httpx.Response:
        payload: dict[str, Any] = {"body": f"A benchmark comment, number {i}, from the API."}
        if (p := parent(i)) is not None:
            payload["parent_id"] = p
        return client.post(f"/api/articles/{slug}/comments", json=payload)

    return [
        Target(f"{label} · post (form)", form_client, form_post, expect=303),
        Target(f"{label} · post (API)", api_client, api_post, expect=201),
    ]


def describe_json(target: Target) -> list[int]:
    """Check one JSON answer and note what it held; returns comment ids (reply targets)."""
    body = target.once(0).json()
    target.samples.clear()
    comments = body["comments"]
    target.facts.update(
        comments_on_page=count_json(comments),
        top_level_on_page=len(comments),
        pages=body["pages"],
    )
    ids, stack = [], list(comments)
    while stack:
        node = stack.pop()
        if node["status"] == "published":
            ids.append(node["id"])
        stack.extend(node["replies"])
    return sorted(ids)


def describe_html(target: Target) -> None:
    text = target.once(0).text
    target.samples.clear()
    target.facts.update(
        comments_in_html=text.count('<article class="comment'), html_kb=round(len(text) / 1024)
    )


def describe_isso(target: Target) -> None:
    body = target.once(0).json()
    target.samples.clear()
    target.facts.update(
        comments_on_page=count_json(body["replies"]), top_level_on_page=len(body["replies"])
    )


# --- the run --------------------------------------------------------------------------------


@dataclass
class Sizes:
    big_articles: int = 10_000
    big_comments: int = 1_000_000
    rounds: int = 200
    warmup: int = 20


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = Sizes()
    if args.quick:
        sizes = Sizes(big_articles=500, big_comments=50_000, rounds=20, warmup=3)
    sizes.rounds = args.rounds or sizes.rounds
    sizes.warmup = args.warmup if args.warmup is not None else sizes.warmup
    results: dict[str, Any] = {"machine": machine(), "sizes": sizes.__dict__, "quick": args.quick}
    work = Path(tempfile.mkdtemp(prefix="forum-bench-"))
    log(f"working in {work}")
    try:
        with contextlib.ExitStack() as stack:
            _run(args, sizes, work, results, stack)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return results


def _run(
    args: argparse.Namespace,
    sizes: Sizes,
    work: Path,
    results: dict[str, Any],
    stack: contextlib.ExitStack,
) -> None:
    empty = BenchDb("empty", f"sqlite:///{work / 'empty.db'}")
    threads = BenchDb("threads", f"sqlite:///{work / 'threads.db'}")
    big = BenchDb("big", f"sqlite:///{work / 'big.db'}")

    log("seeding: empty (one article, 10 comments)")
    prepare(empty, work, lambda d: seed.seed_articles(d, {"ten": 10}))
    log("seeding: threads (10, 1,000 and 10,000 comments)")
    prepare(
        threads,
        work,
        lambda d: seed.seed_articles(d, {"ten": 10, "thousand": 1_000, "ten-thousand": 10_000}),
    )
    log(f"seeding: big ({sizes.big_articles:,} articles, {sizes.big_comments:,} comments)")
    prepare(
        big,
        work,
        lambda d: seed.seed_big(
            d, articles=sizes.big_articles, comments=sizes.big_comments, special={"ten": 10}
        ),
    )
    results["seeding"] = {
        db.name: {"seconds": db.seconds, **db.info} for db in (empty, threads, big)
    }
    for db in (empty, threads, big):
        log(f"  {db.name}: {db.seconds} s, {db.info.get('file_mb')} MB")

    log("counting queries in-process")
    paths = [
        "/articles/ten",
        "/articles/ten-thousand",
        "/api/articles/ten/comments",
        "/api/articles/ten-thousand/comments",
    ]
    results["queries"] = {
        "threads": count_queries(threads, work, paths),
        "big": count_queries(big, work, paths[:1] + paths[2:3]),
    }
    log(f"  {results['queries']}")

    log("starting servers")
    s_empty = stack.enter_context(forum_server("empty", empty, work))
    s_big = stack.enter_context(forum_server("big", big, work))
    s_threads = stack.enter_context(forum_server("threads", threads, work))
    s_onepage = stack.enter_context(forum_server("onepage", threads, work, per_page=10_000))
    clients = {
        s.name: stack.enter_context(httpx.Client(base_url=s.base_url, timeout=TIMEOUT))
        for s in (s_empty, s_big, s_threads, s_onepage)
    }

    isso_target: dict[str, Target] = {}
    results["isso"] = {}
    if not args.skip_isso:
        try:
            isso_path, version = isso_compare.ensure_isso()
            port = free_port()
            conf = isso_compare.write_config(work, port, s_threads.base_url + "/")
            nodes = seed.tree_for(1_000)
            rows = isso_compare.load_tree(
                isso_compare.VENV_DIR, conf, nodes, seed.body_pool(), created=1_050_397_920.0
            )
            s_isso = stack.enter_context(
                Server(
                    "isso",
                    isso_compare.command(isso_path, conf),
                    {k: v for k, v in os.environ.items() if not k.startswith("ISSO_")},
                    port,
                    "/info",
                    work / "isso.log",
                )
            )
            isso_client = stack.enter_context(httpx.Client(base_url=s_isso.base_url, timeout=60))
            uri = isso_compare.ISSO_URI
            isso_target = {
                "page": Target(
                    "isso · GET /?uri=…&limit=50",
                    isso_client,
                    get("/", params={"uri": uri, "limit": 50}),
                ),
                "page, plain": Target(
                    "isso · GET /?uri=…&limit=50&plain=1",
                    isso_client,
                    get("/", params={"uri": uri, "limit": 50, "plain": 1}),
                ),
                "all": Target(
                    "isso · GET /?uri=… (all)", isso_client, get("/", params={"uri": uri})
                ),
            }
            results["isso"] = {"version": version, "rows": rows}
        except (isso_compare.IssoUnavailable, RuntimeError) as exc:
            log(f"isso unavailable: {exc}")
            results["isso"] = {"error": str(exc)}

    reads = {
        "empty · 10 · html": Target("", clients["empty"], get("/articles/ten")),
        "empty · 10 · json": Target("", clients["empty"], get("/api/articles/ten/comments")),
        "big · 10 · html": Target("", clients["big"], get("/articles/ten")),
        "big · 10 · json": Target("", clients["big"], get("/api/articles/ten/comments")),
        "big · front page": Target("", clients["big"], get("/")),
        "threads · 10 · html": Target("", clients["threads"], get("/articles/ten")),
        "threads · 10 · json": Target("", clients["threads"], get("/api/articles/ten/comments")),
        "threads · 1,000 · html": Target("", clients["threads"], get("/articles/thousand")),
        "threads · 1,000 · json": Target(
            "", clients["threads"], get("/api/articles/thousand/comments")
        ),
        "threads · 10,000 · html": Target("", clients["threads"], get("/articles/ten-thousand")),
        "threads · 10,000 · json": Target(
            "", clients["threads"], get("/api/articles/ten-thousand/comments")
        ),
        "one page · 1,000 · html": Target("", clients["onepage"], get("/articles/thousand")),
        "one page · 1,000 · json": Target(
            "", clients["onepage"], get("/api/articles/thousand/comments")
        ),
    }
    for label, target in reads.items():
        target.label = label
    for label, target in isso_target.items():
        reads[f"isso · 1,000 · {label}"] = target

    parents: dict[str, list[int]] = {}
    for label, target in reads.items():
        if label.startswith("isso"):
            describe_isso(target)
        elif label.endswith("json"):
            ids = describe_json(target)
            parents.setdefault(label.rsplit(" · ", 1)[0], ids)
        elif label.endswith("html"):
            describe_html(target)

    log(f"reads: {len(reads)} targets, {sizes.warmup} warm-up + {sizes.rounds} rounds")
    run_rounds(list(reads.values()), rounds=sizes.rounds, warmup=sizes.warmup, budget_s=900)
    results["reads"] = {
        label: {**summary(t.samples), **t.facts} for label, t in reads.items() if t.samples
    }

    posts: list[Target] = []
    for label, server, slug, db in (
        ("empty · 10", s_empty, "ten", empty),
        ("big · 10", s_big, "ten", big),
        ("threads · 10", s_threads, "ten", threads),
        ("threads · 1,000", s_threads, "thousand", threads),
        ("threads · 10,000", s_threads, "ten-thousand", threads),
    ):
        posts += post_targets(label, server.base_url, slug, db.token, parents.get(label, []))
    for target in posts:
        stack.callback(target.client.close)
    log(f"posts: {len(posts)} targets, {sizes.warmup} warm-up + {sizes.rounds} rounds")
    run_rounds(posts, rounds=sizes.rounds, warmup=sizes.warmup, budget_s=900)
    results["posts"] = {t.label: summary(t.samples) for t in posts if t.samples}


# --- the report -----------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    reads = results["reads"]
    rows = []
    html = reads["threads · 1,000 · html"]["p50"]
    limit = TARGETS["html_1000_ms"]
    rows.append(
        (
            f"Article page, 1,000 comments, page 1: p50 < {limit:.0f} ms",
            f"{html:.1f} ms",
            verdict(html < limit) + ("" if html < limit else f" by {html - limit:.1f} ms"),
        )
    )
    html_all = reads["one page · 1,000 · html"]["p50"]
    rows.append(
        (
            "… the same with all 1,000 comments on one page (stricter reading)",
            f"{html_all:.1f} ms",
            verdict(html_all < limit)
            + ("" if html_all < limit else f" by {html_all - limit:.1f} ms"),
        )
    )
    json_p50 = reads["threads · 1,000 · json"]["p50"]
    limit = TARGETS["json_1000_ms"]
    rows.append(
        (
            f"JSON thread, 1,000 comments, page 1: p50 < {limit:.0f} ms",
            f"{json_p50:.1f} ms",
            verdict(json_p50 < limit)
            + ("" if json_p50 < limit else f" by {json_p50 - limit:.1f} ms"),
        )
    )
    json_all = reads["one page · 1,000 · json"]["p50"]
    rows.append(
        (
            "… the same with all 1,000 comments on one page (stricter reading)",
            f"{json_all:.1f} ms",
            verdict(json_all < limit)
            + ("" if json_all < limit else f" by {json_all - limit:.1f} ms"),
        )
    )
    tolerance = TARGETS["same_speed_tolerance"]
    for kind in ("html", "json"):
        small = reads[f"empty · 10 · {kind}"]["p50"]
        large = reads[f"big · 10 · {kind}"]["p50"]
        ok = large <= small * (1 + tolerance) + 0.5
        what = "article page" if kind == "html" else "JSON thread"
        rows.append(
            (
                f"10-comment {what}: 1,000,000-comment database as fast as an empty one "
                f"(p50 within {tolerance:.0%} + 0.5 ms)",
                f"{large:.1f} ms vs {small:.1f} ms ({(large / small - 1) * 100:+.0f} %); "
                f"fastest {reads[f'big · 10 · {kind}']['min']:.1f} vs "
                f"{reads[f'empty · 10 · {kind}']['min']:.1f} ms",
                verdict(ok),
            )
        )
    queries = results["queries"]["threads"]
    for kind, small, large in (
        ("article page", "/articles/ten", "/articles/ten-thousand"),
        ("JSON thread", "/api/articles/ten/comments", "/api/articles/ten-thousand/comments"),
    ):
        ok = queries[small] == queries[large]
        rows.append(
            (
                f"{kind[0].upper() + kind[1:]}: a fixed number of queries, 10 or 10,000 comments",
                f"{queries[small]} and {queries[large]}",
                verdict(ok),
            )
        )
    return rows


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    sizes = results["sizes"]
    seeding = results["seeding"]
    reads = results["reads"]
    posts = results["posts"]
    out: list[str] = []
    w = out.append
    w("# Performance")
    w("")
    w(
        "Generated by `bench/run.py --write-docs` (issue 4: the speed of the thread). "
        "Do not edit by hand: change the benchmark and run it again."
    )
    if results.get("quick"):
        w("")
        w("**This is a `--quick` run (small data, few requests): not the real numbers.**")
    w("")
    w("## Machine and run")
    w("")
    w(f"- date: {m['date']}, code under test: {m['commit']}")
    w(f"- CPU: {m['cpu']}, `nproc` = {m['nproc']}; memory {m['memory']}")
    w(f"- Python {m['python']}, SQLite {m['sqlite']}, {m['platform']}")
    w("- " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()))
    load = max(m["load_before"][0], (m.get("load_after") or [0])[0])
    busy = load > 0.5 * (m["nproc"] or 1)
    w(
        f"- load average (1, 5, 15 min) before the run {m['load_before']}, after "
        f"{m.get('load_after')}. "
        + (
            f"**The machine was shared**: other engineers' test suites (and a headless "
            f"browser) ran throughout, a load of about {load:.0f} on {m['nproc']} cores. The "
            "p50 and p95 columns include their work; the min column (the fastest of the "
            "requests) is closer to what an idle machine gives."
            if busy
            else "The machine was quiet during the run."
        )
    )
    w(
        f"- each timing: {sizes['warmup']} warm-up rounds, then {sizes['rounds']} rounds; a round "
        "sends one request to every target in turn (sequential, keep-alive, over 127.0.0.1), "
        "so a busy moment of the machine hits every target alike. Times are measured in the "
        "client: request sent to the whole body read."
    )
    w(
        "- server: `uvicorn forum.app:create_app --factory` (one process, as `forum serve` "
        "runs it; asyncio + h11, no uvloop), SQLite in WAL mode on a temporary directory, "
        "`FORUM_MAIL_WORKER=false`. Default settings otherwise: 50 top-level comments (each "
        "with all its replies) on a page of a thread."
    )
    w("")
    w("## Reproduce")
    w("")
    w("```sh")
    w("make install    # the project's venv: python3 -m venv .venv; pip install -e '.[dev]'")
    w(".venv/bin/python bench/run.py --write-docs --analysis bench/analysis.md")
    w(".venv/bin/python bench/profile_thread.py    # the in-process breakdown quoted below")
    w(".venv/bin/python bench/run.py --quick       # small data, few requests: a smoke test")
    w("```")
    w("")
    w(
        "The full run takes about 15 minutes on this machine (seeding the 1,000,000 comments "
        f"took {seeding['big']['seconds']:.0f} s of it); its raw results go to "
        "`bench/results/latest.json`, and `bench/run.py --from-json bench/results/latest.json "
        "--write-docs --analysis bench/analysis.md` writes this file again from them. "
        '"Where the time goes" is `bench/analysis.md`, written by hand after the run from '
        "its profiles. isso is installed from PyPI into `bench/.isso-venv` on the first run "
        "(`.venv/bin/python bench/isso_compare.py` does only that)."
    )
    w("")
    w("## Targets")
    w("")
    w("| target | measured | |")
    w("| --- | --- | --- |")
    for name, value, ok in targets(results):
        w(f"| {name} | {value} | {ok} |")
    w("")
    w(
        "The query counts come from the run itself (in-process, the SQL statements of one "
        "request on the seeded databases) and from "
        "`tests/comments/test_routes.py::test_the_article_page_reads_the_database_a_fixed_number_of_times`."
    )
    w("")
    w("## Reading a thread")
    w("")
    w(
        "Page 1 of each thread as a visitor sees it. *comments* is what the page holds: the "
        "JSON thread has every reply of its top-level comments; the HTML page indents 8 levels "
        'and links deeper branches to the comment\'s own page ("Continue this thread").'
    )
    w("")
    w("| database | article | what | p50 ms | p95 ms | min ms | comments on the page | size |")
    w("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    names = {
        "empty": "empty",
        "big": "10,000 articles, 1,000,000 comments",
        "threads": "threads",
        "one page": "threads, all top-level comments on one page",
    }
    for label, r in reads.items():
        if label.startswith("isso"):
            continue
        parts = label.split(" · ")
        db = names.get(parts[0], parts[0])
        if len(parts) == 2:
            article, what = "—", parts[1]
        else:
            article, what = f"{parts[1]} comments", parts[2]
        what = {"html": "article page (HTML)", "json": "JSON thread"}.get(what, what)
        if "comments_in_html" in r:
            held = f"{r['comments_in_html']:,}"
            size = f"{r['html_kb']} KB"
        elif "comments_on_page" in r:
            held = f"{r['comments_on_page']:,} ({r['top_level_on_page']} top-level, "
            held += f"{r['pages']} page{'s' if r['pages'] != 1 else ''})"
            size = ""
        else:
            held, size = "", ""
        w(
            f"| {db} | {article} | {what} | {r['p50']:.1f} | {r['p95']:.1f} | {r['min']:.1f} "
            f"| {held} | {size} |"
        )
    w("")
    w("## Posting a comment")
    w("")
    w(
        "A logged-in reader posting through the form (session cookie and CSRF token; the "
        "answer is the redirect to the new comment), and a script posting to "
        "`POST /api/articles/{slug}/comments` with a personal access token (the answer is the "
        "new comment as JSON). Every other post is a reply to a comment of page 1. Each post "
        "is a real write: SQLite's write lock, the insert, the counters, the commit."
    )
    w("")
    w("| database | article | how | p50 ms | p95 ms | min ms |")
    w("| --- | --- | --- | ---: | ---: | ---: |")
    for label, r in posts.items():
        db, article, how = label.split(" · ")
        how = how.removeprefix("post ").strip("()")
        w(
            f"| {names.get(db, db)} | {article} comments | {how} | {r['p50']:.1f} "
            f"| {r['p95']:.1f} | {r['min']:.1f} |"
        )
    w("")
    w("## Against isso")
    w("")
    isso = results.get("isso") or {}
    if "error" in isso:
        w(f"isso could not be compared in this run: {isso['error']}")
    elif not isso:
        w("isso was skipped in this run (`--skip-isso`).")
    else:
        ours_page = reads["threads · 1,000 · json"]
        ours_all = reads["one page · 1,000 · json"]
        theirs_page = reads["isso · 1,000 · page"]
        theirs_all = reads["isso · 1,000 · all"]
        w(
            f"isso {isso['version']} from PyPI, in its own venv, run as `isso -c isso.cfg run` "
            "(its stand-alone server) on 127.0.0.1, loaded with the same 1,000-comment tree "
            f"({isso['rows']:,} rows) and timed in the same rounds as ours."
        )
        w("")
        w("| request | p50 ms | p95 ms | comments in the answer |")
        w("| --- | ---: | ---: | ---: |")
        for name, r in (
            ("ours: `GET /api/articles/thousand/comments` (page 1: 50 threads)", ours_page),
            ("isso: `GET /?uri=/thread&limit=50` (50 threads)", theirs_page),
            (
                "isso: the same with `&plain=1` (Markdown source, not rendered)",
                reads["isso · 1,000 · page, plain"],
            ),
            ("ours, every thread on one page", ours_all),
            ("isso: `GET /?uri=/thread` (every thread)", theirs_all),
        ):
            w(f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r.get('comments_on_page', 0):,} |")
        w("")
        ratio_page = theirs_page["p50"] / ours_page["p50"]
        ratio_all = theirs_all["p50"] / ours_all["p50"]
        w(
            f"At p50 isso takes {ratio_page:.1f}× our time for 50 threads and "
            f"{ratio_all:.1f}× for the whole thread."
        )
        w("")
        w(
            "What differs: isso keeps one level of nesting (a reply to a reply is stored under "
            "the top-level comment, so the same comments come back two levels deep instead of "
            "twelve); it stores Markdown and renders it (misaka, then bleach) for every comment "
            "of every answer, where we store sanitized HTML once when a comment is written; it "
            "runs one query for the top-level comments and then one per top-level comment for "
            "its replies, where we run a fixed number; it serves with werkzeug's threaded "
            "server (WSGI), we with uvicorn (ASGI)."
        )
    w("")
    w("## Seeding")
    w("")
    w(
        "Through the project's models (`bench/seed.py`): articles with "
        "`forum.articles.service.save_article`, users and comments with SQLAlchemy Core "
        "`insert()` executemany on the models' tables, each comment's `root_seq`, `path` and "
        "`depth` from `forum.comments.tree.child_path`, bodies rendered with "
        f"`comment_renderer` (a pool of {seed.BODY_POOL} bodies); the published counts of "
        "articles and users are kept right. About 30 % of the comments are top-level; replies "
        "go to threads with a heavy-tailed weight (a few long threads, most short); a reply "
        f"answers the thread's latest comment {seed.REPLY_TO_LATEST:.0%} of the time and a "
        f"random earlier one otherwise, at most {seed.MAX_DEPTH} levels deep; "
        f"{seed.DELETED_SHARE:.0%} are deleted ('[deleted]' placeholders). Fixed random seeds. "
        "After seeding, the run checks that the published counts on articles and users match "
        "the comments."
    )
    w("")
    w("| database | seconds | file | what |")
    w("| --- | ---: | ---: | --- |")
    for name, s in seeding.items():
        if name == "big":
            what = (
                f"{s['articles']:,} articles, {s['comments']:,} comments (median "
                f"{s['median_article']} per article, largest {s['largest_article']:,}, "
                f"{s['articles_without_comments']} without comments)"
            )
        else:
            what = "; ".join(
                f"{slug}: {t['comments']:,} comments, {t['top_level']:,} top-level, depth "
                f"{t['max_depth']}, largest thread {t['largest_thread']:,}"
                for slug, t in s.items()
                if isinstance(t, dict)
            )
        w(f"| {name} | {s['seconds']} | {s.get('file_mb')} MB | {what} |")
    w("")
    if results.get("analysis"):
        w("## Where the time goes")
        w("")
        w(results["analysis"].strip())
        w("")
    return "\n".join(out)


def main(args: argparse.Namespace) -> int:
    """Run (or re-report) the benchmark; ``bench/run.py`` parses the arguments."""
    import forum

    if not args.from_json and not Path(forum.__file__).resolve().is_relative_to(SOURCE.resolve()):
        raise SystemExit(f"forum was imported from {forum.__file__}, not from {SOURCE}")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        results = run(args)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2))
        log(f"results in {RESULTS.relative_to(ROOT)}")
    if args.analysis:
        results["analysis"] = args.analysis.read_text()
    report = markdown(results)
    if args.write_docs:
        DOCS.parent.mkdir(parents=True, exist_ok=True)
        DOCS.write_text(report + "\n")
        log(f"wrote {DOCS.relative_to(ROOT)}")
    else:
        print(report)
    return 0
