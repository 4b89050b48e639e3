"""Where sessions, rate limits and caches live: Redis when configured, else files under var/.

The file store is shared by every process on one machine; Redis by every machine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry

from forum.settings import Settings

StoreCheck = Callable[[], Awaitable[bool]]
"""Answers whether the shared store (Redis) can be reached; provided as ``store_check``."""


def make_stores(settings: Settings) -> tuple[StoreRegistry, StoreCheck | None]:
    """The store registry, and a readiness check for the shared store (None for files)."""
    if settings.redis_url:
        root = RedisStore.with_client(settings.redis_url, namespace=settings.redis_prefix)

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


async def close_stores(registry: StoreRegistry) -> None:
    """Close the Redis connection pool, if any, at shutdown."""
    root = registry._stores.get("_root")
    if isinstance(root, RedisStore):
        await root._redis.aclose(close_connection_pool=True)
