"""A cache for HTML that many visitors see alike, keyed by the ETag of the data it shows.

The key names the data's state, so nothing is ever invalidated by hand: when the data
changes its ETag changes and the old entry is simply never asked for again (and falls out of
the LRU, or expires in Redis). Shared keys also name the code (``code_version``): a deploy
with other templates never reads what the one before it rendered. One process without Redis
keeps a bounded in-memory LRU; with ``FORUM_REDIS_URL`` the entries are shared by every
process. A cache that fails (Redis down or slow) is a miss, never an error: the page is
rendered as if there were no cache.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
from collections import OrderedDict
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

from redis import Redis
from redis.exceptions import RedisError

from forum.settings import Settings
from forum.web.templating import TEMPLATE_PACKAGE

log = logging.getLogger(__name__)

MEMORY_MAX_BYTES = 16 * 1024 * 1024
"""At most this much rendered HTML is kept per process (least recently used goes first): some
hundred thread sections, visitors' and logged-in readers' alike, within a worker's 150 MiB."""
REDIS_TTL_SECONDS = 3600
"""A Redis entry lives at most this long; entries of old ETags expire by themselves."""
REDIS_TIMEOUT_SECONDS = 0.25
"""A cache lookup slower than this is a miss: rendering is cheaper than waiting."""


@cache
def code_version() -> str:
    """A digest of the templates and the code that renders them: part of every shared key, so
    processes of a new deploy never take HTML that an older one left in Redis."""
    digest = hashlib.sha256()
    templates = Path(str(resources.files(TEMPLATE_PACKAGE)))
    code = Path(__file__).resolve().parents[1]
    for root, pattern in ((templates, "*.html"), (code, "*.py")):
        for path in sorted(root.rglob(pattern)):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


class RenderCache(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class MemoryRenderCache:
    """A thread-safe LRU bounded by the size of what it holds (handlers run in threads)."""

    def __init__(self, max_bytes: int = MEMORY_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: str) -> None:
        # What the string holds in memory: a character past ASCII makes each take 2 or 4 bytes.
        cost = len(value) if value.isascii() else sys.getsizeof(value)
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self._entries[key] = value
            self.size += cost
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Drop every entry (the data under them was replaced wholesale: a restore)."""
        with self._lock:
            self._entries.clear()
            self.size = 0


class RedisRenderCache:
    """Entries shared by every process through Redis, with a TTL; failures are misses."""

    def __init__(self, client: Redis, prefix: str, ttl: int = REDIS_TTL_SECONDS) -> None:
        self.client = client
        self.prefix = f"{prefix}:render:{code_version()}:"
        self.ttl = ttl

    def get(self, key: str) -> str | None:
        try:
            value = self.client.get(self.prefix + key)
        except RedisError:
            log.debug("render cache: Redis lookup failed", exc_info=True)
            return None
        return value.decode() if isinstance(value, bytes) else None

    def set(self, key: str, value: str) -> None:
        try:
            self.client.set(self.prefix + key, value.encode(), ex=self.ttl)
        except RedisError:
            log.debug("render cache: Redis store failed", exc_info=True)


def make_render_cache(settings: Settings) -> RenderCache:
    """Redis when the site has it, else an in-memory LRU for this process."""
    if settings.redis_url:
        client = Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        return RedisRenderCache(client, settings.redis_prefix)
    return MemoryRenderCache()
