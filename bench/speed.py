"""The speed benchmark of issue 13: every target in one command, one run, one machine.

    .venv/bin/python bench/speed.py --write-docs    # the run (~15 min), then docs/performance.md
    .venv/bin/python bench/speed.py                 # the same, printing the section
    .venv/bin/python bench/speed.py --seconds 2 --soak 20 --skip-isso   # a quick smoke run
    .venv/bin/python bench/speed.py --from-json bench/results/speed.json --write-docs

A hello-world ASGI app on the same uvicorn (stock, and uvloop + httptools when both are
installed) is the ceiling; ``forum serve --workers 1`` over a seeded SQLite database (threads
of 100 to 100,000 comments, cached under var/bench/) is measured with wrk at 16 connections;
then peak memory, a 10-minute soak, 32 simultaneous logins, and isso on the same trees. Each
target is a ratio against something measured in the same run, so it holds on any machine.

The code under test is a snapshot of the committed HEAD (``git archive``; the snapshot's own
templates and migrations are linked into its package, which the editable install would
otherwise take from the working tree); ``--tree`` measures the working tree. Only the
standard library is imported here: the forum is imported once the code under test is chosen.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "speed.json"
DOCS = ROOT / "docs" / "performance.md"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="wrk seconds per request (5)")
    parser.add_argument(
        "--soak", type=float, default=600, help="soak seconds (600: the issue's 10 minutes)"
    )
    parser.add_argument("--skip-isso", action="store_true", help="no isso peer")
    parser.add_argument("--write-docs", action="store_true", help="write docs/performance.md")
    parser.add_argument("--from-json", type=Path, help="report an earlier run's results")
    parser.add_argument("--tree", action="store_true", help="the working tree, not HEAD")
    args = parser.parse_args(argv)
    args.argv = argv
    return args


def snapshot(commit: str, into: Path) -> Path:
    """The tree of ``commit`` in ``into``, its templates and migrations linked into its package
    (the editable install would otherwise serve the working tree's)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    for name in ("templates", "migrations"):
        link = into / "forum" / name
        if not link.exists():
            link.symlink_to(into / name)
    return into


def in_snapshot(argv: list[str]) -> int:
    """Run this script with ``git archive HEAD`` first on the path and as the servers' cwd."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    tmp = tempfile.mkdtemp(prefix="forum-speed-src-")
    try:
        snapshot("HEAD", Path(tmp))
        env = {
            **os.environ,
            "FORUM_BENCH_SOURCE": tmp,
            "FORUM_BENCH_COMMIT": f"commit `{commit}` (a `git archive` snapshot of HEAD)",
            "PYTHONPATH": tmp,
        }
        return subprocess.run([sys.executable, __file__, *argv], env=env, check=False).returncode
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_source() -> None:
    """The forum, its templates and its migrations all come from the code under test."""
    source = Path(os.environ.get("FORUM_BENCH_SOURCE") or ROOT).resolve()
    import forum.migrations
    import forum.templates

    import forum

    for where in (forum.__file__, *forum.templates.__path__, *forum.migrations.__path__):
        if not Path(where or "").resolve().is_relative_to(source):
            raise SystemExit(f"{where} is not in the code under test ({source})")


def write_docs(text: str, heading: str) -> None:
    """Replace the section in docs/performance.md (or append it), keeping the others."""
    docs = DOCS.read_text() if DOCS.exists() else ""
    lines = docs.splitlines()
    try:
        start = lines.index(heading)
    except ValueError:
        DOCS.write_text(docs.rstrip() + "\n\n" + text)
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "\n".join(lines[end:])
    DOCS.write_text("\n".join(lines[:start]) + "\n" + text + ("\n" + tail + "\n" if tail else ""))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if not (args.tree or args.from_json or os.environ.get("FORUM_BENCH_SOURCE")):
        return in_snapshot(argv)
    # A terminated run still stops the servers it started (``finally`` blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    source = os.environ.get("FORUM_BENCH_SOURCE")
    if source and source not in sys.path:
        sys.path.insert(0, source)
    import speed_report

    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        check_source()
        import speed_run

        results = speed_run.run(args)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1))
        print(f"results in {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    section = speed_report.section(results)
    if args.write_docs:
        write_docs(section, speed_report.HEADING)
    else:
        print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
