"""Target 4 for two or more commits side by side: the whole 1,000-comment thread for a logged-in
reader, each commit's server and the floor timed in turn, so a busy moment of a shared machine
falls on all of them alike.

    .venv/bin/python bench/whole_ab.py ee65465 HEAD            # 15 rounds
    .venv/bin/python bench/whole_ab.py --rounds 20 --load HEAD~1 HEAD

Each commit is a ``git archive`` snapshot served by ``forum serve --workers 1`` over one copy of
the speed benchmark's seeded database (``speed_seed``: seeded once per machine, ~10 minutes),
migrated by the working tree's code: compare commits of one schema.
A round times the floor (``speed_probe.floor_ms``), then one call per commit
(``speed_probe.whole_call_ms``); the median of each commit's per-round ratio is printed.
``--load`` first serves each server some wrk load (pages, JSON, a reader's pages), as the
speed benchmark does before it measures target 4.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import speed_probe as probe
import speed_seed
import speed_tools as tools
from speed import snapshot

LOAD = ("/articles/speed-100", "/api/articles/speed-100/comments", "/articles/speed-10k")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("commits", nargs="+")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--load", action="store_true", help="serve wrk load first")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="forum-whole-ab-"))
    servers: dict[str, tools.Server] = {}
    try:
        env, _ = speed_seed.prepare_run(work / "var", lambda message: print(message))
        cookies = {}
        for n, commit in enumerate(args.commits):
            source = snapshot(commit, work / f"src{n}")
            port = tools.free_port()
            server = tools.start(
                commit,
                tools.forum_command(port),
                port,
                work / f"serve{n}.log",
                env={**env, "PYTHONPATH": str(source)},
                cwd=source,
            )
            servers[f"{n}:{commit}"] = server
            cookies[f"{n}:{commit}"] = probe.logged_in_cookie(
                server.base, speed_seed.READER, speed_seed.PASSWORD
            )
        if args.load:
            for name, server in servers.items():
                for path in LOAD:
                    tools.wrk(server.base + path, seconds=3)
                tools.wrk(server.base + LOAD[0], seconds=3, headers={"Cookie": cookies[name]})
        ratios: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(args.rounds):
            floor = probe.floor_ms(work / "var" / "forum.db", "speed-1k")["p50_ms"]
            for name, server in servers.items():
                call = probe.whole_call_ms(server.base, "speed-1k", cookies[name])["p50_ms"]
                ratios[name].append(call / floor)
        for name, found in ratios.items():
            print(f"{name}: {statistics.median(found):.2f}× the floor (rounds: {len(found)})")
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
