"""Where sessions, rate limits and caches live: Redis when configured, else files under var/.

The file store is shared by every process on one machine; Redis by every machine. Redis is
asked with short timeouts and no slow retries: when it is down or slow, a request that needs it
fails fast with a ``RedisError``, which ``forum.web.errors`` answers with 503 and logs once a
minute, not once per request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from forum.settings import Settings

StoreCheck = Callable[[], Awaitable[bool]]
"""Answers whether the shared store (Redis) can be reached; provided as ``store_check``."""


def make_stores(settings: Settings) -> tuple[StoreRegistry, StoreCheck | None]:
    """The store registry, and a readiness check for the shared store (None for files)."""
    if settings.redis_url:
        root = RedisStore(
            redis_client(settings.redis_url, timeout=settings.redis_timeout_seconds),
            namespace=settings.redis_prefix,
            handle_client_shutdown=True,
        )

        def redis_factory(name: str) -> Store:
            return root.with_namespace(name)

        async def redis_ready() -> bool:
            try:
                return bool(await root._redis.ping())
            except Exception:
                return False

        registry = StoreRegistry(default_factory=redis_factory)
        registry.register("_root", root)
        return registry, redis_ready

    base = settings.var_dir / "store"

    def file_factory(name: str) -> Store:
        return FileStore(base / name, create_directories=True)

    return StoreRegistry(default_factory=file_factory), None


def redis_client(url: str, *, timeout: float) -> Redis:
    """A Redis client whose connects and replies take at most ``timeout`` seconds.

    A broken connection is retried once at once (Redis restarted: the pool reconnects); a
    timeout is not retried, so a slow Redis costs a request ``timeout``, not several times it.
    """
    return Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        decode_responses=False,
    )


async def close_stores(registry: StoreRegistry) -> None:
    """Close the Redis connection pool, if any, at shutdown."""
    root = registry._stores.get("_root")
    if isinstance(root, RedisStore):
        await root._redis.aclose(close_connection_pool=True)
