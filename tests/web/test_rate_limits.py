"""The rate limiter on its own: a burst, then a steady rate, per key, on the file store and
(with ``FORUM_TEST_REDIS_URL``) on Redis; parallel attempts never take more than the burst."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from forum.errors import RateLimited
from forum.settings import Settings, SettingsError
from forum.web.rate_limits import Key, Limit, RateLimiter, try_again
from tests.conftest import REDIS_URL, TEST_SECRET

STORES = ["file"] + (["redis"] if REDIS_URL else [])

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "file":
        yield FileStore(tmp_path / "rate_limits", create_directories=True)
        return
    redis_store = RedisStore.with_client(REDIS_URL, namespace=f"forum-test-{uuid.uuid4().hex}")
    try:
        yield redis_store
    finally:
        await redis_store.delete_all()
        await redis_store._redis.aclose(close_connection_pool=True)


def limiter(store: Store, clock: Clock, **limits: Any) -> RateLimiter:
    values = {"limit_comments_burst": 3, "limit_comments_per_hour": 60, **limits}
    return RateLimiter(store, Settings(secret_key=TEST_SECRET, **values), clock=clock)


def alice(address: str = "192.0.2.1") -> dict[Key, str | None]:
    return {Key.USER: "1", Key.ADDRESS: address}


async def test_a_burst_is_allowed_then_refused_with_when_to_try_again(store):
    clock = Clock()
    limits = limiter(store, clock)
    for _ in range(3):
        await limits.spend(Limit.COMMENT, alice())
    with pytest.raises(RateLimited) as refused:
        await limits.spend(Limit.COMMENT, alice())
    assert refused.value.retry_after == 60  # 60 an hour: one token a minute
    assert "Please try again in 1 minute." in refused.value.message


async def test_after_the_burst_the_steady_rate_holds(store):
    clock = Clock()
    limits = limiter(store, clock)
    for _ in range(3):
        await limits.spend(Limit.COMMENT, alice())
    clock.now += 30
    with pytest.raises(RateLimited) as refused:
        await limits.spend(Limit.COMMENT, alice())
    assert refused.value.retry_after == 30
    clock.now += 30
    await limits.spend(Limit.COMMENT, alice())  # one a minute
    with pytest.raises(RateLimited):
        await limits.spend(Limit.COMMENT, alice())
    clock.now += 3 * 60
    for _ in range(3):  # refilled up to the burst, not beyond
        await limits.spend(Limit.COMMENT, alice())
    with pytest.raises(RateLimited):
        await limits.spend(Limit.COMMENT, alice())


async def test_a_refusal_spends_nothing(store):
    clock = Clock()
    limits = limiter(store, clock)
    for _ in range(3):
        await limits.spend(Limit.COMMENT, alice())
    for _ in range(10):
        with pytest.raises(RateLimited):
            await limits.spend(Limit.COMMENT, alice())
    clock.now += 60
    await limits.spend(Limit.COMMENT, alice())


async def test_each_key_has_its_own_bucket(store):
    clock = Clock()
    limits = limiter(store, clock, limit_address_factor=2)
    for _ in range(3):
        await limits.spend(Limit.COMMENT, alice())
    with pytest.raises(RateLimited):
        await limits.spend(Limit.COMMENT, alice())
    # Bob at the same address: the address allows twice a person's burst
    for _ in range(3):
        await limits.spend(Limit.COMMENT, {Key.USER: "2", Key.ADDRESS: "192.0.2.1"})
    with pytest.raises(RateLimited):  # the address is spent now (6)
        await limits.spend(Limit.COMMENT, {Key.USER: "3", Key.ADDRESS: "192.0.2.1"})
    await limits.spend(Limit.COMMENT, {Key.USER: "3", Key.ADDRESS: "198.51.100.7"})
    await limits.spend(Limit.REPORT, alice())  # another limit, other buckets


async def test_mails_are_limited_per_target_address_and_per_client(store):
    clock = Clock()
    limits = limiter(store, clock, limit_mails_burst=2, limit_address_factor=2)
    target = {Key.MAIL_TO: "victim@example.org"}
    await limits.spend(Limit.MAIL, {**target, Key.ADDRESS: "192.0.2.1"})
    await limits.spend(Limit.MAIL, {**target, Key.ADDRESS: "192.0.2.2"})
    with pytest.raises(RateLimited):  # a third client, the same target
        await limits.spend(Limit.MAIL, {**target, Key.ADDRESS: "192.0.2.3"})
    for n in range(3):  # one client, other targets: up to the client's own burst (2 x 2)
        await limits.spend(Limit.MAIL, {Key.MAIL_TO: f"{n}@example.org", Key.ADDRESS: "192.0.2.1"})
    with pytest.raises(RateLimited):
        await limits.spend(Limit.MAIL, {Key.MAIL_TO: "new@example.org", Key.ADDRESS: "192.0.2.1"})


async def test_moderators_are_exempt_from_comment_limits_only(store):
    clock = Clock()
    limits = limiter(store, clock, limit_reports_burst=1)
    for _ in range(10):
        await limits.spend(Limit.COMMENT, alice(), exempt=True)
    await limits.spend(Limit.REPORT, alice(), exempt=True)
    with pytest.raises(RateLimited):
        await limits.spend(Limit.REPORT, alice(), exempt=True)


async def test_a_burst_of_zero_turns_a_limit_off(store):
    limits = limiter(store, Clock(), limit_comments_burst=0)
    for _ in range(20):
        await limits.spend(Limit.COMMENT, alice())


async def test_parallel_attempts_take_no_more_than_the_burst(store):
    limits = limiter(store, Clock(), limit_comments_burst=5)
    allowed = 0

    async def attempt() -> None:
        nonlocal allowed
        try:
            await limits.spend(Limit.COMMENT, alice())
        except RateLimited:
            return
        allowed += 1

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(attempt)
    assert allowed == 5


async def test_keys_are_not_stored_in_clear(tmp_path):
    store = FileStore(tmp_path / "rate_limits", create_directories=True)
    limits = limiter(store, Clock())
    await limits.spend(Limit.MAIL, {Key.MAIL_TO: "victim@example.org", Key.ADDRESS: "192.0.2.1"})
    stored = b"".join(p.read_bytes() for p in (tmp_path / "rate_limits").iterdir())
    assert b"victim" not in stored
    assert b"192.0.2.1" not in stored


def test_only_a_shared_store_will_do():
    with pytest.raises(TypeError):
        limiter(MemoryStore(), Clock())


def test_limits_cannot_be_negative():
    with pytest.raises(SettingsError):
        Settings(limit_comments_burst=-1)
    with pytest.raises(SettingsError):
        Settings(limit_address_factor=0)


def test_the_wait_is_worded():
    assert try_again(1) == "Please try again in 1 second."
    assert try_again(45) == "Please try again in 45 seconds."
    assert try_again(60) == "Please try again in 1 minute."
    assert try_again(61) == "Please try again in 2 minutes."
    assert try_again(3 * 3600) == "Please try again in about 3 hours."
