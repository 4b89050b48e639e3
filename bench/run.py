"""Run the thread benchmarks (``bench/thread.py``) and write docs/performance.md.

    .venv/bin/python bench/run.py                  # full run (~15 minutes), prints the report
    .venv/bin/python bench/run.py --write-docs     # ... and writes docs/performance.md
    .venv/bin/python bench/run.py --quick          # small data and few requests: a smoke test
    .venv/bin/python bench/run.py --from-json bench/results/latest.json --write-docs

By default the code under test is a snapshot of the committed HEAD (``git archive`` into a
temporary directory, put first on ``PYTHONPATH`` for this script and the servers it starts),
so that half-finished work of other engineers in the shared working tree neither breaks nor
colours the numbers. ``--tree`` times the working tree as it is.

Only the standard library is imported here: the forum is imported once the code under test
is chosen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data, few requests")
    parser.add_argument("--rounds", type=int, default=0, help="timed rounds (default 200)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up rounds (default 20)")
    parser.add_argument("--skip-isso", action="store_true", help="no isso comparison")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--write-docs", action="store_true", help="write docs/performance.md")
    parser.add_argument("--from-json", type=Path, help="report an earlier run's results")
    parser.add_argument(
        "--analysis", type=Path, help="a Markdown file to include as 'Where the time goes'"
    )
    parser.add_argument(
        "--tree", action="store_true", help="time the working tree instead of a snapshot of HEAD"
    )
    return parser.parse_args(argv)


def in_snapshot_of(script: Path, argv: list[str]) -> int:
    """Run ``script`` with ``git archive HEAD`` first on the path (and the servers' cwd)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    snapshot = Path(tempfile.mkdtemp(prefix="forum-bench-src-"))
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive, check=True)
        env = {
            **os.environ,
            "FORUM_BENCH_SOURCE": str(snapshot),
            "FORUM_BENCH_COMMIT": f"commit `{commit}` (a `git archive` snapshot of HEAD; "
            "uncommitted work in the shared tree is not measured)",
            "PYTHONPATH": str(snapshot),
        }
        return subprocess.run([sys.executable, str(script), *argv], env=env, check=False).returncode
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if not (args.tree or args.from_json or os.environ.get("FORUM_BENCH_SOURCE")):
        return in_snapshot_of(Path(__file__), argv)
    import thread

    return thread.main(args)


if __name__ == "__main__":
    sys.exit(main())
