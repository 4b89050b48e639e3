"""One app per worker and settings shape, handed from test to test with nothing of the test
before left in it.

Building the forum costs about a quarter of a second (Litestar prepares some 290 handlers): a
third of the whole suite when every test built its own. So a test's settings have a *shape*
(the kind of database and ``settings_overrides``), and tests of one shape share a slot: fixed
paths for the var dir, one Redis key prefix, and the app built for the first of them. Before
each test the slot is emptied: the database restored from the migrated template (SQLite) or
truncated (PostgreSQL) by ``database_url``, the var dir's files and the prefix's Redis keys
deleted, the app's in-process caches replaced and the process's write generation moved.

Overrides without a stable ``repr`` (an object's address) get a slot of their own each time,
and at most ``MAX_SLOTS`` apps stay built in a worker.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Litestar

from forum.app import create_app
from forum.db import generation
from forum.settings import Settings
from forum.web.front_cache import make_front_cache
from forum.web.reader_cache import make_reader_cache
from forum.web.render_cache import MemoryRenderCache

MAX_SLOTS = 12
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


@dataclass
class Slot:
    settings: Settings
    app: Litestar | None = None
    built_as: tuple[int, ...] = ()
    """What the app looked like when built (``_looks``): a test that changed the app itself
    (registered a route, replaced its handler) leaves it different, and it is built again."""

    def app_for_a_test(self) -> Litestar:
        """The slot's app, built now or emptied of what the test before left in memory."""
        if self.app is not None and _looks(self.app) != self.built_as:
            self.dispose()
            self.app = None
        if self.app is None:
            self.app = create_app(self.settings)
            self.built_as = _looks(self.app)
        else:
            forget_caches(self.app, self.settings)
        return self.app

    def dispose(self) -> None:
        """Close the app's database connections (a test's end, or before a restore)."""
        if self.app is not None:
            provided(self.app, "database").dispose()


class Slots:
    """This worker's slots, the most recently used last."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._slots: OrderedDict[str, Slot] = OrderedDict()
        self._numbers = itertools.count(1)

    def settings_for(
        self, database_url: str, overrides: dict[str, Any], make: Any, redis_url: str
    ) -> Slot:
        """The slot of this shape (new, or emptied for another test)."""
        key = repr((database_url, sorted(overrides.items(), key=lambda item: item[0])))
        slot = None if _ADDRESS.search(key) else self._slots.get(key)
        if slot is None:
            slot = self._new_slot(database_url, overrides, make, redis_url)
            if not _ADDRESS.search(key):
                self._slots[key] = slot
                self._evict()
        else:
            self._slots.move_to_end(key)
            empty_var_dir(slot.settings.var_dir)
            delete_redis_keys(slot.settings)
        return slot

    def dispose_all(self) -> None:
        """Close every slot's connections: the database file is about to be replaced."""
        for slot in self._slots.values():
            slot.dispose()

    def _new_slot(
        self, database_url: str, overrides: dict[str, Any], make: Any, redis_url: str
    ) -> Slot:
        number = next(self._numbers)
        var_dir = self.base / f"slot-{number}" / "var"
        values = dict(overrides)
        if redis_url and database_url.startswith("postgresql") and "redis_url" not in values:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            values.update(redis_url=redis_url, redis_prefix=f"forum-test-{worker}-{number}")
        settings: Settings = make(database_url, var_dir, **values)
        empty_var_dir(var_dir)
        delete_redis_keys(settings)
        return Slot(settings)

    def _evict(self) -> None:
        while len(self._slots) > MAX_SLOTS:
            _, oldest = self._slots.popitem(last=False)
            oldest.dispose()


def _looks(app: Litestar) -> tuple[int, ...]:
    return (id(app.asgi_handler), len(app.routes), len(app.route_handler_method_map))


def provided(app: Litestar, name: str) -> Any:
    """What ``create_app`` provides under ``name`` (a constant dependency such as the outbox)."""
    return app.dependencies[name].dependency()


def forget_caches(app: Any, settings: Settings) -> None:
    """New, empty front and reader caches and render cache; the write generation moved."""
    fast = app.fast_paths
    if fast is not None:
        fast.front_cache = make_front_cache(settings)
        fast.reader_cache = make_reader_cache(settings)
    store = provided(app, "page_cache").store
    if isinstance(store, MemoryRenderCache):
        store.clear()
    generation.bump()


def empty_var_dir(var_dir: Path) -> None:
    """Delete every file under ``var_dir``; directories stay (the file stores expect theirs)."""
    if not var_dir.exists():
        var_dir.mkdir(parents=True)
        return
    for root, _dirs, files in os.walk(var_dir):
        for name in files:
            (Path(root) / name).unlink(missing_ok=True)


def delete_redis_keys(settings: Settings) -> None:
    """Delete the keys of this slot's prefix (sessions, rate limits, the render cache…)."""
    if not settings.redis_url or not settings.redis_prefix.startswith("forum-test-"):
        return
    import redis

    client = redis.Redis.from_url(settings.redis_url)
    try:
        keys = list(client.scan_iter(match=f"{settings.redis_prefix}[_:]*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
