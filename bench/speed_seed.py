"""The seeded SQLite database of the speed benchmark (issue 13), cached under ``var/bench/``.

Five articles: threads of 100, 1,000, 10,000 and 100,000 comments (``seed.tree_for``: the
realistic shape, about 30 % top-level) and one of 100,000 top-level comments. Written in bulk
through ``seed.Seeder`` (Core ``insert()`` executemany), so the first run seeds in about a
minute; the file is kept under ``var/bench/speed-<hash>.db``, the hash taken over the seeding
code (this file and ``seed.py``), and later runs copy it and only apply newer migrations.

The readers who log in are added to each run's copy: one production argon2id hash
(``Settings`` defaults) shared by all of them, so the copy is ready in a second.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import seed
from sqlalchemy import update

from forum import schema
from forum.accounts.models import User
from forum.accounts.passwords import Passwords, make_hasher
from forum.accounts.service import Registration, register
from forum.comments.tree import child_path
from forum.db import Database
from forum.settings import Settings

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR.parent / "var" / "bench"
SIZES = {
    "speed-100": 100,
    "speed-1k": 1_000,
    "speed-10k": 10_000,
    "speed-100k": 100_000,
}
FLAT = "speed-flat-100k"
FLAT_COUNT = 100_000
PASSWORD = "a long enough passphrase"  # noqa: S105 - the bench readers' password
READER = "speed_reader"
LOGIN_USERS = 32


def code_hash() -> str:
    digest = hashlib.sha256()
    for name in ("seed.py", "speed_seed.py"):
        digest.update((BENCH_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


def flat_tree(count: int) -> list[seed.Node]:
    """``count`` top-level comments, one every minute, no replies."""
    return [
        seed.Node(
            index=i,
            parent=None,
            root_seq=i + 1,
            path=child_path("", i + 1),
            depth=0,
            minutes=i,
            body=(i * 7) % seed.BODY_POOL,
            author=(i * 13) % 500,
            deleted=False,
        )
        for i in range(count)
    ]


def trees() -> dict[str, list[seed.Node]]:
    out = {slug: seed.tree_for(count) for slug, count in SIZES.items()}
    out[FLAT] = flat_tree(FLAT_COUNT)
    return out


def env_for(var: Path) -> dict[str, str]:
    return {
        "FORUM_VAR_DIR": str(var),
        "FORUM_SECRET_KEY": "speed-" + "x" * 40,
        "FORUM_MAIL_WORKER": "false",
        "FORUM_BASE_URL": "http://127.0.0.1",
    }


def _seed_into(var: Path) -> dict[str, dict]:
    settings = Settings.from_env(env_for(var))
    schema.upgrade(settings)
    database = Database(settings.effective_database_url)
    seeder = seed.Seeder(database)
    seeder.seed_users()
    stats = {}
    with database.session(write=True) as session:
        for number, (slug, nodes) in enumerate(trees().items(), start=1):
            article = seeder.article(session, slug, number)
            seeder.comments(session, article.id, nodes)
            stats[slug] = seed.tree_stats(nodes)
    seeder.finish()
    database.dispose()
    return stats


def cached_database(log) -> tuple[Path, dict]:
    """The cached seeded file (seeding it first when the seeding code changed)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    target = CACHE_DIR / f"speed-{code_hash()}.db"
    about = target.with_suffix(".json")
    if target.exists() and about.exists():
        return target, {**json.loads(about.read_text()), "cached": True}
    log(f"seeding {target.name} (first run for this seeding code)")
    started = time.perf_counter()
    work = CACHE_DIR / f"seeding-{code_hash()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    stats = _seed_into(work)
    db_file = work / "forum.db"
    with sqlite3.connect(db_file) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db_file.rename(target)
    shutil.rmtree(work, ignore_errors=True)
    seconds = round(time.perf_counter() - started, 1)
    log(f"seeded in {seconds} s")
    info = {"seconds": seconds, "trees": stats, "file_mb": round(target.stat().st_size / 2**20, 1)}
    about.write_text(json.dumps(info))
    return target, {**info, "cached": False}


def prepare_run(var: Path, log) -> tuple[dict[str, str], dict]:
    """A fresh copy of the seeded database in ``var``, migrated to the code under test, with
    the readers who log in; returns the server's environment and what was seeded."""
    cached, info = cached_database(log)
    var.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, var / "forum.db")
    env = env_for(var)
    settings = Settings.from_env(env)
    started = time.perf_counter()
    schema.upgrade(settings)
    info["upgrade_seconds"] = round(time.perf_counter() - started, 1)
    production = make_hasher(
        settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
    )
    info["argon2"] = (
        f"t={settings.argon2_time_cost}, m={settings.argon2_memory_cost} KiB, "
        f"p={settings.argon2_parallelism}"
    )
    one_hash = production.hash(PASSWORD)
    cheap = Passwords(make_hasher(1, 8, 1))
    database = Database(settings.effective_database_url)
    names = [READER] + [f"speed_login_{n:02d}" for n in range(LOGIN_USERS)]
    with database.session(write=True) as session:
        for name in names:
            user = register(session, cheap, Registration(name, f"{name}@example.org", PASSWORD))
            user.email_verified_at = datetime.now(UTC)
        session.flush()
        session.execute(update(User).where(User.username.in_(names)).values(password_hash=one_hash))
    database.dispose()
    info["size_mb"] = round((var / "forum.db").stat().st_size / 2**20, 1)
    return env, info
