"""The fault scenarios of issue 12 (`bench/load.py --scenario NAME`): each starts its own
server (and, for PostgreSQL, a private Redis and a TCP proxy), sends bounded traffic to
127.0.0.1, injects its fault, and returns what every request got, phase by phase."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import load_common as lc

SCENARIOS = ("login-burst", "sqlite-writers", "redis-paused", "pg-frozen")
TIMEOUT = httpx.Timeout(10.0)  # a request unanswered after 10 s counts as "no answer"
FAILED = {0, 429} | set(range(500, 600))


@dataclass
class Run:
    """One scenario's servers and their addresses."""

    base: str
    tokens: list[str]
    rec: lc.Record
    env: dict[str, str]
    redis: subprocess.Popen[bytes] | None
    proxy: subprocess.Popen[bytes] | None


def freezer(process: subprocess.Popen[bytes] | None) -> tuple[Callable[[], None], ...]:
    """SIGSTOP/SIGCONT of a child this bench started: it keeps its sockets, moves no byte."""
    assert process is not None
    return (
        lambda: process.send_signal(signal.SIGSTOP),
        lambda: process.send_signal(signal.SIGCONT),
    )


async def login(base: str, username: str, password: str = lc.PASSWORD) -> httpx.AsyncClient:
    """A browser-like client with a session (CSRF cookie first, then the JSON session API)."""
    client = httpx.AsyncClient(base_url=base, timeout=TIMEOUT)
    await client.get("/login")
    response = await client.post(
        "/api/session",
        json={"login": username, "password": password},
        headers={"x-csrftoken": client.cookies.get("forum_csrf", "")},
    )
    if response.status_code != 200:
        raise SystemExit(f"bench login of {username} failed: {response.status_code}")
    return client


async def mixed_worker(
    run: Run, client: httpx.AsyncClient, sessions: list[httpx.AsyncClient], n: int, until: float
) -> None:
    """40 % article pages, 30 % JSON threads (anonymous), 15 % API posts, 15 % /api/me with a
    session cookie (the requests that need the session store)."""
    rng = random.Random(n)
    while run.rec.now() < until:
        roll = rng.random()
        if roll < 0.40:
            await run.rec.send("page", client.get(f"/articles/{lc.SLUG}"))
        elif roll < 0.70:
            await run.rec.send("thread", client.get(f"/api/articles/{lc.SLUG}/comments"))
        elif roll < 0.85:
            token = run.tokens[n % 16]
            await lc.post_comment(client, run.rec, token, address=f"198.51.100.{n + 1}")
        else:
            await run.rec.send("me", rng.choice(sessions).get("/api/me"))


async def readyz_prober(run: Run, until: float) -> None:
    """/readyz once a second: during a frozen database it must answer within 2 s."""
    async with httpx.AsyncClient(base_url=run.base, timeout=TIMEOUT) as client:
        while run.rec.now() < until:
            started = run.rec.now()
            await run.rec.send("readyz", client.get("/readyz"))
            await asyncio.sleep(max(0.0, 1.0 - (run.rec.now() - started)))


async def fault_traffic(run: Run, args, freeze: Callable[[], None], thaw: Callable[[], None]):
    """Mixed traffic from 8 clients; the fault starts at --fault-at and lasts --fault s."""
    until = args.fault_at + args.fault + args.after
    sessions = [await login(run.base, f"loader{n}") for n in range(16, 20)]

    async def fault() -> None:
        await asyncio.sleep(max(0.0, args.fault_at - run.rec.now()))
        freeze()
        run.rec.mark("fault_start")
        try:
            await asyncio.sleep(args.fault)
        finally:
            thaw()
            run.rec.mark("fault_end")

    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    async with httpx.AsyncClient(base_url=run.base, timeout=TIMEOUT, limits=limits) as client:
        await asyncio.gather(
            fault(),
            readyz_prober(run, until),
            *(mixed_worker(run, client, sessions, n, until) for n in range(8)),
        )
    for session in sessions:
        await session.aclose()


async def sqlite_writers(run: Run, args) -> None:
    """One writer for --baseline s (the latency baseline), then --writers writers at once."""

    async def writer(client: httpx.AsyncClient, n: int, until: float) -> None:
        while run.rec.now() < until and len(run.rec.sent) < args.max_requests:
            await lc.post_comment(client, run.rec, run.tokens[n], address=f"198.51.100.{n + 1}")

    limits = httpx.Limits(max_connections=args.writers, max_keepalive_connections=args.writers)
    async with httpx.AsyncClient(base_url=run.base, timeout=TIMEOUT, limits=limits) as client:
        await writer(client, 0, args.baseline)
        run.rec.mark("load_start")
        until = args.baseline + args.duration
        await asyncio.gather(*(writer(client, n, until) for n in range(args.writers)))
        run.rec.mark("load_end")


async def login_burst(run: Run, args) -> None:
    """Four readers post comments throughout; after --baseline s, --logins wrong-password
    logins against loader0 from one address (203.0.113.7) all at once; then the account's owner
    logs in from their usual address; the posters go on for --baseline s more."""

    def posting() -> bool:
        end = run.rec.marks.get("burst_end")
        return run.rec.now() < (120 if end is None else end + args.baseline)

    async def poster(client: httpx.AsyncClient, n: int) -> None:
        while posting():
            await lc.post_comment(client, run.rec, run.tokens[n], address=f"198.51.100.{n}")

    async def burst() -> None:
        await asyncio.sleep(args.baseline)
        attacker = {"X-Forwarded-For": "203.0.113.7"}
        async with httpx.AsyncClient(base_url=run.base, timeout=60, headers=attacker) as client:
            await client.get("/login")
            csrf = {"x-csrftoken": client.cookies.get("forum_csrf", "")}
            run.rec.mark("burst_start")
            await asyncio.gather(
                *(
                    run.rec.send(
                        "login",
                        client.post(
                            "/api/session",
                            json={"login": "loader0", "password": f"wrong guess {n}"},
                            headers=csrf,
                        ),
                    )
                    for n in range(args.logins)
                )
            )
            run.rec.mark("burst_end")
        owner = {"X-Forwarded-For": "192.0.2.50"}
        async with httpx.AsyncClient(base_url=run.base, timeout=TIMEOUT, headers=owner) as client:
            await client.get("/login")
            body = {"login": "loader0", "password": lc.PASSWORD}
            headers = {"x-csrftoken": client.cookies.get("forum_csrf", "")}
            await run.rec.send(
                "owner-login", client.post("/api/session", json=body, headers=headers)
            )

    async with httpx.AsyncClient(base_url=run.base, timeout=TIMEOUT) as client:
        await asyncio.gather(burst(), *(poster(client, n) for n in range(1, 5)))


async def drive(name: str, run: Run, args) -> None:
    if name == "login-burst":
        await login_burst(run, args)
    elif name == "sqlite-writers":
        await sqlite_writers(run, args)
    elif name == "redis-paused":
        await fault_traffic(run, args, *freezer(run.redis))
    else:
        await fault_traffic(run, args, *freezer(run.proxy))


def start_run(name: str, tmp: Path) -> tuple[Run, list[subprocess.Popen[bytes]], str | None]:
    db = "sqlite" if name in {"login-burst", "sqlite-writers"} else "postgres"
    children: list[subprocess.Popen[bytes]] = []
    redis = proxy = None
    redis_url = lc.REDIS
    if db == "postgres":
        redis_port = lc.free_port()
        redis = lc.start_redis(redis_port, tmp / "redis.log")
        children.append(redis)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env, tokens, scratch = lc.prepare(db, tmp / "var", redis_url)
    server_env = dict(env)
    if name == "pg-frozen":
        proxy_port = lc.free_port()
        proxy = lc.start_proxy(proxy_port, lc.PG_PORT)
        children.append(proxy)
        server_env["FORUM_DATABASE_URL"] = env["FORUM_DATABASE_URL"].replace(
            f":{lc.PG_PORT}/", f":{proxy_port}/"
        )
    port = lc.free_port()
    children.insert(0, lc.start_server(server_env, port, tmp / "server.log"))
    run = Run(f"http://127.0.0.1:{port}", tokens, lc.Record(), env, redis, proxy)
    return run, children, scratch


def run_scenario(name: str, args) -> dict[str, object]:
    """Start everything, drive the scenario, stop everything, count what was lost."""
    with tempfile.TemporaryDirectory(prefix=f"forum-{name}-") as tmp:
        run, children, scratch = start_run(name, Path(tmp))
        try:
            run.rec.t0 = time.perf_counter()
            asyncio.run(drive(name, run, args))
            elapsed = run.rec.now()
        finally:
            for child in children:
                lc.stop(child)
        try:
            comments = lc.check_comments(run.env, run.rec)
        finally:
            lc.drop_scratch(scratch)
        log = lc.server_log_lines(Path(tmp) / "server.log")
        if os.environ.get("FORUM_BENCH_KEEP_LOG"):
            keep = Path(os.environ["FORUM_BENCH_KEEP_LOG"])
            keep.write_bytes((Path(tmp) / "server.log").read_bytes())
    seen = Counter((e.kind, e.status) for e in run.rec.events)
    return {
        "seconds": round(elapsed, 1),
        "marks": run.rec.marks,
        "comments": comments,
        "database_is_locked_answers": run.rec.locked,
        "transport_errors": dict(run.rec.errors),
        "server_log": log,
        "statuses": {f"{kind} {status}": n for (kind, status), n in sorted(seen.items())},
        "events": [(e.kind, round(e.start, 4), round(e.end, 4), e.status) for e in run.rec.events],
    }
