"""Atomic counters with an expiry, in a Litestar store: what throttles count with.

A read-then-write count lets a parallel burst all read the same value and all pass; these
increments are atomic instead. Redis: one Lua script (``INCRBY``, then ``EXPIRE`` on the first
increment, then ``TTL``), so every process on every host shares one count. The file store: an
exclusive ``flock`` on a lock file beside the store's folder around the read and the write, so
every process on one machine shares it. Any other store (memory, in tests): an asyncio lock.
"""

from __future__ import annotations

import asyncio
import fcntl
from pathlib import Path
from weakref import WeakKeyDictionary

from anyio import to_thread
from litestar.stores.base import StorageObject, Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore

_INCREMENT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
"""

_locks: WeakKeyDictionary[Store, asyncio.Lock] = WeakKeyDictionary()


async def increment(store: Store, key: str, *, by: int = 1, expires_in: int) -> tuple[int, int]:
    """Add ``by`` to the count under ``key`` (a new count expires in ``expires_in`` seconds;
    the expiry of a running count is kept); the new count and the seconds it has left."""
    if isinstance(store, RedisStore):
        script = store._redis.register_script(_INCREMENT)
        count, ttl = await script(keys=[store._make_key(key)], args=[by, expires_in])
        return int(count), int(ttl)
    if isinstance(store, FileStore):
        return await to_thread.run_sync(_file_increment, store, key, by, expires_in)
    lock = _locks.setdefault(store, asyncio.Lock())
    async with lock:
        current = await store.get(key)
        left = await store.expires_in(key) if current is not None else None
        count = int(current or 0) + by
        ttl = left if left and left > 0 else expires_in
        await store.set(key, str(count), expires_in=ttl)
        return count, ttl


def _file_increment(store: FileStore, key: str, by: int, expires_in: int) -> tuple[int, int]:
    """The read and the write under one exclusive lock that every process honours."""
    folder = Path(str(store.path))
    folder.mkdir(parents=True, exist_ok=True)
    lock_path = folder.parent / f".{folder.name}.lock"
    with lock_path.open("a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            target = Path(str(store._path_from_key(key)))
            try:
                stored: StorageObject | None = StorageObject.from_bytes(target.read_bytes())
            except (FileNotFoundError, ValueError):
                stored = None
            if stored is not None and stored.expired:
                stored = None
            if stored is None or stored.expires_at is None:
                stored = StorageObject.new(b"0", expires_in)
            count = int(stored.data) + by
            kept = StorageObject(expires_at=stored.expires_at, data=str(count).encode())
            store._write_sync(store._path_from_key(key), kept)  # a rename: readers never see half
            return count, max(1, kept.expires_in)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
