"""Load and fault runs against `forum serve --workers 2`, bounded in time and requests, sent to
127.0.0.1 only.

    .venv/bin/python bench/load.py --scenario login-burst      # 60 failed logins while others post
    .venv/bin/python bench/load.py --scenario sqlite-writers   # 16 concurrent SQLite writers
    .venv/bin/python bench/load.py --scenario redis-paused     # PostgreSQL + a private Redis frozen
    .venv/bin/python bench/load.py --scenario pg-frozen        # PostgreSQL behind a frozen proxy
    .venv/bin/python bench/load.py --scenario all --write-docs # the four, then docs/performance.md
    .venv/bin/python bench/load.py --db sqlite                 # issue 7's mixed traffic
    .venv/bin/python bench/load.py --db sqlite --writers 16    # issue 7's writers-only run

The scenarios (issue 12) count every answer by when the request was sent: before, during, 0-5 s
after and later than 5 s after the fault; comment posts carry a marker and an Idempotency-Key
and are retried (same key) on no answer, 429 or 5xx, so lost and duplicated comments are
counted afterwards in the database. Results go to bench/results/fault-<scenario>.json;
`--write-docs` writes the "Load and faults (issue 12)" section of docs/performance.md from them.

By default the code under test is a snapshot of the committed HEAD (as bench/run.py does);
`--tree` runs the working tree. Only the standard library is imported here.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SCENARIOS = ("login-burst", "sqlite-writers", "redis-paused", "pg-frozen")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--fault", type=float, default=10, help="seconds Redis/PG stay frozen")
    parser.add_argument("--fault-at", type=float, default=10, help="seconds of traffic before")
    parser.add_argument("--after", type=float, default=20, help="seconds of traffic after it")
    parser.add_argument("--baseline", type=float, default=8, help="seconds without the load")
    parser.add_argument("--logins", type=int, default=60, help="login-burst: failed logins")
    parser.add_argument("--writers", type=int, default=0, help="concurrent writers (16)")
    parser.add_argument("--duration", type=float, default=0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pg-outage", type=float, default=0, help="stop the machine's PG (!)")
    parser.add_argument("--outage-at", type=float, default=20)
    parser.add_argument("--tree", action="store_true", help="run the working tree, not HEAD")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--write-docs-only", action="store_true")
    return parser.parse_args(argv)


def commit_note() -> str:
    return os.environ.get("FORUM_BENCH_COMMIT") or "the working tree (`--tree`)"


def own_args(argv: list[str]) -> str:
    """The command line without --scenario NAME and --write-docs (to repeat one scenario)."""
    kept, skip = [], False
    for arg in argv:
        if skip or arg == "--write-docs":
            skip = False
            continue
        skip = arg == "--scenario"
        if not skip and not arg.startswith("--scenario="):
            kept.append(arg)
    return " ".join(kept)


def scenario(name: str, args: argparse.Namespace, argv: list[str]) -> dict[str, object]:
    import load_common
    import load_report
    import load_scenarios

    if name == "sqlite-writers":
        args.writers = args.writers or 16
        args.duration = args.duration or 30
    print(f"{name}: running", file=sys.stderr, flush=True)
    raw = load_scenarios.run_scenario(name, args)
    raw.update(
        scenario=name,
        summary=load_report.summarize(name, raw),
        machine=load_common.machine(),
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        code=commit_note(),
        command=f"bench/load.py --scenario {name} {own_args(argv)}".rstrip(),
        settings={
            k: getattr(args, k)
            for k in ("fault", "fault_at", "after", "baseline", "logins", "writers", "duration")
        },
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"fault-{name}.json").write_text(json.dumps(raw, indent=1))
    return raw


def mixed(args: argparse.Namespace, argv: list[str]) -> None:
    """Issue 7's mixed traffic (and writers-only, and the PostgreSQL outage)."""
    import asyncio

    import load_common as lc
    import load_mixed as lm

    with tempfile.TemporaryDirectory(prefix="forum-load-") as tmp:
        env, tokens, scratch = lc.prepare(args.db, Path(tmp) / "var")
        port = lc.free_port()
        server = lc.start_server(env, port, Path(tmp) / "server.log")
        try:
            started = time.perf_counter()
            rec = asyncio.run(
                lm.drive(
                    f"http://127.0.0.1:{port}",
                    tokens,
                    duration=args.duration or 60,
                    concurrency=args.writers or args.concurrency,
                    max_requests=args.max_requests,
                    writers_only=bool(args.writers),
                    outage=args.pg_outage,
                    outage_at=args.outage_at,
                )
            )
            elapsed = time.perf_counter() - started
        finally:
            lc.stop(server)
        result = lm.summarize(rec, elapsed)
        result["lost_comments"] = lm.verify(env, rec.accepted)
        result["outage"] = lm.outage_report(rec)
        lc.drop_scratch(scratch)
    result["scenario"] = (
        f"{args.db}, {'writers only x' + str(args.writers) if args.writers else 'mixed'}"
        f"{', PostgreSQL stopped ' + str(args.pg_outage) + ' s' if args.pg_outage else ''}"
    )
    result["machine"] = lc.machine()
    result["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["command"] = "bench/load.py " + " ".join(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "load-" + result["scenario"].replace(", ", "-").replace(" ", "_")
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    if args.write_docs:
        lm.write_docs()


def in_snapshot(argv: list[str]) -> int:
    """Run this script with ``git archive HEAD`` first on the path and as the servers' cwd.
    forum.templates and forum.migrations live at the top of the repository and reach the
    package through the editable install, which would serve the working tree's files: links
    inside the snapshot's package make them the snapshot's own."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="forum-load-src-") as tmp:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        for name in ("templates", "migrations"):
            (Path(tmp) / "forum" / name).symlink_to(Path(tmp) / name)
        env = {
            **os.environ,
            "FORUM_BENCH_SOURCE": tmp,
            "FORUM_BENCH_COMMIT": f"commit `{commit}` (a `git archive` snapshot of HEAD)",
            "PYTHONPATH": tmp,
        }
        return subprocess.run([sys.executable, __file__, *argv], env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if args.pg_outage and args.db != "postgres":
        raise SystemExit("--pg-outage needs --db postgres")
    if args.write_docs_only:
        import load_report

        load_report.write_docs()
        return 0
    if not (args.tree or os.environ.get("FORUM_BENCH_SOURCE")):
        return in_snapshot(argv)
    random.seed(1917)
    if not args.scenario:
        mixed(args, argv)
        return 0
    names = SCENARIOS if args.scenario == "all" else (args.scenario,)
    for name in names:
        raw = scenario(name, args, argv)
        print(json.dumps({"scenario": name, **raw["summary"]}, indent=1, default=str))
    if args.write_docs:
        import load_report

        load_report.write_docs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
