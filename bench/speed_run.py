"""The speed benchmark of issue 13, run once: the hello-world ceiling, ``forum serve`` with one
worker over the seeded SQLite database, memory and a short soak, 32 logins, and isso on the
same trees. Returns the raw results; ``speed_report.py`` turns them into the docs section."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import isso_compare
import seed
import speed_pairs
import speed_probe as probe
import speed_seed
import speed_tools as tools

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(os.environ.get("FORUM_BENCH_SOURCE") or ROOT)
ARTICLE = "/articles/{}"
JSON = "/api/articles/{}/comments"
PAGE_SIZES = ("speed-1k", "speed-10k", "speed-100k", speed_seed.FLAT)
ISSO_TREES = ("speed-100", "speed-1k")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_before": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        .stdout.split("\n")[0]
        .split(" Copyright")[0],
    }


def stacks() -> tuple[list[tuple[str, str, str]], str]:
    """The server stacks to measure the ceiling on, and the one ``forum serve`` runs on
    (uvicorn's ``auto``: uvloop and httptools when importable)."""
    fast = [tools.importable("uvloop"), tools.importable("httptools")]
    out = [("stock (asyncio + h11)", "asyncio", "h11")]
    if all(fast):
        out.append(("uvloop + httptools", "uvloop", "httptools"))
        return out, "uvloop + httptools"
    if any(fast):
        out.append(("auto", "auto", "auto"))
        return out, "auto"
    return out, "stock (asyncio + h11)"


def measure(server: tools.Server, path: str, seconds: float, **kwargs: Any) -> dict[str, Any]:
    """wrk at c16 after a 1 s warm-up, each started on an idle server."""
    tools.wait_idle(server.process.pid)
    tools.wrk(server.base + path, 1, **kwargs)  # warm-up
    tools.wait_idle(server.process.pid)
    result = tools.wrk(server.base + path, seconds, **kwargs)
    result["drain_s"] = tools.wait_idle(server.process.pid)
    log(f"  {server.name} {path}: {result['rps']:.0f} req/s, p50 {result.get('p50_ms')} ms")
    return result


def single_client(server: tools.Server, path: str) -> dict[str, Any]:
    """p50 of one client's sequential requests (5, or 2 when one takes over 2 s)."""
    tools.wait_idle(server.process.pid)
    out = probe.sequential_ms(server.base, path)
    log(f"  {server.name} {path}, one client: p50 {out['p50_ms']} ms")
    return out


SLOW_MS = 400
"""A page slower than this for one client is not sent to wrk at c16: 16 queued requests would
outlast the run (and wrk counts none); its req/s is one client's (one worker is serial)."""


def ceilings(work: Path, seconds: float) -> dict[str, Any]:
    out = {}
    for name, loop, http in stacks()[0]:
        port = tools.free_port()
        server = tools.start(
            f"hello {name}", tools.hello_command(port, loop, http), port, work / f"hello-{loop}.log"
        )
        try:
            out[name] = measure(server, "/", seconds)
        finally:
            server.stop()
    return out


def start_forum(env: dict[str, str], work: Path, name: str) -> tools.Server:
    port = tools.free_port()
    return tools.start(
        name,
        tools.forum_command(port),
        port,
        work / f"{name}.log",
        env=env,
        cwd=SOURCE,
        ready="/healthz",
    )


def start_hello(work: Path) -> tools.Server:
    """The hello world on the stack ``forum serve`` runs on, for shares taken back to back."""
    known, name = stacks()
    loop, http = next((loop, http) for n, loop, http in known if n == name)
    port = tools.free_port()
    return tools.start(
        f"hello {name}", tools.hello_command(port, loop, http), port, work / "hello-pairs.log"
    )


def forum_rates(env: dict[str, str], work: Path, seconds: float) -> dict[str, Any]:
    """Targets 1-7 on one fresh ``forum serve --workers 1`` (targets 1 and 2 back to back
    with a hello world beside it: ``speed_pairs``)."""
    server = start_forum(env, work, "forum")
    hello = start_hello(work)
    try:
        cookie = probe.logged_in_cookie(server.base, speed_seed.READER, speed_seed.PASSWORD)
        page = ARTICLE.format("speed-100")
        json100 = JSON.format("speed-100")
        out: dict[str, Any] = {
            "headers": {
                "visitor page": probe.headers_of(server.base, page),
                "reader page": probe.headers_of(server.base, page, cookie),
                "json 100": probe.headers_of(server.base, json100),
            }
        }
        for slug in PAGE_SIZES:
            for kind, path in (("page", ARTICLE), ("json", JSON)):
                out["headers"][f"{kind} 1 {slug}"] = probe.headers_of(
                    server.base, path.format(slug), revalidate=False
                )
        etag = out["headers"]["json 100"]["etag"]
        page_etag = out["headers"]["visitor page"]["etag"]
        cold = speed_pairs.cold_script(work / "cold.lua", page)
        ceiling_runs: dict[str, tuple[str, dict[str, Any]]] = {
            "visitor page": (page, {}),
            "reader page": (page, {"headers": {"Cookie": cookie}}),
            "reader page, first load": (page, {"headers": {"Cookie": cookie}, "script": cold}),
            "json 100": (json100, {}),
            "json 100, 304": (json100, {"headers": {"If-None-Match": etag} if etag else {}}),
            "visitor page, 304": (page, {"headers": {"If-None-Match": page_etag or ""}}),
            "healthz": ("/healthz", {}),
        }
        runs: dict[str, tuple[str, dict[str, str]]] = {}
        out["single"] = {}
        for kind, path in (("page", ARTICLE), ("json", JSON)):  # target 3: sizes in rounds
            tools.wait_idle(server.process.pid)
            found = probe.interleaved_ms(server.base, [path.format(slug) for slug in PAGE_SIZES])
            for slug in PAGE_SIZES:
                single = found[path.format(slug)]
                log(f"  {server.name} {path.format(slug)}, one client: p50 {single['p50_ms']} ms")
                out["single"][f"{kind} 1 {slug}"] = single
                if single["p50_ms"] <= SLOW_MS:
                    runs[f"{kind} 1 {slug}"] = (path.format(slug), {})
        out["rates"] = {
            name: measure(server, path, seconds, headers=headers)
            for name, (path, headers) in runs.items()
        }
        log("targets 1 and 2, back to back with the hello world")
        out["rates"].update(speed_pairs.paired(measure, hello, server, ceiling_runs, seconds))
        for name, single in out["single"].items():
            if name not in out["rates"]:
                out["rates"][name] = {"rps": round(1000 / single["p50_ms"], 2), "single": True}
        out["slow"] = [
            (ARTICLE if name.startswith("page") else JSON).format(name.split(" ", 2)[2])
            for name, single in out["single"].items()
            if single["p50_ms"] > SLOW_MS
        ]
        log("whole 1,000-comment thread as JSON")
        tools.wait_idle(server.process.pid)
        db_file = Path(env["FORUM_VAR_DIR"]) / "forum.db"
        out.update(
            speed_pairs.whole_against_floor(
                lambda: probe.whole_call_ms(server.base, "speed-1k", cookie),
                lambda: probe.floor_ms(db_file, "speed-1k"),
            )
        )
        out["whole_thread_cookieless"] = probe.whole_call_ms(server.base, "speed-1k")
        out["whole_thread_pages"] = probe.whole_thread_ms(server.base, "speed-1k")
        out["wire"] = {
            enc or "identity": tools.wire_size(server.port, page, enc)
            for enc in (None, "gzip", "br", "zstd", "gzip, deflate, br, zstd")
        }
        out["static"] = probe.static_assets(server.base, out["headers"]["visitor page"]["assets"])
    finally:
        hello.stop()
        server.stop()
    return out


def memory_soak_logins(
    env: dict[str, str], work: Path, seconds: float, soak: float, slow: list[str]
) -> dict:
    """Targets 8 and 9 on a second fresh worker: peak RSS serving page 1 of the 10,000-comment
    thread at c16 (the peak taken afresh after the reader's login, whose argon2 hash is
    measured on its own), RSS over the soak, then 32 simultaneous logins. ``slow`` paths (over
    ``SLOW_MS`` for one client) are left out of wrk."""
    server = start_forum(env, work, "forum-memory")
    out: dict[str, Any] = {}
    try:
        out["idle"] = tools.worker_memory(server.process.pid)
        cookie = probe.logged_in_cookie(server.base, speed_seed.READER, speed_seed.PASSWORD)
        out["login"] = tools.worker_memory(server.process.pid)
        out["peak_reset"] = tools.reset_peak(server.process.pid)
        slug = "speed-10k"
        for name, path, headers in (
            ("visitor page", ARTICLE.format(slug), {}),
            ("json", JSON.format(slug), {}),
            ("reader page", ARTICLE.format(slug), {"Cookie": cookie}),
        ):
            if path in slow and not headers:
                out[f"10k {name}"] = {"rps": 0.0, "skipped": "too slow for c16"}
                continue
            out[f"10k {name}"] = measure(server, path, seconds, headers=headers)
        out["peak"] = tools.worker_memory(server.process.pid)
        paths = [
            ARTICLE.format("speed-100"),
            JSON.format("speed-100"),
            ARTICLE.format("speed-10k"),
            JSON.format("speed-1k"),
            JSON.format("speed-10k"),
            "/healthz",
            "/",
        ]
        paths = [p for p in paths if p not in slow]
        script = tools.rotate_script(work / "soak.lua", paths)
        samples = []
        chunk = 10.0
        started = time.perf_counter()
        requests = 0
        while time.perf_counter() - started < soak:
            result = tools.wrk(server.base + "/", chunk, script=script)
            requests += result["requests"]
            tools.wait_idle(server.process.pid)
            samples.append(tools.worker_memory(server.process.pid)["rss_mib"])
        out["soak"] = {
            "seconds": round(time.perf_counter() - started),
            "paths": paths,
            "requests": requests,
            "rss_mib": samples,
            "growth": round(samples[-1] / samples[0] - 1, 4) if samples else None,
        }
        log(f"  soak: RSS {samples[0]} -> {samples[-1]} MiB, {requests} requests")
        tools.wait_idle(server.process.pid)
        users = [f"speed_login_{n:02d}" for n in range(speed_seed.LOGIN_USERS)]
        out["logins"] = probe.simultaneous_logins(server.base, users, speed_seed.PASSWORD)
        log(f"  logins: {out['logins']}")
        out["after"] = tools.worker_memory(server.process.pid)
    finally:
        server.stop()
    return out


def isso_peer(work: Path, seconds: float) -> dict[str, Any]:
    try:
        isso, version = isso_compare.ensure_isso()
    except isso_compare.IssoUnavailable as exc:
        return {"error": str(exc)}
    out: dict[str, Any] = {"version": version}
    trees = speed_seed.trees()
    bodies = seed.body_pool()
    for slug in ISSO_TREES:
        directory = work / f"isso-{slug}"
        directory.mkdir()
        port = tools.free_port()
        conf = isso_compare.write_config(directory, port, "http://127.0.0.1/")
        rows = isso_compare.load_tree(
            isso_compare.VENV_DIR, conf, trees[slug], bodies, created=1_050_397_920.0
        )
        path = f"/?uri={isso_compare.ISSO_URI}"
        server = tools.start(
            f"isso {slug}",
            isso_compare.command(isso, conf),
            port,
            directory / "isso.log",
            ready=path,
        )
        try:
            single = single_client(server, path)
            if single["p50_ms"] > SLOW_MS:
                rate = {"rps": round(1000 / single["p50_ms"], 3), "single": True}
                out[slug] = {"rows": rows, **rate, "p50_ms": single["p50_ms"]}
            else:
                out[slug] = {"rows": rows, "single_p50_ms": single["p50_ms"]}
                out[slug].update(measure(server, path, seconds))
        finally:
            server.stop()
    return out


def run(args: Any) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "code": os.environ.get("FORUM_BENCH_COMMIT") or "the working tree (`--tree`)",
        "seconds_per_run": args.seconds,
        "soak_seconds": args.soak,
        "command": "bench/speed.py " + " ".join(args.argv),
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="forum-speed-") as tmp:
        work = Path(tmp)
        env, results["seeding"] = speed_seed.prepare_run(work / "var", log)
        results["stack"] = stacks()[1]
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("hello", lambda: ceilings(work, args.seconds)),
            ("forum", lambda: forum_rates(env, work, args.seconds)),
            (
                "memory",
                lambda: memory_soak_logins(
                    env, work, args.seconds, args.soak, results["forum"].get("slow", [])
                ),
            ),
        ]
        steps.append(("hello_after", lambda: ceilings(work, args.seconds)))
        if not args.skip_isso:
            steps.append(("isso", lambda: isso_peer(work, args.seconds)))
        for name, step in steps:
            log(f"{name}")
            try:
                results[name] = step()
            except Exception as exc:
                log(f"{name} failed: {exc!r}")
                results[name] = {"error": repr(exc)}
    results["machine"]["load_after"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    results["total_seconds"] = round(time.perf_counter() - started)
    return results
