"""Mixed traffic (issue 7): 90 % reads, 9 % comment posts, 1 % logins, optionally with
PostgreSQL stopped mid-run or with only comment writers; and the "Load and faults (issue 7)"
section of docs/performance.md from bench/results/load-*.json."""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import time
import uuid
from collections import Counter, defaultdict

import httpx
from load_common import PASSWORD, ROOT, SLUG, percentile
from sqlalchemy import func, select

from forum.comments.models import Comment
from forum.db import Database
from forum.settings import Settings


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
    """Statuses while PostgreSQL was down, and failures 0-5 s and later after its restart."""
    marks = {kind: t for t, kind, _ in rec.timeline if kind.startswith("outage")}
    if not marks:
        return {}
    start, end = marks["outage-start"], marks["outage-end"]
    during = Counter(s for t, k, s in rec.timeline if start <= t < end and not k.startswith("out"))
    after = [(t, s) for t, k, s in rec.timeline if t >= end and k in {"page", "thread", "post"}]
    first_ok = next((round(t - end, 1) for t, s in sorted(after) if 0 < s < 400), None)
    return {
        "outage_seconds": round(end - start, 1),
        "statuses_during_outage": dict(during),
        "first_success_after_restart_s": first_ok,
        "failures_0_5s_after_restart": sum(
            1 for t, s in after if (s >= 500 or not s) and t < end + 5
        ),
        "5xx_more_than_5s_after_restart": sum(1 for t, s in after if s >= 500 and t >= end + 5),
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
            f"{o.get('failures_0_5s_after_restart', 'uncounted')} failures 0-5 s and "
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
