"""A peer in the same run: isso (https://isso-comments.de), installed from PyPI into its own
venv at ``bench/.isso-venv``, loaded with the same comment tree that our forum serves.

isso keeps one level of nesting: a reply to a reply is stored as a reply to the top-level
comment (its ``Comments.add`` walks up to the top). We load the tree the same way, so both
servers hold the same comments under the same top-level comments, in the same order of
creation; only the depth differs. isso stores Markdown and renders it (misaka + bleach) on
every ``GET /?uri=…``; our forum stores the sanitized HTML once, when a comment is written.

The rows are written by a small script run with isso's own interpreter, through isso's own
schema (``isso.db.SQLite3`` creates the tables) and isso's ``Bloomfilter`` for the voters
column, as its ``Comments.add`` would; then ``isso -c CONF run`` serves them on 127.0.0.1
(isso's stand-alone server: werkzeug, threaded, its in-memory cache).

Run on its own, ``.venv/bin/python bench/isso_compare.py`` only installs isso and prints its
version; ``bench/run.py`` does the comparison.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

from seed import Body, Node

BENCH_DIR = Path(__file__).resolve().parent
VENV_DIR = BENCH_DIR / ".isso-venv"
ISSO_URI = "/thread"

_LOADER = r"""
import json, sqlite3, sys
from isso import config, db
from isso.utils import Bloomfilter

conf_path, data_path = sys.argv[1], sys.argv[2]
conf = config.load(config.default_file(), conf_path)
path = conf.get("general", "dbpath")
db.SQLite3(path, conf)  # isso's own schema and migrations
data = json.load(open(data_path))
con = sqlite3.connect(path)
con.execute("INSERT INTO threads (id, uri, title) VALUES (1, ?, ?)", (data["uri"], data["title"]))
voters = {}
rows = []
for c in data["comments"]:
    addr = c["remote_addr"]
    if addr not in voters:
        voters[addr] = memoryview(Bloomfilter(iterable=[addr]).array)
    rows.append((1, c["id"], c["parent"], c["created"], None, c["mode"], addr, c["text"],
                 c["author"], None, None, 0, 0, voters[addr], 0))
con.executemany(
    "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, author,"
    " email, website, likes, dislikes, voters, notification)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    rows,
)
con.commit()
print(con.execute("SELECT COUNT(*) FROM comments").fetchone()[0])
"""


class IssoUnavailable(RuntimeError):
    """isso could not be installed or started; the message says why."""


def ensure_isso(venv_dir: Path = VENV_DIR) -> tuple[Path, str]:
    """isso's command and version, installing it into ``venv_dir`` from PyPI when missing."""
    python = venv_dir / "bin" / "python"
    isso = venv_dir / "bin" / "isso"
    if not isso.exists():
        if not python.exists():
            venv.create(venv_dir, with_pip=True)
        result = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "isso"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0 or not isso.exists():
            raise IssoUnavailable(
                "pip install isso failed: " + (result.stderr or result.stdout).strip()[-2000:]
            )
    version = subprocess.run(
        [str(python), "-c", "import isso; print(isso.__version__)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if version.returncode != 0:
        raise IssoUnavailable("isso is installed but cannot be imported: " + version.stderr[-2000:])
    return isso, version.stdout.strip()


def write_config(directory: Path, port: int, site: str) -> Path:
    """An isso configuration: its SQLite file in ``directory``, listening on 127.0.0.1:port."""
    conf = directory / "isso.cfg"
    conf.write_text(
        "\n".join(
            [
                "[general]",
                f"dbpath = {directory / 'isso.db'}",
                f"host = {site}",
                "notify = stdout",
                "gravatar = false",
                "[admin]",
                "enabled = false",
                "[moderation]",
                "enabled = false",
                "[server]",
                f"listen = http://127.0.0.1:{port}/",
                "reload = false",
                "profile = false",
                "[guard]",
                "enabled = false",
                "",
            ]
        )
    )
    return conf


def load_tree(
    venv_dir: Path, conf: Path, nodes: list[Node], bodies: list[Body], *, created: float
) -> int:
    """Write ``nodes`` as one isso thread (at ``ISSO_URI``); returns the rows isso holds."""
    comments = []
    for node in nodes:
        top = node
        while top.parent is not None:
            top = nodes[top.parent]
        comments.append(
            {
                "id": node.index + 1,
                "parent": None if top is node else top.index + 1,
                "created": created + node.minutes * 60.0,
                # 1 = published, 4 = deleted (kept for its replies, text removed), as in isso
                "mode": 4 if node.deleted else 1,
                "text": "" if node.deleted else bodies[node.body].source,
                "author": None if node.deleted else f"Reader {node.author}",
                "remote_addr": f"198.51.{node.author % 256}.0",
            }
        )
    data = conf.parent / "isso-tree.json"
    data.write_text(json.dumps({"uri": ISSO_URI, "title": "Benchmark", "comments": comments}))
    result = subprocess.run(
        [str(venv_dir / "bin" / "python"), "-c", _LOADER, str(conf), str(data)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise IssoUnavailable("loading the tree into isso failed: " + result.stderr[-2000:])
    return int(result.stdout.strip().splitlines()[-1])


def command(isso: Path, conf: Path) -> list[str]:
    return [str(isso), "-c", str(conf), "run"]


if __name__ == "__main__":
    try:
        path, version = ensure_isso()
    except IssoUnavailable as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    print(f"isso {version} at {path}")
